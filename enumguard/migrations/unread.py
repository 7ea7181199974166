"""The visible text of a statement enumguard could not read (or none) -> its Unread event: which
facts it may touch (enum types, tables, both) and the names it shows. Shared by the SQL reader,
psql sessions and the Alembic evaluator."""

from __future__ import annotations

import re

from enumguard.finding import Location
from enumguard.migrations.events import Unread

COMMENTS = re.compile(r"--[^\n\0]*|/\*.*?\*/", re.DOTALL)
_TYPE_DDL = re.compile(r"^\s*(?:CREATE|ALTER|DROP)\s+TYPE\b", re.IGNORECASE)
_TABLE_DDL = re.compile(r"^\s*(?:CREATE|ALTER|DROP)\s+(?:UNLOGGED\s+|TEMP(?:ORARY)?\s+)?TABLE\b", re.IGNORECASE)
# SQL's own words and PostgreSQL's built-in type names: never the name of an enum type or table.
_KEYWORDS = frozenset(
    [
        "add",
        "after",
        "alter",
        "and",
        "as",
        "before",
        "by",
        "cascade",
        "check",
        "collate",
        "column",
        "constraint",
        "create",
        "default",
        "delete",
        "do",
        "domain",
        "drop",
        "enum",
        "exists",
        "for",
        "foreign",
        "from",
        "if",
        "in",
        "insert",
        "into",
        "is",
        "key",
        "not",
        "null",
        "on",
        "or",
        "owner",
        "primary",
        "public",
        "references",
        "rename",
        "replace",
        "restrict",
        "schema",
        "select",
        "set",
        "table",
        "temp",
        "temporary",
        "to",
        "type",
        "unique",
        "unlogged",
        "update",
        "using",
        "value",
        "values",
        "where",
        "with",
        # PostgreSQL's built-in type names: no enum type is among them
        "bigint",
        "boolean",
        "char",
        "character",
        "int",
        "integer",
        "json",
        "jsonb",
        "numeric",
        "smallint",
        "text",
        "timestamp",
        "timestamptz",
        "uuid",
        "varchar",
        "varying",
    ]
)
_WORD = re.compile(r'"([^"]+)"|([A-Za-z_][A-Za-z0-9_$]*)')


def touches(text: str | None) -> str:
    """Which facts statements of this visible text may change: "types" when each is type DDL,
    "tables" when each is table DDL, "any" otherwise (a DO block, a call, text that shows nothing)."""
    if text is None:
        return "any"
    kinds = set()
    for statement in COMMENTS.sub(" ", text).split(";"):
        if statement.strip():
            kinds.add("types" if _TYPE_DDL.match(statement) else "tables" if _TABLE_DDL.match(statement) else "any")
    return kinds.pop() if len(kinds) == 1 else "any"


def names(text: str | None, strings: bool = False) -> frozenset[str]:
    """The identifiers visible in run-time SQL (outside its string literals, keywords left out),
    lower case and unqualified: the types or tables it may name. A hole (NUL) is taken to hold no
    quote, so `'c{i}'` stays one literal. With `strings`, the words inside string literals count
    too (SQL that is itself built from strings: `EXECUTE format('ALTER TYPE %I ...')`, `\\gexec`)."""
    if not text:
        return frozenset()
    outside, quoted, at = [], False, 0
    text = COMMENTS.sub(" ", text)
    while at < len(text):
        char = text[at]
        if char == "'":
            if quoted and text.startswith("''", at):
                at += 2
                continue
            quoted = not quoted
            outside.append(" ")
        elif not quoted or strings:
            outside.append(" " if char == "\0" else char)
        at += 1
    found = set()
    for quoted_name, plain in _WORD.findall("".join(outside)):
        word = (quoted_name or plain).lower()
        if word and word.lower() not in _KEYWORDS:
            found.add(word)
    return frozenset(found)


def unread_sql(text: str | None, reason: str, location: Location, extra: frozenset[str] = frozenset()) -> Unread:
    """The Unread of SQL whose visible text is `text` (None: nothing of it can be seen)."""
    return Unread(reason, location, touches(text), names(text) | extra)
