"""Report -> JSON: {"version": 1, "findings": [...], "summary": {...}}, keys and order stable."""

from __future__ import annotations

import json
from typing import Any

from enumguard.finding import Finding
from enumguard.report import Report


def finding_dict(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": f.rule,
        "severity": str(f.severity),
        "path": f.location.path,
        "line": f.location.line,
        "column": f.location.column,
        "message": f.message,
        "help": f.help,
    }
    for key in ("enum", "member", "value", "db_type", "suggestion"):
        if getattr(f, key) is not None:
            out[key] = getattr(f, key)
    if f.related:
        out["related"] = [
            {"path": r.location.path, "line": r.location.line, "column": r.location.column, "message": r.message}
            for r in f.related
        ]
    if f.new is not None:
        out["new"] = f.new
    return out


def render(report: Report) -> str:
    summary: dict[str, Any] = {"total": len(report.findings), **report.counts(), "files": report.files}
    if report.mode == "diff":
        summary["new"] = sum(1 for f in report.findings if f.new)
        summary["preexisting"] = len(report.preexisting)
    doc: dict[str, Any] = {
        "version": 1,
        "findings": [finding_dict(f) for f in report.findings],
        "summary": summary,
    }
    if report.notices:
        doc["notices"] = list(report.notices)
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"
