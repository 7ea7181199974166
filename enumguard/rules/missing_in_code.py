"""Model in, findings out: a DB enum label the bound Python enum does not persist."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Related, Severity
from enumguard.link.pairs import compare
from enumguard.model import Model
from enumguard.rules.base import Example, Rule
from enumguard.rules.drift_text import enum_id, subject, values_behind_names
from enumguard.rules.example_parts import ANNOTATED_JOB, HEAD, INIT, LATER


def _status_example(members: str, later: str, title: str) -> Example:
    """`status` created with 'queued', 'done'; `later` adds 'archived'; the enum has `members`."""
    return Example(
        {
            "app/models.py": HEAD + "\nclass Status(str, enum.Enum):\n" + members + ANNOTATED_JOB,
            INIT: """\
CREATE TYPE status AS ENUM ('queued', 'done');
CREATE TABLE jobs (id serial PRIMARY KEY, status status NOT NULL);
""",
            LATER: later,
        },
        title=title,
    )


MISSING_IN_CODE_VALID = (
    _status_example(
        """\
    queued = "queued"
    done = "done"
    archived = "archived"
""",
        "ALTER TYPE status ADD VALUE 'archived';\n",
        title="a label added by a later migration that the enum also has",
    ),
)


MISSING_IN_CODE_INVALID = (
    _status_example(
        """\
    queued = "queued"
    done = "done"
""",
        "ALTER TYPE status ADD VALUE 'archived';  -- expect: missing-in-code\n",
        title="a label added by a later migration that the enum lacks",
    ),
)


class MissingInCodeRule(Rule):
    """Reports a DB enum label that the bound Python enum does not persist.

    The finding sits on the migration line that added the label; the Python enum is named
    in the related locations. A label that is the value of a member whose *name* is stored
    instead (no `values_callable`) is one problem, reported by `missing-in-db` at the member.

    ## Why is this bad?

    Reading a row that holds the label fails in SQLAlchemy (`LookupError: 'x' is not among the
    defined enum values`), and code cannot write or compare against that state.

    ## How to fix

    Add a member that persists the label, or drop the label in a migration if no row uses it.

    ## Known limitations

    Bindings made only by name are checked only when they clearly match; see `missing-in-db`.
    """

    name = "missing-in-code"
    severity = Severity.WARNING
    finds = "a DB label the bound Python enum does not store"
    verifies = "drift"
    VALID = MISSING_IN_CODE_VALID
    INVALID = MISSING_IN_CODE_INVALID

    def check(self, model: Model) -> Iterator[Finding]:
        for pair in model.pairs:
            explained = values_behind_names(pair)
            for label in compare(pair).missing_in_code:
                if label.value in explained:
                    continue
                where = pair.enum.location if pair.enum is not None else pair.binding.location
                yield self.finding(
                    label.location,
                    f"{pair.db_side} has label `{label.value}` that {subject(pair, None)} does not persist",
                    help=(
                        f"add a member for `{label.value}` to `{pair.enum_name}`"
                        if pair.enum is not None
                        else f"add `'{label.value}'` to the labels of the `sa.Enum(...)`"
                    ),
                    related=(Related(where, f"`{pair.enum_name}` is defined here"), pair.related_binding()),
                    enum=enum_id(pair),
                    value=label.value,
                    db_type=pair.db_name,
                )
