"""Report in, GitHub Markdown out: the sticky PR comment and the job summary, from
templates/comment.md.j2. Every string the template prints is escaped unless a filter made it
Markdown on purpose, so repository text cannot inject Markdown, HTML or mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jinja2

from enumguard.finding import Finding, Severity
from enumguard.model import display_type
from enumguard.report import (
    coverage,
    mdescape,  # a submodule, not the package namespace
)
from enumguard.report.changes import describe
from enumguard.report.checklist import checklist
from enumguard.report.report import Report
from enumguard.rules import RULE_NAMES, url_of

MARKER = "<!-- enumguard:pr-comment -->"
COMMENT_LIMIT = 65_536  # GitHub's maximum issue-comment body
SUMMARY_LIMIT = 1_000_000  # bytes: GitHub allows 1 MiB of job summary per step; leave headroom
ICONS = {Severity.ERROR: "🔴", Severity.WARNING: "🟡", Severity.INFO: "🔵"}


@dataclass(frozen=True)
class LinkContext:
    """Where locations link to: `{server}/{repo}/blob/{sha}/{path}#L{line}`; rule names link to
    `{rules_base}/{rule}.md` (enumguard's own docs/rules, e.g. from GITHUB_ACTION_REPOSITORY)
    when it is known."""

    server_url: str
    repo: str
    sha: str
    rules_base: str = ""

    def url(self, path: str, line: int) -> str:
        return f"{self.server_url.rstrip('/')}/{self.repo}/blob/{self.sha}/{mdescape.url_path(path)}#L{line}"

    def rule_url(self, rule: str) -> str | None:
        """The rule's page in the repository of the running action when known, else in
        enumguard's home (None while that is unknown, and for a name that is no rule)."""
        if self.rules_base and rule in RULE_NAMES:
            return f"{self.rules_base.rstrip('/')}/{mdescape.url_path(rule)}.md"
        return url_of(rule)


def rules_base(server_url: str, action_repo: str, action_ref: str) -> str:
    """docs/rules of the enumguard the workflow runs (`uses: OWNER/enumguard@REF`); "" when the
    action is not a repository one (a local `uses: ./`)."""
    if not action_repo:
        return ""
    ref = mdescape.url_path(action_ref or "HEAD")
    return f"{server_url.rstrip('/')}/{action_repo}/blob/{ref}/docs/rules"


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
# Only for the output of the template's own macros, whose printed values were escaped inside.
_ENV.filters["macro"] = mdescape.Md


def _segments(parts, table: bool = False) -> mdescape.Md:
    return mdescape.Md("".join(mdescape.code(t, table) if name else mdescape.text(t) for t, name in parts))


_ENV.filters["segments"] = _segments


GROUP_ABOVE = 10  # more findings than this: grouped by rule and file, rows collapsed


def _rule(rule: str, context: LinkContext | None) -> mdescape.Md:
    """The rule's name in code, linked to its page: in the action repository the workflow runs
    when known (the pages of that very version), else enumguard's home (rules.url_of)."""
    url = context.rule_url(rule) if context is not None else url_of(rule)
    return mdescape.Md(f"[{mdescape.code(rule)}]({url})") if url else mdescape.code(rule)


def _fence(text: str) -> str:
    return "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)


def _row(f: Finding, context: LinkContext | None) -> dict[str, Any]:
    where = f"{f.path}:{f.line}"
    linked = context is not None and not f.path.startswith("database:")  # a live-database object: no file
    location = mdescape.link(where, context.url(f.path, f.line)) if context and linked else mdescape.code(where)
    line = mdescape.link(f"line {f.line}", context.url(f.path, f.line)) if context and linked else mdescape.code(where)
    row: dict[str, Any] = {
        "icon": ICONS[f.severity],
        "severity": str(f.severity),
        "rule": _rule(f.rule, context),
        "location": location,
        "line": line,
        "message": mdescape.message(f.message),
        "help": mdescape.message(f.help) if f.help else None,
        "edit": None,
        "migration": None,
    }
    if f.fix is not None and f.fix.kind == "edit":
        row["edit"] = mdescape.code(f.fix.replacement)
    elif f.fix is not None and f.fix.kind == "migration":
        # A fenced block shows repository text verbatim: no Markdown, HTML or mention inside
        # it is interpreted, and the fence is longer than any backtick run in the text.
        fence = _fence(f.fix.text)
        body = "\n".join(("  " + line) if line else "" for line in f.fix.text.rstrip("\n").split("\n"))
        row["migration"] = {
            "what": "a new Alembic revision" if f.fix.style == "alembic" else "a new SQL migration",
            "path": mdescape.code(f.fix.path) if f.fix.path else None,
            "block": mdescape.Md(f"  {fence}{'python' if f.fix.style == 'alembic' else 'sql'}\n{body}\n  {fence}"),
        }
    return row


def _block(findings: list[Finding], context: LinkContext | None) -> dict[str, Any]:
    """Findings as a flat list, or above GROUP_ABOVE grouped by rule (worst first) and file."""
    rows = [_row(f, context) for f in findings]
    groups: list[dict[str, Any]] = []
    if len(findings) > GROUP_ABOVE:
        by_rule: dict[str, list[tuple[Finding, dict]]] = {}
        for f, row in zip(findings, rows):
            by_rule.setdefault(f.rule, []).append((f, row))
        for rule, items in sorted(by_rule.items(), key=lambda kv: (-max(f.severity for f, _ in kv[1]), kv[0])):
            files: dict[str, list[dict]] = {}
            for f, row in items:
                files.setdefault(f.path, []).append(row)
            groups.append(
                {
                    "icon": mdescape.Md(ICONS[max(f.severity for f, _ in items)]),
                    "name": rule,
                    "rule": _rule(rule, context),
                    "count": len(items),
                    "files": [{"path": path, "count": len(r), "rows": r} for path, r in files.items()],
                }
            )
    return {"rows": rows, "groups": groups, "count": len(rows)}


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


def _context(
    report: Report, link: LinkContext | None, marker: bool, max_rows: int | None, show_pre: bool
) -> dict[str, Any]:
    diff = report.mode == "diff"
    shown = [f for f in report.findings if f.new] if diff else list(report.findings)
    pre = list(report.preexisting) if diff else []
    icon, verdict = _verdict(report, shown)
    counts = {str(s): 0 for s in sorted(Severity, reverse=True)}
    for f in shown:
        counts[str(f.severity)] += 1
    rows = shown if max_rows is None else shown[:max_rows]
    listed_pre = pre if show_pre else []
    changes = [
        {"type": display_type(c.type_name), "items": [parts for _, parts in describe(c)]} for c in report.changes
    ]
    return {
        "marker": mdescape.Md(MARKER) if marker else None,
        "icon": mdescape.Md(icon),
        "verdict": verdict,
        "diff": diff,
        "counts": counts,
        "new": _block(rows, link),
        "omitted": len(shown) - len(rows),
        "preexisting": _block(listed_pre, link),
        "preexisting_count": len(pre),
        "changes": changes,
        # The checklist counts exactly the findings this comment lists.
        "checklist": checklist(report, listed=rows + listed_pre),
        "notices": list(report.notices),
        "coverage": coverage.line(report.model.coverage) or "",
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
    total = len(_context(report, context, marker, None, False)["new"]["rows"])
    rows = total
    while True:
        ctx = _context(report, context, marker, rows, False)
        ctx["truncated"] = True
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
