"""Model in, findings out: a column typed with an enum type no earlier migration creates."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Related, Severity
from enumguard.model import Model, TypeUse, display_type
from enumguard.rules.base import Example, Rule
from enumguard.rules.example_parts import ALEMBIC

# The first revision of both Alembic examples, up to the body of upgrade().
_REVISION_HEAD = (
    'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "0001"\ndown_revision = None\n\n\ndef upgrade():\n'
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
    finds = "a column of an enum type no earlier migration creates (Alembic `add_column`)"
    VALID = (
        Example(
            {
                **ALEMBIC,
                "alembic/versions/0001_priority.py": (
                    _REVISION_HEAD + '    priority = sa.Enum("low", "high", name="priority")\n'
                    "    priority.create(op.get_bind(), checkfirst=True)\n"
                    '    op.add_column("tasks", sa.Column("priority", priority))\n'
                ),
            },
            title="Alembic creates the type before add_column uses it",
        ),
    )
    INVALID = (
        Example(
            {
                **ALEMBIC,
                "alembic/versions/0001_priority.py": (
                    _REVISION_HEAD + "    op.add_column(\n"
                    '        "tasks",\n'
                    '        sa.Column("priority", sa.Enum("low", "high", name="priority")),  # expect: missing-type\n'
                    "    )\n"
                ),
            },
            title="Alembic add_column does not create the sa.Enum's type",
        ),
        Example(
            {
                "supabase/migrations/20240101000000_tasks.sql": (
                    "CREATE TABLE tasks (id int, level task_level);  -- expect: missing-type\n"
                ),
                "supabase/migrations/20240201000000_level.sql": "CREATE TYPE task_level AS ENUM ('low', 'high');\n",
            },
            title="a column typed with a type a later migration creates",
        ),
    )

    def check(self, model: Model) -> Iterator[Finding]:
        for use, state in model.history.walk(model.type_uses):
            if state.exists(use.type_name) or state.may_exist(use.type_name):
                continue  # created, or maybe created by a statement enumguard could not read
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
            help = (
                f"Alembic's {use.context} does not create the type; create it first with "
                f'`sa.Enum(..., name="{use.type_name.rpartition(".")[2]}").create(op.get_bind(), checkfirst=True)`'
            )
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
