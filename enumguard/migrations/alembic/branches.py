"""An if-test or block of upgrade() (libcst) -> whether the branch runs on PostgreSQL, and the
block's statements."""

from __future__ import annotations

import libcst as cst


def runs_on_postgres(test: cst.BaseExpression) -> bool | None:
    """True for a condition that holds on PostgreSQL only, False for one that holds only on
    another database (`is_sqlite()`, `dialect.name == "mysql"`), None for anything else."""
    negate = False
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        negate, test = not negate, test.expression
    text = cst.Module([]).code_for_node(test).lower()
    if "postgres" in text:
        found = True
    elif any(other in text for other in ("sqlite", "mysql", "mariadb", "mssql", "oracle")):
        found = False
    else:
        return None
    if isinstance(test, cst.Comparison) and any(
        isinstance(c.operator, (cst.NotEqual, cst.IsNot)) for c in test.comparisons
    ):
        found = not found
    return found != negate


def block_statements(body) -> list:
    """The statements of an indented block or of a one-line suite (`if x: a; b`)."""
    if isinstance(body, cst.IndentedBlock):
        return list(body.body)
    if isinstance(body, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=body.body)]
    return []
