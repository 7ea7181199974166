"""Model in, findings out: code still using a DB enum label that a migration renamed."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Related, Severity
from enumguard.link.pairs import values_of
from enumguard.model import Model, display_type
from enumguard.rules.base import Example, Rule
from enumguard.rules.example_parts import INIT, LATER, status_job

# Both examples: the type has `canceled`, a later migration renames it to `cancelled`.
_MIGRATIONS = {
    INIT: "CREATE TYPE job_status AS ENUM ('queued', 'canceled');\n"
    "CREATE TABLE jobs (id serial PRIMARY KEY, status job_status NOT NULL);\n",
    LATER: "ALTER TYPE job_status RENAME VALUE 'canceled' TO 'cancelled';\n",
}


RENAMED_VALID = (
    Example(
        {
            "app/models.py": status_job(
                """\
    queued = "queued"
    cancelled = "cancelled"
"""
            ),
            "app/jobs.py": """\
from app.models import Status


def cancel(job):
    job.status = Status.cancelled
""",
            **_MIGRATIONS,
        },
        title="code uses the label a migration renamed to",
    ),
)


RENAMED_INVALID = (
    Example(
        {
            "app/models.py": status_job(
                """\
    queued = "queued"
    canceled = "canceled"  # expect: missing-in-db
"""
            ),
            "app/jobs.py": """\
from app.models import Status


def cancel(job):
    job.status = Status.canceled  # expect: enum-value-renamed
""",
            **_MIGRATIONS,
            LATER: "ALTER TYPE job_status RENAME VALUE 'canceled' TO 'cancelled';  -- expect: missing-in-code\n",
        },
        title="code still uses the label a migration renamed",
    ),
)


class EnumValueRenamedRule(Rule):
    """Reports code that still uses a DB enum label that a migration renamed.

    After `ALTER TYPE t RENAME VALUE 'a' TO 'b'`, a reference to a member that persists `a`
    (in an enum bound to `t`) still writes or compares the old label. One finding per renamed
    member, at its first use in code, with the other uses as related locations; the member's
    definition gets `missing-in-db`, and the new label `b`, which no member persists, gets
    `missing-in-code` (reading a row that holds it fails). A literal `'a'` used as a value of `t` afterwards (a `server_default=`, a
    later migration) is `sql-unknown-value`.

    ## Why is this bad?

    The label no longer exists: writes fail with `invalid input value for enum`, and
    comparisons against rows never match.

    ## How to fix

    Use the new label: rename the member (or its value), and update the literals.
    """

    name = "enum-value-renamed"
    severity = Severity.WARNING
    finds = "code still using a label a migration renamed"
    verifies = "drift"
    VALID = RENAMED_VALID
    INVALID = RENAMED_INVALID

    def check(self, model: Model) -> Iterator[Finding]:
        pairs, history = model.pairs, model.history
        for op in model.ops:
            if op.kind != "rename_value" or op.label is None:
                continue
            final = history.final_name(op)
            db = model.db_enum(final)
            if db is None or db.label(op.label) is not None:
                continue
            shown = display_type(final)
            related = (Related(op.location, f"`{op.label}` is renamed to `{op.new_label}` here"),)
            for pair in pairs:
                if pair.db.name != final or pair.enum is None:
                    continue
                members = {p.member for p in pair.persisted if p.label == op.label and p.member}
                by_value = {v.label: v.member for v in values_of(pair.enum) or ()}
                uses: dict[str, list] = {}
                for ref in model.references:
                    if ref.enum != pair.enum.qualname:
                        continue
                    member = by_value.get(ref.member) if ref.form == "call" else ref.member
                    if member in members:
                        uses.setdefault(member, []).append(ref.location)
                # One finding per renamed member, at its first use; the other uses are related.
                for member, locations in sorted(uses.items()):
                    first, *others = sorted(locations)
                    more = f" ({len(locations)} uses in code)" if others else ""
                    yield self.finding(
                        first,
                        f"`{pair.enum.name}.{member}` persists `{op.label}`, which a migration renamed "
                        f"to `{op.new_label}` in DB type `{shown}`{more}",
                        help=f"persist `{op.new_label}` instead",
                        related=related
                        + tuple(Related(loc, f"`{pair.enum.name}.{member}` is also used here") for loc in others[:9]),
                        enum=pair.enum.qualname,
                        member=member,
                        value=op.label,
                        db_type=shown,
                    )
