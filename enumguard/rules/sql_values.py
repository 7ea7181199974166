"""Rules on values and types that migrations use: a literal that is not a label of its enum type
(`sql-unknown-value`), and a column typed with an enum type no earlier migration creates
(`missing-type`). Both judge each statement by the type as it was when the statement ran."""

from __future__ import annotations

import difflib
from typing import Iterator

from enumguard.finding import Finding, Related, Severity
from enumguard.migrations.replay import TypeState
from enumguard.model import LiteralUse, Model, TypeUse, display_type
from enumguard.rules.base import Example, Rule


def _by_position(items, ops):
    """Yield (item, state) with the replayed type state just before each item's position."""
    state = TypeState()
    done = 0
    for item in sorted(items, key=lambda x: x.after_op):
        while done < min(item.after_op, len(ops)):
            state.apply(ops[done])
            done += 1
        yield item, state


def _closest(value: str, labels: tuple[str, ...]) -> str | None:
    for label in labels:
        if label.lower() == value.lower():
            return label
    found = difflib.get_close_matches(value, labels, n=1, cutoff=0.75)
    return found[0] if found else None


class SqlUnknownValueRule(Rule):
    """Reports a string used as a value of an enum type that the type does not have: a column
    DEFAULT, a `'x'::type` cast, an INSERT or UPDATE value or a WHERE comparison in a migration,
    or a SQLAlchemy `server_default=` in model code.

    ## Why is this bad?
    PostgreSQL rejects the value with `invalid input value for enum` (22P02): the migration
    fails when it runs, or every insert that relies on the default fails.

    ## How to fix
    Use one of the type's labels (the help names the closest one), or add the label with
    `ALTER TYPE ... ADD VALUE` in an earlier migration.

    ## Known limitations
    Values inside DO blocks and functions, and values PostgreSQL computes (`lower('X')`), are not
    checked. A migration literal is judged by the type as it was when that statement ran; a
    `server_default` by the final type.
    """

    name = "sql-unknown-value"
    severity = Severity.ERROR
    VALID = (
        Example(
            {
                "supabase/migrations/20240101000000_jobs.sql": (
                    "CREATE TYPE job_state AS ENUM ('queued', 'done');\n"
                    "CREATE TABLE jobs (id int, state job_state NOT NULL DEFAULT 'queued');\n"
                ),
                "supabase/migrations/20240201000000_rename.sql": (
                    "UPDATE jobs SET state = 'done' WHERE state = 'queued';\n"
                    "ALTER TYPE job_state RENAME VALUE 'queued' TO 'waiting';\n"
                ),
            }
        ),
    )
    INVALID = (
        Example(
            {
                "supabase/migrations/20240101000000_jobs.sql": (
                    "CREATE TYPE job_state AS ENUM ('queued', 'done');\n"
                    "CREATE TABLE jobs (\n"
                    "    id int,\n"
                    "    state job_state NOT NULL DEFAULT 'Queued'  -- expect: sql-unknown-value\n"
                    ");\n"
                    "UPDATE jobs SET state = 'finished' WHERE id = 1;  -- expect: sql-unknown-value\n"
                    "SELECT 'done'::job_state, 'failed'::job_state;  -- expect: sql-unknown-value\n"
                ),
            }
        ),
    )

    def check(self, model: Model) -> Iterator[Finding]:
        migration_uses = [lit for lit in model.literals if lit.after_op is not None]
        for lit, state in _by_position(migration_uses, model.ops):
            labels = state.labels(lit.type_name)
            if labels is not None and lit.value not in labels:
                created = state.types[lit.type_name].location
                yield self._finding(lit, labels, created)
        for lit in model.literals:
            if lit.after_op is not None:
                continue
            db = model.db_enum(lit.type_name)
            if db is not None and db.labels_known and lit.value not in db.label_values:
                yield self._finding(lit, db.label_values, db.location)

    def _finding(self, lit: LiteralUse, labels: tuple[str, ...], created) -> Finding:
        shown = display_type(lit.type_name)
        close = _closest(lit.value, labels)
        listed = ", ".join(f"`{label}`" for label in labels) or "no labels"
        help = f"did you mean `{close}`? " if close else ""
        help += f"`{shown}` has {listed}"
        return self.finding(
            lit.location,
            f"`{lit.value}` is not a label of DB type `{shown}` ({lit.context})",
            help=help,
            related=(Related(created, f"DB type `{shown}` is created here"),),
            value=lit.value,
            db_type=shown,
        )


class MissingTypeRule(Rule):
    """Reports a column typed with an enum type that no earlier migration creates: a SQL column
    of a type created only later (or already dropped), or Alembic's
    `op.add_column(.., sa.Enum(.., name="t"))` / `op.alter_column(.., type_=sa.Enum(..))` /
    `create_type=False` without a migration that creates `t`.

    ## Why is this bad?
    On a real PostgreSQL the migration fails with `type "t" does not exist`. Alembic's
    `add_column` and `alter_column` never emit `CREATE TYPE`; only `create_table` does (unless
    `create_type=False`).

    ## How to fix
    Create the type first, in the same or an earlier migration:
    `sa.Enum(..., name="t").create(op.get_bind(), checkfirst=True)` in Alembic, or
    `CREATE TYPE t AS ENUM (...)` in SQL, before the column that uses it.

    ## Known limitations
    A SQL column is only checked when some migration creates that name as an enum type; types
    that come from outside the migrations (a schema dump, an extension) are not known.
    """

    name = "missing-type"
    severity = Severity.ERROR
    VALID = (
        Example(
            {
                "alembic.ini": "[alembic]\nscript_location = alembic\n",
                "alembic/env.py": "from alembic import context\n",
                "alembic/versions/0001_priority.py": (
                    "from alembic import op\n"
                    "import sqlalchemy as sa\n\n"
                    'revision = "0001"\n'
                    "down_revision = None\n\n\n"
                    "def upgrade():\n"
                    '    priority = sa.Enum("low", "high", name="priority")\n'
                    "    priority.create(op.get_bind(), checkfirst=True)\n"
                    '    op.add_column("tasks", sa.Column("priority", priority))\n'
                ),
            }
        ),
    )
    INVALID = (
        Example(
            {
                "alembic.ini": "[alembic]\nscript_location = alembic\n",
                "alembic/env.py": "from alembic import context\n",
                "alembic/versions/0001_priority.py": (
                    "from alembic import op\n"
                    "import sqlalchemy as sa\n\n"
                    'revision = "0001"\n'
                    "down_revision = None\n\n\n"
                    "def upgrade():\n"
                    "    op.add_column(\n"
                    '        "tasks",\n'
                    '        sa.Column("priority", sa.Enum("low", "high", name="priority")),  # expect: missing-type\n'
                    "    )\n"
                ),
            }
        ),
        Example(
            {
                "supabase/migrations/20240101000000_tasks.sql": (
                    "CREATE TABLE tasks (id int, level task_level);  -- expect: missing-type\n"
                ),
                "supabase/migrations/20240201000000_level.sql": "CREATE TYPE task_level AS ENUM ('low', 'high');\n",
            }
        ),
    )

    def check(self, model: Model) -> Iterator[Finding]:
        for use, state in _by_position(model.type_uses, model.ops):
            if state.exists(use.type_name):
                continue
            yield self._finding(use, model)

    def _finding(self, use: TypeUse, model: Model) -> Finding:
        shown = display_type(use.type_name)
        column = f"`{use.table.partition('.')[2] if use.table and use.table.startswith('public.') else use.table}.{use.column}`"
        related = []
        for index, op in enumerate(model.ops):
            if op.type_name == use.type_name and op.kind == "create" and index >= use.after_op:
                related.append(Related(op.location, f"`{shown}` is created only here, later"))
                break
            if op.type_name == use.type_name and op.kind == "drop" and index < use.after_op:
                related = [Related(op.location, f"`{shown}` was dropped here")]
        if use.context in ("add_column", "alter_column"):
            help = (f"Alembic's {use.context} does not create the type; create it first with "
                    f'`sa.Enum(..., name="{use.type_name.rpartition(".")[2]}").create(op.get_bind(), checkfirst=True)`')
        elif use.context == "create_table":
            help = "the Enum has create_type=False; create the type in an earlier migration"
        else:
            help = f"create `{shown}` before this statement"
        return self.finding(
            use.location,
            f"column {column} uses enum type `{shown}`, which no earlier migration creates",
            help=help,
            related=tuple(related),
            db_type=shown,
        )
