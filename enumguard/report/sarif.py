"""Report in, SARIF 2.1.0 JSON out, for GitHub code scanning (upload-sarif) and other viewers.
Every rule is described in tool.driver.rules; diff mode sets baselineState new/unchanged.

Live-database objects (`database:public.status`) are logical locations, never artifacts. GitHub
rejects the whole file when one result has no file location, so a finding that sits only in
the database (idle-in-transaction, a type no migration creates) is a tool notification naming
its rule, not a result."""

from __future__ import annotations

import hashlib
import inspect
import json
from typing import Callable

from enumguard import __version__
from enumguard.finding import Finding, Location, Severity
from enumguard.report.report import Report
from enumguard.rules import ALL_RULES, url_of

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub's security-severity buckets: >= 7.0 high, >= 4.0 medium.
SECURITY_SEVERITY = {Severity.ERROR: "7.0", Severity.WARNING: "4.0", Severity.INFO: "1.0"}
DATABASE = "database:"  # live.location's pseudo-path prefix


def _rule(rule, page: Callable[[str], str | None]) -> dict:
    doc = inspect.cleandoc(rule.__doc__ or "")
    first = doc.splitlines()[0] if doc else rule.name
    out = {
        "id": rule.name,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": first},
        "fullDescription": {"text": doc or first},
        "help": {"text": doc or first, "markdown": doc or first},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["enum", "postgresql"], "security-severity": SECURITY_SEVERITY[rule.severity]},
    }
    url = page(rule.name)
    if url:  # only a page that exists: the full text is in `help` anyway
        out["helpUri"] = url
    return out


def in_database(loc: Location) -> bool:
    return loc.path.startswith(DATABASE)


def _logical(loc: Location) -> dict:
    """`database:public.status` -> the enum type `public.status`; `database:pg_stat_activity` -> a view."""
    name = loc.path[len(DATABASE) :]
    return {"name": name.rpartition(".")[2], "fullyQualifiedName": name, "kind": "type" if "." in name else "resource"}


def _location(loc: Location, message: str | None = None, ident: int | None = None) -> dict:
    out: dict
    if in_database(loc):
        out = {"logicalLocations": [_logical(loc)]}
    else:
        out = {
            "physicalLocation": {
                "artifactLocation": {"uri": loc.path, "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": max(loc.line, 1), "startColumn": max(loc.column, 1)},
            }
        }
    if ident is not None:
        out["id"] = ident
    if message:
        out["message"] = {"text": message}
    return out


def _fingerprint(f: Finding) -> str:
    return hashlib.sha256("\x1f".join(f.fingerprint()).encode("utf-8", "surrogatepass")).hexdigest()[:32]


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
    if f.fix is not None and f.fix.kind == "edit" and f.fix.end_column is not None:
        result["fixes"] = [_fix(f)]
    return result


def _fix(f: Finding) -> dict:
    """A SARIF fix replacing the token on its line; only when the rule knows where it ends."""
    assert f.fix is not None and f.fix.end_column is not None
    region = {"startLine": f.line, "startColumn": f.location.column, "endLine": f.line, "endColumn": f.fix.end_column}
    return {
        "description": {"text": f"replace with {f.fix.replacement}"},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                "replacements": [{"deletedRegion": region, "insertedContent": {"text": f.fix.replacement}}],
            }
        ],
    }


def _notification(f: Finding, index: dict[str, int]) -> dict:
    """A finding located only in the live database, for toolExecutionNotifications."""
    rule: dict = {"id": f.rule}
    if f.rule in index:
        rule["index"] = index[f.rule]
    return {
        "level": LEVELS[f.severity],
        "message": {"text": f.message + (f"\n\n{f.help}" if f.help else "")},
        "locations": [_location(f.location)] + [_location(r.location, r.message) for r in f.related],
        "associatedRule": rule,
    }


def render(report: Report, rule_page: Callable[[str], str | None] | None = None) -> str:
    """`rule_page(rule)` -> the URL of a rule's page when one is known (the Action's own
    repository); by default enumguard's home, when it has one."""
    rules = [_rule(r, rule_page or url_of) for r in ALL_RULES]
    index = {r["id"]: i for i, r in enumerate(rules)}
    in_files = [f for f in report.findings if not in_database(f.location)]
    notifications = [_notification(f, index) for f in report.findings if in_database(f.location)]
    notifications += [{"level": "warning", "message": {"text": n}} for n in report.notices]
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
        "results": [_result(f, index) for f in in_files],
        "columnKind": "unicodeCodePoints",
        "properties": {"mode": report.mode},
    }
    if notifications:
        run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": notifications}]
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False) + "\n"
