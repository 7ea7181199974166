"""Report in, SARIF 2.1.0 JSON out, for GitHub code scanning (upload-sarif) and other viewers.
Every rule is described in tool.driver.rules; diff mode sets baselineState new/unchanged."""

from __future__ import annotations

import hashlib
import inspect
import json

from enumguard import __version__
from enumguard.finding import Finding, Location, Severity
from enumguard.report import Report
from enumguard.rules import ALL_RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub's security-severity buckets: >= 7.0 high, >= 4.0 medium.
SECURITY_SEVERITY = {Severity.ERROR: "7.0", Severity.WARNING: "4.0", Severity.INFO: "1.0"}


def _rule(rule) -> dict:
    doc = inspect.cleandoc(rule.__doc__ or "")
    first = doc.splitlines()[0] if doc else rule.name
    return {
        "id": rule.name,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": first},
        "fullDescription": {"text": doc or first},
        "help": {"text": doc or first, "markdown": doc or first},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["enum", "postgresql"], "security-severity": SECURITY_SEVERITY[rule.severity]},
    }


def _location(loc: Location, message: str | None = None, ident: int | None = None) -> dict:
    physical = {
        "artifactLocation": {"uri": loc.path, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": max(loc.line, 1), "startColumn": max(loc.column, 1)},
    }
    out: dict = {"physicalLocation": physical}
    if ident is not None:
        out["id"] = ident
    if message:
        out["message"] = {"text": message}
    return out


def _fingerprint(f: Finding) -> str:
    return hashlib.sha256("\x1f".join(f.fingerprint()).encode("utf-8")).hexdigest()[:32]


def _result(f: Finding, index: dict[str, int]) -> dict:
    text = f.message + (f"\n\n{f.help}" if f.help else "")
    result: dict = {
        "ruleId": f.rule,
        "level": LEVELS[f.severity],
        "message": {"text": text},
        "locations": [_location(f.location)],
        "partialFingerprints": {"enumguardFingerprint/v1": _fingerprint(f)},
    }
    if f.rule in index:
        result["ruleIndex"] = index[f.rule]
    if f.related:
        result["relatedLocations"] = [_location(r.location, r.message, i) for i, r in enumerate(f.related)]
    if f.new is not None:
        result["baselineState"] = "new" if f.new else "unchanged"
    if f.suggestion is not None:
        result["properties"] = {"suggestion": f.suggestion}
    return result


def render(report: Report) -> str:
    rules = [_rule(r) for r in ALL_RULES]
    index = {r["id"]: i for i, r in enumerate(rules)}
    run: dict = {
        "tool": {
            "driver": {
                "name": "enumguard",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the repository root"}}},
        "results": [_result(f, index) for f in report.findings],
        "columnKind": "unicodeCodePoints",
        "properties": {"mode": report.mode},
    }
    if report.notices:
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [{"level": "warning", "message": {"text": n}} for n in report.notices],
            }
        ]
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False) + "\n"
