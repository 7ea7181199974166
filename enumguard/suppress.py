"""Findings + source text in, findings out: applies `enumguard: ignore[rule] reason` comments.

A suppression sits on the line of the finding, in a Python (`#`) or SQL (`--`) comment.
One without a reason still suppresses, and is itself reported.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass

from enumguard.collect import SourceTree
from enumguard.finding import Finding, Location, Severity

MARKER = "enumguard: ignore"


@dataclass(frozen=True)
class Suppression:
    location: Location
    rules: frozenset[str]  # empty: every rule
    reason: str


def _parse_line(path: str, number: int, line: str) -> Suppression | None:
    start = line.find(MARKER)
    if start < 0:
        return None
    before = line[:start].rstrip()
    if not (before.endswith("#") or before.endswith("--")):
        return None
    rest = line[start + len(MARKER) :]
    rules: frozenset[str] = frozenset()
    if rest.startswith("["):
        close = rest.find("]")
        if close < 0:
            return None
        rules = frozenset(r.strip() for r in rest[1:close].split(",") if r.strip())
        rest = rest[close + 1 :]
    # The reason runs to the next comment on the line, if any.
    reason = rest.split("#", 1)[0].split("--", 1)[0].strip(" :-\t")
    return Suppression(Location(path, number, start + 1), rules, reason)


def _python_comments(text: str) -> list[tuple[int, int, str]]:
    """(line, column offset, comment text) of real comments, so a marker in a string is ignored."""
    comments = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT and MARKER in tok.string:
                comments.append((tok.start[0], tok.start[1], tok.string))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass  # an unparseable file is reported as syntax-error; nothing to suppress there
    return comments


def suppressions(tree: SourceTree) -> dict[tuple[str, int], Suppression]:
    found: dict[tuple[str, int], Suppression] = {}
    for source in tree.files:
        if MARKER not in source.text:
            continue
        if source.path.endswith((".py", ".pyi")):
            lines = [(n, " " * col + c) for n, col, c in _python_comments(source.text)]
        else:
            lines = list(enumerate(source.text.splitlines(), start=1))
        for number, line in lines:
            parsed = _parse_line(source.path, number, line)
            if parsed:
                found[(source.path, number)] = parsed
    return found


def apply(findings: list[Finding], tree: SourceTree) -> list[Finding]:
    """Drop suppressed findings; add a suppression-without-reason finding for each bare one."""
    table = suppressions(tree)
    kept = []
    for finding in findings:
        s = table.get((finding.location.path, finding.location.line))
        if s and (not s.rules or finding.rule in s.rules) and finding.rule != "suppression-without-reason":
            continue
        kept.append(finding)
    for s in table.values():
        if not s.reason:
            kept.append(
                Finding(
                    location=s.location,
                    rule="suppression-without-reason",
                    message="suppression comment gives no reason",
                    severity=Severity.WARNING,
                    help="write why after the bracket: `# enumguard: ignore[rule] why this is fine`",
                )
            )
    return kept
