"""Which files are migrations, in which order, and how each tool runs them."""

from __future__ import annotations

from tests.test_migrations_sql import labels, load_files

CREATE = "CREATE TYPE t AS ENUM ('a');\n"


def order(model) -> list[str]:
    return [m.path for m in model.migrations]


def test_supabase_applies_only_named_files_directly_in_its_folder() -> None:
    model = load_files(
        {
            "supabase/migrations/20240101000000_init.sql": CREATE,
            "supabase/migrations/20240301000000_more.sql": "ALTER TYPE t ADD VALUE 'b';\n",
            "supabase/migrations/backup/20240201000000_old.sql": "ALTER TYPE t ADD VALUE 'old';\n",
            "supabase/migrations/notes.sql": "ALTER TYPE t ADD VALUE 'notes';\n",
            "supabase/seed.sql": "ALTER TYPE t ADD VALUE 'seed';\n",
        }
    )
    assert order(model) == [
        "supabase/migrations/20240101000000_init.sql",
        "supabase/migrations/20240301000000_more.sql",
    ]
    assert labels(model) == {"public.t": ("a", "b")}


def test_flyway_orders_by_version_not_by_name() -> None:
    model = load_files(
        {
            "db/migration/V10__last.sql": "ALTER TYPE t ADD VALUE 'v10';\n",
            "db/migration/V2__second.sql": "ALTER TYPE t ADD VALUE 'v2';\n",
            "db/migration/V1__init.sql": CREATE,
            "db/migration/V2_1__between.sql": "ALTER TYPE t ADD VALUE 'v2.1';\n",
            "db/migration/U2__undo.sql": "DROP TYPE t;\n",
        }
    )
    assert labels(model) == {"public.t": ("a", "v2", "v2.1", "v10")}
    assert "db/migration/U2__undo.sql" not in order(model)


def test_golang_migrate_up_files_in_version_order_and_down_files_skipped() -> None:
    model = load_files(
        {
            "migrations/10_more.up.sql": "ALTER TYPE t ADD VALUE 'ten';\n",
            "migrations/10_more.down.sql": "DROP TYPE t;\n",
            "migrations/9_init.up.sql": CREATE,
        }
    )
    assert order(model) == ["migrations/9_init.up.sql", "migrations/10_more.up.sql"]
    assert labels(model) == {"public.t": ("a", "ten")}


def test_plain_migrations_folder_in_name_order_including_subfolders() -> None:
    model = load_files(
        {
            "app/migrations/0002/up.sql": "ALTER TYPE t ADD VALUE 'b';\n",
            "app/migrations/0002/down.sql": "DROP TYPE t;\n",
            "app/migrations/0001_init.sql": CREATE,
            "scripts/adhoc.sql": "DROP TYPE t;\n",
        }
    )
    assert order(model) == ["app/migrations/0001_init.sql", "app/migrations/0002/up.sql"]


def test_configured_globs_and_explicit_order() -> None:
    files = {"sql/b_types.sql": CREATE, "sql/a_values.sql": "ALTER TYPE t ADD VALUE 'b';\n"}
    guessed = load_files(files, sql_migrations=("sql/*.sql",))
    # Unnumbered names give no order: t's labels rest on a guess, and the notice says how to set it.
    assert [db.name for db in guessed.db_enums if not db.certain] == ["public.t"]
    assert any("migration-order" in n and "sql/a_values.sql" in n for n in guessed.notices)
    model = load_files(files, sql_migrations=("sql/*.sql",), migration_order=("sql/b_*.sql", "sql/a_*.sql"))
    assert order(model) == ["sql/b_types.sql", "sql/a_values.sql"]
    assert labels(model) == {"public.t": ("a", "b")}


def test_migration_paths_lists_sql_and_alembic_scripts() -> None:
    from enumguard import migrations
    from enumguard.collect import SourceFile, SourceTree
    from enumguard.config import Config

    files = {
        "supabase/migrations/20240101000000_init.sql": CREATE,
        "alembic.ini": "[alembic]\nscript_location = %(here)s/db/alembic\n",
        "db/alembic/env.py": "",
        "db/alembic/versions/1_a.py": 'revision = "1"\ndown_revision = None\n',
        "db/alembic/versions/__init__.py": "",
        "app/models.py": "",
    }
    tree = SourceTree("/x", tuple(SourceFile(p, t) for p, t in sorted(files.items())), tuple(sorted(files)))
    assert migrations.migration_paths(tree, Config()) == {
        "supabase/migrations/20240101000000_init.sql",
        "db/alembic/versions/1_a.py",
    }


def _revision(rev: str, down: str | None, body: str) -> str:
    return (
        "from alembic import op\n\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\n\n"
        f"def upgrade():\n    op.execute({body!r})\n"
    )


def test_alembic_package_resource_location_with_per_dialect_versions_folders() -> None:
    from dataclasses import replace
    from pathlib import Path

    from enumguard import migrations
    from enumguard.collect import SourceFile, SourceTree
    from enumguard.config import Config

    base = "src/app/db/_migrations"
    files = {
        "src/app/__init__.py": "",
        "src/app/db/__init__.py": "",
        "src/app/db/alembic.ini": "[alembic]\nscript_location = app.db:_migrations\n",
        f"{base}/env.py": "",
        f"{base}/versions/postgresql/0001_pg.py": _revision("p1", None, "CREATE TYPE t AS ENUM ('a')"),
        f"{base}/versions/postgresql/0002_pg.py": _revision("p2", "p1", "ALTER TYPE t ADD VALUE 'b'"),
        f"{base}/versions/sqlite/0001_lite.py": _revision("s1", None, "SELECT 1"),
    }
    tree = SourceTree("/nonexistent", tuple(SourceFile(p, t) for p, t in sorted(files.items())), tuple(sorted(files)))
    config = replace(Config(root=Path("/nonexistent")))
    model = migrations.load(tree, config)
    assert labels(model) == {"public.t": ("a", "b")}
    assert order(model) == [f"{base}/versions/postgresql/0001_pg.py", f"{base}/versions/postgresql/0002_pg.py"]
    # The other dialect's revisions are not replayed, but they are still migrations, not app code.
    assert f"{base}/versions/sqlite/0001_lite.py" in migrations.migration_paths(tree, config)


def _tree(files: dict[str, str]):
    from enumguard.collect import SourceFile, SourceTree

    return SourceTree("/x", tuple(SourceFile(p, t) for p, t in sorted(files.items())), tuple(sorted(files)))


ADHOC = {
    "supabase/migrations/20240101000000_init.sql": CREATE + "CREATE TABLE x (s t);\n",
    "migrations/0002_more.sql": "ALTER TYPE t ADD VALUE 'adhoc';\n",
    "db/rollback_0002.sql": "DROP TYPE t;\n",
    "sql/reports.sql": "CREATE TYPE report_kind AS ENUM ('daily');\n",
    "scripts/cleanup.sql": "DELETE FROM x;\n",
    "clickhouse/migrations/0001.sql": "CREATE TABLE events (id UInt64) ENGINE = MergeTree ORDER BY id;\n",
}


def test_with_a_tool_folder_other_sql_is_not_replayed_and_one_notice_names_it() -> None:
    from enumguard import migrations
    from enumguard.config import Config

    model = load_files(ADHOC)
    assert order(model) == ["supabase/migrations/20240101000000_init.sql"]
    assert labels(model) == {"public.t": ("a",)} and model.problems == ()
    assert migrations.notices(_tree(ADHOC), Config()) == (
        "not replayed: SQL with enum DDL outside supabase/migrations/, in migrations/ (1 file), sql/ (1 file); "
        'if it is applied to the database, add `sql-migrations = ["migrations/*.sql"]` to [tool.enumguard]',
    )


def test_configured_sql_joins_the_tool_migrations_but_undo_scripts_never_do() -> None:
    from enumguard import migrations
    from enumguard.config import Config

    settings = {"sql_migrations": ("migrations/*.sql", "db/*.sql", "sql/*.sql")}
    model = load_files(ADHOC, **settings)
    assert order(model) == [
        "supabase/migrations/20240101000000_init.sql",
        "migrations/0002_more.sql",
        "sql/reports.sql",
    ]
    assert labels(model) == {"public.t": ("a", "adhoc"), "public.report_kind": ("daily",)}
    assert migrations.notices(_tree(ADHOC), Config(**settings)) == ()


def test_undo_scripts_by_name_or_folder_are_never_forward_migrations() -> None:
    from enumguard.migrations.sql.files import is_undo

    undo = [
        "migrations/rollback_0003.sql",
        "migrations/0003_down.sql",
        "migrations/revert-plans.sql",
        "migrations/0004/down.sql",
        "migrations/rollbacks/0003.sql",
        "migrations/0003_plans_rollback.sql",
    ]
    forward = [
        "supabase/migrations/20240101000000_revert_plan_rename.sql",
        "migrations/0003_shutdown.sql",
        "migrations/0004/up.sql",
        "migrations/downloads.sql",
    ]
    assert [p for p in undo + forward if is_undo(p)] == undo


def test_without_a_tool_folder_plain_migrations_are_replayed_and_other_sql_is_named() -> None:
    from enumguard import migrations
    from enumguard.config import Config

    files = {
        "migrations/0001_init.sql": CREATE,
        "migrations/rollback_0001.sql": "DROP TYPE t;\n",
        "db/types.sql": CREATE,
    }
    assert order(load_files(files)) == ["migrations/0001_init.sql"]
    (notice,) = migrations.notices(_tree(files), Config())
    assert notice.startswith("not replayed: SQL with enum DDL that no migration tool applies, in db/ (1 file);")
