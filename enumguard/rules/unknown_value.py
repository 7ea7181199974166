"""Model in, findings out: `E("v")` with a value no member of the enum has."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Related, Severity
from enumguard.model import Model
from enumguard.rules.base import Example, Rule
from enumguard.rules.example_parts import STATUS_PACKAGE
from enumguard.rules.expected_errors import deliberate
from enumguard.rules.suggest import closest, display, listing, quoted


class UnknownValueRule(Rule):
    """Reports `E(value)` with a literal that is not the value of any member of `E`.

    ## Why is this bad?
    `E("Completed")` raises `ValueError` at run time when no member has that value. A common
    cause is passing a member *name* where the value is expected, or a value whose case changed.

    ## How to fix
    Pass one of the enum's values, or look the member up by name with `E["name"]`. When exactly
    one value differs only by case or separators, `enumguard fix --write` rewrites the literal
    (keeping its quotes and prefix).

    A call written to fail is not reported: inside `pytest.raises(...)`, `self.assertRaises(...)`
    or `with raises(...)`, or in a `try` whose handler names `ValueError` (alone or in a tuple);
    a catch-all (`except:`, `except Exception`) does not count.

    ## Known limitations
    Not checked when a value of the enum is computed (a custom `__new__`, a function call), when
    the enum defines `_missing_` (it may accept other values), and for `Flag` enums (combined
    values are valid).
    """

    name = "unknown-value"
    severity = Severity.ERROR
    finds = '`E("Completed")` when no member has that value'
    verifies = "references"
    VALID = (
        Example(
            {
                **STATUS_PACKAGE,
                "app/jobs.py": 'from app.models import Status\n\nFIRST = Status("pending")\n',
                "app/codes.py": "import enum\n\n\nclass Code(enum.Enum):\n    ok = 200\n    gone = 410\n\n"
                "    @classmethod\n    def _missing_(cls, value):\n        return cls.gone\n\n\nX = Code(404)\n",
            },
            title="a value the enum has, and an enum whose _missing_ accepts anything",
        ),
        Example(
            {
                **STATUS_PACKAGE,
                "app/parse.py": "from app.models import Status\n\n\n"
                "def parse(text):\n"
                "    try:\n"
                '        return Status("Done")\n'
                "    except (KeyError, ValueError):\n"
                "        return None\n",
                "tests/test_parse.py": "import unittest\n\nfrom app.models import Status\n\n\n"
                "class T(unittest.TestCase):\n"
                "    def test_bad_value(self):\n"
                "        with self.assertRaises(ValueError):\n"
                '            Status("nope")\n',
            },
            title="values written to fail: a try that handles ValueError and assertRaises",
        ),
    )
    INVALID = (
        Example(
            {
                **STATUS_PACKAGE,
                "app/jobs.py": 'from app.models import Status\n\nLAST = Status("Done")  # expect: unknown-value\n',
            },
            title="a value that differs from a member's only by case",
        ),
        Example(
            {
                "app/level.py": "from enum import IntEnum, auto\n\n\nclass Level(IntEnum):\n"
                "    low = auto()\n    high = auto()\n\n\nTOP = Level(3)  # expect: unknown-value\n",
            },
            title="an IntEnum value past the last auto()",
        ),
        Example(
            {
                **STATUS_PACKAGE,
                "app/parse.py": "from app.models import Status\n\n\n"
                "def parse():\n"
                "    try:\n"
                '        return Status("Done")  # expect: unknown-value\n'
                "    except KeyError:\n"
                "        return None\n",
            },
            title="a handler for another error than the ValueError the call raises",
        ),
        Example(
            {
                "app/stage.py": 'import enum\n\n\nclass Stage(str, enum.Enum):\n    in_review = "in-review"\n\n\n'
                'NEXT = Stage("In_Review")  # expect: unknown-value\n',
            },
            title='only case and separators differ: `enumguard fix` rewrites it to Stage("in-review")',
        ),
    )

    def check(self, model: Model) -> Iterator[Finding]:
        for ref in model.references:
            if ref.form != "call" or deliberate(ref):
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
                help_text = f"did you mean `{fixed!r}`?"
            elif isinstance(ref.literal, str) and ref.literal in names:
                help_text = f"`{text}` is a member name: use `{shown}[{text}]` or `{shown}.{ref.literal}`"
            else:
                by_text = {str(v): v for v in values}
                best, _ = closest(str(ref.literal), tuple(by_text))
                help_text = (
                    f"did you mean `{by_text[best]!r}`?"
                    if best is not None
                    else f"`{shown}` accepts {listing([repr(v) for v in values])}"
                )
            yield self.finding(
                ref.location,
                f"`{text}` is not a value of `{shown}`",
                help=help_text,
                suggestion=suggestion,
                related=(Related(enum.location, f"`{shown}` is defined here"),),
                enum=enum.qualname,
                value=str(ref.literal),
            )
