"""JSON output and the diff exit status: the stable audit shape, the diff-mode keys (base, head,
pre-existing findings, enum changes), and `enumguard diff` failing only on new findings."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from enumguard import config as config_mod
from enumguard import pipeline
from enumguard.cli import main
from enumguard.report import json_
from enumguard.rules import RULE_NAMES
from tests import reports
from tests.gitutil import branch, init

MODELS = """\
import enum


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"
"""

VIEWS = """\
from app.models import Color


def paint():
    return Color.Purple
"""

INIT_SQL = "CREATE TYPE order_status AS ENUM ('pending', 'shipped', 'canceled');\n"


def repo_with_old_error(tmp_path: Path) -> Path:
    """`Color.Purple` (an unknown member, an error) already exists on main."""
    return init(
        tmp_path / "repo",
        {"app/__init__.py": "", "app/models.py": MODELS, "app/views.py": VIEWS, "db/migrations/001_init.sql": INIT_SQL},
    )


def test_audit_json_keeps_the_stable_shape_without_diff_keys():
    doc = json.loads(json_.render(reports.audit_report(2)))
    assert list(doc) == ["version", "findings", "summary", "coverage"]
    assert doc["version"] == 1 and doc["summary"]["total"] == 2 and "new" not in doc["findings"][0]
    assert doc["coverage"] == {
        "db_types": {"checked": 1, "total": 1},
        "enums": {"checked": 1, "total": 1},
        "not_checked": [],
    }


def test_diff_json_lists_base_head_preexisting_and_enum_changes():
    doc = json.loads(json_.render(reports.migration_only_pr()))
    assert list(doc)[:3] == ["version", "findings", "summary"]
    assert (doc["base"], doc["head"]) == (reports.BASE, reports.HEAD)
    assert doc["preexisting"] == [] and doc["findings"][0]["new"] is True
    order, prio = doc["changes"]
    assert order["type"] == "order_status" and prio["type"] == "priority"
    add, rename = order["ops"]
    assert add == {
        "kind": "add_value",
        "label": "archived",
        "new_label": None,
        "new_name": None,
        "before": None,
        "after": "shipped",
        "path": "migrations/versions/0007_order_status.sql",
        "line": 1,
    }
    assert (rename["kind"], rename["label"], rename["new_label"]) == ("rename_value", "canceled", "cancelled")
    assert [op["kind"] for op in prio["ops"]] == ["drop", "create"]
    assert prio["ops"][0]["cascade"] is True and prio["ops"][1]["labels"] == ["low", "high"]


def test_diff_json_repeats_preexisting_findings_under_their_own_key():
    doc = json.loads(json_.render(reports.incident_pr()))
    assert [(f["rule"], f["new"]) for f in doc["preexisting"]] == [("case-mismatch", False)]
    assert doc["summary"]["new"] == 2 and doc["summary"]["preexisting"] == 1


def test_diff_exits_0_when_the_only_error_predates_the_branch(tmp_path: Path, capsys) -> None:
    repo = repo_with_old_error(tmp_path)
    branch(repo, "feature", {"app/views.py": VIEWS + "\n\ndef other():\n    return Color.RED\n"})
    code = main(["diff", "--base", "main", "--format", "json", "--no-cache", str(repo)])
    doc = json.loads(capsys.readouterr().out)
    assert [(f["member"], f["new"]) for f in doc["findings"]] == [("Purple", False)]
    assert [f["member"] for f in doc["preexisting"]] == ["Purple"]
    assert code == 0


def test_diff_exits_1_when_the_branch_adds_an_error(tmp_path: Path, capsys) -> None:
    repo = repo_with_old_error(tmp_path)
    branch(repo, "feature", {"app/views.py": VIEWS + "\n\ndef other():\n    return Color.Ochre\n"})
    code = main(["diff", "--base", "main", "--format", "json", "--no-cache", str(repo)])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert sorted((f["member"], f["new"]) for f in doc["findings"]) == [("Ochre", True), ("Purple", False)]


def test_diff_json_of_a_real_branch_carries_its_enum_ddl(tmp_path: Path, capsys) -> None:
    repo = repo_with_old_error(tmp_path)
    head = branch(
        repo,
        "feature",
        {"db/migrations/002_archive.sql": "ALTER TYPE order_status ADD VALUE 'archived' AFTER 'shipped';\n"},
    )
    main(["diff", "--base", "main", "--head", "feature", "--format", "json", "--no-cache", str(repo)])
    doc = json.loads(capsys.readouterr().out)
    assert doc["head"] == head and len(doc["base"]) == 40
    (change,) = doc["changes"]
    assert change["type"] == "order_status"
    assert [(o["kind"], o["label"], o["after"], o["path"]) for o in change["ops"]] == [
        ("add_value", "archived", "shipped", "db/migrations/002_archive.sql")
    ]


def test_json_carries_edit_fixes_only_for_certain_replacements():
    root = Path(__file__).parent / "fixtures" / "repos" / "701_fix_edits"
    doc = json.loads(json_.render(pipeline.run(replace(config_mod.load(root, rule_names=RULE_NAMES), cache=False))))
    fixes = {(f["line"], f["rule"]): f.get("fix") for f in doc["findings"] if f["path"] == "app/jobs.py"}
    assert fixes == {
        (4, "unknown-member"): {"kind": "edit", "replacement": "done"},
        (5, "unknown-member"): {"kind": "edit", "replacement": '"pending"'},
        (6, "unknown-value"): {"kind": "edit", "replacement": '"in-progress"'},
        (7, "unknown-member"): {"kind": "edit", "replacement": '"in_progress"'},
        (8, "unknown-value"): {"kind": "edit", "replacement": '"done"'},
        (9, "unknown-member"): None,  # `finished`: only a guess
        (10, "unknown-value"): None,  # `pending!`: not a case or separator difference
    }
    assert doc["version"] == 1
