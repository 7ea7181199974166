"""Report -> terminal text: `path:line:col: rule: message`, the help and the rule's page indented below."""

from __future__ import annotations

from enumguard.report.report import Report
from enumguard.report.changes import phrase
from enumguard.rules import url_of


def _finding(f, lines: list[str], indent: str = "") -> None:
    new = " [new]" if f.new else ""
    lines.append(f"{indent}{f.location}: {f.rule}: {f.message}{new}")
    if f.help:
        lines.append(f"{indent}    help: {f.help}")
        # The rule's page belongs to the advice: a finding without help keeps its one line.
        url = url_of(f.rule)
        if url:
            lines.append(f"{indent}    docs: {url}")
    for r in f.related:
        lines.append(f"{indent}    see {r.location}: {r.message}")


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
        lines.extend(f"  {phrase(change)}" for change in report.changes)
    for notice in report.notices:
        lines.append(f"enumguard: warning: {notice}")
    counts = report.counts()
    parts = [f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in counts.items()]
    summary = f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''} ({', '.join(parts)}) in {report.files} files"
    if diff:
        fresh = sum(1 for f in report.findings if f.new)
        summary += f"; {fresh} new, {len(report.preexisting)} pre-existing since {(report.base or '?')[:12]}"
    lines.append(summary)
    return "\n".join(lines) + "\n"
