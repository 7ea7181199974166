"""bind(): resolved sites + enum classes + DB types + config -> Bindings."""

from __future__ import annotations

from pathlib import Path

from enumguard.config import Config
from enumguard.finding import Location
from enumguard.link import bind, server_default_literals
from enumguard.model import Binding, DbEnum, EnumClass, Label, Member
from enumguard.python.binding_sites import BindingSite, RawBinding

CONFIG = Config(root=Path("."))


def loc(path: str = "app/models.py", line: int = 1) -> Location:
    return Location(path, line, 1)


def enum(qualname: str, *members: str, in_migration: bool = False, path: str = "app/models.py") -> EnumClass:
    module, _, name = qualname.rpartition(".")
    return EnumClass(
        qualname=qualname,
        module=module,
        name=name,
        location=loc(path),
        members=tuple(Member(m, m, True, loc(path, i + 2)) for i, m in enumerate(members)),
        in_migration=in_migration,
    )


def db(name: str, *labels: str) -> DbEnum:
    where = loc("supabase/migrations/20240101000000_init.sql")
    return DbEnum(name, tuple(Label(v, where) for v in labels), where)


def site(**kw) -> BindingSite:
    base = dict(enum_expr="Status", db_type="public.job_status", stores="names", native=True, location=loc(line=9))
    base.update(kw)
    return BindingSite(**base)


STATUS = enum("app.models.Status", "queued", "done")


def test_code_binding_keeps_type_and_storage() -> None:
    (b,) = bind((RawBinding("app.models.Status", site(stores="values")),), (STATUS,), (), CONFIG)
    assert (b.enum, b.db_type, b.stores, b.explicit, b.by_fallback) == (
        "app.models.Status",
        "public.job_status",
        "values",
        False,
        False,
    )


def test_default_name_is_lower_cased_class_name_in_schema() -> None:
    raw = (
        RawBinding("app.models.Status", site(db_type=None, default_name=True, kind="annotation")),
        RawBinding("app.models.Status", site(db_type=None, default_name=True, schema="jobs", location=loc(line=10))),
    )
    assert [b.db_type for b in bind(raw, (STATUS,), (), CONFIG)] == ["public.status", "jobs.status"]


def test_native_enum_false_binds_without_db_type() -> None:
    (b,) = bind((RawBinding("app.models.Status", site(native=False)),), (STATUS,), (), CONFIG)
    assert b.db_type is None


def test_enums_defined_in_migrations_and_sites_in_migrations_are_never_bound() -> None:
    frozen = enum("migrations.versions.abc.Status", "queued", in_migration=True, path="migrations/versions/abc.py")
    raw = (
        RawBinding(frozen.qualname, site()),
        RawBinding("app.models.Status", site(location=loc("migrations/versions/abc.py", 5))),
    )
    got = bind(
        raw,
        (STATUS, frozen),
        (),
        Config(root=Path("."), name_fallback=False),
        frozenset({"migrations/versions/abc.py"}),
    )
    assert got == ()


def test_unresolved_enum_expression_gives_no_binding() -> None:
    assert bind((RawBinding(None, site()),), (STATUS,), (), Config(root=Path("."), name_fallback=False)) == ()


def test_string_label_enum_binds_its_labels() -> None:
    (b,) = bind((RawBinding(None, site(enum_expr=None, labels=("a", "b"))),), (), (), CONFIG)
    assert (b.enum, b.stores, b.labels, b.db_type) == ("", "labels", ("a", "b"), "public.job_status")


def test_annotation_uses_specific_type_annotation_map_entry() -> None:
    raw = (
        RawBinding(
            "app.models.Status", site(kind="map", db_type="public.status_t", stores="values", location=loc(line=3))
        ),
        RawBinding(
            "app.models.Status", site(kind="annotation", db_type=None, default_name=True, location=loc(line=20))
        ),
    )
    got = bind(raw, (STATUS,), (), CONFIG)
    assert [(b.location.line, b.db_type, b.stores) for b in got] == [
        (3, "public.status_t", "values"),
        (20, "public.status_t", "values"),
    ]


def test_annotation_follows_generic_map_entry_native_enum_false() -> None:
    raw = (
        RawBinding(None, site(kind="map_generic", enum_expr=None, db_type=None, native=False)),
        RawBinding("app.models.Status", site(kind="annotation", db_type=None, default_name=True)),
    )
    (b,) = bind(raw, (STATUS,), (), CONFIG)
    assert b.db_type is None


def test_config_binding_overrides_code_and_binds_unbound_enum() -> None:
    other = enum("app.models.Kind", "a")
    config = Config(root=Path("."), bindings=(("app.models.Kind", "Kind_T"), ("app.models.Status", 'jobs."MixedCase"')))
    raw = (RawBinding("app.models.Status", site(stores="values")),)
    got = {b.enum: b for b in bind(raw, (STATUS, other), (), config)}
    assert (got["app.models.Status"].db_type, got["app.models.Status"].stores) == ("jobs.MixedCase", "values")
    assert (got["app.models.Kind"].db_type, got["app.models.Kind"].stores) == ("public.kind_t", "unknown")
    assert all(b.explicit for b in got.values())


def test_config_binding_to_existing_mixed_case_type_keeps_case() -> None:
    other = enum("app.models.Kind", "a")
    config = Config(root=Path("."), bindings=(("app.models.Kind", "KindT"),))
    (b,) = bind((), (other,), (db("public.KindT", "a"),), config)
    assert b.db_type == "public.KindT"


def test_name_fallback_ignores_case_and_underscores() -> None:
    jobs = enum("app.models.JobStatus", "queued")
    (b,) = bind((), (jobs,), (db("public.job_status", "queued"),), CONFIG)
    assert (b.db_type, b.by_fallback, b.stores) == ("public.job_status", True, "unknown")


def test_name_fallback_never_links_when_types_differ_only_by_case() -> None:
    jobs = enum("app.models.JobStatus", "queued")
    types = (db("public.job_status", "queued"), db("public.JobStatus", "queued"))
    assert bind((), (jobs,), types, CONFIG) == ()


def test_name_fallback_off_and_for_bound_or_ambiguous_enums() -> None:
    jobs = enum("app.models.JobStatus", "queued")
    twin = enum("app.other.JobStatus", "queued")
    types = (db("public.job_status", "queued"),)
    assert bind((), (jobs,), types, Config(root=Path("."), name_fallback=False)) == ()
    assert bind((), (jobs, twin), types, CONFIG) == ()
    raw = (RawBinding("app.models.JobStatus", site(db_type="public.other")),)
    assert [b.db_type for b in bind(raw, (jobs,), types, CONFIG)] == ["public.other"]


def test_server_default_literals_follow_the_bound_type() -> None:
    raw = (
        RawBinding("app.models.Status", site(server_default="queued", server_default_location=loc(line=9))),
        RawBinding(
            "app.models.Status",
            site(location=loc(line=10), server_default_member=("done", "value"), server_default_location=loc(line=10)),
        ),
        RawBinding(
            "app.models.Status",
            site(location=loc(line=11), native=False, server_default="x", server_default_location=loc(line=11)),
        ),
    )
    bound = bind(raw, (STATUS,), (), CONFIG)
    got = server_default_literals(raw, bound, (STATUS,))
    assert [(u.type_name, u.value, u.context, u.location.line) for u in got] == [
        ("public.job_status", "queued", "server_default", 9),
        ("public.job_status", "done", "server_default", 10),
    ]


def test_binding_is_a_plain_model_binding() -> None:
    (b,) = bind((RawBinding("app.models.Status", site()),), (STATUS,), (), CONFIG)
    assert isinstance(b, Binding)


def test_values_callable_imported_from_another_module_is_read_there() -> None:
    helper = site(kind="helper", owner="enum_values", stores="values", enum_expr=None, db_type=None)
    raw = (
        RawBinding(None, helper),
        RawBinding("app.models.Status", site(stores="unknown", values_helper="enum_values")),
    )
    (b,) = bind(raw, (STATUS,), (), CONFIG)
    assert b.stores == "values"
    twin = site(kind="helper", owner="enum_values", stores="names", enum_expr=None, db_type=None)
    (c,) = bind(raw + (RawBinding(None, twin),), (STATUS,), (), CONFIG)
    assert c.stores == "unknown"  # two helpers of that name disagree: not guessed


def test_config_type_names_fold_like_postgresql() -> None:
    from enumguard.link.bindings import parse_type_name

    assert parse_type_name("Job_Status", ()) == "public.job_status"
    assert parse_type_name('"Job_Status"', ()) == "public.Job_Status"
    assert parse_type_name('Billing."State"', ()) == "billing.State"
