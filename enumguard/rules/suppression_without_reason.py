"""Parse problems in, findings out: an `enumguard: ignore[...]` comment without a reason."""

from __future__ import annotations

from enumguard.finding import Severity
from enumguard.rules.base import Example, ProblemRule


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
    finds = "an `enumguard: ignore[...]` comment without a reason"
    VALID = (
        Example(
            {
                "app/status.py": "import enum\n\nclass S(enum.Enum):\n    a = 1\n\n"
                "S.b  # enumguard: ignore[unknown-member] removed in v2, kept for old rows\n"
            },
            title="a suppression with its reason",
        ),
    )
    INVALID = (
        Example(
            {
                "app/status.py": "import enum\n\nclass S(enum.Enum):\n    a = 1\n\n"
                "S.b  # enumguard: ignore[unknown-member]  # expect: suppression-without-reason\n"
            },
            title="a suppression without a reason",
        ),
    )
