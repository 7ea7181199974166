"""Report -> terminal text: `path:line:col: rule: message`, the help indented below."""

from __future__ import annotations

from enumguard.report import Report


def render(report: Report) -> str:
    lines: list[str] = []
    for f in report.findings:
        new = " [new]" if f.new else ""
        lines.append(f"{f.location}: {f.rule}: {f.message}{new}")
        if f.help:
            lines.append(f"    help: {f.help}")
        for r in f.related:
            lines.append(f"    see {r.location}: {r.message}")
    for notice in report.notices:
        lines.append(f"enumguard: warning: {notice}")
    counts = report.counts()
    parts = [f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in counts.items()]
    lines.append(f"{len(report.findings)} finding{'s' if len(report.findings) != 1 else ''} ({', '.join(parts)}) in {report.files} files")
    return "\n".join(lines) + "\n"
