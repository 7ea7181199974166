"""The drift rules on hand-built models: which labels each reports, where, and naming both sides."""

from __future__ import annotations

from enumguard.finding import Location, Severity
from enumguard.link import link
from enumguard.model import (
    Binding,
    ColumnUse,
    DbEnum,
    EnumClass,
    EnumOp,
    Label,
    LiteralUse,
    Member,
    Migration,
    Model,
    Reference,
)
from enumguard.rules import CaseMismatchRule, EnumValueRenamedRule, MissingInCodeRule, MissingInDbRule

SQL = "supabase/migrations/20240101000000_init.sql"
SQL2 = "supabase/migrations/20240201000000_more.sql"
PY = "app/models.py"


def member(name: str, value: object, line: int) -> Member:
    return Member(name, value, True, Location(PY, line, 5))


def status(*pairs: tuple[str, object]) -> EnumClass:
    members = tuple(member(n, v, 10 + i) for i, (n, v) in enumerate(pairs))
    return EnumClass("app.models.Status", "app.models", "Status", Location(PY, 9, 1), members)


def db_type(*labels: str, name: str = "public.job_status", source: str = "migrations") -> DbEnum:
    return DbEnum(
        name, tuple(Label(v, Location(SQL, 2 + i, 5)) for i, v in enumerate(labels)), Location(SQL, 1, 1), source
    )


def binding(stores: str = "names", **kw) -> Binding:
    base = dict(enum="app.models.Status", db_type="public.job_status", stores=stores, location=Location(PY, 30, 44))
    base.update(kw)
    return Binding(**base)


def run(rule, model: Model) -> list:
    return list(rule().check(link(model)))


def test_missing_in_db_at_member_with_both_sides_named() -> None:
    model = Model(
        enums=(status(("queued", "queued"), ("Completed", "Completed")),),
        bindings=(binding(),),
        db_enums=(db_type("queued", "done"),),
    )
    (f,) = run(MissingInDbRule, model)
    assert f.location == Location(PY, 11, 5)
    assert f.message == "`Status` persists `Completed` but DB type `job_status` (from migrations) has no such label"
    assert (f.enum, f.member, f.value, f.db_type, f.severity) == (
        "app.models.Status",
        "Completed",
        "Completed",
        "job_status",
        Severity.ERROR,
    )
    assert [r.location for r in f.related] == [Location(SQL, 1, 1), Location(PY, 30, 44)]


def test_names_are_persisted_without_values_callable_and_hint_says_so() -> None:
    model = Model(
        enums=(status(("QUEUED_JOB", "queued"), ("DONE_JOB", "done")),),
        bindings=(binding("names"),),
        db_enums=(db_type("queued", "done"),),
    )
    found = run(MissingInDbRule, model)
    assert [f.member for f in found] == ["QUEUED_JOB", "DONE_JOB"]
    assert "values_callable" in found[0].help
    assert run(MissingInDbRule, Model(enums=model.enums, bindings=(binding("values"),), db_enums=model.db_enums)) == []


def test_missing_in_code_at_db_label_line_with_enum_related() -> None:
    model = Model(
        enums=(
            status(
                ("queued", "queued"),
            ),
        ),
        bindings=(binding(),),
        db_enums=(db_type("queued", "archived"),),
    )
    (f,) = run(MissingInCodeRule, model)
    assert f.location == Location(SQL, 3, 5)
    assert f.severity == Severity.WARNING
    assert "`archived`" in f.message and "(from migrations)" in f.message
    assert f.related[0].location == Location(PY, 9, 1)


def test_case_mismatch_replaces_missing_in_db_and_missing_in_code() -> None:
    model = Model(
        enums=(status(("queued", "Queued"), ("completed", "Completed"), ("error", "Error")),),
        bindings=(binding("values"),),
        db_enums=(db_type("queued", "completed", "error"),),
    )
    found = run(CaseMismatchRule, model)
    assert [(f.location.line, f.value) for f in found] == [(10, "Queued"), (11, "Completed"), (12, "Error")]
    assert found[1].related[0].location == Location(SQL, 3, 5)
    assert "differ only by case" in found[1].message
    assert run(MissingInDbRule, model) == [] and run(MissingInCodeRule, model) == []


def test_live_database_source_is_named_in_message() -> None:
    model = Model(
        enums=(status(("queued", "queued"), ("done", "done")),),
        bindings=(binding(),),
        db_enums=(db_type("queued", name="public.job_status", source="database"),),
    )
    (f,) = run(MissingInDbRule, model)
    assert "(in the live database)" in f.message


def test_no_drift_without_db_type_or_for_non_native_or_migration_enums() -> None:
    enum = status(("queued", "queued"), ("done", "done"))
    frozen = EnumClass(
        "m.Status", "m", "Status", Location("migrations/versions/a.py", 3, 1), enum.members, in_migration=True
    )
    models = [
        Model(enums=(enum,), bindings=(binding(),), db_enums=()),
        Model(enums=(enum,), bindings=(binding(db_type=None),), db_enums=(db_type("queued"),)),
        Model(enums=(frozen,), bindings=(binding(enum="m.Status"),), db_enums=(db_type("queued"),)),
    ]
    for model in models:
        for rule in (MissingInDbRule, MissingInCodeRule, CaseMismatchRule):
            assert run(rule, model) == []


def test_aliases_are_not_persisted_and_open_enums_are_skipped() -> None:
    enum = status(("queued", "queued"), ("done", "done"))
    alias = Member("finished", "done", True, Location(PY, 20, 5), alias_of="done")
    enum_with_alias = EnumClass(enum.qualname, enum.module, enum.name, enum.location, enum.members + (alias,))
    model = Model(enums=(enum_with_alias,), bindings=(binding(),), db_enums=(db_type("queued", "done"),))
    assert run(MissingInDbRule, model) == []
    opened = EnumClass(enum.qualname, enum.module, enum.name, enum.location, enum.members, open=True)
    assert run(MissingInCodeRule, Model(enums=(opened,), bindings=(binding(),), db_enums=(db_type("x"),))) == []


def test_string_label_binding_compares_labels_directly() -> None:
    b = Binding(
        enum="", db_type="public.post_state", stores="labels", location=Location(PY, 40, 30), labels=("draft", "gone")
    )
    model = Model(bindings=(b,), db_enums=(db_type("draft", "published", name="public.post_state"),))
    (f,) = run(MissingInDbRule, model)
    assert (f.location, f.value, f.enum) == (Location(PY, 40, 30), "gone", None)
    (g,) = run(MissingInCodeRule, model)
    assert g.value == "published"


def test_several_columns_of_one_enum_report_each_label_once() -> None:
    enum = status(("queued", "queued"), ("x", "x"))
    model = Model(
        enums=(enum,),
        bindings=(binding(), binding(location=Location("app/other.py", 5, 1))),
        db_enums=(db_type("queued"),),
    )
    assert len(run(MissingInDbRule, model)) == 1


def test_fallback_link_picks_matching_representation_or_stays_silent() -> None:
    enum = status(("Queued", "queued"), ("Done", "done"), ("Lost", "lost"))
    fallback = binding("unknown", by_fallback=True)
    column = (ColumnUse("public.jobs", "status", "public.job_status", Location(SQL, 9, 1)),)
    model = Model(enums=(enum,), bindings=(fallback,), db_enums=(db_type("queued", "done"),), columns=column)
    (f,) = run(MissingInDbRule, model)
    assert f.value == "lost"  # values match the DB, so values are what is stored
    # without a column of the type, the name alone is no evidence that the type stores Status
    unused = link(Model(enums=(enum,), bindings=(fallback,), db_enums=(db_type("queued", "done"),)))
    assert run(MissingInDbRule, unused) == [] and unused.coverage.enums == (0, 1)
    unrelated = Model(enums=(enum,), bindings=(fallback,), db_enums=(db_type("alpha", "beta"),), columns=column)
    assert run(MissingInDbRule, unrelated) == [] and run(MissingInCodeRule, unrelated) == []


def test_renamed_value_still_referenced_in_code() -> None:
    enum = status(("queued", "queued"), ("canceled", "canceled"))
    rename = EnumOp(
        "rename_value", "public.job_status", Location(SQL2, 1, 1), SQL2, label="canceled", new_label="cancelled"
    )
    model = Model(
        enums=(enum,),
        bindings=(binding(),),
        db_enums=(
            DbEnum(
                "public.job_status",
                (Label("queued", Location(SQL, 2, 5)), Label("cancelled", Location(SQL2, 1, 1))),
                Location(SQL, 1, 1),
            ),
        ),
        migrations=(Migration(SQL, 0, "sql"), Migration(SQL2, 1, "sql")),
        ops=(rename,),
        references=(
            Reference("app.models.Status", "canceled", "attribute", Location("app/jobs.py", 5, 18)),
            Reference("app.models.Status", "canceled", "call", Location("app/jobs.py", 6, 18)),
            Reference("app.models.Status", "queued", "attribute", Location("app/jobs.py", 7, 18)),
        ),
        literals=(
            LiteralUse("public.job_status", "canceled", "default", Location(SQL, 3, 40)),
            LiteralUse("public.job_status", "canceled", "server_default", Location(PY, 31, 60)),
        ),
    )
    found = run(EnumValueRenamedRule, model)
    # One finding per renamed member, at its first use; the other uses (here the `Status("canceled")`
    # call) are related locations. The literals are sql-unknown-value's.
    assert [(f.location.path, f.location.line) for f in found] == [("app/jobs.py", 5)]
    assert "renamed to `cancelled`" in found[0].message and "(2 uses in code)" in found[0].message
    assert found[0].related[0].location == Location(SQL2, 1, 1)
    assert found[0].related[1].location == Location("app/jobs.py", 6, 18)
    (missing,) = run(MissingInDbRule, model)
    assert "renamed" in missing.help
    # The new label is one no member persists: reading a row that holds it fails.
    assert [f.value for f in run(MissingInCodeRule, model)] == ["cancelled"]


def test_rename_back_or_dropped_type_is_not_reported() -> None:
    enum = status(
        ("canceled", "canceled"),
    )
    rename = EnumOp("rename_value", "public.job_status", Location(SQL2, 1, 1), SQL2, label="canceled", new_label="x")
    ref = Reference("app.models.Status", "canceled", "attribute", Location("app/jobs.py", 5, 18))
    again = Model(
        enums=(enum,), bindings=(binding(),), ops=(rename,), references=(ref,), db_enums=(db_type("canceled"),)
    )
    gone = Model(enums=(enum,), bindings=(binding(),), ops=(rename,), references=(ref,))
    assert run(EnumValueRenamedRule, again) == [] and run(EnumValueRenamedRule, gone) == []


def test_rename_follows_type_rename() -> None:
    enum = status(
        ("canceled", "canceled"),
    )
    ops = (
        EnumOp("rename_value", "public.old", Location(SQL2, 1, 1), SQL2, label="canceled", new_label="cancelled"),
        EnumOp("rename_type", "public.old", Location(SQL2, 2, 1), SQL2, new_name="public.job_status"),
    )
    ref = Reference("app.models.Status", "canceled", "attribute", Location("app/jobs.py", 5, 18))
    model = Model(enums=(enum,), bindings=(binding(),), ops=ops, references=(ref,), db_enums=(db_type("cancelled"),))
    assert [f.location.line for f in run(EnumValueRenamedRule, model)] == [5]


def test_unreadable_values_callable_compares_only_a_clear_match() -> None:
    enum = status(("first", 1), ("second", 2))
    unknown = binding("unknown")
    assert run(MissingInDbRule, Model(enums=(enum,), bindings=(unknown,), db_enums=(db_type("1", "2"),))) == []
    (f,) = run(MissingInDbRule, Model(enums=(enum,), bindings=(unknown,), db_enums=(db_type("first", "third"),)))
    assert f.value == "second"


def test_column_the_migrations_typed_otherwise_is_not_compared() -> None:
    enum = status(("queued", "queued"), ("lost", "lost"))
    at = Location(SQL, 9, 1)
    other_column = ColumnUse("public.jobs", "kind", "public.job_kind", at)
    same_column = ColumnUse("public.jobs", "status", "public.job_status", at)
    b = binding(table="public.jobs", column="status")
    base = dict(enums=(enum,), bindings=(b,), db_enums=(db_type("queued"),))
    created = frozenset({"public.jobs"})
    # the migrations create the table, and its status column is no enum column there: nothing,
    # and the coverage says why
    typed_otherwise = link(Model(columns=(other_column,), tables=created, **base))
    assert run(MissingInDbRule, typed_otherwise) == []
    assert [(n.enum, n.reason) for n in typed_otherwise.coverage.not_checked] == [
        ("app.models.Status", "no migration gives column `jobs.status` an enum type")
    ]
    # the column has the bound type, or the migrations do not know the table: compared
    assert len(run(MissingInDbRule, Model(columns=(other_column, same_column), tables=created, **base))) == 1
    assert len(run(MissingInDbRule, Model(**base))) == 1
    # a table made outside the migrations (a dashboard) to which a migration adds one column:
    # its model's other columns are still the evidence
    assert len(run(MissingInDbRule, Model(columns=(other_column,), **base))) == 1


def test_name_link_with_one_shared_label_of_four_members_is_not_compared() -> None:
    # Seen in a real project: an enum linked by name to a type it shares one label with.
    enum = status(
        ("ACCESS", "access"), ("REFRESH", "refresh"), ("RESET_PASSWORD", "reset_password"), ("VERIFY", "verify")
    )
    model = Model(
        enums=(enum,),
        bindings=(binding("unknown", by_fallback=True),),
        db_enums=(db_type("RESET_PASSWORD", "EMAIL_VERIFICATION"),),
    )
    assert run(MissingInDbRule, model) == [] and run(MissingInCodeRule, model) == []


def test_case_mismatch_help_names_the_side_to_change() -> None:
    values = Model(
        enums=(
            status(
                ("Queued", "Queued"),
            ),
        ),
        bindings=(binding("values"),),
        db_enums=(db_type("queued"),),
    )
    (f,) = run(CaseMismatchRule, values)
    assert f.help.startswith("set the value of `Status.Queued` to `'queued'`")
    assert "RENAME VALUE 'queued' TO 'Queued'" in f.help
    names = Model(
        enums=(
            status(
                ("Queued", 1),
            ),
        ),
        bindings=(binding("names"),),
        db_enums=(db_type("queued"),),
    )
    (g,) = run(CaseMismatchRule, names)
    assert g.help.startswith("rename the member to `queued`")
