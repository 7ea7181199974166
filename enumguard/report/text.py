"""Report -> terminal text: `path:line:col: rule: message`, the help and the command that prints the
rule's page indented below."""

from __future__ import annotations

import re

from enumguard.report import coverage
from enumguard.report.changes import phrase
from enumguard.report.report import Report
from enumguard.rules import RULE_NAMES

_BREAKS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")


def one_line(value: object) -> str:
    """Repository text on one line: a newline (or another control character) in a name cannot
    start a line that looks like another finding or a CI command; shown as `\\n` etc."""
    return _BREAKS.sub(lambda m: repr(m.group())[1:-1], str(value))


def _finding(f, lines: list[str], indent: str = "") -> None:
    new = " [new]" if f.new else ""
    lines.append(f"{indent}{one_line(f.location)}: {f.rule}: {one_line(f.message)}{new}")
    if f.help:
        lines.append(f"{indent}    help: {one_line(f.help)}")
        # The rule's page belongs to the advice: a finding without help keeps its one line. The
        # installed enumguard prints it, offline and for its own version.
        if f.rule in RULE_NAMES:
            lines.append(f"{indent}    docs: enumguard --explain {f.rule}")
    for r in f.related:
        lines.append(f"{indent}    see {one_line(r.location)}: {one_line(r.message)}")
    if f.fix is not None and f.fix.kind == "edit":
        lines.append(f"{indent}    fix: replace with {one_line(f.fix.replacement)} (`enumguard fix` applies it)")
    elif f.fix is not None and f.fix.kind == "migration":
        what = "Alembic revision" if f.fix.style == "alembic" else "SQL migration"
        creates = f" (`enumguard fix --write` creates {one_line(f.fix.path)})" if f.fix.path else ""
        lines.append(f"{indent}    fix: a new {what}{creates}:")
        lines.extend(f"{indent}        {one_line(line)}".rstrip() for line in f.fix.text.splitlines())


def render(report: Report) -> str:
    lines: list[str] = []
    diff = report.mode == "diff"
    for f in report.findings:
        if not (diff and f.new is False):
            _finding(f, lines)
    if diff and report.preexisting:
        lines.append(f"pre-existing, not introduced by this change ({len(report.preexisting)}):")
        for f in report.preexisting:
            _finding(f, lines, "  ")
    if diff and report.changes:
        lines.append("enum changes in this change:")
        lines.extend(f"  {one_line(phrase(change))}" for change in report.changes)
    for notice in report.notices:
        lines.append(f"enumguard: warning: {one_line(notice)}")
    checked = coverage.line(report.model.coverage)
    if checked:
        lines.append(one_line(checked))
    counts = report.counts()
    parts = [f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in counts.items()]
    summary = f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''} ({', '.join(parts)}) in {report.files} files"
    if diff:
        fresh = sum(1 for f in report.findings if f.new)
        summary += f"; {fresh} new, {len(report.preexisting)} pre-existing since {(report.base or '?')[:12]}"
    lines.append(summary)
    return "\n".join(lines) + "\n"
