"""The migration rules on replayed models: PostgreSQL's transaction semantics, type state at the
time of each statement, and bindings to dropped types."""

from __future__ import annotations

from enumguard.finding import Location, Severity
from enumguard.model import Binding, LiteralUse, Model, Settings
from enumguard.rules import AddValueInTransactionRule, DropTypeInUseRule, MissingTypeRule, SqlUnknownValueRule
from tests.expectations import audit, write_repo
from tests.test_migrations_alembic import repo, revision
from tests.test_migrations_sql import PLAIN, SUPA, load_files


def model_of(files: dict[str, str], postgres_version: int = 16, **settings) -> Model:
    db = load_files(files, **settings)
    return Model(
        migrations=db.migrations,
        ops=db.ops,
        db_enums=db.db_enums,
        columns=db.columns,
        literals=db.literals,
        type_uses=db.type_uses,
        problems=db.problems,
        settings=Settings(postgres_version=postgres_version),
    )


def found(rule, model: Model) -> list[tuple[str, int]]:
    return [(f.location.path, f.location.line) for f in rule().check(model)]


def test_new_label_of_a_type_created_in_the_same_transaction_may_be_used() -> None:
    model = model_of({SUPA: "CREATE TYPE t AS ENUM ('a');\nALTER TYPE t ADD VALUE 'b';\nSELECT 'b'::t;\n"})
    assert found(AddValueInTransactionRule, model) == []


def test_new_label_used_in_the_same_supabase_file_is_reported_at_the_use() -> None:
    files = {
        SUPA: "CREATE TYPE t AS ENUM ('a');\n",
        "supabase/migrations/20240201000000_b.sql": "ALTER TYPE t ADD VALUE 'b';\nSELECT 'a'::t;\nSELECT 'b'::t;\n",
    }
    (finding,) = AddValueInTransactionRule().check(model_of(files))
    assert (finding.location.line, finding.value, finding.db_type) == (3, "b", "t")
    assert finding.related[0].location.line == 1


def test_commit_between_add_and_use_makes_the_use_safe() -> None:
    files = {
        SUPA: "CREATE TYPE t AS ENUM ('a');\n",
        "supabase/migrations/20240201000000_b.sql": "ALTER TYPE t ADD VALUE 'b';\nCOMMIT;\nSELECT 'b'::t;\n",
    }
    assert found(AddValueInTransactionRule, model_of(files)) == []


def test_add_value_if_not_exists_of_an_existing_label_adds_nothing_to_guard() -> None:
    files = {
        SUPA: "CREATE TYPE t AS ENUM ('a', 'b');\n",
        "supabase/migrations/20240201000000_b.sql": "ALTER TYPE t ADD VALUE IF NOT EXISTS 'b';\nSELECT 'b'::t;\n",
    }
    assert found(AddValueInTransactionRule, model_of(files)) == []


def test_new_label_followed_through_a_type_rename() -> None:
    files = {
        SUPA: "CREATE TYPE t AS ENUM ('a');\n",
        "supabase/migrations/20240201000000_b.sql": "ALTER TYPE t ADD VALUE 'b';\nALTER TYPE t RENAME TO u;\nSELECT 'b'::u;\n",
    }
    assert [line for _, line in found(AddValueInTransactionRule, model_of(files))] == [3]


def test_before_postgres_12_any_transactional_add_value_is_reported() -> None:
    files = {
        PLAIN: "CREATE TYPE t AS ENUM ('a');\nALTER TYPE t ADD VALUE 'b';\nBEGIN;\nALTER TYPE t ADD VALUE 'c';\nCOMMIT;\n",
        "migrations/0002_x.sql": "BEGIN;\nCREATE TYPE u AS ENUM ('a');\nALTER TYPE u ADD VALUE 'b';\nCOMMIT;\n",
    }
    assert found(AddValueInTransactionRule, model_of(files, postgres_version=11)) == [(PLAIN, 4)]
    assert found(AddValueInTransactionRule, model_of(files, postgres_version=12)) == []


def test_alembic_use_in_a_later_revision_is_reported_unless_transaction_per_migration() -> None:
    files = repo(
        ("1", revision("1", None, "    op.execute(\"CREATE TYPE t AS ENUM ('a')\")")),
        ("2", revision("2", "1", "    op.execute(\"ALTER TYPE t ADD VALUE 'b'\")")),
        ("3", revision("3", "2", "    op.execute(\"SELECT 'b'::t\")")),
    )
    assert found(AddValueInTransactionRule, model_of(files)) == [("alembic/versions/3.py", 10)]
    assert found(AddValueInTransactionRule, model_of(files, transaction_per_migration=True)) == []


def test_sql_literal_is_judged_by_the_type_as_it_was_then() -> None:
    files = {
        SUPA: "CREATE TYPE t AS ENUM ('canceled');\nSELECT 'canceled'::t;\n",
        "supabase/migrations/20240201000000_b.sql": "ALTER TYPE t RENAME VALUE 'canceled' TO 'cancelled';\nSELECT 'canceled'::t;\n",
    }
    (finding,) = SqlUnknownValueRule().check(model_of(files))
    assert (finding.location.path, finding.location.line) == ("supabase/migrations/20240201000000_b.sql", 2)
    assert finding.message == "`canceled` is not a label of DB type `t` (cast)"
    assert finding.help.startswith("did you mean `cancelled`?")
    assert finding.related[0].location == Location(SUPA, 1, 1)


def test_server_default_from_python_is_judged_by_the_final_type() -> None:
    model = model_of({SUPA: "CREATE TYPE t AS ENUM ('a');\nALTER TYPE t ADD VALUE 'b';\n"})
    py = Location("app/models.py", 9, 40)
    model = Model(
        ops=model.ops,
        db_enums=model.db_enums,
        literals=(LiteralUse("public.t", "b", "server_default", py), LiteralUse("public.t", "B", "server_default", py)),
    )
    assert [(f.value, f.help.split("?")[0]) for f in SqlUnknownValueRule().check(model)] == [("B", "did you mean `b`")]


def test_type_with_unreadable_labels_is_never_judged() -> None:
    files = repo(
        (
            "1",
            revision(
                "1",
                None,
                "    sa.Enum(Remote, name='remote').create(op.get_bind())\n"
                "    op.execute(\"SELECT 'anything'::remote\")",
                "from elsewhere import Remote\n",
            ),
        )
    )
    assert found(SqlUnknownValueRule, model_of(files)) == []


def test_missing_type_after_drop_points_at_the_drop() -> None:
    files = {SUPA: "CREATE TYPE t AS ENUM ('a');\nDROP TYPE t;\nCREATE TABLE x (c t);\n"}
    (finding,) = MissingTypeRule().check(model_of(files))
    assert finding.location.line == 3 and finding.related[0].location.line == 2


def test_drop_of_a_type_still_bound_by_python_is_reported_unless_recreated() -> None:
    base = model_of({SUPA: "CREATE TYPE t AS ENUM ('a');\nDROP TYPE t;\n"})
    binding = Binding("app.models.T", "public.t", "names", Location("app/models.py", 12, 5))
    model = Model(ops=base.ops, db_enums=base.db_enums, bindings=(binding,))
    (finding,) = DropTypeInUseRule().check(model)
    assert finding.location == Location(SUPA, 2, 1) and finding.related[0].location == binding.location
    again = model_of({SUPA: "CREATE TYPE t AS ENUM ('a');\nDROP TYPE t;\nCREATE TYPE t AS ENUM ('a');\n"})
    assert list(DropTypeInUseRule().check(Model(ops=again.ops, db_enums=again.db_enums, bindings=(binding,)))) == []


def test_drop_with_columns_names_each_column_and_cascade_is_not_reported() -> None:
    files = {SUPA: "CREATE TYPE t AS ENUM ('a');\nCREATE TABLE x (c t, d t);\nDROP TYPE t;\n"}
    (finding,) = DropTypeInUseRule().check(model_of(files))
    assert finding.message == "`DROP TYPE t` fails: columns `x.c`, `x.d` still use it"
    assert len(finding.related) == 2
    cascade = {SUPA: "CREATE TYPE t AS ENUM ('a');\nCREATE TABLE x (c t);\nDROP TYPE t CASCADE;\n"}
    assert found(DropTypeInUseRule, model_of(cascade)) == []


def test_add_value_follows_the_type_through_a_rename_into_its_use() -> None:
    files = {
        SUPA: "CREATE TYPE a AS ENUM ('p');\n",
        SUPA.replace("20240101000000", "20240201000000"): (
            "ALTER TYPE a RENAME TO b;\nALTER TYPE b ADD VALUE 'x';\nSELECT 'x'::b;\n"
        ),
    }
    later = SUPA.replace("20240101000000", "20240201000000")
    assert found(AddValueInTransactionRule, model_of(files)) == [(later, 3)]


def test_drop_of_a_type_whose_model_column_the_migrations_made_varchar_is_a_warning(tmp_path) -> None:
    """conda-store's pattern: the column became VARCHAR, then the type was dropped, the model
    still says `Mapped[E]` (a native enum). psycopg2 keeps working: a warning, not an error."""
    plain, still_bound = DropTypeInUseRule.INVALID[2], DropTypeInUseRule.INVALID[1]
    write_repo(tmp_path / "plain", plain.files, {})
    write_repo(tmp_path / "bound", still_bound.files, {})
    severities = {
        name: [f.severity for f in audit(tmp_path / name).findings if f.rule == "drop-type-in-use"]
        for name in ("plain", "bound")
    }
    assert severities == {"plain": [Severity.WARNING], "bound": [Severity.ERROR]}
