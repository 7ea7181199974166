"""Alembic revisions read with libcst: order, operations, and transactions."""

from __future__ import annotations

from tests.test_migrations_sql import labels, load_files

INI = {"alembic.ini": "[alembic]\nscript_location = alembic\n", "alembic/env.py": "from alembic import context\n"}
HEAD = "from alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\n\n"


def revision(rev: str, down: str | None, body: str, extra: str = "") -> str:
    down_text = repr(down) if not isinstance(down, tuple) else repr(down)
    return f"{HEAD}{extra}revision = {rev!r}\ndown_revision = {down_text}\n\n\ndef upgrade():\n{body}\n\n\ndef downgrade():\n    op.execute('DROP TYPE everything')\n"


def repo(*revisions: tuple[str, str], **extra: str) -> dict[str, str]:
    files = dict(INI)
    files.update(extra)
    for name, text in revisions:
        files[f"alembic/versions/{name}.py"] = text
    return files


def test_merge_revision_orders_after_both_parents_and_downgrade_is_not_read() -> None:
    model = load_files(
        repo(
            ("c_merge", revision("c", ("a2", "b1"), "    op.execute(\"ALTER TYPE t ADD VALUE 'merged'\")")),
            ("a1", revision("a1", None, "    op.execute(\"CREATE TYPE t AS ENUM ('a')\")")),
            ("a2", revision("a2", "a1", "    op.execute(\"ALTER TYPE t ADD VALUE 'a2'\")")),
            ("b1", revision("b1", "a1", "    op.execute(\"ALTER TYPE t ADD VALUE 'b1'\")")),
        )
    )
    # Alembic's own order for sibling branches (checked against alembic's RevisionMap below)
    assert [m.revision for m in model.migrations] == ["a1", "b1", "a2", "c"]
    assert model.migrations[-1].down_revisions == ("a2", "b1")
    assert labels(model) == {"public.t": ("a", "b1", "a2", "merged")}


def test_depends_on_orders_like_a_parent() -> None:
    first = revision("x", None, "    op.execute(\"ALTER TYPE t ADD VALUE 'x'\")").replace(
        "down_revision = None", "down_revision = None\ndepends_on = 'base'"
    )
    model = load_files(
        repo(("a", first), ("b", revision("base", None, "    op.execute(\"CREATE TYPE t AS ENUM ('a')\")")))
    )
    assert [m.revision for m in model.migrations] == ["base", "x"]
    assert labels(model) == {"public.t": ("a", "x")}


def test_create_table_creates_the_enum_type_unless_create_type_false() -> None:
    body = (
        "    op.create_table('jobs', sa.Column('id', sa.Integer),\n"
        "        sa.Column('state', sa.Enum('queued', 'done', name='job_state'), server_default='queued'),\n"
        "        sa.Column('kind', postgresql.ENUM('a', name='job_kind', create_type=False)))"
    )
    model = load_files(repo(("1", revision("1", None, body))))
    assert labels(model) == {"public.job_state": ("queued", "done")}
    assert [(u.type_name, u.context) for u in model.type_uses] == [
        ("public.job_state", "create_table"),
        ("public.job_kind", "create_table"),
    ]
    assert [(lit.value, lit.context, lit.location.line) for lit in model.literals] == [("queued", "default", 11)]


def test_add_column_and_alter_column_do_not_create_the_type() -> None:
    body = (
        "    op.add_column('jobs', sa.Column('state', sa.Enum('a', name='state')))\n"
        "    op.alter_column('jobs', 'other', type_=sa.Enum('a', name='other'))"
    )
    model = load_files(repo(("1", revision("1", None, body))))
    assert labels(model) == {}
    assert [(u.type_name, u.context, u.location.line) for u in model.type_uses] == [
        ("public.state", "add_column", 10),
        ("public.other", "alter_column", 11),
    ]


def test_explicit_create_and_drop_with_python_enum_names_or_values() -> None:
    extra = (
        "import enum\n\n\nclass Color(enum.Enum):\n    red = 'R'\n    blue = 'B'\n\n\n"
        "names = postgresql.ENUM(Color, name='color_names', create_type=False)\n"
        "values = sa.Enum(Color, name='color_values', values_callable=lambda e: [m.value for m in e])\n"
    )
    body = (
        "    names.create(op.get_bind(), checkfirst=True)\n"
        "    values.create(op.get_bind())\n"
        "    sa.Enum(Color).create(op.get_bind())\n"
        "    sa.Enum(Color).drop(op.get_bind(), checkfirst=False)"
    )
    model = load_files(repo(("1", revision("1", None, body, extra))))
    assert labels(model) == {"public.color_names": ("red", "blue"), "public.color_values": ("R", "B")}
    assert [op.kind for op in model.ops] == ["create", "create", "create", "drop"]


def test_enum_class_imported_from_the_application_is_read_from_its_file() -> None:
    files = repo(
        (
            "1",
            revision(
                "1", None, "    sa.Enum(Plan, name='plan').create(op.get_bind())", "from app.models import Plan\n"
            ),
        ),
        (
            "2",
            revision(
                "2",
                "1",
                "    sa.Enum(Unknown, name='unknown').create(op.get_bind())",
                "from elsewhere import Unknown\n",
            ),
        ),
    )
    files["app/models.py"] = "from enum import Enum\n\n\nclass Plan(str, Enum):\n    FREE = 'free'\n    PRO = 'pro'\n"
    model = load_files(files)
    assert labels(model)["public.plan"] == ("FREE", "PRO")
    assert {db.name: db.certain for db in model.db_enums} == {"public.plan": True, "public.unknown": False}


def test_execute_forms_text_variables_and_fstrings() -> None:
    body = (
        "    op.execute(sa.text(\"CREATE TYPE t AS ENUM ('a')\"))\n"
        "    conn = op.get_bind()\n"
        "    conn.execute(sa.text(ADD_B))\n"
        "    op.execute(\n"
        '        """\n'
        "        ALTER TYPE t ADD VALUE 'c';\n"
        '        """\n'
        "    )\n"
        "    op.execute(f\"ALTER TYPE t ADD VALUE '{x}'\")"
    )
    model = load_files(repo(("1", revision("1", None, body, "ADD_B = \"ALTER TYPE t ADD VALUE 'b'\"\n"))))
    assert labels(model) == {"public.t": ("a", "b", "c")}
    # SQL from a module constant is located where the constant's text is written (line 5)
    assert [op.location.line for op in model.ops if op.kind != "unknown"] == [11, 5, 16]
    assert [(p.rule, p.location.line) for p in model.problems] == [("unsupported-sql", 19)]
    # the f-string names `t`: from there on its labels are not certain
    assert [(op.type_name, op.location.line) for op in model.ops if op.kind == "unknown"] == [("public.t", 19)]
    assert [(db.name, db.certain) for db in model.db_enums] == [("public.t", False)]


def test_whole_run_is_one_transaction_and_autocommit_block_is_outside_it() -> None:
    first = revision("1", None, "    op.execute(\"CREATE TYPE t AS ENUM ('a')\")")
    second = revision(
        "2",
        "1",
        "    with op.get_context().autocommit_block():\n        op.execute(\"ALTER TYPE t ADD VALUE 'b'\")\n"
        "    op.execute(\"ALTER TYPE t ADD VALUE 'c'\")",
    )
    model = load_files(repo(("1", first), ("2", second)))
    tx = [op.transaction for op in model.ops]
    assert tx[0] is not None and tx[1] is None and tx[2] not in (None, tx[0])


def test_transaction_per_migration_from_env_py_or_config() -> None:
    first = revision("1", None, "    op.execute(\"CREATE TYPE t AS ENUM ('a')\")")
    second = revision("2", "1", "    op.execute(\"ALTER TYPE t ADD VALUE 'b'\")")
    files = repo(("1", first), ("2", second))
    shared = load_files(files)
    assert shared.ops[0].transaction == shared.ops[1].transaction
    files["alembic/env.py"] = "from alembic import context\ncontext.configure(transaction_per_migration=True)\n"
    split = load_files(files)
    assert split.ops[0].transaction != split.ops[1].transaction
    assert load_files(files, transaction_per_migration=False).ops[1].transaction == shared.ops[1].transaction


def test_sync_enum_values_replaces_the_labels_and_moves_the_columns() -> None:
    first = revision(
        "1", None, "    op.execute(\"CREATE TYPE st AS ENUM ('a', 'b')\")\n    op.execute('CREATE TABLE t (s st)')"
    )
    second = revision(
        "2",
        "1",
        "    op.sync_enum_values(\n        enum_schema='public', enum_name='st', new_values=['a', 'c'],\n"
        "        affected_columns=[TableReference(table_schema='public', table_name='t', column_name='s')],\n"
        "        enum_values_to_rename=[])",
    )
    model = load_files(repo(("1", first), ("2", second)))
    assert labels(model) == {"public.st": ("a", "c")}
    assert [(c.table, c.column, c.type_name) for c in model.columns] == [("public.t", "s", "public.st")]
    assert model.ops[-1].kind == "drop" and model.ops[-1].in_use == ()


def test_sync_enum_values_of_older_releases_moves_columns_given_as_table_column_tuples() -> None:
    first = revision(
        "1", None, "    op.execute(\"CREATE TYPE st AS ENUM ('a', 'b')\")\n    op.execute('CREATE TABLE t (s st)')"
    )
    second = revision(
        "2", "1", "    op.sync_enum_values('public', 'st', ['a', 'c'], [('t', 's')], enum_values_to_rename=[])"
    )
    model = load_files(repo(("1", first), ("2", second)))
    assert labels(model) == {"public.st": ("a", "c")}
    assert [(c.table, c.column, c.type_name) for c in model.columns] == [("public.t", "s", "public.st")]
    assert model.ops[-1].kind == "drop" and model.ops[-1].in_use == ()


def test_loop_over_constant_labels_adds_each_label_and_reports_a_body_problem_once() -> None:
    first = revision("1", None, "    op.execute(\"CREATE TYPE st AS ENUM ('a')\")")
    body = (
        "    for label in NEW:\n"
        "        op.execute(f\"ALTER TYPE st ADD VALUE IF NOT EXISTS '{label}'\")\n"
        "        op.execute(f\"ALTER TYPE {label_type()} ADD VALUE '{label}'\")\n"
        "    for row in rows():\n"
        "        op.execute(f\"ALTER TYPE st ADD VALUE '{row}'\")"
    )
    second = revision("2", "1", body, extra="NEW = ['b', 'c']\n")
    model = load_files(repo(("1", first), ("2", second)))
    assert labels(model) == {"public.st": ("a", "b", "c")}
    assert [p.location.line for p in model.problems] == [13, 15]


def test_enum_named_by_a_constant_and_format_of_constants_replay_a_type_rebuild() -> None:
    first = revision(
        "1", None, "    op.execute(\"CREATE TYPE st AS ENUM ('a')\")\n    op.execute('CREATE TABLE t (s st)')"
    )
    extra = "NAME = 'st'\nTABLE = 't'\nnew = sa.Enum('a', 'b', name=NAME)\nold = sa.Enum('a', name=NAME)\n"
    body = (
        "    op.execute('ALTER TABLE {} ALTER COLUMN s TYPE text'.format(TABLE))\n"
        "    old.drop(op.get_bind(), checkfirst=False)\n"
        "    new.create(op.get_bind(), checkfirst=False)\n"
        "    op.execute('ALTER TABLE {t} ALTER COLUMN s TYPE {n} USING s::{n}'.format(t=TABLE, n=NAME))"
    )
    model = load_files(repo(("1", first), ("2", revision("2", "1", body, extra=extra))))
    assert labels(model) == {"public.st": ("a", "b")}
    assert [(c.table, c.column, c.type_name) for c in model.columns] == [("public.t", "s", "public.st")]
    assert model.problems == ()


def test_concatenated_constants_dedented_text_and_a_format_template_in_a_variable_are_replayed() -> None:
    """A type rebuild written with `+` of name constants and `textwrap.dedent`, and a data
    statement from a template kept in a variable: the DDL is replayed, and no notice."""
    first = revision(
        "1", None, "    op.execute(\"CREATE TYPE st AS ENUM ('a')\")\n    op.execute('CREATE TABLE t (s st)')"
    )
    extra = "import textwrap\nNAME = 'st'\nTMP = 'tmp_' + NAME\nnew = sa.Enum('a', 'b', name=NAME)\n"
    body = (
        "    op.execute('ALTER TYPE ' + NAME + ' RENAME TO ' + TMP)\n"
        "    new.create(op.get_bind(), checkfirst=False)\n"
        '    op.execute(sa.text(textwrap.dedent("""\n        ALTER TABLE t ALTER COLUMN s TYPE st USING s::text::st\n    """)))\n'
        "    op.execute('DROP TYPE ' + TMP)\n"
        "    insert = \"INSERT INTO users (id, created_at) VALUES ('{}', '{}')\"\n"
        "    op.execute(insert.format(uuid4(), now()))"
    )
    model = load_files(repo(("1", first), ("2", revision("2", "1", body, extra=extra))))
    assert labels(model) == {"public.st": ("a", "b")}
    assert [(c.table, c.column, c.type_name) for c in model.columns] == [("public.t", "s", "public.st")]
    assert model.problems == ()


def test_join_built_create_type_is_read_and_one_of_run_time_labels_makes_the_type_with_unknown_labels() -> None:
    """`f"CREATE TYPE {NAME} AS ENUM ({', '.join(...)})"` over a constant list is read with its
    labels; over labels known only at run time the type exists with unknown labels, and the
    column added next is not reported as a missing type (seen on bcgov/lear)."""
    extra = "NAME = 'commenttype'\nVALUES = ['FILING', 'STAFF']\nkind = sa.Enum(*VALUES, name=NAME)\n"
    body = (
        "    op.execute(f\"CREATE TYPE {NAME} AS ENUM ({', '.join(repr(v) for v in VALUES)})\")\n"
        "    op.execute(f\"CREATE TYPE other AS ENUM ({', '.join(repr(v) for v in load_values())})\")\n"
        "    op.add_column('comments', sa.Column('comment_type', kind, nullable=True))\n"
        "    op.add_column('comments', sa.Column('other', sa.Enum(name='other', create_type=False)))"
    )
    model = load_files(repo(("1", revision("1", None, body, extra=extra))))
    assert {db.name: (db.label_values, db.certain) for db in model.db_enums} == {
        "public.commenttype": (("FILING", "STAFF"), True),
        "public.other": ((), False),
    }
    assert [(p.rule, p.location.line, p.message) for p in model.problems] == [
        ("unsupported-sql", 14, "`op.execute` runs SQL built from an f-string")
    ]
    assert [(c.table, c.column, c.type_name) for c in model.columns] == [
        ("public.comments", "comment_type", "public.commenttype"),
        ("public.comments", "other", "public.other"),
    ]


def test_versions_folder_from_alembic_ini_here_and_version_locations() -> None:
    files = {
        "backend/alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\nversion_locations = %(here)s/migrations/versions %(here)s/extra\n",
        "backend/migrations/versions/1.py": revision("1", None, "    op.execute(\"CREATE TYPE t AS ENUM ('a')\")"),
        "backend/extra/2.py": revision("2", "1", "    op.execute(\"ALTER TYPE t ADD VALUE 'b'\")"),
    }
    assert labels(load_files(files)) == {"public.t": ("a", "b")}


def test_core_statements_are_not_sql_text_but_runtime_strings_are_reported() -> None:
    body = (
        "    conn = op.get_bind()\n"
        "    conn.execute(sa.update(table).values(state='x'))\n"
        "    conn.execute(sa.text(build_query(10)))\n"
        "    op.execute('ALTER TYPE t ADD VALUE %s' % value)\n"
        "    op.execute(sql_from_elsewhere)"
    )
    model = load_files(repo(("1", revision("1", None, body))))
    assert [(p.location.line, p.message) for p in model.problems] == [
        (12, "`conn.execute` runs SQL built from a `text()` of a value known only at run time"),
        (13, "`op.execute` runs SQL built from string operations"),
        (14, "`op.execute` runs SQL built from a variable"),
    ]


def test_runtime_sql_whose_visible_statement_cannot_touch_an_enum_is_not_reported() -> None:
    body = (
        '    op.execute(f\'ALTER INDEX "{old}" RENAME TO "{new}"\')\n'
        "    op.execute(f'CREATE TABLE IF NOT EXISTS h_{m} PARTITION OF h FOR VALUES IN ({m})')\n"
        "    op.execute('UPDATE t SET n = n + %s' % step)\n"
        "    op.execute('INSERT INTO t VALUES ({}) ON CONFLICT DO NOTHING'.format(v))\n"
        "    op.execute(f\"ALTER TYPE kind ADD VALUE IF NOT EXISTS '{value}'\")\n"
        "    op.execute(f'CREATE TABLE {name} (id int, k kind)')\n"
        "    op.execute(f'UPDATE t SET k = DEFAULT WHERE id = {i}')\n"
        "    op.execute(f'{whole_statement}')"
    )
    model = load_files(repo(("1", revision("1", None, body))))
    assert [p.location.line for p in model.problems] == [14, 15, 16, 17]


def test_ini_pointing_nowhere_falls_back_to_env_py_and_versions() -> None:
    files = {
        "alembic.ini": "[alembic]\nscript_location = mypkg:server:migrations\n",
        "mypkg/migrations/env.py": "",
        "mypkg/migrations/versions/1.py": revision("1", None, "    op.execute(\"CREATE TYPE t AS ENUM ('a')\")"),
    }
    assert labels(load_files(files)) == {"public.t": ("a",)}


def test_batch_operations_use_the_table_of_their_with_block() -> None:
    body = (
        "    op.execute(\"CREATE TYPE st AS ENUM ('a')\")\n"
        "    with op.batch_alter_table('jobs', schema='app') as batch_op:\n"
        "        batch_op.add_column(sa.Column('state', postgresql.ENUM('a', name='st', create_type=False)))\n"
        "        batch_op.alter_column('kind', type_=sa.Enum('x', name='kind'))"
    )
    model = load_files(repo(("1", revision("1", None, body))))
    assert [(c.table, c.column) for c in model.columns] == [("app.jobs", "state")]
    assert [(u.type_name, u.location.line) for u in model.type_uses] == [("public.st", 12), ("public.kind", 13)]


def test_only_the_postgresql_branch_of_a_dialect_check_is_replayed() -> None:
    body = (
        "    if op.get_context().dialect.name == 'postgresql':\n"
        "        op.execute(\"CREATE TYPE t AS ENUM ('pg')\")\n"
        "    else:\n"
        "        op.execute(\"CREATE TYPE t AS ENUM ('other')\")\n"
        "    if is_sqlite():\n"
        "        op.execute(\"ALTER TYPE t ADD VALUE 'sqlite'\")\n"
        "    if not is_postgres():\n"
        "        op.execute(\"ALTER TYPE t ADD VALUE 'not_pg'\")"
    )
    assert labels(load_files(repo(("1", revision("1", None, body))))) == {"public.t": ("pg",)}


GRAPHS = [
    [("a1", None, None), ("a2", "a1", None), ("b1", "a1", None), ("c", ("a2", "b1"), None)],
    [
        ("a", None, None),
        ("b", "a", None),
        ("c", "a", None),
        ("d", "c", None),
        ("e", ("b", "d"), None),
        ("f", "e", None),
        ("g", "a", None),
    ],
    [("a", None, None), ("b", "a", None), ("c", "a", "b"), ("d", "c", None)],
    [("r1", None, None), ("r2", "r1", None), ("s1", None, None), ("s2", "s1", None), ("m", ("r2", "s2"), None)],
]


def test_revision_order_is_the_order_alembic_upgrades_in() -> None:
    from alembic.script.revision import Revision, RevisionMap

    from enumguard.migrations.alembic.graph import upgrade_order as _ordered
    from enumguard.migrations.alembic.revisions import _Script

    for graph in GRAPHS:
        revision_map = RevisionMap(lambda graph=graph: [Revision(r, d, dependencies=dep) for r, d, dep in graph])
        alembic_order = [
            r.revision for r in reversed(list(revision_map.iterate_revisions("heads", "base", implicit_base=True)))
        ]
        scripts = [
            _Script(f"v/{r}.py", r, (d,) if isinstance(d, str) else tuple(d or ()), (dep,) if dep else (), [], 0)
            for r, d, dep in graph
        ]
        assert [s.revision for s in _ordered(scripts, [])] == alembic_order


def test_enum_labels_spread_from_a_constant_or_unknown() -> None:
    extra = "STATES = ('new', 'old')\n"
    body = (
        "    sa.Enum(*STATES, name='known').create(op.get_bind())\n"
        "    sa.Enum(*load_states(), name='unknown').create(op.get_bind())"
    )
    model = load_files(repo(("1", revision("1", None, body, extra))))
    assert {db.name: (db.label_values, db.certain) for db in model.db_enums} == {
        "public.known": (("new", "old"), True),
        "public.unknown": ((), False),
    }


def test_sync_enum_values_reads_a_constant_list_that_spreads_another_and_unknown_lists_hide_the_labels() -> None:
    # Label lists that grow revision by revision: NEW = [*OLD, 'c'] (seen on tracecat).
    first = revision(
        "1",
        None,
        "    op.execute(\"CREATE TYPE st AS ENUM ('a', 'b')\")\n    op.execute(\"CREATE TYPE other AS ENUM ('x')\")",
    )
    extra = "ADDED = ['c']\nVALUES = ['a', 'b', *ADDED]\n"
    body = (
        "    op.sync_enum_values(enum_schema='public', enum_name='st', new_values=VALUES,\n"
        "        affected_columns=[], enum_values_to_rename=[])\n"
        "    op.sync_enum_values(enum_schema='public', enum_name='other', new_values=load_values(),\n"
        "        affected_columns=[], enum_values_to_rename=[])"
    )
    model = load_files(repo(("1", first), ("2", revision("2", "1", body, extra))))
    assert {db.name: (db.label_values, db.certain) for db in model.db_enums} == {
        "public.st": (("a", "b", "c"), True),
        "public.other": ((), False),
    }
    assert [p.message for p in model.problems] == ["`op.sync_enum_values` with values enumguard cannot read"]


def test_loop_over_an_empty_constant_list_leaves_the_loop_variable_unset() -> None:
    body = "    names = []\n    for name in names:\n        op.drop_index(name)\n    op.execute(\"CREATE TYPE st AS ENUM ('a')\")"
    model = load_files(repo(("1", revision("1", None, body))))
    assert labels(model) == {"public.st": ("a",)} and model.problems == ()


def test_runtime_data_fixes_and_constraint_chores_are_not_reported_but_column_changes_are() -> None:
    # Seen on tracecat: 17 notices for statements that cannot touch an enum type.
    extra = "TABLES = ['a', 'b']\n"
    quiet = (
        "    for table in TABLES:\n"
        "        op.execute(f\"UPDATE {table} SET type = 'x' WHERE type = 'y'\")\n"
        '        op.execute(f\'ALTER TABLE "{table}" RENAME CONSTRAINT "{old}" TO "{new}"\')\n'
        "        conn.execute(sa.text(f'ALTER TABLE {table} DROP CONSTRAINT {name}'))\n"
        "        conn.execute(sa.text(f'ALTER TABLE {table} DISABLE TRIGGER USER'))\n"
        "        conn.execute(sa.text(f'ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY (o) REFERENCES o(id)'))\n"
    )
    loud = (
        "    op.execute(f'ALTER TABLE {table} ALTER COLUMN kind TYPE {kind}')\n"
        "    op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')\n"
        "    op.execute(f'ALTER TABLE {table} {action}')\n"
        "    op.execute(f'CREATE TYPE {name} AS ENUM ({labels})')\n"
    )
    model = load_files(repo(("1", revision("1", None, quiet + loud, extra))))
    assert [p.location.line for p in model.problems] == [17, 18, 19, 20]  # the four `loud` lines


def test_runtime_sql_is_judged_without_its_comments() -> None:
    # Seen on reyearn: an editor hint comment before CREATE SCHEMA made the statement invisible.
    extra = "schema = 'app'\n"
    body = (
        "    op.execute(f'''\n        --sql --main schema (a data type comment)\n        create schema if not exists {where()};\n"
        "        create extension if not exists ltree;\n        ''')\n"
        "    op.execute(f'''\n        -- the kinds\n        create type {where()}.kind as enum ('a');\n        ''')"
    )
    model = load_files(repo(("1", revision("1", None, body, extra))))
    assert [p.location.line for p in model.problems] == [16]
