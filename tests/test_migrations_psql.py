"""Plain SQL as psql runs it: meta-commands, includes read in place, entry files, initdb folders
and scripts giving the apply order, folders that are not applied, and orders that are a guess."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from enumguard import migrations
from enumguard.collect import SourceFile, SourceTree
from enumguard.config import Config
from enumguard.migrations.events import Unread
from enumguard.migrations.sql import entry, files, psql, session

CONFIG = Config(root=Path("/nonexistent"))


def tree_of(files_: dict[str, str]) -> SourceTree:
    return SourceTree(
        root="/nonexistent",
        files=tuple(SourceFile(p, t) for p, t in sorted(files_.items())),
        paths=tuple(sorted(files_)),
    )


def load(files_: dict[str, str], **settings) -> migrations.MigrationModel:
    return migrations.load(tree_of(files_), replace(CONFIG, cache=False, **settings))


def labels(model: migrations.MigrationModel) -> dict[str, tuple[str, ...]]:
    return {db.name: db.label_values for db in model.db_enums}


def uncertain(model: migrations.MigrationModel) -> list[str]:
    return sorted(db.name for db in model.db_enums if not db.certain)


def plan(files_: dict[str, str], **settings) -> files.Plan:
    return files.plan(tree_of(files_), replace(CONFIG, **settings))


# ---------------------------------------------------------------------- meta-commands


def test_meta_commands_are_blanked_but_backslashes_in_strings_comments_and_bodies_are_not() -> None:
    text = (
        "\\set ON_ERROR_STOP on\n"
        "CREATE TYPE a AS ENUM ('x\\y');  -- \\i not_an_include.sql\n"
        "/* \\i neither.sql */ SELECT E'\\\\i still a string';\n"
        "DO $$ BEGIN RAISE NOTICE '\\i'; END $$;\n"
        "\\echo done\n"
    )
    script = psql.scan(text)
    assert len(script.sql) == len(text) and script.sql.count("\n") == text.count("\n")
    assert "\\set" not in script.sql and "\\echo" not in script.sql
    assert "'x\\y'" in script.sql and "\\i not_an_include" in script.sql and "$$ BEGIN RAISE NOTICE '\\i'" in script.sql
    assert script.includes == ()


def test_a_meta_command_line_does_not_swallow_the_statement_after_it() -> None:
    model = load({"db/migrations/001_init.sql": "\\connect app\n\\timing on\nCREATE TYPE mood AS ENUM ('ok');\n"})
    assert labels(model) == {"public.mood": ("ok",)}


def test_copy_from_stdin_data_is_not_sql_and_gexec_ends_a_query() -> None:
    text = (
        "CREATE TYPE mood AS ENUM ('ok');\n"
        "COPY notes (body) FROM stdin;\n"
        "CREATE TYPE fake AS ENUM ('data line');\n"
        "\\.\n"
        "SELECT 'ALTER TYPE mood ADD VALUE ' || quote_literal(v) FROM new_moods \\gexec\n"
        "ALTER TYPE mood ADD VALUE 'sad';\n"
    )
    model = load({"db/migrations/001_init.sql": text})
    assert set(labels(model)) == {"public.mood"}
    assert uncertain(model) == ["public.mood"]  # \gexec runs SQL that a query builds


def test_ddl_inside_a_psql_if_block_is_uncertain_and_quit_ends_the_file() -> None:
    text = (
        "CREATE TYPE mood AS ENUM ('ok');\nCREATE TYPE plan AS ENUM ('free');\n"
        "\\if :with_sad\nALTER TYPE mood ADD VALUE 'sad';\n\\endif\n"
        "\\q\nALTER TYPE plan ADD VALUE 'never';\n"
    )
    model = load({"db/migrations/001_init.sql": text})
    assert labels(model)["public.plan"] == ("free",)
    assert uncertain(model) == ["public.mood"]


# ---------------------------------------------------------------------- includes


def test_includes_are_read_in_place_and_report_the_included_files_own_lines() -> None:
    model = load(
        {
            "db/migrations/init/main.sql": (
                "SET search_path TO app;\n\\i './types.sql'\n\\include_relative sub/more.sql\n"
                "ALTER TYPE mood ADD VALUE 'last';\n"
            ),
            "db/migrations/init/types.sql": "\n\nCREATE TYPE mood AS ENUM ('ok');\n\\ir sub/sad.sql\n",
            "db/migrations/init/sub/sad.sql": "ALTER TYPE mood ADD VALUE 'sad';\n",
            "db/migrations/init/sub/more.sql": "\\include ../../shared/extra.sql\n",
            "db/shared/extra.sql": "ALTER TYPE mood ADD VALUE 'extra';\n",
        }
    )
    assert labels(model) == {"app.mood": ("ok", "sad", "extra", "last")}
    where = {lab.value: (lab.location.path, lab.location.line) for lab in model.db_enums[0].labels}
    assert where["ok"] == ("db/migrations/init/types.sql", 3)
    assert where["sad"] == ("db/migrations/init/sub/sad.sql", 1)
    assert where["last"] == ("db/migrations/init/main.sql", 4)
    assert [m.path for m in model.migrations] == [
        "db/migrations/init/main.sql",
        "db/migrations/init/types.sql",
        "db/migrations/init/sub/sad.sql",
        "db/migrations/init/sub/more.sql",
        "db/shared/extra.sql",
    ]


def test_an_absolute_include_is_matched_by_its_trailing_folders() -> None:
    model = load(
        {
            "db/migrations/main.sql": "\\i /docker-entrypoint-initdb.d/schema/types.sql\n",
            "db/schema/types.sql": "CREATE TYPE mood AS ENUM ('ok');\n",
        }
    )
    assert labels(model) == {"public.mood": ("ok",)}


def test_an_include_not_in_the_repository_or_built_from_a_variable_is_unread_with_a_notice() -> None:
    main = "CREATE TYPE mood AS ENUM ('ok');\n\\i ./vendor/ext.sql\n\\i :dir/x.sql\nCREATE TYPE plan AS ENUM ('a');\n"
    tree = tree_of({"db/migrations/main.sql": main})
    run = session.read(tree, "db/migrations/main.sql")
    unread = [e for e in run.events if isinstance(e, Unread)]
    assert [(u.location.line, u.touches, u.names) for u in unread] == [(2, "any", frozenset()), (3, "any", frozenset())]
    assert unread[0].reason == "included file `./vendor/ext.sql` is not in the repository"
    model = migrations.load(tree, replace(CONFIG, cache=False))
    assert uncertain(model) == ["public.mood"]  # plan is created after the unread includes
    assert any("db/migrations/main.sql:2: included file `./vendor/ext.sql`" in n for n in model.notices)
    assert any(":dir/x.sql" in n for n in migrations.notices(tree, replace(CONFIG, cache=False)))


def test_a_file_that_includes_itself_is_reported_once_not_followed_forever() -> None:
    model = load({"db/migrations/a.sql": "CREATE TYPE mood AS ENUM ('ok');\n\\ir a.sql\n"})
    assert labels(model) == {"public.mood": ("ok",)}
    assert [p.rule for p in model.problems] == ["unsupported-sql"]


# ---------------------------------------------------------------------- which files run, in what order


def test_a_file_included_and_in_a_migrations_folder_runs_once_where_the_entry_includes_it() -> None:
    result = plan(
        {
            "db/migrations/0-main.sql": "\\i 2-tables.sql\n\\i 1-types.sql\n",
            "db/migrations/1-types.sql": "CREATE TYPE mood AS ENUM ('ok');\n",
            "db/migrations/2-tables.sql": "CREATE TABLE t (m mood);\n",
        }
    )
    assert [f.path for f in result.files] == ["db/migrations/0-main.sql"]
    assert result.included == {"db/migrations/1-types.sql", "db/migrations/2-tables.sql"}


def test_the_configured_order_places_a_file_even_when_an_entry_includes_it() -> None:
    files_ = {
        "db/migrations/init/0-main.sql": "\\i 1-types.sql\n",
        "db/migrations/init/1-types.sql": "CREATE TYPE mood AS ENUM ('ok');\n",
        "db/migrations/001-sad.sql": "ALTER TYPE mood ADD VALUE 'sad';\n",
    }
    order = ("db/migrations/init/1-types.sql", "db/migrations/0*.sql", "db/migrations/init/0-main.sql")
    result = plan(files_, migration_order=order)
    assert [f.path for f in result.files] == [
        "db/migrations/init/1-types.sql",
        "db/migrations/001-sad.sql",
        "db/migrations/init/0-main.sql",
    ]
    model = load(files_, migration_order=order)
    assert labels(model) == {"public.mood": ("ok", "sad")} and uncertain(model) == []


def test_sql_beside_an_entry_file_that_it_does_not_include_is_left_out_and_named() -> None:
    files_ = {
        "src/migrations/init/0-main.sql": "\\i './1-types.sql'\n\\i './shared/2-tables.sql'\n",
        "src/migrations/init/1-types.sql": "CREATE TYPE mood AS ENUM ('ok');\n",
        "src/migrations/init/shared/2-tables.sql": "CREATE TABLE t (m mood);\n",
        "src/migrations/init/browser-only/schema.sql": "CREATE TYPE mood AS ENUM ('offline');\n",
        "src/migrations/001-sad.sql": "ALTER TYPE mood ADD VALUE 'sad';\n",
    }
    result = plan(files_)
    assert [f.path for f in result.files] == ["src/migrations/init/0-main.sql", "src/migrations/001-sad.sql"]
    assert result.left_out == {"src/migrations/init/browser-only/schema.sql"}
    model = load(files_)
    assert labels(model) == {"public.mood": ("ok", "sad")} and uncertain(model) == []
    notice = files.not_replayed(tree_of(files_), CONFIG)
    assert notice is not None and "src/migrations/init/browser-only/ (1 file)" in notice


def test_archived_old_backup_and_other_database_folders_are_not_applied() -> None:
    result = plan(
        {
            "db/migrations/001_init.sql": "CREATE TYPE mood AS ENUM ('ok');\n",
            "db/migrations/archived/2023-01/002_x.sql": "DROP TYPE mood;\n",
            "db/migrations/archive_2022/003_x.sql": "DROP TYPE mood;\n",
            "db/migrations/old/004_x.sql": "DROP TYPE mood;\n",
            "db/migrations/backup/005_x.sql": "DROP TYPE mood;\n",
            "db/migrations/sqlite/006_x.sql": "DROP TYPE mood;\n",
            "db/migrations/007_init.mysql.sql": "DROP TYPE mood;\n",
            "db/migrations/revert/008_x.sql": "DROP TYPE mood;\n",
        }
    )
    assert [f.path for f in result.files] == ["db/migrations/001_init.sql"]


def test_initdb_folders_compose_volumes_and_dockerfile_copies_run_by_name_in_the_image() -> None:
    tree = tree_of(
        {
            "docker/docker-entrypoint-initdb.d/2_tables.sql": "",
            "docker/docker-entrypoint-initdb.d/1_types.sql": "",
            "docker/docker-entrypoint-initdb.d/nested/x.sql": "",
            "compose.yaml": (
                "services:\n  db:\n    volumes:\n      - ./db/init:/docker-entrypoint-initdb.d\n"
                "      - type: bind\n        source: ./db/zz_types.sql\n"
                "        target: /docker-entrypoint-initdb.d/00_types.sql\n"
            ),
            "db/init/10_tables.sql": "",
            "db/init/sub/skipped.sql": "",
            "db/zz_types.sql": "",
            "pg/Dockerfile": "FROM postgres\nWORKDIR /docker-entrypoint-initdb.d\nCOPY schema/*.sql ./\n",
            "pg/schema/b.sql": "",
            "pg/schema/a.sql": "",
        }
    )
    found = {(s.source, s.paths) for s in entry.sequences(tree)}
    assert found == {
        (
            "docker/docker-entrypoint-initdb.d",
            ("docker/docker-entrypoint-initdb.d/1_types.sql", "docker/docker-entrypoint-initdb.d/2_tables.sql"),
        ),
        ("compose.yaml", ("db/zz_types.sql", "db/init/10_tables.sql")),
        ("pg/Dockerfile", ("pg/schema/a.sql", "pg/schema/b.sql")),
    }


def test_scripts_give_psql_files_in_their_order() -> None:
    tree = tree_of(
        {
            "scripts/setup.sh": (
                "#!/bin/sh\n"
                'SQL_DIR="$(cd "$(dirname "$0")" && pwd)/../sql"\n'
                "psql -1 -v ON_ERROR_STOP=1 --file=../sql/types.sql\n"
                'for f in tables views; do psql "$URL" -f "$SQL_DIR/$f.sql"; done\n'
                "cat ../sql/seed_b.sql ../sql/seed_a.sql | psql\n"
                "psql < ../sql/grants.sql  # last\n"
                "psql -c 'SELECT 1'\n"
            ),
            "deploy/run.sh": "cd /opt/app/db/init\npsql -f ./0-main.sql\n",
            "sql/types.sql": "",
            "sql/tables.sql": "",
            "sql/views.sql": "",
            "sql/seed_a.sql": "",
            "sql/seed_b.sql": "",
            "sql/grants.sql": "",
            "db/init/0-main.sql": "",
        }
    )
    found = {s.source: (s.paths, s.single_transaction) for s in entry.sequences(tree)}
    assert found == {
        "scripts/setup.sh": (
            ("sql/types.sql", "sql/tables.sql", "sql/views.sql", "sql/seed_b.sql", "sql/seed_a.sql", "sql/grants.sql"),
            True,
        ),
        "deploy/run.sh": (("db/init/0-main.sql",), False),
    }


# ---------------------------------------------------------------------- guessed orders


def order_notices(files_: dict[str, str], **settings) -> list[str]:
    return [n for n in load(files_, **settings).notices if "apply order guessed" in n]


def test_a_type_changed_by_files_in_a_guessed_order_is_uncertain_with_a_notice() -> None:
    files_ = {
        "db/migrations/types.sql": "CREATE TYPE mood AS ENUM ('ok');\n",
        "db/migrations/more_moods.sql": "ALTER TYPE mood ADD VALUE 'meh';\n",
        "db/migrations/sad_mood.sql": "ALTER TYPE mood ADD VALUE 'sad';\n",
        "db/migrations/plans.sql": "CREATE TYPE plan AS ENUM ('free');\n",
    }
    model = load(files_)
    assert uncertain(model) == ["public.mood"] and labels(model)["public.plan"] == ("free",)
    (notice,) = order_notices(files_)
    assert "not checked: mood" in notice and "migration-order" in notice
    assert uncertain(load(files_, migration_order=("db/migrations/types.sql", "db/migrations/*.sql"))) == []


def test_the_one_file_that_creates_a_type_runs_before_those_that_use_or_change_it() -> None:
    files_ = {
        "db/migrations/init/0-main.sql": "\\ir types.sql\n",
        "db/migrations/init/types.sql": "CREATE TYPE mood AS ENUM ('ok');\n",
        "db/migrations/001-add-sad.sql": "ALTER TYPE mood ADD VALUE 'sad';\n",
        "db/migrations/002-add-meh.sql": "ALTER TYPE mood ADD VALUE 'meh';\n",
    }
    model = load(files_)
    assert labels(model) == {"public.mood": ("ok", "sad", "meh")} and uncertain(model) == []
    assert order_notices(files_) == []


def test_a_table_created_before_its_type_in_a_guessed_order_makes_the_type_uncertain() -> None:
    files_ = {
        "db/migrations/a_tables.sql": "CREATE TABLE t (m mood);\n",
        "db/migrations/b_types.sql": "CREATE TYPE mood AS ENUM ('ok');\n",
    }
    model = load(files_)
    assert uncertain(model) == ["public.mood"]


def test_the_initdb_folder_runs_before_the_migration_tool() -> None:
    files_ = {
        "docker-entrypoint-initdb.d/01-types.sql": "CREATE TYPE mood AS ENUM ('ok');\n",
        "supabase/migrations/20240101000000_sad.sql": "ALTER TYPE mood ADD VALUE 'sad';\n",
        "supabase/migrations/20240102000000_meh.sql": "ALTER TYPE mood ADD VALUE 'meh';\n",
    }
    model = load(files_)
    assert labels(model) == {"public.mood": ("ok", "sad", "meh")} and uncertain(model) == []


def test_a_file_two_scripts_run_keeps_the_longer_scripts_order_across_folders() -> None:
    result = plan(
        {
            "db/install.sh": "psql --single-transaction -f init.sql\npsql -1 -f lookups/values.sql\n",
            "tools/rebuild.sh": "psql -f ../db/init.sql\n",
            "db/init.sql": "\\i tables/types.sql\n",
            "db/tables/types.sql": "CREATE TYPE mood AS ENUM ('ok');\n",
            "db/lookups/values.sql": "ALTER TYPE mood ADD VALUE 'sad';\n",
            "db/mock.sql": "SELECT 1;\n",
            "db/mock.sh": "psql -f mock.sql\n",
        }
    )
    assert [(f.path, f.group, f.mode) for f in result.files] == [
        ("db/init.sql", "script:db/install.sh", "file"),
        ("db/lookups/values.sql", "script:db/install.sh", "file"),
        ("db/mock.sql", "script:db/mock.sh", "autocommit"),
    ]


def test_beside_a_migration_tool_scripts_do_not_apply_sql_but_the_initdb_folder_does() -> None:
    result = plan(
        {
            "supabase/migrations/20240101000000_init.sql": "CREATE TYPE mood AS ENUM ('ok');\n",
            "scripts/seed.sh": "psql -f ../supabase/seed.sql\n",
            "supabase/seed.sql": "INSERT INTO t VALUES ('ok');\n",
            "db/docker-entrypoint-initdb.d/00-roles.sql": "CREATE ROLE app;\n",
        }
    )
    assert [f.path for f in result.files] == [
        "db/docker-entrypoint-initdb.d/00-roles.sql",
        "supabase/migrations/20240101000000_init.sql",
    ]
