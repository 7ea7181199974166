"""`enumguard fix --write` creates the migration a `missing-in-db` needs, in the project's own tool:
checked with Alembic itself (`alembic heads`), by applying the whole chain to PostgreSQL, and by
auditing again (nothing missing, and a second `fix --write` creates nothing)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from enumguard import cli, collect, pipeline
from enumguard import config as config_mod
from enumguard.fixes import mako_lite, new_migration
from enumguard.fixes.alembic_file import fresh_id, slug
from enumguard.migrations.sql import files as sql_files_mod
from enumguard.model import Doubt
from enumguard.report import json_, markdown
from enumguard.rules import RULE_NAMES
from tests.pg_fixtures import pg_db, pg_server  # noqa: F401
from tests.test_replay_matches_postgres import PG_ENUMS_SQL, _alembic_setup, _apply_alembic

REPOS = Path(__file__).parent / "fixtures" / "repos"
EPOCH = "1735689600"  # 2025-01-01 00:00:00 UTC


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("TZ", "UTC")


def copy(name: str, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPOS / name, root)
    return root


def fix(root: Path, *args: str, capsys) -> tuple[int, str, str]:
    code = cli.main(["fix", str(root), "--no-cache", "-q", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def audit(root: Path):
    return pipeline.run(replace(config_mod.load(root, rule_names=RULE_NAMES), cache=False))


def missing(root: Path) -> list[str]:
    return [f"{f.db_type}:{f.value}" for f in audit(root).findings if f.rule == "missing-in-db"]


def heads(root: Path, *args: str) -> list[str]:
    """What `alembic heads` prints, one line per head."""
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "alembic.ini", *args, "heads"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split("\n")[:-1]


def new_files(root: Path, before: set[Path]) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p not in before)


def files_of(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def upgrade(root: Path, server, db: str, tmp_path: Path) -> dict[str, list[str]]:
    """`alembic upgrade heads` of every environment on a fresh database; the enum types it built."""
    config = replace(config_mod.load(root, rule_names=RULE_NAMES), cache=False)
    work = tmp_path / "work"
    work.mkdir()
    setup = _alembic_setup(root, collect.collect(config), config, work)
    failure = _apply_alembic(server, db, setup, work, {})
    assert failure is None, failure.text
    with server.connect(db) as conn:
        return dict(conn.execute(PG_ENUMS_SQL).fetchall())


def apply_sql(root: Path, server, db: str) -> dict[str, list[str]]:
    """Every SQL migration in enumguard's order, each file in one transaction, as its tool runs it."""
    config = replace(config_mod.load(root, rule_names=RULE_NAMES), cache=False)
    for item in sql_files_mod.sql_files(collect.collect(config), config):
        server.psql(db, "-v", "ON_ERROR_STOP=1", "-1", "-f", str(root / item.path), check=True)
    with server.connect(db) as conn:
        return dict(conn.execute(PG_ENUMS_SQL).fetchall())


def assert_done(root: Path, capsys) -> None:
    """A second audit finds no label missing, and a second `fix --write` creates nothing."""
    assert missing(root) == []
    before = files_of(root)
    code, out, _ = fix(root, "--write", capsys=capsys)
    assert (code, out, new_files(root, before)) == (0, "enumguard: fixed 0 findings in 0 files\n", [])


# --------------------------------------------------------------------------- Alembic


def test_alembic_revision_on_the_head_upgrades_and_leaves_nothing_to_fix(pg_server, pg_db, tmp_path, capsys):  # noqa: F811
    root = copy("703_fix_migration_alembic", tmp_path)
    before = files_of(root)
    code, out, _ = fix(root, "--write", capsys=capsys)
    path = "migrations/versions/0002_add_medium_to_priority.py"  # numbered ids: the next number
    assert (code, out) == (0, f"enumguard: fixed 0 findings in 0 files; created 1 migration: {path}\n")
    assert new_files(root, before) == [path]
    text = (root / path).read_text()
    assert text.startswith(
        '"""add medium to priority\n\nRevision ID: 0002\nRevises: 0001\nCreate Date: 2025-01-01 00:00:00\n'
    )
    assert "revision = '0002'\ndown_revision = '0001'\n" in text
    # one transaction for the whole upgrade: the label is committed in an autocommit block
    assert "    with op.get_context().autocommit_block():\n" in text
    assert "        op.execute(\"ALTER TYPE priority ADD VALUE 'medium' BEFORE 'high'\")\n" in text
    assert "def downgrade():\n    # PostgreSQL cannot drop a label from an enum type" in text
    assert heads(root) == ["0002 (head)"]
    assert upgrade(root, pg_server, pg_db, tmp_path) == {"public.priority": ["low", "medium", "high"]}
    assert_done(root, capsys)


def test_dry_run_shows_the_new_file_and_writes_nothing(tmp_path, capsys):
    root = copy("703_fix_migration_alembic", tmp_path)
    before = files_of(root)
    code, out, _ = fix(root, capsys=capsys)
    assert code == 1
    assert out.startswith(
        "--- /dev/null\n+++ b/migrations/versions/0002_add_medium_to_priority.py\n@@ -0,0 +1,29 @@\n"
        '+"""add medium to priority\n'
    )
    assert out.endswith("enumguard: 1 new migration (dry run; --write applies them)\n")
    assert new_files(root, before) == []


def test_json_and_the_pr_comment_name_the_file_fix_write_creates(tmp_path):
    root = copy("703_fix_migration_alembic", tmp_path)
    report = audit(root)
    [fix_doc] = [f["fix"] for f in json.loads(json_.render(report))["findings"] if f["rule"] == "missing-in-db"]
    assert fix_doc["kind"] == "migration" and fix_doc["style"] == "alembic"
    assert fix_doc["path"] == "migrations/versions/0002_add_medium_to_priority.py"
    assert "`enumguard fix --write` creates `migrations/versions/0002_add_medium_to_priority.py`" in markdown.render(
        report
    )


def test_a_named_branch_gets_the_revision_in_its_own_folder_on_its_own_head(pg_server, pg_db, tmp_path, capsys):  # noqa: F811
    root = copy("850_fix_write_alembic_branch_label", tmp_path)
    assert sorted(heads(root)) == ["9a8b7c6d5e4f (reports) (head)", "a1b2c3d4e5f6 (core) (head)"]
    before = files_of(root)
    fix(root, "--write", capsys=capsys)
    [path] = new_files(root, before)
    rev = path.split("/")[-1].split("_")[0]
    assert path == f"reports/versions/{rev}_add_yearly_to_report_period.py" and len(rev) == 12
    assert "down_revision = '9a8b7c6d5e4f'" in (root / path).read_text()
    # the reports branch moved on; the core branch is untouched
    assert sorted(heads(root)) == sorted([f"{rev} (reports) (head)", "a1b2c3d4e5f6 (core) (head)"])
    assert upgrade(root, pg_server, pg_db, tmp_path) == {
        "public.report_period": ["daily", "weekly", "monthly", "yearly"]
    }
    assert_done(root, capsys)


def test_project_template_file_template_and_transaction_per_migration(pg_server, pg_db, tmp_path, capsys):  # noqa: F811
    root = copy("851_fix_write_alembic_project_template", tmp_path)
    before = files_of(root)
    fix(root, "--write", capsys=capsys)
    [path] = new_files(root, before)
    rev = path.split("_")[2]
    # file_template (with the ini's timezone) and truncate_slug_length = 20, as Alembic names it
    assert path == f"db/versions/20250101_0000_{rev}_add_packed_returned_.py"
    assert len(rev) == 8 and rev not in ("3f2a9c1e", "7b41d0aa")  # the ids' own length: 8 hex digits
    text = (root / path).read_text()
    assert "## Our template" not in text  # a Mako comment
    assert f"revision: str = '{rev}'\ndown_revision: Union[str, None] = '7b41d0aa'\n" in text
    assert "def upgrade() -> None:\n    # Each revision commits on its own" in text
    assert "autocommit_block" not in text  # transaction_per_migration=True in env.py
    assert "    op.execute(\"ALTER TYPE order_state ADD VALUE 'packed' BEFORE 'shipped'\")\n" in text
    assert heads(root) == [f"{rev} (head)"]
    assert upgrade(root, pg_server, pg_db, tmp_path) == {
        "public.order_state": ["new", "paid", "packed", "shipped", "returned"]
    }
    assert_done(root, capsys)


def test_several_heads_no_label_separates_write_nothing_and_say_why(tmp_path, capsys):
    root = copy("852_fix_write_alembic_unmerged_heads", tmp_path)
    before = files_of(root)
    code, out, err = fix(root, "--write", capsys=capsys)
    assert new_files(root, before) == []
    assert err == (
        "enumguard: no migration written for `task_state`: alembic.ini has 2 heads (0003, 0002) and no "
        "branch label tells them apart: merge them first (`alembic merge heads`)\n"
    )
    assert out.startswith("-- add archived to task_state in a new migration:\n")
    assert "ALTER TYPE task_state ADD VALUE 'archived';\n" in out
    assert code == 0


def test_version_locations_and_a_merge_put_the_revision_after_the_merge(tmp_path, capsys):
    root = copy("841_version_locations_branch_merge", tmp_path)
    before = files_of(root)
    fix(root, "--write", capsys=capsys)
    [path] = new_files(root, before)
    assert path.startswith("migrations/versions/") and "down_revision = 'a003'" in (root / path).read_text()
    assert len(heads(root)) == 1


def test_labels_of_two_types_in_one_environment_are_two_chained_revisions(pg_server, pg_db, tmp_path, capsys):  # noqa: F811
    root = copy("703_fix_migration_alembic", tmp_path)
    (root / "migrations/versions/0002_kinds.py").write_text(
        '"""kinds"""\nimport sqlalchemy as sa\nfrom alembic import op\n\nrevision = "0002"\ndown_revision = "0001"\n\n\n'
        'def upgrade():\n    op.create_table("others", sa.Column("id", sa.Integer, primary_key=True),\n'
        '                    sa.Column("kind", sa.Enum("bug", name="ticket_kind")))\n'
    )
    models = root / "app/models.py"
    models.write_text(
        models.read_text()
        + "\n\nclass Kind(enum.Enum):\n    bug = 1\n    feature = 2\n\n\n"
        + 'class Other(Base):\n    __tablename__ = "others"\n\n    id: Mapped[int] = mapped_column(primary_key=True)\n'
        + '    kind: Mapped[Kind] = mapped_column(sa.Enum(Kind, name="ticket_kind"))\n'
    )
    before = files_of(root)
    fix(root, "--write", capsys=capsys)
    created = new_files(root, before)
    assert created == [
        "migrations/versions/0003_add_medium_to_priority.py",
        "migrations/versions/0004_add_feature_to_ticket_kind.py",
    ]
    assert "down_revision = '0003'" in (root / created[1]).read_text()
    assert heads(root) == ["0004 (head)"]
    assert upgrade(root, pg_server, pg_db, tmp_path) == {
        "public.priority": ["low", "medium", "high"],
        "public.ticket_kind": ["bug", "feature"],
    }
    assert_done(root, capsys)


def test_an_environment_with_a_revision_enumguard_cannot_read_gets_nothing(tmp_path, capsys):
    root = copy("703_fix_migration_alembic", tmp_path)
    (root / "migrations/versions/0002_broken.py").write_text("revision = '0002'\ndown_revision = '0001'\ndef (\n")
    before = files_of(root)
    _, _, err = fix(root, "--write", capsys=capsys)
    assert new_files(root, before) == []
    assert "could not read every revision of alembic.ini (migrations/versions/0002_broken.py)" in err


def test_a_type_whose_labels_are_not_certain_gets_no_file(tmp_path):
    root = copy("703_fix_migration_alembic", tmp_path)
    report = audit(root)
    config = replace(config_mod.load(root, rule_names=RULE_NAMES), cache=False)
    tree = collect.collect(config)
    model = replace(
        report.model,
        pairs=tuple(
            replace(p, db=replace(p.db, doubt=Doubt("changed by SQL built at run time", p.db.location)))
            for p in report.model.pairs
        ),
    )
    [planned] = new_migration.plan(report.findings, model, tree, config, new_migration.now())
    assert (planned.path, planned.why) == (None, "the labels of `priority` are not certain")


# --------------------------------------------------------------------------- SQL tools


def test_supabase_files_are_later_than_every_existing_one(pg_server, pg_db, tmp_path, capsys):  # noqa: F811
    root = copy("702_fix_migration_supabase", tmp_path)
    before = files_of(root)
    fix(root, "--write", capsys=capsys)
    assert new_files(root, before) == [
        "supabase/migrations/20250101000000_add_queued_running_archived_to_job_status.sql",
        "supabase/migrations/20250101000001_add_pro_to_billing_plan.sql",
        "supabase/migrations/20250101000002_add_it_s_to_order.sql",
    ]
    assert apply_sql(root, pg_server, pg_db) == {
        "public.job_status": ["pending", "queued", "running", "done", "archived"],
        "billing.Plan": ["free", "Pro"],
        "public.order": ["plain", "it's"],
    }
    assert_done(root, capsys)


def test_supabase_timestamp_follows_a_file_dated_in_the_future(tmp_path, capsys):
    root = copy("702_fix_migration_supabase", tmp_path)
    (root / "supabase/migrations/20300101000000_later.sql").write_text("SELECT 1;\n")
    before = files_of(root)
    fix(root, "--write", capsys=capsys)
    assert (
        new_files(root, before)[0] == "supabase/migrations/20300101000001_add_queued_running_archived_to_job_status.sql"
    )


def test_flyway_gets_the_next_version(pg_server, pg_db, tmp_path, capsys):  # noqa: F811
    root = copy("853_fix_write_flyway", tmp_path)
    before = files_of(root)
    fix(root, "--write", capsys=capsys)
    assert new_files(root, before) == ["db/migration/V3__add_medium_to_severity.sql"]
    assert apply_sql(root, pg_server, pg_db) == {"public.severity": ["low", "medium", "high", "critical"]}
    assert_done(root, capsys)


def test_plain_numbered_sql_gets_the_next_number_in_its_scheme(pg_server, pg_db, tmp_path, capsys):  # noqa: F811
    root = copy("854_fix_write_plain_numbered", tmp_path)
    before = files_of(root)
    fix(root, "--write", capsys=capsys)
    assert new_files(root, before) == ["migrations/003-add_ecstatic_to_mood.sql"]
    assert apply_sql(root, pg_server, pg_db) == {"public.mood": ["sad", "ok", "happy", "ecstatic"]}
    assert_done(root, capsys)


def test_sql_in_no_known_scheme_is_printed_not_written(tmp_path, capsys):
    root = copy("855_fix_write_unknown_scheme", tmp_path)
    before = files_of(root)
    code, out, err = fix(root, "--write", capsys=capsys)
    assert (code, new_files(root, before)) == (0, [])
    assert "the SQL files in schema/ are not all numbered" in err
    assert "ALTER TYPE tier ADD VALUE 'enterprise';\n" in out
    code, out, _ = fix(root, capsys=capsys)  # the dry run: nothing it could apply
    assert code == 0 and out.endswith("enumguard: nothing to fix\n")


# --------------------------------------------------------------------------- pieces


def test_revision_ids_follow_the_projects_form():
    from datetime import UTC, datetime

    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert fresh_id(["0001", "0009"], "s", now) == "0010"
    assert len(fresh_id(["ab12cd34", "0f0f0f0f"], "s", now)) == 8
    assert len(fresh_id(["a1b2c3d4e5f6", "initial"], "s", now)) == 12  # mixed forms: Alembic's default
    assert fresh_id(["20240101120000"], "s", now) == "20250101000000"  # timestamps: now


def test_slug_is_alembics():
    assert slug("add packed, returned to order_state", 20) == "add_packed_returned_"
    assert slug("Add 'x' to Status") == "add_x_to_status"


def test_template_subset_renders_and_anything_else_is_refused():
    values = {"message": "m", "down_revision": ("a", "b"), "up_revision": "c", "imports": ""}
    text = "## comment\n${message}\nRevises: ${down_revision | comma,n}\n${repr(up_revision)}\n${imports if imports else ''}\n"
    assert mako_lite.render(text, values) == "m\nRevises: a, b\n'c'\n\n"
    for bad in ("<% import os %>\n", "% for x in y:\n", "${__import__('os')}\n", "${config.get_main_option('x')}\n"):
        with pytest.raises(mako_lite.Refused):
            mako_lite.render(bad, values)
