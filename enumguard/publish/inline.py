"""New findings + the PR's diff in, one review with inline comments out: only on lines the
PR adds, with a GitHub suggestion block where the fix is certain, never repeated on re-runs."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Callable, cast

from enumguard.finding import Finding, Fix
from enumguard.fixes import edits
from enumguard.publish.client import GitHubClient, PullFile
from enumguard.report import mdescape
from enumguard.rules import url_of

MAX_COMMENTS = 20
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def added_lines(patch: str) -> set[int]:
    """Line numbers (head side) that a unified diff adds."""
    lines: set[int] = set()
    line = 0
    for text in patch.splitlines():
        m = _HUNK.match(text)
        if m:
            line = int(m.group(1))
            continue
        if text.startswith("+"):
            lines.add(line)
            line += 1
        elif text.startswith("-") or text.startswith("\\"):
            continue
        else:
            line += 1
    return lines


def marker(f: Finding) -> str:
    digest = hashlib.sha256("\x1f".join(f.fingerprint()).encode("utf-8")).hexdigest()[:16]
    return f"<!-- enumguard:review {digest} -->"


def suggested_line(f: Finding, root: Path) -> str | None:
    """The finding's line with its edit fix applied (the same codemod as `enumguard fix`, so the
    token is checked and a string keeps its quotes); None when there is no such fix or the token
    no longer holds what the finding names."""
    planned = edits.edits_from([f])
    if not planned:
        return None
    try:
        text = (root / f.path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    new, applied, _ = edits.apply_to_text(f.path, text, planned)
    lines = new.splitlines()
    if not applied or not 1 <= f.line <= len(lines) or "\n" in cast(Fix, f.fix).replacement:  # planned: a fix
        return None
    return lines[f.line - 1]


def body(f: Finding, suggestion: str | None, rule_url: Callable[[str], str | None] = url_of) -> str:
    url = rule_url(f.rule)
    rule = mdescape.link(f.rule, url) if url else mdescape.text(f.rule)
    text = f"{marker(f)}\n**enumguard {rule}**: {mdescape.message(f.message)}"
    if f.help:
        text += f"\n\n{mdescape.message(f.help)}"
    if suggestion is not None:
        fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", suggestion)), default=0) + 1)
        text += f"\n\n{fence}suggestion\n{suggestion}\n{fence}"
    return text


def review_comments(
    findings: list[Finding],
    files: list[PullFile],
    root: Path,
    seen: set[tuple[str, str]],
    rule_url: Callable[[str], str | None] = url_of,
) -> list[dict]:
    """API `comments` entries for new findings on added lines, skipping (path, marker) pairs
    already posted."""
    changed = {f.path: added_lines(f.patch) for f in files}
    out: list[dict] = []
    for f in findings:
        if f.line not in changed.get(f.path, ()) or (f.path, marker(f)) in seen:
            continue
        text = body(f, suggested_line(f, root), rule_url)
        out.append({"path": f.path, "line": f.line, "side": "RIGHT", "body": text})
        if len(out) == MAX_COMMENTS:
            break
    return out


def post(
    gh: GitHubClient,
    number: int,
    head_sha: str,
    author: str,
    findings: list[Finding],
    root: Path,
    rule_url: Callable[[str], str | None] = url_of,
) -> int:
    """Post one review with the new inline comments; returns how many were posted. Rule names
    link to `rule_url(rule)` when it is known (the pages of the running action)."""
    # Live-database findings (`database:public.status`) have no line in the diff.
    candidates = [f for f in findings if f.new is not False and not f.path.startswith("database:")]
    if not candidates:
        return 0
    files = gh.pull_files(number)
    seen = set()
    for c in gh.review_comments(number):
        if c.author == author:
            m = re.match(r"<!-- enumguard:review [0-9a-f]+ -->", c.body)
            if m:
                seen.add((c.path, m.group(0)))
    comments = review_comments(candidates, files, root, seen, rule_url)
    if comments:
        gh.create_review(
            number, head_sha, f"enumguard: {len(comments)} new finding(s) on lines this pull request adds.", comments
        )
    return len(comments)
