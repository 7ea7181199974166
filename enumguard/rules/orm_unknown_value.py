"""`orm-unknown-value`: a string application code sends as the value of an enum-typed column
(through SQLAlchemy or in raw SQL) that the column does not accept."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Related, Severity
from enumguard.model import Binding, ColumnValue, DbEnum, Model, display_type
from enumguard.rules import suggest
from enumguard.rules.base import Example, Rule

_MODELS = (
    "import enum\n\n"
    "import sqlalchemy as sa\n"
    "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
    "class Base(DeclarativeBase):\n"
    "    pass\n\n\n"
    "class JobState(enum.Enum):\n"
    '    QUEUED = "queued"\n'
    '    DONE = "done"\n\n\n'
    "class Job(Base):\n"
    '    __tablename__ = "jobs"\n'
    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    "    state: Mapped[JobState] = mapped_column(\n"
    '        sa.Enum(JobState, name="job_state", values_callable=lambda e: [m.value for m in e])\n'
    "    )\n"
)
_MIGRATION = (
    "CREATE TYPE job_state AS ENUM ('queued', 'done');\n"
    "CREATE TABLE jobs (id int PRIMARY KEY, state job_state NOT NULL);\n"
)

# Both examples: the jobs project, and app/queries.py that imports Job and sends it strings.
_JOBS = {"migrations/20240101000000_jobs.sql": _MIGRATION, "app/models.py": _MODELS}
_QUERIES_HEAD = "import sqlalchemy as sa\n\nfrom app.models import Job\n\n\n"


def _values_named_like(model: Model, db: DbEnum) -> tuple[str, ...]:
    """Values of the enums whose member names are exactly the type's labels."""
    labels = set(db.label_values)
    return tuple(
        m.value for e in model.enums if set(e.member_names) == labels for m in e.members if isinstance(m.value, str)
    )


class OrmUnknownValueRule(Rule):
    """Reports a string literal application code sends as the value of a column typed with a
    PostgreSQL enum when the column does not accept it: through SQLAlchemy (`Job.state == "x"`,
    `!=`, `.in_([...])`, `.notin_`, `Job(state="x")`, `job.state = "x"`, `filter_by(state="x")`,
    `update(Job).values(state="x")`, `insert(Job).values(...)`), or in raw SQL that application code
    runs (`text("...")`, `session.execute("...")`, `cursor.execute`, asyncpg's
    `conn.execute/fetch/fetchrow/fetchval`): a literal compared with or written to an enum column,
    or cast to an enum type.

    Through SQLAlchemy the column's binding decides what is accepted: `sa.Enum(E)` and `Mapped[E]`
    convert member names (so `"QUEUED"`, not `"queued"`, unless E is a `str` enum, whose members
    equal their values), `values_callable` converts values, and any other string goes to
    PostgreSQL unchanged, so it must be a label of the DB type. Raw SQL goes as written.
    Migrations are not application code: their SQL is checked by `sql-unknown-value`, against the
    type as it was when each statement ran; this rule judges application code by the final type.

    ## Why is this bad?
    PostgreSQL rejects the statement with `invalid input value for enum` (22P02); with
    `validate_strings=True` SQLAlchemy raises `LookupError` before sending it. Either way the query
    or write fails every time it runs, often on a path tests do not cover (or run on SQLite, which
    accepts any string).

    ## How to fix
    Use one of the accepted strings (the help names the closest), or better the enum member
    (`JobState.QUEUED`). When the only difference is case or a `_`/`-`/space separator, the
    finding carries the exact replacement.

    ## Known limitations
    Only where the column's type is certain: the class must be a mapped class enumguard reads
    (`__tablename__` or SQLModel's `table=True`, the attribute declared in its own body), the column
    bound to a DB enum type the migrations create, or typed with one by the migrations when the
    model's type is not readable (then a `str` enum whose names are the labels passes its values). Instances are followed only inside one function
    (a parameter annotated with the class, or a variable every assignment of which constructs it).
    Values built at run time (f-strings, variables, `.format`), Core `table.c.col` expressions,
    raw SQL built from pieces, and unqualified columns of a SQL statement that reads several
    tables are not checked.
    """

    name = "orm-unknown-value"
    severity = Severity.ERROR
    finds = (
        '`Job.status == "Queued"`, `Job(status=..)`, `filter_by`, `.values(..)`, raw SQL in application '
        "code: a string the enum column does not take"
    )
    unticks = "references"
    VALID = (
        Example(
            {
                **_JOBS,
                "app/queries.py": (
                    _QUERIES_HEAD + "def waiting(session, cursor):\n"
                    '    session.query(Job).filter(Job.state == "queued", Job.state.in_(["queued", "done"]))\n'
                    '    sa.update(Job).where(Job.id == 1).values(state="done")\n'
                    "    cursor.execute(\"UPDATE jobs SET state = 'done' WHERE state = 'queued'\")\n"
                    '    return Job(state="queued")\n'
                ),
            },
            title="labels of the type in every form, and the member itself",
        ),
    )
    INVALID = (
        Example(
            {
                **_JOBS,
                "app/queries.py": (
                    _QUERIES_HEAD + "def waiting(session, cursor, job: Job):\n"
                    '    session.query(Job).filter(Job.state == "Queued")  # expect: orm-unknown-value\n'
                    '    session.query(Job).filter_by(state="finished")  # expect: orm-unknown-value\n'
                    '    job.state = "DONE"  # expect: orm-unknown-value\n'
                    "    cursor.execute(\n"
                    "        \"SELECT id FROM jobs WHERE state = 'Queued'\"  # expect: orm-unknown-value\n"
                    "    )\n"
                ),
            },
            title="the title-case label in a filter, a filter_by, an assignment and raw SQL",
        ),
    )

    def check(self, model: Model) -> Iterator[Finding]:
        plain = model.plain_columns
        columns = {(c.table, c.column): c for c in model.columns}
        migrated = {key: c.type_name for key, c in columns.items() if c.doubt is None}
        bound: dict[tuple[str, str], set[Binding]] = {}
        for b in model.bindings:
            if b.table and b.column and b.db_type and not b.by_fallback:
                bound.setdefault((b.table, b.column), set()).add(b)
        for cv in model.column_values:
            key = (cv.table or "", cv.column or "")
            if key in plain or (key in columns and key not in migrated):
                continue  # a VARCHAR, or a column an unread statement may have retyped
            # The model is the evidence of a column's type only where no migration creates the
            # table (nor may have changed it unread): the migrations' columns are what exists.
            model_says = cv.table not in model.tables and model.table_doubt(cv.table or "") is None
            if cv.via == "sql":
                type_name = cv.type_name or migrated.get(key)
                if type_name is None and model_says:
                    types = {b.db_type for b in bound.get(key, ())}
                    type_name = next(iter(types)) if len(types) == 1 else None
                db = model.db_enum(type_name) if type_name else None
                if db is not None and db.certain and cv.value not in db.label_values:
                    yield self._finding(cv, db, db.label_values, None)
                continue
            bindings = bound.get(key, set())
            if not bindings and key in migrated:
                # The model's column type is not read (a helper, `*LABELS`), the migrations type
                # the column: SQLAlchemy passes strings through, except a str enum's values it
                # maps to member names, so those of an enum named like the labels pass too.
                db = model.db_enum(migrated[key])
                if db is not None and db.certain:
                    accepted = db.label_values + _values_named_like(model, db)
                    if cv.value not in accepted:
                        yield self._finding(cv, db, db.label_values, None)
                continue
            if len(bindings) != 1:
                continue
            binding = next(iter(bindings))
            if key in migrated and migrated[key] != binding.db_type:
                continue  # the migrations type the column otherwise: which one is real is unclear
            if key not in migrated and not model_says:
                continue  # the migrations create the table without this enum column
            db = model.db_enum(binding.db_type or "")
            if db is None or not db.certain:
                continue
            found = self._accepted(model, binding, db)
            if found is not None and cv.value not in found[0]:
                yield self._finding(cv, db, found[0], binding, found[1])

    @staticmethod
    def _accepted(model: Model, binding: Binding, db: DbEnum) -> tuple[tuple[str, ...], str] | None:
        """The strings the column accepts through SQLAlchemy and what they are, or None when
        they are not all known. SQLAlchemy's Enum converts the strings it knows (member names,
        or values with values_callable; a str enum's members equal their values, so its values
        too) and passes any other string to PostgreSQL unchanged: a DB label is accepted too."""
        if binding.stores == "labels":
            return binding.labels + db.label_values, "label"
        enum = model.enum(binding.enum)
        if enum is None or enum.open:
            return None
        names = enum.member_names
        values = tuple(m.value for m in enum.members if isinstance(m.value, str))
        str_enum = enum.kind == "StrEnum" or enum.kind.startswith("str+") or enum.api_open
        if binding.stores == "names":
            if str_enum:
                return names + values + db.label_values, "member name or value"
            return names + db.label_values, "member name"
        if binding.stores == "values":
            if not enum.values_known or len(values) != len(enum.members):
                return None
            return values + db.label_values, "member value"
        return names + values + db.label_values, "member name or value"

    def _finding(
        self, cv: ColumnValue, db: DbEnum, accepted: tuple[str, ...], binding: Binding | None, what: str = "label"
    ) -> Finding:
        shown = display_type(db.name)
        table = (cv.table or "").removeprefix("public.")
        column = f"`{table}.{cv.column}`" if cv.column else None
        if binding is not None and what != "label":
            enum = binding.enum.rpartition(".")[2]
            stores = "member names" if binding.stores == "names" else "member values"
            message = (
                f"`{cv.value}` is neither a {what} of `{enum}` nor a label of DB type `{shown}` "
                f"(column {column} stores {stores})"
            )
        elif column is not None:
            via = "raw SQL" if cv.via == "sql" else "SQLAlchemy"
            message = f"`{cv.value}` is not a label of DB type `{shown}` (column {column}, {via})"
        else:
            message = f"`{cv.value}` is not a label of DB type `{shown}` (cast in raw SQL)"
        unique = list(dict.fromkeys(accepted))
        close, certain = suggest.closest(cv.value, unique)
        help = (
            f"did you mean `{close}`? " if close else ""
        ) + f"the column accepts {suggest.listing(unique) or 'nothing'}"
        suggestion = None
        if close and certain and cv.quotes is not None and not any(c in close for c in "\\\n'\""):
            suggestion = f"{cv.quotes[0]}{close}{cv.quotes[1]}"
        related = [Related(db.location, f"DB type `{shown}` is created here")]
        if binding is not None:
            related.insert(0, Related(binding.location, f"column {column} is bound here"))
        return self.finding(
            cv.location,
            message,
            help=help,
            suggestion=suggestion,
            related=tuple(related),
            enum=binding.enum if binding is not None and binding.enum else None,
            value=cv.value,
            db_type=shown,
        )
