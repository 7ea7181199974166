"""Report in, GitHub Markdown out: the sticky PR comment and the job summary, from
templates/comment.md.j2. Every string the template prints is escaped unless a filter made it
Markdown on purpose, so repository text cannot inject Markdown, HTML or mentions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2

from enumguard.finding import Finding, Severity
from enumguard.report.report import Report
from enumguard.report.changes import describe
from enumguard.report.checklist import checklist
from enumguard.report import mdescape  # a submodule, not the package namespace
from enumguard.model import display_type
from enumguard.rules import url_of

MARKER = "<!-- enumguard:pr-comment -->"
COMMENT_LIMIT = 65_536  # GitHub's maximum issue-comment body
SUMMARY_LIMIT = 1_000_000  # bytes: GitHub allows 1 MiB of job summary per step; leave headroom
ICONS = {Severity.ERROR: "🔴", Severity.WARNING: "🟡", Severity.INFO: "🔵"}


@dataclass(frozen=True)
class LinkContext:
    """Where locations link to: `{server}/{repo}/blob/{sha}/{path}#L{line}`."""

    server_url: str
    repo: str
    sha: str

    def url(self, path: str, line: int) -> str:
        return f"{self.server_url.rstrip('/')}/{self.repo}/blob/{self.sha}/{mdescape.url_path(path)}#L{line}"


def _finalize(value: Any) -> Any:
    if isinstance(value, mdescape.Md):
        return value
    if isinstance(value, bool) or value is None:
        raise TypeError(f"the Markdown template printed {value!r}; print text, not flags")
    if isinstance(value, int):
        return str(value)
    return mdescape.text(value)


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("enumguard.report", "templates"),
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # Markdown, not HTML: escaping is done by _finalize and the filters
    finalize=_finalize,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENV.filters["code"] = mdescape.code
_ENV.filters["message"] = mdescape.message


def _segments(parts, table: bool = False) -> mdescape.Md:
    return mdescape.Md("".join(mdescape.code(t, table) if name else mdescape.text(t) for t, name in parts))


_ENV.filters["segments"] = _segments


def _rule_cell(rule: str) -> mdescape.Md:
    """The rule's name in code, linked to its page."""
    url = url_of(rule)
    name = mdescape.code(rule, table=True)
    return mdescape.Md(f"[{name}]({url})") if url else name


def _row(f: Finding, context: LinkContext | None) -> dict[str, Any]:
    where = f"{f.path}:{f.line}"
    linked = context is not None and not f.path.startswith("database:")  # a live-database object: no file
    location = mdescape.link(where, context.url(f.path, f.line)) if linked else mdescape.code(where, table=True)
    advice = []
    if f.help:
        advice.append(mdescape.message(f.help, table=True))
    if f.suggestion is not None:
        advice.append(mdescape.Md("replace with " + mdescape.code(f.suggestion, table=True)))
    return {
        "icon": ICONS[f.severity],
        "severity": str(f.severity),
        "rule": _rule_cell(f.rule),
        "location": location,
        "message": mdescape.message(f.message, table=True),
        "advice": mdescape.Md("<br>".join(advice)) if advice else mdescape.Md(""),
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _verdict(report: Report, shown: list[Finding]) -> tuple[str, str]:
    where = "this pull request" if report.mode == "diff" else "this repository"
    adjective = "new " if report.mode == "diff" else ""
    if not shown:
        return "✅", f"No {adjective}enum problems in {where}."
    worst = max(f.severity for f in shown)
    icon = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}[worst]
    return icon, f"{_plural(len(shown), adjective + 'enum problem')} in {where}."


def _context(report: Report, link: LinkContext | None, marker: bool, max_rows: int | None, show_pre: bool) -> dict[str, Any]:
    diff = report.mode == "diff"
    shown = [f for f in report.findings if f.new] if diff else list(report.findings)
    pre = list(report.preexisting) if diff else []
    icon, verdict = _verdict(report, shown)
    counts = {str(s): 0 for s in sorted(Severity, reverse=True)}
    for f in shown:
        counts[str(f.severity)] += 1
    rows = shown if max_rows is None else shown[:max_rows]
    changes = [
        {"type": display_type(c.type_name), "items": [parts for _, parts in describe(c)]} for c in report.changes
    ]
    return {
        "marker": mdescape.Md(MARKER) if marker else None,
        "icon": mdescape.Md(icon),
        "verdict": verdict,
        "diff": diff,
        "counts": counts,
        "rows": [_row(f, link) for f in rows],
        "omitted": len(shown) - len(rows),
        "preexisting": [_row(f, link) for f in pre] if show_pre else [],
        "preexisting_count": len(pre),
        "changes": changes,
        "checklist": checklist(report),
        "notices": list(report.notices),
        "base": (report.base or "")[:12],
        "head": (report.head or "")[:12],
        "truncated": False,
    }


def render(
    report: Report,
    context: LinkContext | None = None,
    *,
    marker: bool = True,
    limit: int = COMMENT_LIMIT,
    size=len,
) -> str:
    """The PR comment (with the hidden marker first) or, with marker=False, the job summary.
    Over `limit` (as measured by `size`: characters for a comment, UTF-8 bytes for the job
    summary) it drops the pre-existing list, then findings rows, then changes and notices."""
    template = _ENV.get_template("comment.md.j2")
    body = template.render(_context(report, context, marker, None, True))
    if size(body) <= limit:
        return body
    ctx = _context(report, context, marker, None, False)
    ctx["truncated"] = True
    total = len(ctx["rows"])
    rows = total
    while True:
        ctx["rows"] = ctx["rows"][:rows]
        ctx["omitted"] = total - rows
        body = template.render(ctx)
        if size(body) <= limit:
            return body
        if rows == 0:
            break
        rows = rows // 2 if rows > 8 else rows - 1
    ctx["changes"] = []
    ctx["notices"] = []
    body = template.render(ctx)
    while size(body) > limit:  # only the fixed parts are left; cut whole lines
        body = body[: body.rstrip("\n").rfind("\n") + 1]
    return body


def render_summary(report: Report, context: LinkContext | None = None) -> str:
    """The job summary: the comment without the marker, within GitHub's 1 MiB per step."""
    return render(report, context, marker=False, limit=SUMMARY_LIMIT, size=lambda s: len(s.encode("utf-8")))
