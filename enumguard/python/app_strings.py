"""Python string literals (`ast` nodes) in, positions out: which calls run SQL, the opening and
closing quotes of a literal that can be replaced verbatim, and the enum-relevant literals of a SQL
string located in the Python file (through implicit concatenation, exactly where the source has
no escapes; at the string otherwise)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import cast

from enumguard.finding import Location
from enumguard.migrations.app_sql import literals
from enumguard.model import ColumnValue
from enumguard.python.mapped_classes import StringConstant

TEXT = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text", "sqlmodel.text"})
# DB-API cursors and SQLAlchemy connections (execute), asyncpg connections and pools (fetch*).
SQL_METHODS = frozenset({"execute", "executemany", "exec_driver_sql", "fetch", "fetchrow", "fetchval"})
_CALL_HINT = re.compile(r"\b(?:execute|executemany|exec_driver_sql|fetch|fetchrow|fetchval|text)\s*\(")
_VERB_HINT = re.compile(r"\b(?:select|update|insert|delete)\b", re.I)
_LITERAL = re.compile(r"([rRuU]?)('''|\"\"\"|'|\")(.*)\2", re.S)


def has_sql(text: str) -> bool:
    return bool(_CALL_HINT.search(text)) and bool(_VERB_HINT.search(text))


def runs_sql(func: ast.AST, qualified: str) -> bool:
    return qualified in TEXT or (isinstance(func, ast.Attribute) and func.attr in SQL_METHODS)


def bound_string(name: str, body: list[ast.stmt], args: ast.arguments | None) -> ast.Constant | None | bool:
    """The string literal a name holds in one scope (`query = "SELECT ..."`) when that is its only
    binding there; None when the scope binds it otherwise (twice, in a loop, as a parameter,
    `global`); False when the scope does not bind it at all (look in the enclosing scope)."""
    if args is not None and any(
        a.arg == name for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a
    ):
        return None
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == name:
                return None
            stack.extend(node.decorator_list)
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return None
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
            (a.asname or a.name).split(".")[0] == name for a in node.names
        ):
            return None
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            found.append(node)
        elif isinstance(node, ast.ExceptHandler) and node.name == name:
            return None
        stack.extend(ast.iter_child_nodes(node))
    if not found:
        return False
    if len(found) > 1:
        return None
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if found[0] in targets:
                value = node.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    return value
    return None


class Source:
    """A file's text by line, for 1-based character columns and the source text of a node."""

    def __init__(self, text: str, path: str) -> None:
        self.lines = io.StringIO(text, newline="").readlines()
        self.path = path

    def column(self, line: int, byte_offset: int) -> int:
        text = self.lines[line - 1] if line - 1 < len(self.lines) else ""
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1

    def location(self, node: ast.expr) -> Location:
        return Location(self.path, node.lineno, self.column(node.lineno, node.col_offset))

    def segment(self, node: ast.expr) -> str:
        # the parser sets where every expression ends
        end_line, end_col = cast(int, node.end_lineno), cast(int, node.end_col_offset)
        first, last = node.lineno - 1, end_line - 1
        chunk = [line.encode("utf-8") for line in self.lines[first : last + 1]]
        if not chunk:
            return ""
        if len(chunk) == 1:
            return chunk[0][node.col_offset : end_col].decode("utf-8", "replace")
        chunk[0] = chunk[0][node.col_offset :]
        chunk[-1] = chunk[-1][:end_col]
        return b"".join(chunk).decode("utf-8", "replace")


def quotes(segment: str, value: str) -> tuple[str, str] | None:
    """(`"`, `"`) or (`r'`, `'`)... when the literal's source is its value between quotes."""
    match = _LITERAL.fullmatch(segment)
    if match is None or match.group(3) != value:
        return None
    return match.group(1) + match.group(2), match.group(2)


def sql_values(node: StringConstant, source: Source) -> list[ColumnValue]:
    """The literals of the SQL a string literal holds, each located in the Python file."""
    sql = node.value
    found = literals(sql)
    if not found:
        return []
    start = source.location(node)
    parts = _parts(source.segment(node), start)
    out = []
    for lit in found:
        where, quoted = start, False
        if parts is not None:
            at = 0
            for line, column, opening, raw, piece in parts:
                if at <= lit.offset < at + len(piece):
                    inner = lit.offset - at
                    if raw == piece:  # no escapes: the value's offsets are the source's
                        where = _inside(start.path, line, column + len(opening), raw, inner)
                        quoted = raw[inner : inner + len(lit.value) + 2] == f"'{lit.value}'"
                    else:
                        where = Location(start.path, line, column)
                    break
                at += len(piece)
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


def _parts(segment: str, start: Location) -> list[tuple[int, int, str, str, str]] | None:
    """(line, column, opening quote text, raw text between the quotes, value) of each string
    token of a (possibly implicitly concatenated) literal; None when it cannot be read so."""
    out = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO("(" + segment + ")").readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    for token in tokens:
        if token.type != tokenize.STRING:
            continue
        match = _LITERAL.fullmatch(token.string)
        try:
            piece = ast.literal_eval(token.string)
        except (ValueError, SyntaxError):
            return None
        if match is None or not isinstance(piece, str):
            return None
        row, col = token.start
        line = start.line + row - 1
        column = start.column + col - 1 if row == 1 else col + 1
        out.append((line, column, match.group(1) + match.group(2), match.group(3), piece))
    return out


def _inside(path: str, line: int, column: int, raw: str, inner: int) -> Location:
    """The location of character `inner` of a literal's text that starts at (line, column)."""
    before = raw[:inner]
    lines = before.count("\n")
    if lines:
        return Location(path, line + lines, inner - before.rfind("\n"))
    return Location(path, line, column + inner)
