"""Parse problems in, findings out: a Python file that does not parse."""

from __future__ import annotations

from enumguard.finding import Severity
from enumguard.rules.base import Example, ProblemRule


class SyntaxErrorRule(ProblemRule):
    """Reports a Python file that libcst cannot parse; the rest of the repository is still checked.

    ## Why is this bad?
    enumguard cannot see enum classes or member references in a file it cannot parse, so bugs
    in that file go unreported.

    ## How to fix
    Fix the syntax error the message points at. If the file is not meant to be Python (a
    template, a fixture), exclude it with `exclude = ["path/**"]` in `[tool.enumguard]`.
    """

    name = "syntax-error"
    severity = Severity.WARNING
    finds = "a Python file enumguard could not parse"
    verifies = "parsing"
    VALID = (Example({"app/ok.py": "x = 1\n"}, title="a file that parses"),)
    INVALID = (
        Example({"app/broken.py": "def f(:  # expect: syntax-error\n    pass\n"}, title="a file that does not parse"),
    )
