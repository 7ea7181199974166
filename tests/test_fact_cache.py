"""The per-file fact cache: migrations are cached like Python files, re-read when their text or
a file they import changes, and the cache is dropped whenever enumguard's own parsers change."""

from __future__ import annotations

import pickle
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

from enumguard import cache, migrations
from enumguard.collect import SourceFile, SourceTree
from enumguard.config import Config
from enumguard.migrations.alembic import revisions as alembic
from tests.test_migrations_alembic import repo, revision

ROOT = Path(__file__).resolve().parent.parent


def load(files: dict[str, str], tmp_path: Path) -> migrations.MigrationModel:
    tree = SourceTree(
        root="/nonexistent", files=tuple(SourceFile(p, t) for p, t in sorted(files.items())), paths=tuple(sorted(files))
    )
    return migrations.load(tree, replace(Config(root=Path("/nonexistent")), cache_dir=tmp_path / "facts"))


def counting(monkeypatch) -> Counter:
    read: Counter = Counter()
    real_revision, real_sql = alembic._read, migrations._read_sql
    monkeypatch.setattr(alembic, "_read", lambda tree, path: read.update([path]) or real_revision(tree, path))
    monkeypatch.setattr(migrations, "_read_sql", lambda path, text: read.update([path]) or real_sql(path, text))
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


def test_a_cache_file_written_by_other_enumguard_code_is_not_used(tmp_path):
    target = tmp_path / "python-facts.pickle"
    target.write_bytes(pickle.dumps(("0123456789abcdef", {"k": "stale"})))
    assert cache.FactCache("python-facts", directory=tmp_path).get("k") is None
    target.write_bytes(pickle.dumps((cache.code_digest(), {"k": "fresh"})))
    assert cache.FactCache("python-facts", directory=tmp_path).get("k") == "fresh"


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
