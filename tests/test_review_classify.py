"""Diff-mode logic on hand-built reports: which findings are new, which pre-existing, which out
of scope, and how the enum DDL of a change is summarised."""

from __future__ import annotations

from enumguard.finding import Finding, Location
from enumguard.gitrepo import ChangeSet
from enumguard.model import Binding, EnumClass, EnumOp, Model
from enumguard.report import EnumChange, Report
from enumguard.report.text import render
from enumguard.review import classify, describe, enum_changes, phrase


def unknown(path: str, line: int, member: str, enum: str = "app.models.Status") -> Finding:
    return Finding(
        Location(path, line, 5),
        "unknown-member",
        f"`Status.{member}` is not a member of `Status`",
        enum=enum,
        member=member,
    )


def cs(changed=(), removed=(), renames=None) -> ChangeSet:
    return ChangeSet(frozenset(changed), frozenset(removed), renames or {})


EMPTY = Model()


def report(*findings: Finding, model: Model = EMPTY) -> Report:
    return Report(root=".", findings=tuple(sorted(findings)), model=model)


def test_new_finding_in_changed_file_is_new() -> None:
    head = report(unknown("app/views.py", 3, "Completed"))
    findings, pre = classify(head, report(), cs(changed={"app/views.py"}))
    assert [f.new for f in findings] == [True] and pre == ()


def test_preexisting_finding_shifted_by_inserted_lines_stays_preexisting() -> None:
    base = report(unknown("app/views.py", 3, "Completed"))
    head = report(unknown("app/views.py", 40, "Completed"))
    findings, pre = classify(head, base, cs(changed={"app/views.py"}, removed={"app/views.py"}))
    assert [f.new for f in findings] == [False] and [f.line for f in pre] == [40]


def test_fixed_finding_disappears() -> None:
    base = report(unknown("app/views.py", 3, "Completed"), unknown("app/views.py", 9, "Done"))
    head = report(unknown("app/views.py", 9, "Done"))
    findings, _ = classify(head, base, cs(changed={"app/views.py"}, removed={"app/views.py"}))
    assert [(f.member, f.new) for f in findings] == [("Done", False)]


def test_identical_findings_match_by_count() -> None:
    base = report(unknown("a.py", 1, "X"), unknown("a.py", 2, "X"))
    head = report(unknown("a.py", 1, "X"), unknown("a.py", 2, "X"), unknown("a.py", 3, "X"))
    findings, pre = classify(head, base, cs(changed={"a.py"}, removed={"a.py"}))
    assert sorted(f.new for f in findings) == [False, False, True] and len(pre) == 2


def test_finding_in_untouched_file_about_untouched_enum_is_out_of_scope() -> None:
    head = report(unknown("app/old.py", 3, "Gone"), unknown("app/views.py", 3, "Completed"))
    findings, _ = classify(head, report(unknown("app/old.py", 3, "Gone")), cs(changed={"app/views.py"}))
    assert [f.path for f in findings] == ["app/views.py"]


def test_finding_in_untouched_file_about_an_enum_defined_in_changed_file_is_in_scope() -> None:
    status = EnumClass("app.models.Status", "app.models", "Status", Location("app/models.py", 3), ())
    head = report(unknown("app/old.py", 3, "Pending"), model=Model(enums=(status,)))
    findings, _ = classify(head, report(), cs(changed={"app/models.py"}, removed={"app/models.py"}))
    assert [(f.path, f.new) for f in findings] == [("app/old.py", True)]


def test_finding_about_db_type_with_op_in_changed_migration_is_in_scope() -> None:
    op = EnumOp("add_value", "public.status", Location("db/002.sql", 1), "db/002.sql", label="archived")
    drift = Finding(
        Location("app/models.py", 4),
        "missing-in-code",
        "`archived` is not in `Status`",
        db_type="status",
        value="archived",
    )
    other = Finding(Location("app/models.py", 9), "missing-in-code", "x", db_type="kind", value="y")
    head = report(drift, other, model=Model(ops=(op,)))
    findings, _ = classify(head, report(), cs(changed={"db/002.sql"}))
    assert [f.db_type for f in findings] == ["status"]


def test_changed_binding_brings_its_enum_and_type_into_scope() -> None:
    old = Binding("app.models.Status", "public.status", "names", Location("app/tables.py", 5))
    new = Binding("app.models.Status", "public.status", "values", Location("app/tables.py", 5))
    unrelated = Binding("app.models.Kind", "public.kind", "names", Location("app/tables.py", 9))
    drift = Finding(Location("app/models.py", 4), "missing-in-db", "m", enum="app.models.Status", db_type="status")
    kind = Finding(Location("app/models.py", 20), "missing-in-db", "m", enum="app.models.Kind", db_type="kind")
    head = report(drift, kind, model=Model(bindings=(new, unrelated)))
    base = report(kind, model=Model(bindings=(old, unrelated)))
    findings, _ = classify(head, base, cs(changed={"app/tables.py"}, removed={"app/tables.py"}))
    # Kind's old finding stays out: its binding did not change, only the file around it
    assert [(f.enum, f.new) for f in findings] == [("app.models.Status", True)]


def test_new_finding_is_reported_when_any_of_its_inputs_changed() -> None:
    """A finding the base lacks is new wherever it sits, once the change touched its enum's
    binding (even unchanged, in an edited file) or any migration of its type."""
    binding = Binding("app.enums.Kind", "public.kind", "names", Location("app/tables.py", 9))
    rename = EnumOp("rename_type", "public.old_kind", Location("db/002.sql", 1), "db/002.sql", new_name="public.kind")
    drift = Finding(
        Location("app/enums.py", 4), "missing-in-db", "m", enum="app.enums.Kind", db_type="kind", member="x"
    )
    other = Finding(
        Location("app/enums.py", 9), "missing-in-db", "m", enum="app.enums.Size", db_type="size", member="y"
    )
    head = report(drift, other, model=Model(bindings=(binding,)))
    findings, _ = classify(
        head, report(model=Model(bindings=(binding,))), cs(changed={"app/tables.py"}, removed={"app/tables.py"})
    )
    assert [(f.enum, f.new) for f in findings] == [("app.enums.Kind", True)]
    # a migration that renamed the type the finding names, under its old name
    head = report(drift, other, model=Model(ops=(rename,)))
    findings, _ = classify(head, report(), cs(changed={"db/002.sql"}))
    assert [(f.enum, f.new) for f in findings] == [("app.enums.Kind", True)]


def test_findings_follow_a_renamed_file() -> None:
    base = report(unknown("app/views.py", 3, "Completed"))
    head = report(unknown("app/pages.py", 5, "Completed"), unknown("app/pages.py", 6, "Failed"))
    findings, _ = classify(
        head, base, cs(changed={"app/pages.py"}, removed={"app/views.py"}, renames={"app/views.py": "app/pages.py"})
    )
    assert [(f.member, f.new) for f in findings] == [("Completed", False), ("Failed", True)]


def op(kind: str, type_name: str = "public.order_status", migration: str = "db/002.sql", line: int = 1, **kw) -> EnumOp:
    return EnumOp(kind, type_name, Location(migration, line), migration, **kw)


def test_enum_changes_keep_only_ops_the_change_adds_in_replay_order() -> None:
    create = op("create", migration="db/001.sql", labels=("pending", "shipped"))
    add = op("add_value", label="archived", after="shipped")
    rename = op("rename_value", line=2, label="canceled", new_label="cancelled")
    other = op("add_value", "public.kind", line=3, label="b")
    head = Model(ops=(create, add, rename, other))
    base = Model(ops=(create,))
    changes = enum_changes(head, base, cs(changed={"db/002.sql"}))
    assert [c.type_name for c in changes] == ["public.order_status", "public.kind"]
    assert changes[0].ops == (add, rename)


def test_enum_changes_ignore_ops_already_in_an_edited_migration() -> None:
    a = op("create", migration="db/001.sql", labels=("a",))
    b = op("add_value", migration="db/001.sql", line=2, label="b")
    changes = enum_changes(Model(ops=(a, b)), Model(ops=(a,)), cs(changed={"db/001.sql"}, removed={"db/001.sql"}))
    assert [c.ops for c in changes] == [(b,)]


def test_phrase_add_value_before_and_after_and_rename_value() -> None:
    change = EnumChange(
        "public.order_status",
        (
            op("add_value", label="archived", after="shipped"),
            op("add_value", label="draft", before="pending"),
            op("add_value", label="lost"),
            op("rename_value", label="canceled", new_label="cancelled"),
        ),
    )
    assert phrase(change) == (
        "`order_status`: + `archived` (after `shipped`), + `draft` (before `pending`), + `lost`, "
        "renamed `canceled` -> `cancelled`"
    )
    assert [kind for kind, _ in describe(change)] == ["add_value", "add_value", "add_value", "rename_value"]


def test_phrase_rename_type_and_set_schema() -> None:
    change = EnumChange(
        "public.status",
        (
            op("rename_type", "public.status", new_name="public.status_old"),
            op("set_schema", "public.status", new_name="billing.status"),
        ),
    )
    assert phrase(change) == "`status`: renamed to `status_old`, moved to `billing.status`"


def test_phrase_drop_then_create_is_a_recreate() -> None:
    change = EnumChange(
        "public.Mood",
        (op("drop", "public.Mood", cascade=True), op("create", "public.Mood", line=2, labels=("ok", "sad"))),
    )
    assert describe(change)[0][0] == "recreate"
    assert phrase(change) == '`"Mood"`: dropped and recreated with `ok`, `sad`'
    assert phrase(EnumChange("public.m", (op("drop", "public.m", cascade=True),))) == "`m`: dropped with CASCADE"
    assert phrase(EnumChange("public.m", (op("create", "public.m", labels=("x",)),))) == "`m`: created with `x`"


def test_describe_marks_names_apart_from_prose_for_escaping() -> None:
    ((kind, parts),) = describe(EnumChange("public.s", (op("add_value", "public.s", label="a`b", after="c"),)))
    assert kind == "add_value"
    assert parts == (("+ ", False), ("a`b", True), (" (after ", False), ("c", True), (")", False))


def test_text_render_splits_new_and_preexisting_and_lists_changes() -> None:
    new = unknown("app/views.py", 3, "Completed").with_new(True)
    old = unknown("app/views.py", 9, "Done").with_new(False)
    change = EnumChange("public.order_status", (op("add_value", label="archived", after="shipped"),))
    text = render(
        Report(
            root=".",
            findings=(new, old),
            mode="diff",
            base="a" * 40,
            head="b" * 40,
            preexisting=(old,),
            changes=(change,),
        )
    )
    lines = text.splitlines()
    assert lines[0].startswith("app/views.py:3:5: unknown-member:") and lines[0].endswith("[new]")
    assert lines[1] == "pre-existing, not introduced by this change (1):"
    assert lines[2].startswith("  app/views.py:9:5: unknown-member:")
    assert "  `order_status`: + `archived` (after `shipped`)" in lines
    assert lines[-1].endswith("; 1 new, 1 pre-existing since aaaaaaaaaaaa")


def test_findings_follow_an_enum_whose_module_the_change_moved() -> None:
    """conda-store moved `schema.py` into `_internal/`: the enum's qualname changed with it, its
    old findings are not new; a second enum of the same name elsewhere does not take them."""

    def enum(qualname: str, path: str) -> EnumClass:
        module, _, name = qualname.rpartition(".")
        return EnumClass(qualname, module, name, Location(path, 1), ())

    old, new = "store.schema.BuildStatus", "store._internal.schema.BuildStatus"
    base = report(
        unknown("store/views.py", 3, "Done", enum=old),
        model=Model(enums=(enum(old, "store/schema.py"),)),
    )
    head = report(
        unknown("store/_internal/views.py", 4, "Done", enum=new),
        unknown("store/_internal/views.py", 5, "Gone", enum=new),
        model=Model(enums=(enum(new, "store/_internal/schema.py"), enum("other.BuildStatus", "other.py"))),
    )
    renames = {"store/schema.py": "store/_internal/schema.py", "store/views.py": "store/_internal/views.py"}
    findings, _ = classify(head, base, cs(changed=set(renames.values()), removed=set(renames), renames=renames))
    assert [(f.member, f.new) for f in findings] == [("Done", False), ("Gone", True)]
