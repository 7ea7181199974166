"""missing-in-db's fix: the migration that adds the label, in the project's style, placed by the
Python enum's order and quoted as PostgreSQL needs; proven by applying it to a real server and
by auditing the repository again with the fix added as a new migration."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from enumguard import collect, pipeline
from enumguard import config as config_mod
from enumguard.fixes.migration import ident, literal, type_ref
from enumguard.report import json_
from enumguard.rules import RULE_NAMES
from tests.pg_fixtures import pg_db, pg_server  # noqa: F401
from tests.test_replay_matches_postgres import PG_ENUMS_SQL, _alembic_setup, _apply_alembic

REPOS = Path(__file__).parent / "fixtures" / "repos"
SUPABASE = REPOS / "702_fix_migration_supabase"
ALEMBIC = REPOS / "703_fix_migration_alembic"


def audit(root: Path):
    return pipeline.run(replace(config_mod.load(root, rule_names=RULE_NAMES), cache=False))


def fixes(root: Path) -> list:
    return [f for f in audit(root).findings if f.rule == "missing-in-db"]


def statements(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("--")]


def test_sql_fix_places_labels_by_enum_order_and_quotes_names():
    found = fixes(SUPABASE)
    assert all(f.fix is not None and f.fix.kind == "migration" and f.fix.style == "sql" for f in found)
    assert [statements(f.fix.text) for f in found] == [
        ["ALTER TYPE job_status ADD VALUE 'queued' BEFORE 'done';"],
        ["ALTER TYPE job_status ADD VALUE 'running' BEFORE 'done';"],
        ["ALTER TYPE job_status ADD VALUE 'archived';"],  # nothing follows it: appended
        ["ALTER TYPE billing.\"Plan\" ADD VALUE 'Pro';"],  # names are stored: the member name
        ["ALTER TYPE \"order\" ADD VALUE 'it''s';"],  # a reserved word; a quote doubled
    ]


def test_json_carries_the_migration_fix():
    doc = json.loads(json_.render(audit(SUPABASE)))
    first = doc["findings"][0]["fix"]
    assert first["kind"] == "migration" and first["style"] == "sql"
    assert "ALTER TYPE job_status ADD VALUE 'queued' BEFORE 'done';" in first["text"]


def test_sql_fixes_applied_to_postgres_give_the_python_order(pg_server, pg_db, tmp_path):  # noqa: F811
    root = tmp_path / "repo"
    shutil.copytree(SUPABASE, root)
    found = fixes(root)
    pg_server.psql(
        pg_db,
        "-v",
        "ON_ERROR_STOP=1",
        "-1",
        "-f",
        str(root / "supabase/migrations/20240101000000_jobs.sql"),
        check=True,
    )
    for i, f in enumerate(found):  # one new migration file per finding, in finding order
        path = root / f"supabase/migrations/2024010200000{i}_fix.sql"
        path.write_text(f.fix.text)
        pg_server.psql(pg_db, "-v", "ON_ERROR_STOP=1", "-1", "-f", str(path), check=True)
    with pg_server.connect(pg_db) as conn:
        enums = dict(conn.execute(PG_ENUMS_SQL).fetchall())
    assert enums == {
        "public.job_status": ["pending", "queued", "running", "done", "archived"],
        "billing.Plan": ["free", "Pro"],
        "public.order": ["plain", "it's"],
    }
    assert audit(root).findings == ()  # the fixes, as migrations, leave nothing to report


def test_alembic_fix_uses_autocommit_block_when_the_upgrade_is_one_transaction(pg_server, pg_db, tmp_path):  # noqa: F811
    root = tmp_path / "repo"
    shutil.copytree(ALEMBIC, root)
    [f] = fixes(root)
    assert f.fix.style == "alembic"
    assert "    with op.get_context().autocommit_block():\n" in f.fix.text
    assert "        op.execute(\"ALTER TYPE priority ADD VALUE 'medium' BEFORE 'high'\")\n" in f.fix.text
    header = '"""add medium to priority"""\nrevision = "0002"\ndown_revision = "0001"\n'
    (root / "migrations/versions/0002_medium.py").write_text(header + f.fix.text)
    assert audit(root).findings == ()  # also no add-value-in-transaction
    config = replace(config_mod.load(root, rule_names=RULE_NAMES), cache=False)
    work = tmp_path / "work"
    work.mkdir()
    setup = _alembic_setup(root, collect.collect(config), config, work)
    assert _apply_alembic(pg_server, pg_db, setup, work, {}) is None
    with pg_server.connect(pg_db) as conn:
        assert dict(conn.execute(PG_ENUMS_SQL).fetchall()) == {"public.priority": ["low", "medium", "high"]}


def test_alembic_fix_without_autocommit_block_when_each_revision_commits(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(ALEMBIC, root)
    (root / "enumguard.toml").write_text("transaction-per-migration = true\n")
    [f] = fixes(root)
    assert "autocommit_block" not in f.fix.text
    assert "    op.execute(\"ALTER TYPE priority ADD VALUE 'medium' BEFORE 'high'\")\n" in f.fix.text


def test_postgres_before_12_always_gets_the_autocommit_block_and_says_why(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(ALEMBIC, root)
    (root / "enumguard.toml").write_text("transaction-per-migration = true\npostgres-version = 11\n")
    [f] = fixes(root)
    assert "# PostgreSQL < 12 cannot run ADD VALUE inside a transaction block." in f.fix.text
    assert "autocommit_block()" in f.fix.text


def test_no_migration_is_offered_when_storing_values_is_the_fix(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(SUPABASE, root)
    models = root / "app/models.py"
    # Names are stored, but the values are exactly the DB labels: the fix is values_callable.
    models.write_text(
        models.read_text()
        .replace(
            'sa.Enum(JobStatus, name="job_status", values_callable=lambda e: [m.value for m in e])',
            'sa.Enum(JobStatus, name="job_status")',
        )
        .replace('queued = "queued"', 'queued = "pending"')
        .replace('running = "running"', 'running = "done"')
        .replace('archived = "archived"', 'archived = "done"')
    )
    job = [f for f in fixes(root) if f.db_type == "job_status"]
    assert job and all(f.fix is None and "values_callable" in f.help for f in job)


def test_identifier_and_literal_quoting():
    assert ident("status") == "status"
    assert ident("Status") == '"Status"'
    assert ident("user") == '"user"'
    assert ident('we"ird') == '"we""ird"'
    assert type_ref("public.status") == "status"
    assert type_ref("Billing.Plan") == '"Billing"."Plan"'
    assert literal("it's") == "'it''s'"


def test_alembic_body_is_valid_python_for_any_label():
    import ast

    from enumguard.fixes.migration import add_value_sql, alembic_body

    statement = add_value_sql("public.t", 'a "b"\\\nc\'', ("x",), ())
    body = alembic_body(statement, "")
    [call] = [
        n for n in ast.walk(ast.parse(body)) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "execute"
    ]
    assert call.args[0].value == "ALTER TYPE t ADD VALUE 'a \"b\"\\\nc'''"
