"""The Alembic revision evaluator: helpers followed with their arguments, loops unrolled, strings
built, branches on the dialect or the catalog taken, and an Unread event for what only the run
time decides (a branch, a loop over data, a call it does not follow, a bound it reached)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from enumguard.collect import SourceFile, SourceTree
from enumguard.config import Config
from enumguard.finding import Finding
from enumguard.migrations.alembic import calls, evaluate, revisions
from enumguard.migrations.events import ColumnEvent, Unread
from enumguard.model import EnumOp
from tests.test_migrations_alembic import repo, revision
from tests.test_migrations_sql import labels, load_files

REPOS = Path(__file__).parent / "fixtures" / "repos"


def tree_of(files: dict[str, str]) -> SourceTree:
    return SourceTree(
        root="/nonexistent",
        files=tuple(SourceFile(p, t) for p, t in sorted(files.items())),
        paths=tuple(sorted(files)),
    )


def events(files: dict[str, str]) -> list:
    """Every event of every revision, in replay order."""
    out = revisions.load(tree_of(files), Config(root=Path("/nonexistent")))
    return [e for unit in out.units for e in unit.events]


def fixture_events(name: str) -> list:
    root = REPOS / name
    files = {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*.py")}
    files["alembic.ini"] = (root / "alembic.ini").read_text()
    return events(files)


def one(body: str, extra: str = "", **more: str) -> list:
    return events(repo(("1", revision("1", None, body, extra)), **more))


def line(body_line: int, extra: str = "") -> int:
    """The file line of a line of upgrade()'s body as `revision()` writes it."""
    return extra.count("\n") + 9 + body_line


def in_migrations(*revisions_: tuple[str, str], **more: str) -> dict[str, str]:
    """A repository whose script folder is `migrations/` (importable as a package, unlike a
    folder called `alembic`, whose name is the library's)."""
    files = {"alembic.ini": "[alembic]\nscript_location = migrations\n", "migrations/env.py": ""}
    files.update({f"migrations/versions/{name}.py": text for name, text in revisions_})
    files.update({path.replace("__", "/") + ".py": text for path, text in more.items()})
    return files


def unreads(found: list) -> list[tuple[int | None, str, list[str], str]]:
    return [(e.location.line, e.touches, sorted(e.names), e.reason) for e in found if isinstance(e, Unread)]


def notices(found: list) -> list[tuple[int | None, str]]:
    return [(e.location.line, e.message) for e in found if isinstance(e, Finding)]


# ---------------------------------------------------------------- helpers followed
def test_a_helper_called_in_loops_over_pairs_renames_each_label_at_the_line_that_calls_it() -> None:
    found = fixture_events("800_evaluator_helper_in_loop_over_pairs")
    renames = [
        (e.label, e.new_label, e.location.line) for e in found if isinstance(e, EnumOp) and e.kind == "rename_value"
    ]
    # two rounds of the tuple loop at line 19, one of the dict .items() loop at line 21
    assert renames == [("mapping", "locked", 19), ("validating", "reviewing", 19), ("done", "finished", 21)]
    assert unreads(found) == [] and notices(found) == []


def test_keyword_arguments_defaults_and_spread_arguments_reach_the_helper() -> None:
    found = fixture_events("802_evaluator_helper_keywords_and_defaults")
    added = [(e.label, e.before, e.if_not_exists) for e in found if isinstance(e, EnumOp) and e.kind == "add_value"]
    assert added == [("urgent", None, True), ("medium", "high", True), ("none", "low", False)]


def test_join_percent_format_and_dedent_build_create_type_statements() -> None:
    model = load_files(
        {
            p.relative_to(r).as_posix(): p.read_text()
            for r in [REPOS / "804_evaluator_join_built_create_type"]
            for p in r.rglob("*")
            if p.is_file()
        }
    )
    assert labels(model) == {
        "public.carrier": ("dhl", "ups"),
        "public.parcel_size": ("s", "m", "l"),
        "public.shipping_mode": ("ground", "air", "sea", "rail"),
    }
    assert model.problems == ()


def test_a_helper_module_imported_absolutely_or_relatively_is_followed_and_its_constants_read() -> None:
    imports = "from migrations.helpers import add\nfrom migrations import helpers\nfrom . import shared\nfrom .shared import LABEL\n"
    files = in_migrations(
        ("1", revision("1", None, "    op.execute(\"CREATE TYPE t AS ENUM ('a')\")")),
        ("2", revision("2", "1", "    add('b')\n    helpers.add(LABEL)\n    shared.rename('a', 'z')", imports)),
        migrations__helpers="from alembic import op\n\n\ndef add(label, enum='t'):\n    op.execute(f\"ALTER TYPE {enum} ADD VALUE '{label}'\")\n",
        migrations__versions__shared=(
            "from alembic import op\nLABEL = 'c'\n\n\n"
            "def rename(old, new):\n    op.execute(f\"ALTER TYPE t RENAME VALUE '{old}' TO '{new}'\")\n"
        ),
    )
    assert labels(load_files(files)) == {"public.t": ("z", "b", "c")}


def test_an_import_cycle_that_binds_nothing_is_an_unknown_value_not_a_doubt_on_every_type() -> None:
    files = in_migrations(
        ("1", revision("1", None, "    op.execute(\"CREATE TYPE t AS ENUM ('a')\")")),
        (
            "2",
            revision(
                "2",
                "1",
                "    op.execute(f\"UPDATE rows SET k = '{tag()}'\")\n    add('b')",
                "from app.a import tag, add\n",
            ),
        ),
        app__a="from app.b import tag, add  # noqa\n",
        app__b="from app.a import tag  # noqa\nfrom alembic import op\n\n\ndef add(label):\n    op.execute(f\"ALTER TYPE t ADD VALUE '{label}'\")\n",
    )
    assert labels(load_files(files)) == {"public.t": ("a", "b")}
    assert not [e for e in events(files) if isinstance(e, Unread)]


def test_the_fact_cache_reads_a_revision_again_when_the_helper_module_it_follows_changes(tmp_path, monkeypatch) -> None:
    from collections import Counter

    from enumguard import migrations

    files = in_migrations(
        ("1", revision("1", None, "    op.execute(\"CREATE TYPE t AS ENUM ('a')\")")),
        ("2", revision("2", "1", "    add('b')", "from migrations.helpers import add\n")),
        migrations__helpers="from alembic import op\n\n\ndef add(label):\n    op.execute(f\"ALTER TYPE t ADD VALUE '{label}'\")\n",
    )
    config = replace(Config(root=Path("/nonexistent")), cache_dir=tmp_path / "facts")
    first = migrations.load(tree_of(files), config)
    assert labels(first) == {"public.t": ("a", "b")}
    read: Counter = Counter()
    real = revisions._read
    monkeypatch.setattr(revisions, "_read", lambda tree, path: read.update([path]) or real(tree, path))
    assert migrations.load(tree_of(files), config) == first and read == Counter()
    files["migrations/helpers.py"] = files["migrations/helpers.py"].replace("'{label}'", "'{label}2'")
    model = migrations.load(tree_of(files), config)
    assert read == Counter({"migrations/versions/2.py": 1})  # only the revision that follows it
    assert labels(model) == {"public.t": ("a", "b2")}


def test_enum_classes_are_iterated_and_values_callable_is_evaluated() -> None:
    extra = (
        "import enum\n\n\nclass Status(enum.Enum):\n    NEW = 'new'\n    OLD = 'old'\n\n\n"
        "def lower_names(cls):\n    return [m.name.lower() for m in cls]\n\n\n"
    )
    body = (
        "    sa.Enum(*[s.value for s in Status], name='by_value').create(op.get_bind())\n"
        "    sa.Enum(Status, name='by_callable', values_callable=lower_names).create(op.get_bind())\n"
        "    sa.Enum(Status, name='by_name').create(op.get_bind())"
    )
    model = load_files(repo(("1", revision("1", None, body, extra))))
    assert labels(model) == {
        "public.by_value": ("new", "old"),
        "public.by_callable": ("new", "old"),
        "public.by_name": ("NEW", "OLD"),
    }


# ---------------------------------------------------------------- branches
def test_a_dialect_test_in_a_helper_or_on_the_bind_takes_the_postgresql_side() -> None:
    found = fixture_events("808_evaluator_dialect_branch")
    assert [e.label for e in found if isinstance(e, EnumOp) and e.kind == "add_value"] == ["push"]
    assert unreads(found) == []


def test_a_run_time_branch_keeps_its_ddl_and_names_what_it_touched_in_an_unread_event() -> None:
    found = fixture_events("810_evaluator_runtime_branch")
    assert [e.label for e in found if isinstance(e, EnumOp) and e.kind == "add_value"] == ["invoice", "refunded"]
    assert unreads(found) == [
        (11, "types", ["payment_method"], "changed in a run-time branch (`if settings.INVOICES_ENABLED`)")
    ]
    # the Unread event follows the branch's own events: from there on the type is uncertain
    kinds = [type(e).__name__ for e in found if isinstance(e, (EnumOp, Unread)) and getattr(e, "kind", "") != "create"]
    assert kinds == ["EnumOp", "Unread", "EnumOp"]


def test_a_name_set_in_a_run_time_branch_is_unknown_after_it() -> None:
    body = (
        "    label = 'a'\n"
        "    if settings.FLAG:\n"
        "        label = 'b'\n"
        "    op.execute(f\"CREATE TYPE t AS ENUM ('{label}')\")\n"
        "    same = 'x'\n"
        "    if settings.FLAG:\n"
        "        same = 'x'\n"
        "    op.execute(f\"CREATE TYPE u AS ENUM ('{same}')\")"
    )
    found = one(body, "from app import settings\n")
    assert [(e.type_name, e.labels, e.labels_known) for e in found if isinstance(e, EnumOp)] == [
        ("public.t", (), False),
        ("public.u", ("x",), True),
    ]
    assert unreads(found) == [(line(4, "x\n"), "types", ["t"], "SQL built from a value known only at run time")]


def test_an_early_return_decided_at_run_time_makes_the_rest_uncertain_and_a_raise_does_not() -> None:
    body = (
        "    if not has_rows():\n"
        "        raise RuntimeError('empty')\n"
        "    op.execute(\"CREATE TYPE a AS ENUM ('x')\")\n"
        "    if settings.SKIP:\n"
        "        return\n"
        "    op.execute(\"CREATE TYPE b AS ENUM ('x')\")"
    )
    found = one(body, "from app import settings\n")
    assert unreads(found) == [(line(4, "x\n"), "types", ["b"], "changed in a run-time branch (`if settings.SKIP`)")]


def test_existence_checks_run_the_guarded_statement_and_only_their_else_is_uncertain() -> None:
    found = fixture_events("812_evaluator_existence_guard")
    ops = [(e.kind, e.label, e.new_label) for e in found if isinstance(e, EnumOp) and e.kind != "create"]
    assert ops == [
        ("rename_value", "requested", "awaiting_review"),
        ("rename_value", "in_progress", "reviewing"),
        ("add_value", "rejected", None),
    ]
    assert [e.type_name for e in found if isinstance(e, EnumOp) and e.kind == "create"][-1] == "public.review_kind"
    assert unreads(found) == []
    body = (
        "    exists = op.get_bind().execute(sa.text(\"SELECT 1 FROM pg_type WHERE typname = 'k'\")).first()\n"
        "    if exists:\n"
        "        op.execute(\"ALTER TYPE k ADD VALUE IF NOT EXISTS 'b'\")\n"
        "    else:\n"
        "        op.execute(\"CREATE TYPE k AS ENUM ('a', 'b')\")"
    )
    assert unreads(one(body)) == [
        (line(2), "types", ["k"], "changed in the `else` of an existence check (`if exists`)")
    ]


def test_a_loop_over_rows_keeps_its_ddl_and_names_it_while_data_statements_leave_nothing() -> None:
    extra = "import logging\nlogger = logging.getLogger(__name__)\n"
    body = (
        "    conn = op.get_bind()\n"
        "    for row in conn.execute(sa.text('SELECT id FROM t')):\n"
        "        conn.execute(sa.text('UPDATE t SET n = n + 1 WHERE id = :id'), {'id': row.id})\n"
        "        logger.info('row %s', row.id)\n"
        "    for row in conn.execute(sa.text('SELECT id FROM t')):\n"
        "        op.add_column('t', sa.Column('kind', sa.Enum('a', name='kind')))"
    )
    found = one(body, extra)
    reason = (
        "changed in a loop over values known only at run time (`for row in conn.execute(sa.text('SELECT id FROM t'))`)"
    )
    assert unreads(found) == [(line(5, extra), "types", ["kind"], reason), (line(5, extra), "tables", ["t"], reason)]
    assert [e.column for e in found if isinstance(e, ColumnEvent)] == ["kind"]


# ---------------------------------------------------------------- what cannot be read
def test_a_call_that_gets_the_connection_and_is_not_followed_names_its_string_arguments() -> None:
    body = (
        "    conn = op.get_bind()\n"
        "    rename_value(conn, 'podcast_status', 'old', 'new')\n"
        "    op.create_index('ix_a', 'a', ['b'])\n"
        "    op.drop_constraint('fk_a', 'a')\n"
        "    t = sa.table('a', sa.column('b'))\n"
        "    op.bulk_insert(t, [{'b': 1}])\n"
        "    print(op.f('ix_b'), conn.dialect.name)\n"
        "    log.info('done')\n"
        "    conn.execute(sa.text('UPDATE a SET b = 1'))\n"
        "    uuid4()"
    )
    extra = "import logging\nfrom uuid import uuid4\nfrom app.db.enums import rename_value\nlog = logging.getLogger()\n"
    found = one(body, extra)
    assert unreads(found) == [
        (
            line(2, extra),
            "any",
            ["new", "old", "podcast_status"],
            "changed by a call to `rename_value()` that enumguard does not follow",
        )
    ]
    assert notices(found) == []


def test_sql_with_run_time_holes_is_one_notice_and_one_unread_event_naming_what_it_shows() -> None:
    body = (
        "    for name in load_names():\n"
        "        op.execute(f'ALTER TYPE podcast_status ADD VALUE {quote(name)}')\n"
        "        op.execute(f'UPDATE episodes SET status = {quote(name)}')\n"
        "    for table in TABLES:\n"
        "        op.execute(f'ALTER TABLE {table} ALTER COLUMN kind TYPE {kind_type()}')"
    )
    extra = "TABLES = ['a', 'b']\n"
    found = one(body, extra)
    assert notices(found) == [
        (line(2, extra), "`op.execute` runs SQL built from an f-string"),
        (line(5, extra), "`op.execute` runs SQL built from an f-string"),
    ]
    reason = "SQL built from a value known only at run time"
    assert [(at, touches, names) for at, touches, names, why in unreads(found) if why == reason] == [
        (line(2, extra), "types", ["podcast_status"]),
        (line(5, extra), "tables", ["a", "kind"]),
        (line(5, extra), "tables", ["b", "kind"]),
    ]


def test_metadata_create_all_is_unread_for_every_type() -> None:
    found = one("    Base.metadata.create_all(op.get_bind())", "from app.models import Base\n")
    assert [(touches, names) for _, touches, names, _ in unreads(found)] == [("any", [])]


def test_deep_recursion_stops_at_the_bound_with_an_unread_event_and_keeps_what_it_read() -> None:
    found = fixture_events("814_evaluator_bound_deep_recursion")
    added = [e.label for e in found if isinstance(e, EnumOp) and e.kind == "add_value"]
    assert added == [f"l{i:02d}" for i in range(1, calls.MAX_DEPTH + 1)]
    ((line, touches, names, reason),) = unreads(found)
    assert (line, touches, reason) == (
        17,
        "any",
        f"changed by a call to `add_all()` that enumguard does not follow (more than {calls.MAX_DEPTH} nested calls)",
    )
    assert names == ["l11", "l12", "l13", "l14", "l15"]


def test_a_recursion_over_data_that_shows_no_ddl_leaves_nothing_at_the_bound() -> None:
    extra = "def depth(node):\n    return 1 + max([depth(c) for c in children(node)] or [0])\n\n\n"
    body = "    levels = depth(op.get_bind().execute(sa.text('SELECT 1')).first())\n    op.execute(\"CREATE TYPE t AS ENUM ('a')\")"
    found = one(body, extra)
    assert unreads(found) == [] and [e.type_name for e in found if isinstance(e, EnumOp)] == ["public.t"]


def test_loops_longer_than_the_bound_are_unread_once_and_the_rest_is_still_read() -> None:
    found = fixture_events("815_evaluator_bound_huge_loop")
    assert notices(found) == [(11, "`op.execute` runs SQL built from an f-string")]
    assert unreads(found) == [
        (11, "types", ["code"], "SQL built from a value known only at run time"),
        (13, "any", [], "code after a loop of more than 1000 rounds that enumguard does not run to the end"),
    ]
    assert [e.type_name for e in found if isinstance(e, EnumOp) and e.kind == "create"] == [
        "public.code",
        "public.after_loops",
    ]


def test_the_step_bound_ends_the_revision_with_an_unread_event(monkeypatch) -> None:
    monkeypatch.setattr(evaluate, "MAX_STEPS", 3000)
    body = "    op.execute(\"CREATE TYPE t AS ENUM ('a')\")\n    for i in range(900):\n        for j in range(900):\n            pass\n    op.execute(\"CREATE TYPE u AS ENUM ('a')\")"
    found = one(body)
    assert [e.type_name for e in found if isinstance(e, EnumOp)] == ["public.t"]
    assert [(touches, reason) for _, touches, _, reason in unreads(found)] == [
        ("any", "code enumguard stopped evaluating after 3000 steps")
    ]


def test_a_helper_that_uses_up_the_step_bound_on_data_is_an_unknown_value(monkeypatch) -> None:
    """Seen on rucio: `sa.String(length=get_schema_value('NAME_LENGTH'))` resolves $refs of a JSON
    schema recursively. A helper that shows DDL still ends the revision's certainty."""
    monkeypatch.setattr(evaluate, "MAX_STEPS", 3000)
    extra = (
        "def walk(n):\n    return 0 if n == 0 else walk(n - 1) + walk(n - 1)\n\n\n"
        "def length(name):\n    total = 0\n    for i in range(400):\n        total += walk(3)\n    return total\n\n\n"
        "def make(name):\n    for i in range(400):\n        walk(3)\n    op.execute(f\"CREATE TYPE {name} AS ENUM ('a')\")\n\n\n"
    )
    body = (
        "    op.execute(\"CREATE TYPE t AS ENUM ('a')\")\n"
        "    op.create_table('x', sa.Column('name', sa.String(length=length('NAME'))))\n"
        "    op.execute(\"ALTER TYPE t ADD VALUE 'b'\")\n"
        "    make('u')"
    )
    found = one(body, extra)
    assert [e.type_name for e in found if isinstance(e, EnumOp)] == ["public.t", "public.t"]
    assert [(touches, reason) for _, touches, _, reason in unreads(found)] == [
        ("any", "code enumguard stopped evaluating after 3000 steps")
    ]


def test_the_project_code_is_never_run() -> None:
    """A helper module that would exit or remove files when imported is only read."""
    files = in_migrations(
        ("1", revision("1", None, "    make('t')", "from migrations.helpers import make\n")),
        migrations__helpers=(
            "import os, shutil, sys\nfrom alembic import op\nshutil.rmtree('/')\nos.system('exit 1')\nsys.exit(3)\n\n\n"
            "def make(name):\n    op.execute(f\"CREATE TYPE {name} AS ENUM ('a')\")\n"
        ),
    )
    assert labels(load_files(files)) == {"public.t": ("a",)}


def test_a_method_of_a_class_enumguard_cannot_follow_is_not_a_loop() -> None:
    """Seen on ethyca/fides: `DatasetConfig.query(db)` on a model class went round forever."""
    extra = "class Config:\n    pass\n\n\n"
    found = one("    Config.query(op.get_bind()).all()\n    op.execute(\"CREATE TYPE t AS ENUM ('a')\")", extra)
    assert [e.type_name for e in found if isinstance(e, EnumOp)] == ["public.t"]
    assert [reason for *_, reason in unreads(found)] == [
        "changed by a call to `Config.query()` that enumguard does not follow"
    ]


def test_ops_on_a_table_known_only_at_run_time_are_unread() -> None:
    body = "    for table in inspector_tables():\n        op.drop_column(table, 'state')"
    found = one(body)
    assert [(touches, names) for _, touches, names, _ in unreads(found)] == [("tables", ["state"])]
    assert not [e for e in found if isinstance(e, ColumnEvent)]


def test_methods_of_classes_written_in_the_revision_are_followed_with_self_and_cls() -> None:
    """ORM helper classes in a revision (seen on packit-service): their data methods leave nothing
    unread, and a method that runs DDL is replayed."""
    extra = (
        "class Build:\n"
        "    KIND = 'build_kind'\n\n"
        "    @classmethod\n"
        "    def get_all(cls, session):\n"
        "        return session.query(cls).all()\n\n"
        "    def set_trigger(self, session, trigger_id):\n"
        "        self.trigger_id = trigger_id\n"
        "        session.add(self)\n\n"
        "    def add_kind(self, label):\n"
        "        op.execute(f\"ALTER TYPE {self.KIND} ADD VALUE '{label}'\")\n\n\n"
    )
    body = (
        "    op.execute(\"CREATE TYPE build_kind AS ENUM ('rpm')\")\n"
        "    session = sa.orm.Session(bind=op.get_bind())\n"
        "    for build in Build.get_all(session):\n"
        "        build.set_trigger(session, 1)\n"
        "    Build().add_kind('srpm')\n"
        "    session.commit()"
    )
    found = one(body, extra)
    assert unreads(found) == [] and notices(found) == []
    assert [e.label for e in found if isinstance(e, EnumOp) and e.kind == "add_value"] == ["srpm"]


def test_core_statements_built_from_a_table_are_not_sql_text() -> None:
    """`releases.update().where(...).values(...)` (seen on pypi/warehouse) runs no DDL."""
    extra = "releases = sa.Table('releases', sa.MetaData(), sa.Column('version', sa.Text()))\n"
    body = (
        "    connection = op.get_bind()\n"
        "    for release in connection.execute(sa.select(releases.c.version)):\n"
        "        connection.execute(releases.update().where(releases.c.version == release.version).values(x=1))"
    )
    found = one(body, extra)
    assert unreads(found) == [] and notices(found) == []


def test_bound_parameters_of_enum_ddl_are_sent_as_literals() -> None:
    body = (
        "    op.execute(\"CREATE TYPE t AS ENUM ('a')\")\n"
        "    for value in ('b', 'c'):\n"
        "        op.execute(sa.text('ALTER TYPE t ADD VALUE IF NOT EXISTS :value').bindparams(value=value))\n"
        "    op.get_bind().execute(sa.text('ALTER TYPE t RENAME VALUE :old TO :new'), {'old': 'a', 'new': 'z'})\n"
        "    op.execute(sa.text('UPDATE x SET k = :v::t').bindparams(v='q'))\n"
        "    conn = op.get_bind()\n"
        "    conn.execute(sa.text('ALTER TYPE t ADD VALUE :v').params({'v': 'd'}))\n"
        "    row_id = conn.execute(sa.text('SELECT id FROM x')).fetchone()[0]\n"
        "    conn.execute(sa.text('INSERT INTO x (id) VALUES (:id)').params({'id': row_id}))"
    )
    model = load_files(repo(("1", revision("1", None, body))))
    assert labels(model) == {"public.t": ("z", "b", "c", "d")} and model.problems == ()
    assert all(db.certain for db in model.db_enums)


def test_sql_chosen_at_run_time_reads_each_choice_as_running_only_sometimes() -> None:
    body = (
        "    conn = op.get_bind()\n"
        "    if settings.STRICT:\n"
        "        statement = sa.text('UPDATE loans SET note = :n')\n"
        "    else:\n"
        "        statement = sa.text('INSERT INTO loans (note) VALUES (:n)')\n"
        "    conn.execute(statement, n='x')\n"
        "    other = 'ALTER TABLE loans ALTER COLUMN state TYPE text' if settings.STRICT else 'SELECT 1'\n"
        "    op.execute(other)"
    )
    found = one(body, "from app import settings\n")
    assert notices(found) == []
    assert unreads(found) == [(line(8, "x\n"), "tables", ["loans"], "changed by SQL chosen at run time")]


def test_names_of_partly_visible_sql_leave_out_keywords_literals_and_built_in_types() -> None:
    from enumguard.migrations.alembic.runtime_sql import names

    text = 'ALTER TABLE \0requests DROP CONSTRAINT IF EXISTS "Requests_Chk", ALTER COLUMN state TYPE CHAR'
    assert names(text) == {"requests", "requests_chk", "state"}
    assert names("ALTER TYPE code ADD VALUE 'c\0' -- a comment") == {"code"}
    assert names(None) == frozenset()
