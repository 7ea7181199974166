"""`enumguard audit` end to end for the Python side: a real git repository, the bundled incident
example, and the content-hash cache of per-file facts."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from enumguard import cache, collect, python
from enumguard import config as config_mod
from enumguard.cli import main
from enumguard.config import Config
from enumguard.rules import RULE_NAMES
from tests.gitutil import init

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "wf4-incident"


def test_audit_of_a_git_repository_reports_unknown_members_and_exits_1(tmp_path: Path, capsys) -> None:
    repo = init(
        tmp_path / "repo",
        {
            "server/app/__init__.py": "from .models import Color\n",
            "server/app/models.py": "import enum\n\n\nclass Color(enum.Enum):\n    RED = 'red'\n    BLUE = 'blue'\n",
            "server/app/paint.py": "from . import Color\n\n\ndef paint():\n    return Color.red, Color.BLUE\n",
            "docs/conf.py": "project = 'demo'\n",
        },
    )
    (repo / "server/app/untracked_ignored.py").write_text("x = (\n")
    (repo / ".gitignore").write_text("untracked_ignored.py\n")
    code = main(["audit", str(repo), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(f["path"], f["line"], f["column"], f["rule"], f["member"]) for f in out["findings"]] == [
        ("server/app/paint.py", 5, 18, "unknown-member", "red")
    ]
    assert out["findings"][0]["help"] == "did you mean `RED`?"


def test_bundled_incident_example_reports_exactly_the_two_invalid_members(capsys) -> None:
    code = main(["audit", str(EXAMPLE), "--select", "unknown-member,unknown-value,syntax-error", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    got = [(f["path"], f["line"], f["member"], f["help"]) for f in out["findings"]]
    assert got == [
        # no member is close to either name: a guess (`submitted`, `processing`) would mislead
        (
            "app/services/scheduler.py",
            10,
            "Completed",
            "`SitemapAnalysisStatusEnum` defines `pending`, `queued`, `processing`, `submitted`, `failed`",
        ),
        (
            "app/services/scheduler.py",
            12,
            "Error",
            "`SitemapAnalysisStatusEnum` defines `pending`, `queued`, `processing`, `submitted`, `failed`",
        ),
    ]
    assert out["findings"][0]["message"] == (
        "`SitemapAnalysisStatusEnum.Completed` is not a member of `SitemapAnalysisStatusEnum`"
    )


def write_tree(root: Path, files: dict[str, str]) -> Config:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return replace(config_mod.load(root, rule_names=RULE_NAMES), cache=True, jobs=1)


def test_repeated_scan_reads_facts_from_the_cache_and_sees_edits(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "repo"
    cfg = write_tree(
        root,
        {"m.py": "import enum\nclass A(enum.Enum):\n    x = 1\n", "u.py": "from m import A\nv = A.y\n"},
    )
    first = python.scan(collect.collect(cfg), cfg)
    assert (cache.cache_dir() / "python-facts.json").is_file()
    calls = []
    real = python.extract
    monkeypatch.setattr(python, "extract", lambda *a: calls.append(a[0]) or real(*a))
    second = python.scan(collect.collect(cfg), cfg)
    assert second == first and calls == []
    (root / "m.py").write_text("import enum\nclass A(enum.Enum):\n    x = 1\n    y = 2\n")
    third = python.scan(collect.collect(cfg), cfg)
    assert calls == ["m.py"] and [m.name for m in third.enums[0].members] == ["x", "y"]


def test_a_new_enum_elsewhere_refreshes_files_that_mention_its_name(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "repo"
    cfg = write_tree(root, {"u.py": "from m import Kind\nv = Kind.nope\n", "m.py": "class Kind:\n    pass\n"})
    assert python.scan(collect.collect(cfg), cfg).references == ()
    (root / "m.py").write_text("import enum\nclass Kind(enum.Enum):\n    yes = 1\n")
    model = python.scan(collect.collect(cfg), cfg)
    assert [(r.location.path, r.member) for r in model.references] == [("u.py", "nope")]


def test_cache_disabled_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cfg = replace(write_tree(tmp_path / "repo", {"m.py": "x = 1\n"}), cache=False)
    python.scan(collect.collect(cfg), cfg)
    assert not (tmp_path / "cache").exists()
