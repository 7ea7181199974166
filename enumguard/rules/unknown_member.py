"""Model in, findings out: `E.x`, `E["x"]`, `getattr(E, "x")` naming a member the enum does not define."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Fix, Related, Severity
from enumguard.model import Model
from enumguard.rules.base import Example, Rule
from enumguard.rules.example_parts import STATUS_PACKAGE
from enumguard.rules.expected_errors import deliberate
from enumguard.rules.suggest import closest, display, listing, quoted


def _is_special(name: str) -> bool:
    return name.startswith("__") or (len(name) > 2 and name.startswith("_") and name.endswith("_"))


class UnknownMemberRule(Rule):
    """Reports a reference to an enum member that the enum class does not define.

    Covers `E.x`, `module.E.x`, import aliases, re-exports through `__init__.py`, relative
    imports, `E["x"]` and `getattr(E, "x")`. Methods, properties and the enum API (`value`,
    `name`, `__members__`, ...) are not members and are not reported, nor is a reference written
    to fail: inside `pytest.raises(...)` / `self.assertRaises(...)`, or inside a `try` whose
    handler names the error it raises (`AttributeError`, `KeyError`/`LookupError` for `E["x"]`).
    A catch-all (`except:`, `except Exception`) does not count: it hides the bug, it does not
    make it deliberate.

    ## Why is this bad?
    Python raises `AttributeError` (or `KeyError`) only when the line runs. In a comparison such as
    `status not in [E.submitted, E.Completed]` the whole list fails at run time, often in a
    background job where nobody sees it until every job has failed.

    ## How to fix
    Use the member the enum defines; the help names the closest one. When exactly one member
    differs only by case or separators (`_`, `-`, space, `.`), that replacement is certain: the
    finding carries it as an edit fix (JSON `"fix": {"kind": "edit", "replacement": ...}`), the
    PR comment and review show it, and `enumguard fix --write` applies it (for `E["x"]` and
    `getattr(E, "x")` the string literal is rewritten, keeping its quotes).

    ## Known limitations
    Names enumguard cannot resolve with confidence (dynamic imports, a module-level name bound
    more than once, enums with a custom metaclass or an unreadable base) are not checked.
    """

    name = "unknown-member"
    severity = Severity.ERROR
    finds = '`E.Completed` when `E` has no such member (with "did you mean" when one is close)'
    verifies = "references"
    VALID = (
        Example(
            {
                **STATUS_PACKAGE,
                "app/jobs.py": "from app.models import Status\n\n\n"
                "def final(s: Status) -> bool:\n"
                '    return s in (Status.done, Status["pending"]) or Status.done.value == "done"\n\n\n'
                "LABELS = {m.name: m.value for m in Status.__members__.values()}\n"
                'ok = Status.parse("DONE").is_final and getattr(Status, "pending")\n',
            },
            title="members, API names, subscripts and getattr of an enum with a property and a classmethod",
        ),
        Example(
            {
                **STATUS_PACKAGE,
                "app/view.py": "from app import models\n\n\n"
                "def show(Status: str) -> str:\n"
                "    return Status.upper() + models.Status.pending.value\n",
            },
            title="a parameter that shadows the enum's name is not the enum",
        ),
        Example(
            {
                **STATUS_PACKAGE,
                "tests/test_status.py": "import pytest\n\nfrom app.models import Status\n\n\n"
                "def test_unknown_name_is_refused():\n"
                "    with pytest.raises(KeyError):\n"
                '        Status["archived"]\n'
                "    try:\n"
                '        getattr(Status, "archived")\n'
                "    except (TypeError, AttributeError):\n"
                "        pass\n",
            },
            title="names written to fail: in pytest.raises and a try that handles AttributeError",
        ),
    )
    INVALID = (
        Example(
            {
                **STATUS_PACKAGE,
                "app/jobs.py": "from app.models import Status as S\n\n"
                "DONE = [S.done, S.Completed]  # expect: unknown-member\n"
                'FAILED = S["failed"]  # expect: unknown-member\n'
                'PENDING = getattr(S, "Pending")  # expect: unknown-member\n',
            },
            title="attribute, subscript and getattr naming members the enum lacks",
        ),
        Example(
            {
                "app/__init__.py": "",
                "app/events.py": "import enum\n\n\nclass Event:\n    class Kind(enum.IntEnum):\n"
                "        opened = enum.auto()\n        closed = enum.auto()\n",
                "app/feed.py": "from .events import Event\n\nOPEN = Event.Kind.open  # expect: unknown-member\n",
            },
            title="a nested enum reached through its class",
        ),
        Example(
            {
                **STATUS_PACKAGE,
                "app/jobs.py": "from app.models import Status\n\n\n"
                "def finish(job):\n"
                "    try:\n"
                "        job.status = Status.Done  # expect: unknown-member\n"
                "    except Exception:\n"
                "        job.status = None\n",
            },
            title="a catch-all except does not make a misspelt member deliberate",
        ),
        Example(
            {
                "app/stage.py": "import enum\n\n\nclass Stage(enum.Enum):\n    in_review = 1\n    merged = 2\n\n\n"
                "NEXT = Stage.InReview  # expect: unknown-member\n",
            },
            title="only the separators differ: `enumguard fix` rewrites it to Stage.in_review",
        ),
    )

    def check(self, model: Model) -> Iterator[Finding]:
        for ref in model.references:
            if ref.form == "call":
                continue
            enum = model.enum(ref.enum)
            if enum is None or enum.open or ref.member in enum.member_names or deliberate(ref):
                continue
            if ref.form != "subscript" and (enum.api_open or ref.member in enum.api_names or _is_special(ref.member)):
                continue
            shown = display(enum)
            best, certain = closest(ref.member, enum.member_names)
            written = f"{shown}.{ref.member}" if ref.form != "subscript" else f'{shown}["{ref.member}"]'
            suggestion = fix = None
            if best is not None and certain:
                # The token at the location: the attribute name, or the string literal of
                # E["x"] / getattr(E, "x") (its quotes are kept when the fix is applied).
                suggestion = best if ref.form == "attribute" else quoted(best)
                end = ref.location.column + len(ref.member) if ref.form == "attribute" else None
                fix = Fix("edit", replacement=suggestion, end_column=end)
            yield self.finding(
                ref.location,
                f"`{written}` is not a member of `{shown}`",
                help=(
                    f"did you mean `{best}`?"
                    if best
                    else f"`{shown}` defines {listing(enum.member_names)}"
                    if enum.member_names
                    else f"`{shown}` has no members"
                ),
                suggestion=suggestion,
                fix=fix,
                related=(Related(enum.location, f"`{shown}` is defined here"),),
                enum=enum.qualname,
                member=ref.member,
            )
