"""SARIF output: valid against the SARIF 2.1.0 schema, one result per finding, rules described."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema

from enumguard import cli, pipeline
from enumguard import config as config_mod
from enumguard.finding import Finding, Location, Related, Severity
from enumguard.report import Report, sarif
from enumguard.rules import ALL_RULES, RULE_NAMES
from tests import reports

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif" / "sarif-2.1.0-rtm.5.json").read_text())


def validate(doc: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(doc)


def test_sarif_of_incident_pr_is_valid_and_marks_baseline_state():
    doc = json.loads(sarif.render(reports.incident_pr()))
    validate(doc)
    results = doc["runs"][0]["results"]
    assert len(results) == 3
    states = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r["baselineState"] for r in results
    }
    assert states == {("unknown-member", 10): "new", ("unknown-member", 12): "new", ("case-mismatch", 33): "unchanged"}


def test_sarif_describes_every_rule_and_indexes_results():
    doc = json.loads(sarif.render(reports.incident_pr()))
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.name for r in ALL_RULES]
    for result in doc["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_fingerprint_survives_line_shift():
    f = reports.unknown_member("Completed", 10, "submitted")
    moved = replace(f, location=replace(f.location, line=40))
    a = sarif._result(f, {})["partialFingerprints"]
    b = sarif._result(moved, {})["partialFingerprints"]
    assert a == b


def test_audit_sarif_has_no_baseline_state_and_keeps_related_locations():
    doc = json.loads(sarif.render(reports.audit_report(2)))
    validate(doc)
    result = doc["runs"][0]["results"][0]
    assert "baselineState" not in result
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/models.py"


def test_cli_format_sarif_writes_valid_sarif(tmp_path):
    (tmp_path / "m.py").write_text("import enum\nclass E(enum.Enum):\n    A = 1\n")
    out = tmp_path / "out.sarif"
    assert cli.main(["audit", str(tmp_path), "--format", "sarif", "--output", str(out), "--no-cache"]) == 0
    validate(json.loads(out.read_text()))


def live_report():
    """A live audit: a label missing in the database (file location, database-side related
    location) and an idle session (located only in the database)."""
    missing = Finding(
        location=Location("db/migrations/001.sql", 3, 5),
        rule="db-drift",
        severity=Severity.WARNING,
        message="label `archived` of DB type `status` comes from the migrations but is missing in the live database",
        related=(Related(Location("database:public.status", 1, 1), "the live `status` has labels `a`"),),
        db_type="status",
        value="archived",
    )
    idle = Finding(
        location=Location("database:pg_stat_activity", 1, 1),
        rule="idle-in-transaction",
        severity=Severity.WARNING,
        message="session pid 42 (no application name) has been idle in transaction for 10 min",
        help="fix the client",
        value="pid 42",
    )
    return Report(
        root=".", findings=(missing, idle), notices=("database postgresql://u:***@h/d: limited",), rules=reports.ALL
    )


def test_database_locations_are_logical_and_never_artifacts():
    doc = json.loads(sarif.render(live_report()))
    validate(doc)
    run = doc["runs"][0]
    assert _artifact_uris(doc) == ["db/migrations/001.sql"]
    (result,) = run["results"]
    assert result["ruleId"] == "db-drift"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "db/migrations/001.sql"
    (related,) = result["relatedLocations"]
    assert "physicalLocation" not in related
    assert related["logicalLocations"] == [{"name": "status", "fullyQualifiedName": "public.status", "kind": "type"}]


def test_finding_only_in_the_database_is_a_notification_naming_its_rule():
    """GitHub code scanning rejects the whole file when a result has no file location."""
    doc = json.loads(sarif.render(live_report()))
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    idle, notice = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert rules[idle["associatedRule"]["index"]]["id"] == idle["associatedRule"]["id"] == "idle-in-transaction"
    assert idle["level"] == "warning" and idle["message"]["text"].startswith("session pid 42")
    assert idle["locations"] == [
        {
            "logicalLocations": [
                {"name": "pg_stat_activity", "fullyQualifiedName": "pg_stat_activity", "kind": "resource"}
            ]
        }
    ]
    assert notice["message"]["text"].startswith("database postgresql://u:***@h/d")
    for result in doc["runs"][0]["results"]:
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def _artifact_uris(doc: dict) -> list[str]:
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "artifactLocation" in node:
                found.append(node["artifactLocation"]["uri"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    return found


def test_live_audit_of_a_drifted_database_gives_sarif_that_code_scanning_accepts(tmp_path, pg_server, pg_db):
    """A real database: a label missing, a label added by hand, a type no migration creates."""
    from dataclasses import replace as _replace

    from enumguard import config as config_mod
    from enumguard import live, pipeline
    from enumguard.rules import RULE_NAMES

    (tmp_path / "db/migrations").mkdir(parents=True)
    (tmp_path / "db/migrations/001_init.sql").write_text(
        "create type public.job_status as enum ('queued', 'done');\n"
        "create table public.jobs (id bigint primary key, status public.job_status not null);\n"
    )
    pg_server.execute("create type public.job_status as enum ('queued', 'stuck')", pg_db)
    pg_server.execute("create type public.legacy_kind as enum ('a', 'b')", pg_db)
    config = _replace(config_mod.load(tmp_path, rule_names=RULE_NAMES), cache=False)
    report = pipeline.run(config, extend_model=live.extender(pg_server.url(pg_db), config))
    assert {f.rule for f in report.findings} == {"db-drift"}
    assert any(f.path.startswith("database:") for f in report.findings)  # the unrecorded type
    doc = json.loads(sarif.render(report))
    validate(doc)
    run = doc["runs"][0]
    assert run["results"] and all(not u.startswith("database:") for u in _artifact_uris(doc))
    for result in run["results"]:  # GitHub: every result needs a file location
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("db/")
    notes = run["invocations"][0]["toolExecutionNotifications"]
    ruled = [n for n in notes if "associatedRule" in n]
    assert [n["associatedRule"]["id"] for n in ruled] == ["db-drift"]
    assert ruled[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "public.legacy_kind"
    assert len(run["results"]) + len(ruled) == len(report.findings)


def test_edit_fix_of_an_attribute_is_a_valid_sarif_fix_replacing_just_the_name():
    root = Path(__file__).parent / "fixtures" / "repos" / "701_fix_edits"
    report = pipeline.run(replace(config_mod.load(root, rule_names=RULE_NAMES), cache=False))
    doc = json.loads(sarif.render(report))
    validate(doc)
    fixed = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]: r["fixes"]
        for r in doc["runs"][0]["results"]
        if "fixes" in r
    }
    # Only `Status.Done` (line 4) is an attribute: its end column is known.
    assert list(fixed) == [4]
    [change] = fixed[4][0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "app/jobs.py"
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 4, "startColumn": 29, "endLine": 4, "endColumn": 33},
            "insertedContent": {"text": "done"},
        }
    ]
    line = (root / "app/jobs.py").read_text().splitlines()[3]
    assert line[28:32] == "Done"
