"""Rules for input enumguard could not read: a Python file that does not parse, SQL it cannot
parse, a suppression comment without a reason. Their findings come from the parsers."""

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
    VALID = (Example({"app/ok.py": "x = 1\n"}),)
    INVALID = (Example({"app/broken.py": "def f(:  # expect: syntax-error\n    pass\n"}),)


class UnsupportedSqlRule(ProblemRule):
    """Reports SQL that enumguard cannot read: a statement sqlglot cannot parse, or SQL built at
    run time in an Alembic `op.execute` (an f-string or a variable).

    ## Why is this bad?
    An enum change hidden in such a statement is not replayed, so the rebuilt DB types can
    differ from the real ones.

    ## How to fix
    Usually nothing: this is information. If the statement changes an enum type, write it as a
    literal so enumguard can read it, or declare the binding in `[tool.enumguard.bindings]`.
    """

    name = "unsupported-sql"
    severity = Severity.INFO


class SuppressionWithoutReasonRule(ProblemRule):
    """Reports an `enumguard: ignore[...]` comment that gives no reason.

    ## Why is this bad?
    A suppression hides a finding from every later reviewer; without a reason nobody can tell
    whether it is still justified.

    ## How to fix
    Write the reason after the bracket: `# enumguard: ignore[unknown-member] legacy rows, see #123`.
    """

    name = "suppression-without-reason"
    severity = Severity.WARNING
    VALID = (
        Example(
            {
                "app/status.py": "import enum\n\nclass S(enum.Enum):\n    a = 1\n\n"
                "S.b  # enumguard: ignore[unknown-member] removed in v2, kept for old rows\n"
            }
        ),
    )
    INVALID = (
        Example(
            {
                "app/status.py": "import enum\n\nclass S(enum.Enum):\n    a = 1\n\n"
                "S.b  # enumguard: ignore[unknown-member]  # expect: suppression-without-reason\n"
            }
        ),
    )
