"""Rules on Python references to enum members: `E.x`, `E["x"]`, `getattr(E, "x")` naming a member
the enum does not define (unknown-member), and `E("v")` with a value it does not have (unknown-value)."""

from __future__ import annotations

import difflib
import json
from typing import Iterator

from enumguard.finding import Finding, Fix, Related, Severity
from enumguard.model import EnumClass, Model
from enumguard.rules.base import Example, Rule

_MODELS = '''import enum


class Status(str, enum.Enum):
    pending = "pending"
    done = "done"

    @property
    def is_final(self) -> bool:
        return self is Status.done

    @classmethod
    def parse(cls, text: str) -> "Status":
        return cls(text.lower())
'''


def display(enum: EnumClass) -> str:
    """`Event.Kind` for a nested enum, the class name otherwise."""
    prefix = f"{enum.module}." if enum.module else ""
    return enum.qualname[len(prefix) :] if enum.qualname.startswith(prefix) else enum.name


def _is_special(name: str) -> bool:
    return name.startswith("__") or (len(name) > 2 and name.startswith("_") and name.endswith("_"))


def _fold(name: str) -> str:
    """`In-Progress`, `in_progress`, `IN PROGRESS` -> `inprogress`: case and separators dropped."""
    return "".join(ch for ch in name.lower() if ch not in "_- .")


def closest(name: str, candidates: tuple[str, ...]) -> tuple[str | None, bool]:
    """(the best replacement, whether it is certain): the one candidate that differs only by
    case or separators (`_`, `-`, space, `.`) is certain; otherwise the closest name by
    difflib, if any."""
    folded = [c for c in candidates if _fold(c) == _fold(name)]
    if len(folded) == 1:
        return folded[0], True
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.0)
    if not close:
        close = difflib.get_close_matches(name.lower(), [c.lower() for c in candidates], n=1, cutoff=0.0)
        close = [c for c in candidates if c.lower() in close][:1]
    return (close[0] if close else None), False


def quoted(text: str) -> str:
    """A double-quoted Python string literal of `text`, on one line (JSON's escapes are Python's)."""
    return json.dumps(text, ensure_ascii=False)


class UnknownMemberRule(Rule):
    """Reports a reference to an enum member that the enum class does not define.

    Covers `E.x`, `module.E.x`, import aliases, re-exports through `__init__.py`, relative
    imports, `E["x"]` and `getattr(E, "x")`. Methods, properties and the enum API (`value`,
    `name`, `__members__`, ...) are not members and are not reported.

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
    VALID = (
        Example(
            {
                "app/__init__.py": "",
                "app/models.py": _MODELS,
                "app/jobs.py": "from app.models import Status\n\n\n"
                "def final(s: Status) -> bool:\n"
                "    return s in (Status.done, Status[\"pending\"]) or Status.done.value == \"done\"\n\n\n"
                "LABELS = {m.name: m.value for m in Status.__members__.values()}\n"
                "ok = Status.parse(\"DONE\").is_final and getattr(Status, \"pending\")\n",
            }
        ),
        Example(
            {
                "app/__init__.py": "",
                "app/models.py": _MODELS,
                "app/view.py": "from app import models\n\n\n"
                "def show(Status: str) -> str:\n"
                "    return Status.upper() + models.Status.pending.value\n",
            }
        ),
    )
    INVALID = (
        Example(
            {
                "app/__init__.py": "",
                "app/models.py": _MODELS,
                "app/jobs.py": "from app.models import Status as S\n\n"
                "DONE = [S.done, S.Completed]  # expect: unknown-member\n"
                "FAILED = S[\"failed\"]  # expect: unknown-member\n"
                "PENDING = getattr(S, \"Pending\")  # expect: unknown-member\n",
            }
        ),
        Example(
            {
                "app/__init__.py": "",
                "app/events.py": "import enum\n\n\nclass Event:\n    class Kind(enum.IntEnum):\n"
                "        opened = enum.auto()\n        closed = enum.auto()\n",
                "app/feed.py": "from .events import Event\n\nOPEN = Event.Kind.open  # expect: unknown-member\n",
            }
        ),
        Example(
            {
                "app/stage.py": "import enum\n\n\nclass Stage(enum.Enum):\n    in_review = 1\n    merged = 2\n\n\n"
                "# only the separators differ: `enumguard fix` rewrites it to Stage.in_review\n"
                "NEXT = Stage.InReview  # expect: unknown-member\n",
            }
        ),
    )

    def check(self, model: Model) -> Iterator[Finding]:
        for ref in model.references:
            if ref.form == "call":
                continue
            enum = model.enum(ref.enum)
            if enum is None or enum.open or ref.member in enum.member_names:
                continue
            if ref.form != "subscript" and (
                enum.api_open or ref.member in enum.api_names or _is_special(ref.member)
            ):
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
                help=f"did you mean `{best}`?" if best else f"`{shown}` has no members",
                suggestion=suggestion,
                fix=fix,
                related=(Related(enum.location, f"`{shown}` is defined here"),),
                enum=enum.qualname,
                member=ref.member,
            )


class UnknownValueRule(Rule):
    """Reports `E(value)` with a literal that is not the value of any member of `E`.

    ## Why is this bad?
    `E("Completed")` raises `ValueError` at run time when no member has that value. A common
    cause is passing a member *name* where the value is expected, or a value whose case changed.

    ## How to fix
    Pass one of the enum's values, or look the member up by name with `E["name"]`. When exactly
    one value differs only by case or separators, `enumguard fix --write` rewrites the literal
    (keeping its quotes and prefix).

    ## Known limitations
    Not checked when a value of the enum is computed (a custom `__new__`, a function call), when
    the enum defines `_missing_` (it may accept other values), and for `Flag` enums (combined
    values are valid).
    """

    name = "unknown-value"
    severity = Severity.ERROR
    VALID = (
        Example(
            {
                "app/__init__.py": "",
                "app/models.py": _MODELS,
                "app/jobs.py": "from app.models import Status\n\nFIRST = Status(\"pending\")\n",
                "app/codes.py": "import enum\n\n\nclass Code(enum.Enum):\n    ok = 200\n    gone = 410\n\n"
                "    @classmethod\n    def _missing_(cls, value):\n        return cls.gone\n\n\nX = Code(404)\n",
            }
        ),
    )
    INVALID = (
        Example(
            {
                "app/__init__.py": "",
                "app/models.py": _MODELS,
                "app/jobs.py": "from app.models import Status\n\n"
                "LAST = Status(\"Done\")  # expect: unknown-value\n",
            }
        ),
        Example(
            {
                "app/stage.py": "import enum\n\n\nclass Stage(str, enum.Enum):\n    in_review = \"in-review\"\n\n\n"
                "# only case and separators differ: `enumguard fix` rewrites it to Stage(\"in-review\")\n"
                "NEXT = Stage(\"In_Review\")  # expect: unknown-value\n",
            }
        ),
        Example(
            {
                "app/level.py": "from enum import IntEnum, auto\n\n\nclass Level(IntEnum):\n"
                "    low = auto()\n    high = auto()\n\n\nTOP = Level(3)  # expect: unknown-value\n",
            }
        ),
    )

    def check(self, model: Model) -> Iterator[Finding]:
        for ref in model.references:
            if ref.form != "call":
                continue
            enum = model.enum(ref.enum)
            if (
                enum is None
                or enum.open
                or enum.api_open
                or not enum.members
                or not enum.values_known
                or "_missing_" in enum.api_names
                or "Flag" in enum.kind
            ):
                continue
            values = [m.value for m in enum.members]
            if any(ref.literal == v and type(ref.literal) in (type(v), bool, int) for v in values):
                continue
            shown = display(enum)
            text = repr(ref.literal)
            names = enum.member_names
            suggestion = None
            strings = tuple(v for v in values if isinstance(v, str))
            fixed, certain = closest(ref.literal, strings) if isinstance(ref.literal, str) else (None, False)
            if fixed is not None and certain:
                suggestion = quoted(fixed)
                help_text = f"did you mean `{fixed!r}`? it differs only by case or separators"
            elif isinstance(ref.literal, str) and ref.literal in names:
                help_text = f"`{text}` is a member name: use `{shown}[{text}]` or `{shown}.{ref.literal}`"
            else:
                shown_values = [repr(v) for v in values]
                best, _ = closest(text, tuple(shown_values))
                help_text = f"did you mean `{best}`?" if best else ""
            yield self.finding(
                ref.location,
                f"`{text}` is not a value of `{shown}`",
                help=help_text,
                suggestion=suggestion,
                related=(Related(enum.location, f"`{shown}` is defined here"),),
                enum=enum.qualname,
                value=str(ref.literal),
            )
