"""Parse problems in, findings out: SQL enumguard cannot read."""

from __future__ import annotations

from enumguard.finding import Severity
from enumguard.rules.base import ProblemRule


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
    finds = "SQL enumguard could not read: a statement sqlglot cannot parse, SQL built at run time"
    verifies = "parsing"
