"""Report -> JSON: {"version": 1, "findings": [...], "summary": {...}}, keys and order stable.
Diff mode adds "base", "head", "preexisting" (findings) and "changes" (enum DDL per DB type)."""

from __future__ import annotations

import json
from typing import Any

from enumguard.finding import Finding, Fix
from enumguard.model import EnumOp, display_type
from enumguard.report import coverage
from enumguard.report.report import EnumChange, Report


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
    if f.fix is not None:
        out["fix"] = fix_dict(f.fix)
    if f.related:
        out["related"] = [
            {"path": r.location.path, "line": r.location.line, "column": r.location.column, "message": r.message}
            for r in f.related
        ]
    if f.new is not None:
        out["new"] = f.new
    return out


def fix_dict(fix: Fix) -> dict[str, Any]:
    """`{"kind": "edit", "replacement": ...}` or `{"kind": "migration", "style": ..., "text": ...,
    "path": ...}` (path: the file `enumguard fix --write` creates, when it can write one)."""
    if fix.kind == "edit":
        return {"kind": "edit", "replacement": fix.replacement}
    out = {"kind": fix.kind, "style": fix.style, "text": fix.text}
    if fix.path:
        out["path"] = fix.path
    return out


def op_dict(op: EnumOp) -> dict[str, Any]:
    """One enum DDL statement; fields that do not apply to its kind are null."""
    out: dict[str, Any] = {
        "kind": op.kind,
        "label": op.label,
        "new_label": op.new_label,
        "new_name": display_type(op.new_name) if op.new_name else None,
        "before": op.before,
        "after": op.after,
        "path": op.location.path,
        "line": op.location.line,
    }
    if op.kind == "create":
        out["labels"] = list(op.labels)
    if op.kind == "drop":
        out["cascade"] = op.cascade
    return out


def change_dict(change: EnumChange) -> dict[str, Any]:
    return {"type": display_type(change.type_name), "ops": [op_dict(op) for op in change.ops]}


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
    if report.mode == "diff":
        doc["base"] = report.base
        doc["head"] = report.head
        doc["preexisting"] = [finding_dict(f) for f in report.preexisting]
        doc["changes"] = [change_dict(c) for c in report.changes]
    if report.notices:
        doc["notices"] = list(report.notices)
    doc["coverage"] = coverage.as_dict(report.model.coverage)
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"
