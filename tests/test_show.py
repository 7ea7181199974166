"""`enumguard show`: the DB types with their labels, lines and certainty, and the linked enums with
what they store, as a user reads them before trusting a finding."""

from __future__ import annotations

import json
from pathlib import Path

from enumguard import cli

REPOS = Path(__file__).parent / "fixtures" / "repos"
INCIDENT = Path(__file__).parent.parent / "examples" / "wf4-incident"


def _show(capsys, root: Path, *extra: str) -> str:
    assert cli.main(["show", str(root), "--no-cache", "--jobs", "1", *extra]) == 0
    return capsys.readouterr().out


def test_json_lists_each_type_with_the_line_of_each_label_and_its_certainty(capsys):
    doc = json.loads(_show(capsys, REPOS / "620_uncertain_unread_statement_names_the_type", "--format", "json"))
    types = {t["name"]: t for t in doc["db_types"]}
    mood, task = types["mood"], types["task_state"]
    assert (task["certain"], task["doubt"]) == (True, None)
    assert [(label["label"], label["path"], label["line"]) for label in task["labels"]] == [
        ("todo", "migrations/versions/0001_base.py", 11),
        ("done", "migrations/versions/0001_base.py", 11),
    ]
    assert mood["certain"] is False
    assert mood["doubt"] == {
        "reason": "SQL built from a value known only at run time",
        "path": "migrations/versions/0002_mood.py",
        "line": 12,
    }
    enums = {e["enum"]: e for e in doc["enums"]}
    checked = enums["models.Task"]
    assert (checked["checked"], checked["db_type"], checked["stores"]) == (True, "task_state", "values")
    assert checked["binding"]["kind"] == "code" and checked["binding"]["path"] == "app/models.py"
    assert [p["label"] for p in checked["labels"]] == ["todo", "done", "blocked"]
    skipped = enums["models.Mood"]
    assert (skipped["checked"], skipped["db_type"], skipped["line"]) == (False, "mood", 12)
    assert doc["coverage"]["db_types"] == {"checked": 1, "total": 2}


def test_text_names_what_is_not_certain_and_ends_with_the_coverage_line(capsys):
    out = _show(capsys, REPOS / "627_uncertain_unfollowed_call")
    assert "mood  (NOT CERTAIN: changed by a call to `tools.add_label()` that enumguard does not follow" in out
    assert "task_state  (certain; created at migrations/versions/0001_base.py:11)" in out
    assert "app.models.Task -> task_state (migrations): stores values; bound at app/models.py" in out
    assert out.splitlines()[-1].startswith("checked 1 of 2 enum types and 1 of 2 linked enums; not checked: mood")


def test_the_incident_example_is_fully_certain(capsys):
    doc = json.loads(_show(capsys, INCIDENT, "--format", "json"))
    [db] = doc["db_types"]
    assert db["name"] == "sitemap_analysis_status" and db["certain"] is True
    assert [label["label"] for label in db["labels"]] == ["pending", "queued", "processing", "submitted", "failed"]
    assert doc["coverage"]["not_checked"] == []
