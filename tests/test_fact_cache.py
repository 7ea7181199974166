"""The per-file fact cache: migrations are cached like Python files, re-read when their text or
a file they import changes, and the cache is dropped whenever enumguard's own parsers change."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from enumguard import cache, collect, migrations, python
from enumguard import config as config_mod
from enumguard.collect import SourceFile, SourceTree
from enumguard.config import Config
from enumguard.migrations.alembic import revisions as alembic
from enumguard.python.file_facts import FileFacts
from enumguard.rules import RULE_NAMES
from tests.test_migrations_alembic import repo, revision

ROOT = Path(__file__).resolve().parent.parent
REPOS = ROOT / "tests" / "fixtures" / "repos"
NAMES = ("python-facts", "migration-facts")


def load(files: dict[str, str], tmp_path: Path) -> migrations.MigrationModel:
    tree = SourceTree(
        root="/nonexistent", files=tuple(SourceFile(p, t) for p, t in sorted(files.items())), paths=tuple(sorted(files))
    )
    return migrations.load(tree, replace(Config(root=Path("/nonexistent")), cache_dir=tmp_path / "facts"))


def counting(monkeypatch) -> Counter:
    read: Counter = Counter()
    real_revision, real_sql = alembic._read, migrations._read_sql
    monkeypatch.setattr(alembic, "_read", lambda tree, path: read.update([path]) or real_revision(tree, path))
    monkeypatch.setattr(
        migrations, "_read_sql", lambda tree, path, skip: read.update([path]) or real_sql(tree, path, skip)
    )
    return read


PLAN = "from enum import Enum\n\n\nclass Plan(str, Enum):\n    FREE = 'free'\n    PRO = 'pro'\n"


def test_a_revision_is_read_again_only_when_it_or_the_enum_module_it_imports_changes(tmp_path, monkeypatch):
    files = repo(
        (
            "1",
            revision(
                "1", None, "    sa.Enum(Plan, name='plan').create(op.get_bind())", "from app.models import Plan\n"
            ),
        ),
        ("2", revision("2", "1", "    op.execute(\"ALTER TYPE plan ADD VALUE 'TEAM'\")")),
    )
    files["app/models.py"] = PLAN
    first = load(files, tmp_path)
    read = counting(monkeypatch)
    assert load(files, tmp_path) == first and read == Counter()  # everything from the cache
    files["app/models.py"] = PLAN + "    ENTERPRISE = 'enterprise'\n"
    model = load(files, tmp_path)
    assert read == Counter({"alembic/versions/1.py": 1})  # only the revision that imports it
    labels = {db.name: db.label_values for db in model.db_enums}
    assert labels["public.plan"] == ("FREE", "PRO", "ENTERPRISE", "TEAM")


def test_a_sql_migration_is_read_again_only_when_its_text_changes(tmp_path, monkeypatch):
    path = "supabase/migrations/20240101000000_mood.sql"
    files = {path: "CREATE TYPE mood AS ENUM ('ok');\n", "supabase/migrations/20240102000000_x.sql": "SELECT 1;\n"}
    load(files, tmp_path)
    read = counting(monkeypatch)
    assert [db.label_values for db in load(files, tmp_path).db_enums] == [("ok",)] and read == Counter()
    files[path] = "CREATE TYPE mood AS ENUM ('ok', 'sad');\n"
    assert [db.label_values for db in load(files, tmp_path).db_enums] == [("ok", "sad")]
    assert read == Counter({path: 1})


def test_a_psql_entry_file_is_read_again_when_a_file_it_includes_changes(tmp_path, monkeypatch):
    main, enums = "db/migrations/init/0-main.sql", "db/migrations/init/types/enums.sql"
    files = {main: "\\ir types/enums.sql\n", enums: "CREATE TYPE mood AS ENUM ('ok');\n"}
    load(files, tmp_path)
    read = counting(monkeypatch)
    assert [db.label_values for db in load(files, tmp_path).db_enums] == [("ok",)] and read == Counter()
    files[enums] = "CREATE TYPE mood AS ENUM ('ok', 'sad');\n"
    assert [db.label_values for db in load(files, tmp_path).db_enums] == [("ok", "sad")]
    assert read == Counter({main: 1})  # the entry is what runs; the include is read inside it


def _document(digest: str, entries: dict) -> str:
    return json.dumps(
        {"format": cache.FORMAT, "version": cache.FORMAT_VERSION, "digest": digest, "schema": python.FACTS.schema}
        | {"entries": entries}
    )


def test_a_cache_file_written_by_other_enumguard_code_is_not_used(tmp_path, capsys):
    facts = FileFacts("m.py", class_names=("A",))
    target = tmp_path / "python-facts.json"
    target.write_text(_document("0123456789abcdef", {"k": python.FACTS.encode(facts)}))
    assert cache.FactCache("python-facts", directory=tmp_path, codec=python.FACTS).get("k") is None
    target.write_text(_document(cache.code_digest(), {"k": python.FACTS.encode(facts)}))
    assert cache.FactCache("python-facts", directory=tmp_path, codec=python.FACTS).get("k") == facts
    assert capsys.readouterr().err == ""  # another version's cache is dropped quietly


@pytest.mark.parametrize("repo", sorted(p for p in REPOS.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_the_facts_of_every_fixture_repository_come_back_from_the_cache_as_they_were(repo, tmp_path, capsys):
    """Each codec stores every fact the parsers produce for the fixture repositories (no value it
    cannot write), and reads back values equal to the parsed ones."""
    config = replace(config_mod.load(repo, rule_names=RULE_NAMES), cache=True, cache_dir=tmp_path / "facts", jobs=1)
    tree = collect.collect(config)
    parsed, models = python.file_facts(tree, config), migrations.load(tree, config)
    files = {name: tmp_path / "facts" / f"{name}.json" for name in NAMES}
    written = {name: json.loads(f.read_text())["entries"] if f.exists() else {} for name, f in files.items()}
    stored = [data for data in written["python-facts"].values() if data[0] == "FileFacts"]
    assert len(stored) == len(tree.python_files())  # none the codec could not write
    assert python.file_facts(tree, config) == parsed and migrations.load(tree, config) == models
    for name, codec in (("python-facts", python.FACTS), ("migration-facts", migrations.FACTS)):
        for data in written[name].values():
            value = codec.decode(data)
            assert codec.decode(json.loads(json.dumps(codec.encode(value)))) == value
    assert capsys.readouterr().err == ""


def test_the_code_digest_follows_the_parsers_of_both_sides_and_not_the_reports(tmp_path, monkeypatch):
    package = tmp_path / "enumguard"
    shutil.copytree(ROOT / "enumguard", package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "_PACKAGE", package)

    def digest() -> str:
        return cache.code_digest()

    before = digest()
    (package / "report" / "text.py").write_text("# another renderer\n")
    assert digest() == before
    changed_files = (
        "migrations/replay.py",
        "migrations/alembic/calls.py",
        "migrations/sql/reader.py",
        "python/names.py",
        "model.py",
        "sqlalchemy_names.py",
    )
    for changed in changed_files:
        with open(package / changed, "a") as fh:
            fh.write("\n# changed\n")
        assert digest() != before, changed
        before = digest()


def test_code_digest_covers_every_parser_module_in_subfolders():
    # a change to any parser module (migrations/alembic/*, migrations/sql/*) must invalidate the cache
    from enumguard import cache as cache_mod

    package = Path(cache_mod.__file__).resolve().parent
    digested = {p for pattern in cache_mod._DIGESTED for p in package.glob(pattern)}
    parsers = {p for folder in ("python", "migrations") for p in (package / folder).rglob("*.py")}
    assert parsers and parsers <= digested
    assert package / "migrations" / "alembic" / "ops.py" in digested
