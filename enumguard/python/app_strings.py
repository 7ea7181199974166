"""Python string literals in, positions out: which calls run SQL, the opening/closing quotes of a
literal that can be replaced verbatim, and the enum-relevant literals of a SQL string located in
the Python file (through implicit concatenation, exactly where the source has no escapes)."""

from __future__ import annotations

import re
from typing import Callable

import libcst as cst

from enumguard.finding import Location
from enumguard.migrations.app_sql import literals
from enumguard.model import ColumnValue

TEXT = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text", "sqlmodel.text"})
# DB-API cursors and SQLAlchemy connections (execute), asyncpg connections and pools (fetch*).
SQL_METHODS = frozenset({"execute", "executemany", "exec_driver_sql", "fetch", "fetchrow", "fetchval"})
_CALL_HINT = re.compile(r"\b(?:execute|executemany|exec_driver_sql|fetch|fetchrow|fetchval|text)\s*\(")
_VERB_HINT = re.compile(r"\b(?:select|update|insert|delete)\b", re.I)


def has_sql(text: str) -> bool:
    return bool(_CALL_HINT.search(text)) and bool(_VERB_HINT.search(text))


def runs_sql(call: cst.Call, qualified_func: str) -> bool:
    if qualified_func in TEXT:
        return True
    return isinstance(call.func, cst.Attribute) and call.func.attr.value in SQL_METHODS


def quotes(node: cst.BaseExpression, value: str) -> tuple[str, str] | None:
    """(`"`, `"`) or (`r'`, `'`)... when the literal's source is its value between quotes."""
    if not isinstance(node, cst.SimpleString) or "b" in node.prefix.lower():
        return None
    if node.raw_value != value:
        return None
    return node.prefix + node.quote, node.quote


def sql_values(node: cst.BaseExpression, loc: Callable[[cst.CSTNode], Location]) -> list[ColumnValue]:
    """The literals of the SQL a string literal holds, each located in the Python file."""
    parts: list[cst.SimpleString] = []
    if not _parts(node, parts) or any("b" in p.prefix.lower() for p in parts):
        return []
    pieces = [p.evaluated_value for p in parts]
    if not all(isinstance(v, str) for v in pieces):
        return []
    sql = "".join(pieces)  # type: ignore[arg-type]
    starts, at = [], 0
    for piece in pieces:
        starts.append(at)
        at += len(piece)  # type: ignore[arg-type]
    out = []
    for lit in literals(sql):
        index = max(i for i, s in enumerate(starts) if s <= lit.offset)
        part, inner = parts[index], lit.offset - starts[index]
        exact = part.raw_value == pieces[index]
        where = _inside(part, loc(part), inner) if exact else loc(part)
        source = sql[lit.offset : lit.offset + len(lit.value) + 2]
        quoted = exact and source == f"'{lit.value}'" and inner + len(source) <= len(pieces[index])  # type: ignore[arg-type]
        out.append(
            ColumnValue(
                table=lit.table,
                column=lit.column,
                value=lit.value,
                context=lit.context,
                location=where,
                via="sql",
                type_name=lit.type_name,
                quotes=("'", "'") if quoted else None,
            )
        )
    return out


def _parts(node: cst.BaseExpression, out: list[cst.SimpleString]) -> bool:
    if isinstance(node, cst.SimpleString):
        out.append(node)
        return True
    if isinstance(node, cst.ConcatenatedString):
        return _parts(node.left, out) and _parts(node.right, out)
    return False  # an f-string: built at run time


def _inside(part: cst.SimpleString, start: Location, inner: int) -> Location:
    """The location of character `inner` of a literal's value (its source has no escapes)."""
    raw = part.raw_value
    before = raw[:inner]
    lines = before.count("\n")
    if lines:
        return Location(start.path, start.line + lines, inner - before.rfind("\n"))
    return Location(start.path, start.line, start.column + len(part.prefix) + len(part.quote) + inner)
