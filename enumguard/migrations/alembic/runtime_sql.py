"""SQL text a revision builds at run time (known parts around holes) -> whether what can be seen
of it could change an enum type or a column, which names it shows, which facts it may touch,
the types a partly visible CREATE TYPE makes, and whether it reads the catalog."""

from __future__ import annotations

import re

from enumguard.migrations.unread import COMMENTS as _COMMENTS
from enumguard.migrations.unread import names, touches

__all__ = ["names", "touches"]  # what ops.py reads of the visible text, shared with the SQL reader

CREATE_TYPE = re.compile(
    r"\bCREATE\s+TYPE\s+((?:\"[^\"]+\"|\w+)(?:\.(?:\"[^\"]+\"|\w+))?)\s+AS\s+ENUM\b", re.IGNORECASE
)
# A query of the catalog: an `if` on its answer guards a statement (the existence checks).
CATALOG = re.compile(
    r"\b(?:pg_enum|pg_type|pg_catalog|pg_class|pg_attribute|pg_namespace|information_schema|to_regtype|to_regclass)\b",
    re.IGNORECASE,
)

_VERB = re.compile(
    r"^\s*(ALTER|CREATE|DROP|INSERT|UPDATE|DELETE|SELECT|GRANT|REVOKE|COMMENT|REINDEX|VACUUM|ANALYZE|TRUNCATE|SET|REFRESH)\b",
    re.IGNORECASE,
)
_ENUM_DDL = re.compile(
    r"\b(TYPE|ENUM|DEFAULT|DOMAIN)\b|\bALTER\s+TABLE\b|\bDROP\s+TABLE\b"
    r"|\bCREATE\s+(UNLOGGED\s+|TEMP(ORARY)?\s+)?TABLE\b(?![^;]*\bPARTITION\s+OF\b)|\bDO\s+[$']",
    re.IGNORECASE,
)


_DATA_FIX = re.compile(r"^\s*(INSERT|UPDATE|DELETE|SELECT)\b", re.IGNORECASE)
# ALTER TABLE actions that leave column types alone (constraints, triggers, owner, table rename).
_TABLE_CHORE = re.compile(
    r"\b(?:(?:ADD|DROP|RENAME|VALIDATE)\s+CONSTRAINT|(?:ENABLE|DISABLE)\s+(?:ALWAYS\s+|REPLICA\s+)?TRIGGER"
    r"|OWNER\s+TO|RENAME\s+TO|SET\s+(?:LOGGED|UNLOGGED|TABLESPACE)|(?:ENABLE|DISABLE|FORCE)\s+ROW\s+LEVEL\s+SECURITY)\b",
    re.IGNORECASE,
)
_COLUMN_WORDS = re.compile(r"\b(TYPE|ENUM|DEFAULT|DOMAIN|COLUMN)\b", re.IGNORECASE)


def may_change_enums(text: str | None) -> bool:
    """False only when the visible text of run-time SQL is a statement that cannot create, change
    or use an enum type in a way the replay tracks (an index rename, a partition, a data fix,
    `UPDATE t SET type = ...` of a column named `type`, a constraint or trigger chore);
    True when the statement cannot be seen."""
    if text is not None:  # comments say nothing about the statement (`--sql` editor hints)
        text = _COMMENTS.sub(" ", text)
    if text is None or not _VERB.match(text):
        return True
    if _DATA_FIX.match(text) and not re.search(r"\bDEFAULT\b", text, re.IGNORECASE):
        return False
    if (
        re.match(r"\s*ALTER\s+TABLE\b", text, re.IGNORECASE)
        and _TABLE_CHORE.search(text)
        and not _COLUMN_WORDS.search(text)
    ):
        return False
    return bool(_ENUM_DDL.search(text))


def created_types(parts: tuple[str | None, ...]) -> list[str]:
    """`f"CREATE TYPE kind AS ENUM ({labels})"`: the names of the types a partly visible SQL text
    creates (the type exists afterwards, its labels unknown)."""
    return [m.group(1) for part in parts if part for m in CREATE_TYPE.finditer(part)]


_TYPE_DDL = re.compile(r"^\s*(?:CREATE|ALTER|DROP)\s+TYPE\b", re.IGNORECASE)
_PARAM = re.compile(r"(?<![:\w]):(\w+)")


def bound(text: object, params: dict) -> object:
    """`text("ALTER TYPE kind ADD VALUE :v").bindparams(v="x")`: the statement the driver sends
    (psycopg2 binds parameters on the client side), for enum DDL whose parameters are all known
    strings; any other text as it is."""
    if not isinstance(text, str) or not params or not _TYPE_DDL.match(text):
        return text
    names = set(_PARAM.findall(text))
    if not names or not all(isinstance(params.get(n), str) for n in names):
        return text
    return _PARAM.sub(lambda m: "'" + str(params[m.group(1)]).replace("'", "''") + "'", text)
