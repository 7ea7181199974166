"""SARIF output: valid against the SARIF 2.1.0 schema, one result per finding, rules described."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema

from enumguard import cli
from enumguard.report import sarif
from enumguard.rules import ALL_RULES
from tests import reports

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif" / "sarif-2.1.0-rtm.5.json").read_text())


def validate(doc: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(doc)


def test_sarif_of_incident_pr_is_valid_and_marks_baseline_state():
    doc = json.loads(sarif.render(reports.incident_pr()))
    validate(doc)
    results = doc["runs"][0]["results"]
    assert len(results) == 3
    states = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r["baselineState"] for r in results}
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
