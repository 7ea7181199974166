"""Enum DDL, columns and literals read from SQL migrations, replayed as PostgreSQL would."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from enumguard import migrations
from enumguard.collect import SourceFile, SourceTree
from enumguard.config import Config
from enumguard.finding import Location

SUPA = "supabase/migrations/20240101000000_init.sql"
PLAIN = "migrations/0001_init.sql"


def load_files(files: dict[str, str], **settings) -> migrations.MigrationModel:
    tree = SourceTree(
        root="/nonexistent",
        files=tuple(SourceFile(p, t) for p, t in sorted(files.items())),
        paths=tuple(sorted(files)),
    )
    return migrations.load(tree, replace(Config(root=Path("/nonexistent")), **settings))


def labels(model: migrations.MigrationModel) -> dict[str, tuple[str, ...]]:
    return {db.name: db.label_values for db in model.db_enums}


def sql(text: str, path: str = SUPA) -> migrations.MigrationModel:
    return load_files({path: text})


def test_unquoted_names_fold_to_lower_case_and_quoted_names_keep_case() -> None:
    model = sql(
        "CREATE TYPE STATUS AS ENUM ('a');\nCREATE TYPE \"SitemapStatus\" AS ENUM ('b');\n"
        "CREATE TYPE Public.Mood AS ENUM ('c');\n"
    )
    assert labels(model) == {"public.status": ("a",), "public.SitemapStatus": ("b",), "public.mood": ("c",)}


def test_schema_qualified_and_public_names_are_the_same_type() -> None:
    model = sql(
        "CREATE TYPE public.status AS ENUM ('a');\nALTER TYPE status ADD VALUE 'b';\n"
        "CREATE TYPE billing.status AS ENUM ('x');\n"
    )
    assert labels(model) == {"public.status": ("a", "b"), "billing.status": ("x",)}


def test_string_forms_of_labels_are_decoded() -> None:
    model = sql("CREATE TYPE t AS ENUM ('it''s', E'new\\nline', E'quote\\'d', E'\\x41', $$dollar's$$);\n")
    assert labels(model) == {"public.t": ("it's", "new\nline", "quote'd", "A", "dollar's")}


def test_each_label_remembers_the_line_it_is_written_on() -> None:
    model = sql("CREATE TYPE t AS ENUM (\n  'a',\n  'b'\n);\nALTER TYPE t ADD VALUE 'c';\n")
    (db,) = model.db_enums
    assert [(lab.value, lab.location.line) for lab in db.labels] == [("a", 2), ("b", 3), ("c", 5)]
    assert db.location == Location(SUPA, 1, 1)


def test_add_value_honours_before_after_and_if_not_exists() -> None:
    model = sql(
        "CREATE TYPE t AS ENUM ('a', 'c');\n"
        "ALTER TYPE t ADD VALUE 'b' BEFORE 'c';\n"
        "ALTER TYPE t ADD VALUE IF NOT EXISTS 'a';\n"
        "ALTER TYPE t ADD VALUE 'z' AFTER 'a';\n"
    )
    assert labels(model) == {"public.t": ("a", "z", "b", "c")}
    # the IF NOT EXISTS of an existing label changed nothing, so it is no op
    assert [op.kind for op in model.ops] == ["create", "add_value", "add_value"]


def test_rename_value_rename_type_and_set_schema() -> None:
    model = sql(
        "CREATE TYPE t AS ENUM ('canceled');\n"
        "ALTER TYPE t RENAME VALUE 'canceled' TO 'cancelled';\n"
        "ALTER TYPE t RENAME TO state;\n"
        "ALTER TYPE state SET SCHEMA app;\n"
    )
    assert labels(model) == {"app.state": ("cancelled",)}
    assert [(op.kind, op.type_name, op.new_name) for op in model.ops] == [
        ("create", "public.t", None),
        ("rename_value", "public.t", None),
        ("rename_type", "public.t", "public.state"),
        ("set_schema", "public.state", "app.state"),
    ]
    assert model.db_enums[0].labels[0].location.line == 2


def test_drop_type_with_several_names_and_cascade() -> None:
    model = sql(
        "CREATE TYPE a AS ENUM ('x');\nCREATE TYPE b AS ENUM ('y');\nCREATE TABLE t (c a);\n"
        "DROP TYPE IF EXISTS a, public.b CASCADE;\nDROP TYPE IF EXISTS gone;\n"
    )
    drops = [op for op in model.ops if op.kind == "drop"]
    assert [(op.type_name, op.cascade, op.if_exists) for op in drops] == [
        ("public.a", True, True),
        ("public.b", True, True),
    ]
    assert drops[0].in_use[0].column == "c"
    assert labels(model) == {} and model.columns == ()


def test_do_block_with_pg_type_guard_creates_the_type_once() -> None:
    text = (
        "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN\n"
        "    CREATE TYPE mood AS ENUM ('sad', 'ok');\n  END IF;\nEND\n$$;\n"
    )
    model = sql(text + text)
    assert labels(model) == {"public.mood": ("sad", "ok")}
    assert [op.location.line for op in model.ops] == [4]


def test_do_block_with_duplicate_object_handler_and_tagged_dollar_quotes() -> None:
    model = sql(
        "DO LANGUAGE plpgsql $body$ BEGIN\n  CREATE TYPE \"Kind\" AS ENUM ('a;b');\n"
        "EXCEPTION WHEN duplicate_object THEN null;\nEND $body$;\n"
        "DO $$ BEGIN EXECUTE 'ALTER TYPE \"Kind\" ADD VALUE ''c'''; END $$;\n"
    )
    assert labels(model) == {"public.Kind": ("a;b", "c")}


def test_ddl_in_a_function_body_is_not_run_by_the_migration() -> None:
    model = sql(
        "CREATE TYPE t AS ENUM ('a');\n"
        "CREATE FUNCTION f() RETURNS void AS $$ BEGIN ALTER TYPE t ADD VALUE 'b'; END; $$ LANGUAGE plpgsql;\n"
    )
    assert labels(model) == {"public.t": ("a",)}


def test_comments_are_not_statements() -> None:
    model = sql("-- ALTER TYPE t ADD VALUE 'x';\n/* DROP TYPE t; */\nCREATE TYPE t AS ENUM ('a'); -- ADD VALUE 'y'\n")
    assert labels(model) == {"public.t": ("a",)}


def test_unparseable_statement_is_reported_and_the_rest_is_read() -> None:
    model = sql("CREATE TABLE broken (a int;\nCREATE TYPE t AS ENUM ('a');\n")
    assert [(p.rule, p.location.line) for p in model.problems] == [("unsupported-sql", 1)]
    assert labels(model) == {"public.t": ("a",)}


def test_untokenizable_file_is_reported_not_raised() -> None:
    model = sql("CREATE TYPE t AS ENUM ('a');\nSELECT 'unterminated;\n")
    assert [p.rule for p in model.problems] == ["unsupported-sql"]


def test_columns_follow_create_alter_rename_and_drop() -> None:
    model = sql(
        "CREATE TYPE st AS ENUM ('on', 'off');\n"
        "CREATE TABLE app.devices (id int, st st NOT NULL DEFAULT 'on', other text);\n"
        "CREATE TABLE lamps (id int);\n"
        "ALTER TABLE lamps ADD COLUMN power st DEFAULT 'off';\n"
        "ALTER TABLE lamps RENAME COLUMN power TO state;\n"
        "ALTER TABLE lamps RENAME TO lights;\n"
        "ALTER TABLE app.devices ALTER COLUMN other TYPE st USING other::st;\n"
        "ALTER TABLE app.devices DROP COLUMN st;\n"
    )
    assert [(c.table, c.column, c.type_name, c.default) for c in model.columns] == [
        ("app.devices", "other", "public.st", None),
        ("public.lights", "state", "public.st", "off"),
    ]


def test_literals_from_defaults_casts_inserts_updates_and_where() -> None:
    model = sql(
        "CREATE TYPE st AS ENUM ('on', 'off');\n"
        "CREATE TABLE t (id int, s st DEFAULT 'on');\n"
        "INSERT INTO t (id, s) VALUES (1, 'off'), (2, 'on');\n"
        "UPDATE t SET s = 'off' WHERE s IN ('on') AND id = 3;\n"
        "SELECT 'on'::st;\n"
        "ALTER TABLE t ALTER COLUMN s SET DEFAULT 'off';\n"
    )
    got = [(lit.context, lit.value, lit.location.line) for lit in model.literals]
    assert got == [
        ("default", "on", 2),
        ("insert", "off", 3),
        ("insert", "on", 3),
        ("update", "off", 4),
        ("where", "on", 4),
        ("cast", "on", 5),
        ("default", "off", 6),
    ]
    assert all(lit.type_name == "public.st" for lit in model.literals)


def test_supabase_file_is_one_transaction_and_commit_starts_another() -> None:
    model = sql("CREATE TYPE t AS ENUM ('a');\nALTER TYPE t ADD VALUE 'b';\nCOMMIT;\nALTER TYPE t ADD VALUE 'c';\n")
    tx = [op.transaction for op in model.ops]
    assert tx[0] == tx[1] and tx[2] not in (None, tx[0])


def test_plain_file_runs_each_statement_alone_unless_begin() -> None:
    model = sql(
        "CREATE TYPE t AS ENUM ('a');\nBEGIN;\nALTER TYPE t ADD VALUE 'b';\nALTER TYPE t ADD VALUE 'c';\nCOMMIT;\n"
        "ALTER TYPE t ADD VALUE 'd';\n",
        path=PLAIN,
    )
    tx = [op.transaction for op in model.ops]
    assert tx[0] is None and tx[1] is not None and tx[1] == tx[2] and tx[3] is None


def test_dbmate_down_section_is_skipped_and_transaction_false_is_autocommit() -> None:
    model = load_files(
        {
            "db/migrations/20240101_a.sql": "-- migrate:up\nCREATE TYPE t AS ENUM ('a');\n-- migrate:down\nDROP TYPE t;\n",
            "db/migrations/20240102_b.sql": "-- migrate:up transaction:false\nALTER TYPE t ADD VALUE 'b';\n",
        }
    )
    assert labels(model) == {"public.t": ("a", "b")}
    assert model.ops[0].transaction is not None and model.ops[1].transaction is None


def test_drop_table_removes_its_columns_before_drop_type() -> None:
    model = sql(
        "CREATE TYPE t AS ENUM ('a');\nCREATE TABLE x (c t);\nCREATE TABLE y (c t);\n"
        "DROP TABLE IF EXISTS public.x, y CASCADE;\nDROP TYPE t;\n"
    )
    assert model.columns == () and model.ops[-1].in_use == ()


def test_goose_down_section_is_skipped_and_no_transaction_is_autocommit() -> None:
    model = load_files(
        {
            "db/migrations/00001_a.sql": "-- +goose Up\n-- +goose StatementBegin\nCREATE TYPE t AS ENUM ('a');\n"
            "-- +goose StatementEnd\n\n-- +goose Down\n-- +goose StatementBegin\nDROP TYPE t;\n-- +goose StatementEnd\n",
            "db/migrations/00002_b.sql": "-- +goose NO TRANSACTION\n-- +goose Up\nALTER TYPE t ADD VALUE 'b';\n",
        }
    )
    assert labels(model) == {"public.t": ("a", "b")}
    assert model.ops[0].transaction is not None and model.ops[1].transaction is None


def test_template_placeholders_are_reported_once_per_file() -> None:
    model = sql(
        'CREATE TABLE {{ index .Options "Namespace" }}.users (id int);\n'
        'ALTER TABLE {{ index .Options "Namespace" }}.users ADD COLUMN x int;\n'
        "CREATE TYPE plain AS ENUM ('a');\n"
    )
    assert [p.location.line for p in model.problems] == [1]
    assert labels(model) == {"public.plain": ("a",)}


def test_backslash_in_an_escape_string_is_decoded_once() -> None:
    assert labels(sql("CREATE TYPE t AS ENUM (E'back\\\\slash', 'plain\\\\n');\n")) == {
        "public.t": ("back\\slash", "plain\\\\n")
    }


def test_search_path_decides_where_unqualified_names_live() -> None:
    model = sql(
        "CREATE SCHEMA app;\nCREATE TYPE public.shared AS ENUM ('s');\n"
        "SET search_path TO app, public;\n"
        "CREATE TYPE role AS ENUM ('admin');\n"
        "ALTER TYPE role ADD VALUE 'user';\n"
        "ALTER TYPE shared ADD VALUE 't';\n"
        "CREATE TABLE people (r role DEFAULT 'admin', s shared);\n"
        "ALTER TYPE role RENAME TO person_role;\n"
        "SELECT pg_catalog.set_config('search_path', '', false);\n"
        "CREATE TYPE role AS ENUM ('x');\n"
    )
    assert labels(model) == {"app.person_role": ("admin", "user"), "public.shared": ("s", "t"), "public.role": ("x",)}
    assert [(c.table, c.column, c.type_name) for c in model.columns] == [
        ("app.people", "r", "app.person_role"),
        ("app.people", "s", "public.shared"),
    ]


def test_add_value_next_to_a_missing_label_fails_and_changes_nothing() -> None:
    model = sql("CREATE TYPE t AS ENUM ('a');\nALTER TYPE t ADD VALUE 'b' AFTER 'nope';\n")
    assert labels(model) == {"public.t": ("a",)}


def test_update_from_another_table_does_not_guess_where_columns() -> None:
    model = sql(
        "CREATE TYPE st AS ENUM ('on');\nCREATE TABLE t (id int, s st);\n"
        "UPDATE t SET s = 'on' FROM other WHERE s = 'elsewhere';\n"
    )
    assert [(lit.context, lit.value) for lit in model.literals] == [("update", "on")]
