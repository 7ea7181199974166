"""Model in, findings out: `DROP TYPE` of a type a column or a model still uses."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Related, Severity
from enumguard.model import Binding, EnumOp, Model, display_type
from enumguard.rules.base import Example, Rule


def _table(name: str) -> str:
    return name.partition(".")[2] if name.startswith("public.") else name


class DropTypeInUseRule(Rule):
    """Reports `DROP TYPE` of an enum type that a column still uses at that point (without
    CASCADE), or that Python models still bind when no later migration creates it again.

    ## Why is this bad?
    Without CASCADE, PostgreSQL refuses to drop a type a column depends on (2BP01) and the
    migration fails. If the drop succeeds while SQLAlchemy models still map a column to the
    type, every query on that column fails at run time.

    When the migrations made the model's column a VARCHAR before the drop, the finding is a
    warning: psycopg2 and psycopg send plain strings and keep working, but drivers that cast
    parameters to the declared type (asyncpg) fail, and `metadata.create_all()` creates the
    type again. Declare `native_enum=False` (or `sa.String`) to match the database.

    ## How to fix
    Move the columns to another type first (`ALTER TABLE .. ALTER COLUMN .. TYPE new USING
    col::text::new`), drop them, or keep the type. Remove or rebind the Python models that use it.
    """

    name = "drop-type-in-use"
    severity = Severity.ERROR
    finds = "`DROP TYPE` of a type a column or a model still uses"
    VALID = (
        Example(
            {
                "supabase/migrations/20240101000000_mood.sql": (
                    "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE people (id int, mood mood);\n"
                ),
                "supabase/migrations/20240201000000_recreate.sql": (
                    "ALTER TYPE mood RENAME TO mood_old;\n"
                    "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n"
                    "ALTER TABLE people ALTER COLUMN mood TYPE mood USING mood::text::mood;\n"
                    "DROP TYPE mood_old;\n"
                ),
            },
            title="the old type dropped after its column moved to the new one",
        ),
    )
    INVALID = (
        Example(
            {
                "supabase/migrations/20240101000000_mood.sql": (
                    "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE people (id int, mood mood);\n"
                ),
                "supabase/migrations/20240201000000_drop.sql": "DROP TYPE mood;  -- expect: drop-type-in-use\n",
            },
            title="DROP TYPE while a column uses it",
        ),
        Example(
            {
                "app/models.py": (
                    "import enum\n\nimport sqlalchemy as sa\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
                    "class Base(DeclarativeBase):\n    pass\n\n\n"
                    "class Mood(enum.Enum):\n    sad = 1\n    ok = 2\n\n\n"
                    'class Person(Base):\n    __tablename__ = "people"\n\n'
                    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
                    '    mood: Mapped[Mood] = mapped_column(sa.Enum(Mood, name="mood"))\n'
                ),
                "supabase/migrations/20240101000000_mood.sql": (
                    "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE people (id int PRIMARY KEY, mood mood);\n"
                ),
                "supabase/migrations/20240201000000_drop.sql": (
                    "ALTER TABLE people DROP COLUMN mood;\nDROP TYPE mood;  -- expect: drop-type-in-use\n"
                ),
            },
            title="DROP TYPE while a model is still bound to it",
        ),
        Example(
            {
                "app/models.py": (
                    "import enum\n\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
                    "class Base(DeclarativeBase):\n    pass\n\n\n"
                    "class Mood(enum.Enum):\n    sad = 1\n    ok = 2\n\n\n"
                    'class Person(Base):\n    __tablename__ = "people"\n\n'
                    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
                    "    mood: Mapped[Mood]\n"
                ),
                "supabase/migrations/20240101000000_mood.sql": (
                    "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE people (id int PRIMARY KEY, mood mood);\n"
                ),
                "supabase/migrations/20240201000000_varchar.sql": (
                    "ALTER TABLE people ALTER COLUMN mood TYPE varchar(8) USING mood::text;\n"
                    "DROP TYPE mood;  -- expect: drop-type-in-use\n"
                ),
            },
            title="a model still declares the type on a column the migrations made a VARCHAR (warning)",
        ),
    )

    def check(self, model: Model) -> Iterator[Finding]:
        last: dict[str, EnumOp] = {}
        for op in model.ops:
            if op.kind != "unknown":
                last[op.type_name] = op
            in_use = tuple(c for c in op.in_use if c.doubt is None)  # an unread statement may have retyped the rest
            if op.kind == "drop" and in_use and not op.cascade:
                shown = display_type(op.type_name)
                columns = ", ".join(f"`{_table(c.table)}.{c.column}`" for c in in_use)
                yield self.finding(
                    op.location,
                    f"`DROP TYPE {shown}` fails: "
                    + (f"columns {columns} still use it" if len(in_use) > 1 else f"column {columns} still uses it"),
                    help="alter or drop the columns first, or use another type for them",
                    related=tuple(
                        Related(c.location, f"`{_table(c.table)}.{c.column}` is typed `{shown}` here") for c in in_use
                    ),
                    db_type=shown,
                )
        dropped: dict[str, list[Binding]] = {}
        final = model.history.state_before(len(model.ops))
        for binding in model.bindings:
            name = binding.db_type
            if not name or model.db_enum(name) is not None or final.may_exist(name) or binding.by_fallback:
                continue
            drop = last.get(name)
            if drop is not None and drop.kind == "drop":
                dropped.setdefault(name, []).append(binding)
        for name, bindings in dropped.items():
            drop, shown = last[name], display_type(name)
            # A column the migrations retyped to VARCHAR before the drop stores plain strings:
            # only drivers that cast parameters to the declared type break (asyncpg).
            live = [b for b in bindings if (b.table, b.column) not in model.plain_columns]
            binding = (live or bindings)[0]
            if live:
                yield self.finding(
                    drop.location,
                    f"`DROP TYPE {shown}` drops a type that `{binding.enum}` is still bound to",
                    help="remove or rebind the model column, or keep the type",
                    related=(Related(binding.location, f"`{binding.enum}` is stored in `{shown}` here"),),
                    enum=binding.enum,
                    db_type=shown,
                )
                continue
            yield self.finding(
                drop.location,
                f"`DROP TYPE {shown}` drops the type the model column of `{binding.enum}` still declares;"
                " the migrations made that column a VARCHAR",
                help="declare the column `native_enum=False` (or a String): asyncpg casts parameters"
                " to the declared type and fails, `metadata.create_all()` creates the type again",
                related=(Related(binding.location, f"`{binding.enum}` is declared as `{shown}` here"),),
                enum=binding.enum,
                db_type=shown,
                severity=Severity.WARNING,
            )
