"""The visible text of a statement enumguard could not read (or none) -> its Unread event: which
facts it may touch (enum types, tables, both) and the names it shows."""

from __future__ import annotations

import re

from enumguard.finding import Location
from enumguard.migrations.events import Unread

_WORD = re.compile(r'"([^"]+)"|([A-Za-z_][A-Za-z0-9_$]*)')
_COMMENT = re.compile(r"--[^\n\0]*|/\*.*?\*/", re.S)
_STRING = re.compile(r"'(?:[^']|'')*'")
_TYPE_DDL = re.compile(r"\b(?:CREATE|ALTER|DROP)\s+TYPE\b|\bAS\s+ENUM\b", re.I)
_TABLE_DDL = re.compile(r"\b(?:CREATE|ALTER|DROP)\s+(?:UNLOGGED\s+|TEMP(?:ORARY)?\s+)?TABLE\b", re.I)
# Words of SQL itself: never the name of a type or table.
_KEYWORDS = frozenset(
    """alter create drop type table enum as add value values rename to before after if not exists
    column columns using set default schema cascade restrict only do begin end execute format
    select from where and or in is null update insert into delete with on owner replace function
    returns return language plpgsql sql declare perform exception when then else raise notice
    others duplicate_object constraint primary key references foreign unique check varchar text
    integer int bigint boolean timestamp now true false public""".split()
)


def names_in(text: str | None) -> frozenset[str]:
    """Identifiers in SQL text (lower case unless quoted; string literals and comments left out)."""
    if not text:
        return frozenset()
    text = _STRING.sub(" ", _COMMENT.sub(" ", text))
    out = set()
    for quoted, bare in _WORD.findall(text):
        word = quoted or bare.lower()
        if word.lower() not in _KEYWORDS:
            out.add(word)
    return frozenset(out)


def unread_sql(text: str | None, reason: str, location: Location, extra: frozenset[str] = frozenset()) -> Unread:
    """The Unread of SQL whose visible text is `text` (None: nothing of it can be seen). Type DDL
    touches enum types, table DDL column types; anything else (a DO block, a function call,
    text that shows no verb) may touch both."""
    if text is not None and _TYPE_DDL.search(text) and not _TABLE_DDL.search(text):
        touches = "types"
    elif text is not None and _TABLE_DDL.search(text) and not _TYPE_DDL.search(text):
        touches = "tables"
    else:
        touches = "any"
    return Unread(reason, location, touches, names_in(text) | extra)
