"""Python expressions that build SQL at run time (libcst) -> its text when constants alone make it,
else what kind of dynamic SQL it is and whether its visible text could change an enum type."""

from __future__ import annotations

import re
import textwrap

import libcst as cst

from enumguard.libcst_helpers import dotted, string
from enumguard.migrations.alembic.expressions import Scope, qualified
from enumguard.sqlalchemy_names import DDL, TEXT

SQL_TEXT = TEXT | DDL | {"text"}
# Methods that build SQLAlchemy Core statements (`table.update().where(...).values(...)`).
_CORE_METHODS = frozenset(
    "insert update delete select values where returning filter filter_by order_by limit execution_options "
    "params bindparams from_select on_conflict_do_nothing on_conflict_do_update".split()
)
CANDIDATES = "\x01"  # between the statements a name may hold (visible_text)


def dynamic_sql(node: cst.BaseExpression | None, scope: Scope) -> str | None:
    """What kind of run-time SQL text this is, or None when it is no SQL text at all (a
    SQLAlchemy Core statement such as `sa.update(t).values(...)`, which emits no enum DDL)."""
    if isinstance(node, cst.FormattedString) or (isinstance(node, cst.ConcatenatedString) and string(node) is None):
        return "an f-string"
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Modulo)):
        return "string operations"
    if isinstance(node, cst.Call):
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in ("format", "join", "replace"):
            return "string formatting"
        name = qualified(node.func, scope.table) or ""
        if name in SQL_TEXT:
            return "a `text()` of a value known only at run time"
        method = node.func.attr.value if isinstance(node.func, cst.Attribute) else ""
        if name.startswith(("sqlalchemy.", "alembic.")) or method in _CORE_METHODS:
            return None  # a SQLAlchemy Core statement (`sa.update(t).values(...)`): data, no DDL
        return "the result of a call"
    if isinstance(node, (cst.Name, cst.Attribute, cst.Subscript)):
        return "a variable"
    return None


CREATE_TYPE = re.compile(r"\bCREATE\s+TYPE\s+((?:\"[^\"]+\"|\w+)(?:\.(?:\"[^\"]+\"|\w+))?)\s+AS\s+ENUM\b", re.I)


def literal_parts(node: cst.BaseExpression | None, scope: Scope | None = None) -> list[str]:
    """The text between the placeholders of an f-string (implicitly concatenated or not); with
    a scope, a placeholder that is a name of a string constant joins the text around it
    (`f"CREATE TYPE {NAME} AS ENUM ({labels})"` -> `CREATE TYPE kind AS ENUM (`, `)`)."""
    if isinstance(node, cst.ConcatenatedString):
        return literal_parts(node.left, scope) + literal_parts(node.right, scope)
    if isinstance(node, cst.FormattedString):
        parts, current = [], ""
        for piece in node.parts:
            if isinstance(piece, cst.FormattedStringText):
                current += piece.value
                continue
            assert isinstance(piece, cst.FormattedStringExpression)  # the other kind of part
            known = None
            if scope is not None and isinstance(piece.expression, cst.Name) and piece.format_spec is None:
                known = rendered(piece.expression, scope) if piece.conversion is None else None
            if known is not None:
                current += known
            else:
                parts.append(current)
                current = ""
        parts.append(current)
        return [p for p in parts if p]
    value = string(node)
    return [value] if value is not None else []


def rendered(node: cst.BaseExpression | None, scope: Scope, depth: int = 0) -> str | None:
    """SQL text built only from string constants -> its text; None for anything else: an
    f-string whose placeholders are names of constants (`f'DROP TYPE "{ENUM_NAME}"'`),
    `'...'.format(...)` of constants, `"ALTER TYPE " + NAME + " RENAME TO " + TMP`."""
    if depth > 20:  # `x = x + "a"` or a long chain: not worth following
        return None
    node = scope.resolve(node)

    def part(child: cst.BaseExpression | None) -> str | None:
        return rendered(child, scope, depth + 1)

    if isinstance(node, cst.ConcatenatedString) or (
        isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add)
    ):
        left, right = part(node.left), part(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, cst.Call) and (dotted(node.func) or "").split(".")[-1] in ("dedent", "cleandoc") and node.args:
        text = part(node.args[0].value)  # textwrap.dedent("""..."""), inspect.cleandoc: same statement
        return None if text is None else textwrap.dedent(text)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
        template = part(node.func.value)  # 'ALTER TABLE {} ...'.format(TABLE, ...)
        args = [part(a.value) for a in node.args if a.keyword is None and not a.star]
        kwargs = {a.keyword.value: part(a.value) for a in node.args if a.keyword is not None}
        if template is None or any(a.star for a in node.args) or None in args or None in kwargs.values():
            return None
        try:
            return template.format(*args, **kwargs)
        except (IndexError, KeyError, ValueError, AttributeError):
            return None
    if not isinstance(node, cst.FormattedString):
        return string(node)
    if "r" in node.prefix.lower():
        return None
    out: list[str] = []
    for piece in node.parts:
        if isinstance(piece, cst.FormattedStringText):
            if "\\" in piece.value:
                return None
            out.append(piece.value.replace("{{", "{").replace("}}", "}"))
            continue
        assert isinstance(piece, cst.FormattedStringExpression)  # the other kind of part
        value = part(piece.expression) if isinstance(piece.expression, cst.Name) else None
        if value is None or piece.conversion is not None or piece.format_spec is not None:
            return None
        out.append(value)
    return "".join(out)


def visible_text(node: cst.BaseExpression | None, scope: Scope) -> str | None:
    """The literal text of SQL built at run time (an f-string's text parts, the string operands
    of `+`/`%`, the receiver of `.format()`, also when a name holds it), or None when none of its
    statement is visible."""
    if isinstance(node, cst.Name):
        resolved = scope.resolve(node)
        if resolved is node and node.value in scope.reassigned:
            # a name given several values (in branches): all of them are what may run
            values = scope.assigned.get(node.value, [])
            texts = [text for value in values if (text := rendered(value, scope)) is not None]
            return CANDIDATES.join(texts) if texts and len(texts) == len(values) else None
        node = None if resolved is node else resolved
    if isinstance(node, (cst.FormattedString, cst.ConcatenatedString)):
        return "\0".join(literal_parts(node)) or None
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Modulo)):
        parts = [visible_text(node.left, scope), string(node.right) if isinstance(node.operator, cst.Add) else None]
        if isinstance(node.operator, cst.Add) and isinstance(node.right, cst.FormattedString):
            parts[1] = visible_text(node.right, scope)
        text = " ".join(p for p in parts if p)
        return text or None
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
        return string(scope.resolve(node.func.value))
    return string(node) if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) else None


_VERB = re.compile(
    r"^\s*(ALTER|CREATE|DROP|INSERT|UPDATE|DELETE|SELECT|GRANT|REVOKE|COMMENT|REINDEX|VACUUM|ANALYZE|TRUNCATE|SET|REFRESH)\b",
    re.I,
)
_ENUM_DDL = re.compile(
    r"\b(TYPE|ENUM|DEFAULT|DOMAIN)\b|\bALTER\s+TABLE\b|\bDROP\s+TABLE\b"
    r"|\bCREATE\s+(UNLOGGED\s+|TEMP(ORARY)?\s+)?TABLE\b(?![^;]*\bPARTITION\s+OF\b)|\bDO\s+[$']",
    re.I,
)


_DATA_FIX = re.compile(r"^\s*(INSERT|UPDATE|DELETE|SELECT)\b", re.I)
# ALTER TABLE actions that leave column types alone (constraints, triggers, owner, table rename).
_TABLE_CHORE = re.compile(
    r"\b(?:(?:ADD|DROP|RENAME|VALIDATE)\s+CONSTRAINT|(?:ENABLE|DISABLE)\s+(?:ALWAYS\s+|REPLICA\s+)?TRIGGER"
    r"|OWNER\s+TO|RENAME\s+TO|SET\s+(?:LOGGED|UNLOGGED|TABLESPACE)|(?:ENABLE|DISABLE|FORCE)\s+ROW\s+LEVEL\s+SECURITY)\b",
    re.I,
)
_COLUMN_WORDS = re.compile(r"\b(TYPE|ENUM|DEFAULT|DOMAIN|COLUMN)\b", re.I)


def may_change_enums(text: str | None) -> bool:
    """False only when the visible text of run-time SQL is a statement that cannot create, change
    or use an enum type in a way the replay tracks (an index rename, a partition, a data fix,
    `UPDATE t SET type = ...` of a column named `type`, a constraint or trigger chore);
    True when the statement cannot be seen. Several candidate statements (a name given one in
    each branch) may change enums when one of them may."""
    if text is not None and CANDIDATES in text:
        return any(may_change_enums(part) for part in text.split(CANDIDATES))
    if text is not None:  # comments say nothing about the statement (`--sql` editor hints)
        text = re.sub(r"--[^\n\0]*|/\*.*?\*/", " ", text, flags=re.S)
    if text is None or not _VERB.match(text):
        return True
    if _DATA_FIX.match(text) and not re.search(r"\bDEFAULT\b", text, re.I):
        return False
    if re.match(r"\s*ALTER\s+TABLE\b", text, re.I) and _TABLE_CHORE.search(text) and not _COLUMN_WORDS.search(text):
        return False
    return bool(_ENUM_DDL.search(text))
