"""Model in, findings out: a string used as a value of an enum type that the type does not have
(judged by the type as it was when the statement ran)."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Related, Severity
from enumguard.model import LiteralUse, Model, display_type
from enumguard.rules.base import Example, Rule
from enumguard.rules.suggest import closest_label


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
    finds = "`DEFAULT 'x'`, `'x'::t`, INSERT/UPDATE values, `server_default=` outside the type"
    unticks = "references"
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
            },
            title="literals judged by the type as it was when each statement ran",
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
            },
            title="a DEFAULT in another case and an UPDATE value the type lacks",
        ),
    )

    def check(self, model: Model) -> Iterator[Finding]:
        migration_uses = [lit for lit in model.literals if lit.after_op is not None]
        for lit, state in model.history.walk(migration_uses):
            labels = state.labels(lit.type_name)
            if labels is not None and lit.value not in labels:
                created = state.types[lit.type_name].location
                yield self._finding(lit, labels, created)
        for lit in model.literals:
            if lit.after_op is not None:
                continue
            db = model.db_enum(lit.type_name)
            if db is not None and db.certain and lit.value not in db.label_values:
                yield self._finding(lit, db.label_values, db.location)

    def _finding(self, lit: LiteralUse, labels: tuple[str, ...], created) -> Finding:
        shown = display_type(lit.type_name)
        close = closest_label(lit.value, labels)
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
