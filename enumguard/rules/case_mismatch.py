"""Model in, findings out: a persisted label the DB enum type holds only in another case."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Related, Severity
from enumguard.link.pairs import compare
from enumguard.model import BoundPair, Model, Persisted
from enumguard.rules.base import Example, Rule
from enumguard.rules.drift_text import VALUES_HINT, enum_id, subject, values_would_fit
from enumguard.rules.example_parts import INIT, JOBS_SQL, STORES_VALUES, status_job


def _case_help(pair: BoundPair, p: Persisted, label: str) -> str:
    rename_db = f"`ALTER TYPE {pair.db_name} RENAME VALUE '{label}' TO '{p.label}';`"
    if pair.enum is None or p.member is None:
        return f"write `'{label}'` in the `sa.Enum(...)`, or rename the DB label: {rename_db}"
    member = pair.enum.member(p.member)
    stores_value = pair.binding.stores == "values" or (
        pair.binding.stores != "names" and member is not None and member.value == p.label
    )
    if stores_value:
        return f"set the value of `{pair.enum.name}.{p.member}` to `'{label}'`, or rename the DB label: {rename_db}"
    return f"rename the member to `{label}`, or rename the DB label: {rename_db}"


CASE_MISMATCH_VALID = (
    Example(
        {
            "app/models.py": status_job(
                """\
    Queued = "queued"
    Done = "done"
""",
                STORES_VALUES,
            ),
            INIT: JOBS_SQL,
        },
        title="title-case names, lower-case values stored with values_callable",
    ),
)


CASE_MISMATCH_INVALID = (
    Example(
        {
            "app/models.py": status_job(
                """\
    queued = "Queued"  # expect: case-mismatch
    done = "Done"  # expect: case-mismatch
""",
                STORES_VALUES,
            ),
            INIT: JOBS_SQL,
        },
        title="title-case values stored into a lower-case type",
    ),
    Example(
        {
            "app/models.py": status_job(
                """\
    QUEUED = "queued"  # expect: case-mismatch
    DONE = "done"  # expect: case-mismatch
"""
            ),
            INIT: JOBS_SQL,
        },
        title="upper-case names stored (SQLAlchemy's default) into a lower-case type",
    ),
)


class CaseMismatchRule(Rule):
    """Reports a label the Python enum persists that the DB type holds only in another case.

    Reported instead of `missing-in-db` and `missing-in-code` for that pair of labels.

    ## Why is this bad?

    PostgreSQL compares enum labels case-sensitively: `'Completed'` is not `'completed'`, so every
    write of the member fails and every read of the row fails. This is how a title-case enum
    (`Queued, Completed`) breaks against a lower-case type (`queued, completed`).

    ## How to fix

    Make the persisted label match exactly: rename the member (or its value when
    `values_callable` stores values), or rename the DB label
    (`ALTER TYPE t RENAME VALUE 'completed' TO 'Completed';`).
    """

    name = "case-mismatch"
    severity = Severity.ERROR
    finds = "`Queued` in Python, `queued` in PostgreSQL"
    verifies = "drift"
    VALID = CASE_MISMATCH_VALID
    INVALID = CASE_MISMATCH_INVALID

    def check(self, model: Model) -> Iterator[Finding]:
        for pair in model.pairs:
            for p, label in compare(pair).case_only:
                yield self.finding(
                    p.location,
                    f"{subject(pair, p)} persists `{p.label}` but {pair.db_side} has `{label.value}`: "
                    "they differ only by case",
                    help=VALUES_HINT if values_would_fit(pair) else _case_help(pair, p, label.value),
                    related=(Related(label.location, f"label `{label.value}` is added here"), pair.related_binding()),
                    enum=enum_id(pair),
                    member=p.member,
                    value=p.label,
                    db_type=pair.db_name,
                )
