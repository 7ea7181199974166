"""Model in, findings out: a label the bound Python enum persists that its DB enum type lacks."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Fix, Severity
from enumguard.fixes.migration import add_value_sql, migration_text
from enumguard.link.pairs import compare
from enumguard.model import BoundPair, EnumOp, Model
from enumguard.rules.base import Example, Rule
from enumguard.rules.drift_text import VALUES_HINT, enum_id, subject, value_hint_fits
from enumguard.rules.example_parts import HEAD, INIT, JOBS_SQL, STORES_VALUES, status_job


def _renames(model: Model, pair: BoundPair, label: str, history) -> EnumOp | None:
    for op in model.ops:
        if op.kind == "rename_value" and op.label == label and history.final_name(op) == pair.db.name:
            return op
    return None


MISSING_IN_DB_VALID = (
    Example(
        {
            "app/models.py": status_job(
                """\
    QUEUED = "queued"
    DONE = "done"
""",
                STORES_VALUES,
            ),
            INIT: JOBS_SQL,
        },
        title="values_callable stores the values the DB type has",
    ),
    Example(
        {
            "app/models.py": status_job(
                """\
    queued = "queued"
    done = "done"
    cancelled = "cancelled"
""",
                'sa.Enum(Status, name="job_status", native_enum=False)',
            ),
            INIT: "CREATE TABLE jobs (id serial PRIMARY KEY, status varchar(9) NOT NULL);\n",
        },
        title="native_enum=False has no DB type to compare with",
    ),
)


MISSING_IN_DB_INVALID = (
    Example(
        {
            "app/models.py": status_job(
                """\
    queued = "queued"
    done = "done"
    cancelled = "cancelled"  # expect: missing-in-db
"""
            ),
            INIT: JOBS_SQL,
        },
        title="a member the DB type lacks",
    ),
    Example(
        {
            "app/models.py": HEAD
            + """
class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(sa.Enum("draft", "published", "archived", name="post_state"))  # expect: missing-in-db
""",
            INIT: """\
CREATE TYPE post_state AS ENUM ('draft', 'published');
CREATE TABLE posts (id serial PRIMARY KEY, state post_state NOT NULL);
""",
        },
        title="a string label of sa.Enum the DB type lacks",
    ),
    Example(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
            "migrations/env.py": "from alembic import context\n",
            "migrations/versions/0001_jobs.py": """\
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table("jobs", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("status", sa.Enum("queued", "done", name="job_status")))
""",
            "app/models.py": status_job(
                """\
    queued = "queued"
    running = "running"  # expect: missing-in-db
    done = "done"
"""
            ),
        },
        title="Alembic project: the fix is a revision whose ADD VALUE runs in autocommit_block()",
    ),
)


class MissingInDbRule(Rule):
    """Reports a label the bound Python enum persists that the DB enum type does not have.

    A Python enum is bound to a DB enum type by SQLAlchemy code (`sa.Enum(E, name="t")`,
    `postgresql.ENUM(...)`, `Mapped[E]`, `type_annotation_map`), by `[tool.enumguard.bindings]`,
    or by a type of the same name (ignoring case and underscores). SQLAlchemy writes member
    NAMES unless `values_callable` is given; enumguard models that exactly. The DB labels come
    from replaying the migrations (or from a live database in `enumguard audit --database-url`).

    ## Why is this bad?

    Writing that member fails at run time with `invalid input value for enum t: "x"`, and
    reading a row never yields it: the code handles a state the database cannot hold.

    ## How to fix

    Add the label in a migration (`ALTER TYPE t ADD VALUE 'x';`), or remove the member. When
    the DB holds the member *values*, store values: `values_callable=lambda e: [m.value for m in e]`.

    The finding carries that migration as its fix (JSON `"fix": {"kind": "migration", ...}`,
    shown under the finding in the PR comment), written in the style of the migrations the
    type already has: a SQL file body, or an Alembic revision whose `op.execute(...)` runs in
    `op.get_context().autocommit_block()` when PostgreSQL is older than 12 or when Alembic runs
    the whole upgrade in one transaction (no `transaction_per_migration`), so that a later
    revision writing the label does not fail with 55P04. The label goes `BEFORE` the next label
    of the Python enum the type already has (at the end when none follows): applied in the
    enum's order, several new labels keep it. The type name and label are quoted as
    PostgreSQL needs (schema-qualified, reserved words and mixed case in double quotes).
    No migration is offered when a migration renamed the label, or when storing the member
    values would fit.

    `enumguard fix --write` creates the migration as a new file, one per DB type (JSON
    `"fix": {..., "path": ...}` names it): an Alembic revision on the head of the branch that last
    changed the type, in its versions folder, through the project's `script.py.mako` and
    `file_template`; or the next Supabase, Flyway or numbered SQL file. When the place is not
    certain (several unmerged heads, a revision enumguard could not read, SQL files without a
    numbered scheme) it writes nothing and says why.

    ## Known limitations

    A binding whose type no migration creates (or a `native_enum=False` column) has no DB type
    to compare with and is not checked. A link made only by name is checked only when names or
    values clearly match most DB labels.
    """

    name = "missing-in-db"
    severity = Severity.ERROR
    finds = "a label the Python enum stores that the DB type lacks"
    verifies = "drift"
    VALID = MISSING_IN_DB_VALID
    INVALID = MISSING_IN_DB_INVALID

    def check(self, model: Model) -> Iterator[Finding]:
        history = model.history
        for pair in model.pairs:
            for p in compare(pair).missing_in_db:
                help = f"add it: `ALTER TYPE {pair.db_name} ADD VALUE '{p.label}';` or remove the member"
                renamed = _renames(model, pair, p.label, history)
                fix = None
                if renamed is not None:
                    help = f"a migration renamed `{p.label}` to `{renamed.new_label}` ({renamed.location})"
                elif value_hint_fits(pair, p.member):
                    help = VALUES_HINT
                elif pair.db.source == "migrations":
                    fix = _add_value_fix(model, pair, p.label)
                    statement = add_value_sql(pair.db.name, p.label, _order(pair), pair.db.label_values)
                    help = f"add it in a new migration: `{statement};`, or remove the member"
                yield self.finding(
                    p.location,
                    f"{subject(pair, p)} persists `{p.label}` but {pair.db_side} has no such label",
                    help=help,
                    related=(pair.related_db(), pair.related_binding()),
                    enum=enum_id(pair),
                    member=p.member,
                    value=p.label,
                    db_type=pair.db_name,
                    fix=fix,
                )


def _order(pair: BoundPair) -> tuple[str, ...]:
    return tuple(p.label for p in pair.persisted)


def _add_value_fix(model: Model, pair: BoundPair, label: str) -> Fix:
    style, text = migration_text(model, pair.db.name, pair.db.location.path, label, _order(pair), pair.db.label_values)
    return Fix("migration", text=text, style=style)
