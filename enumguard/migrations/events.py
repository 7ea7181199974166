"""The facts one migration contributes, in statement order, before replay: enum DDL (EnumOp),
column changes, literal uses, transaction boundaries. Replay turns a stream of these into state."""

from __future__ import annotations

from dataclasses import dataclass

from enumguard.finding import Finding, Location
from enumguard.model import EnumOp


@dataclass(frozen=True)
class ColumnEvent:
    """kind: create_table (before the table's `add` events) | add (CREATE TABLE / ADD COLUMN) |
    retype (ALTER COLUMN TYPE) | default (SET DEFAULT) | drop_default | drop | drop_table |
    rename_column | rename_table.

    `type_name` is the column's type when it is a user-defined type (it may not be an enum), None
    for a built-in type (add/retype: the column stores no enum);
    `surely_enum` says the statement itself declares it an enum (Alembic's sa.Enum)."""

    kind: str
    table: str
    location: Location
    column: str | None = None
    type_name: str | None = None
    default: str | None = None
    default_location: Location | None = None
    new_name: str | None = None
    surely_enum: bool = False
    context: str = "column"  # column | add_column | alter_column | create_table (for missing-type)
    if_not_exists: bool = False  # create_table: CREATE TABLE IF NOT EXISTS (a no-op on an existing table)


@dataclass(frozen=True)
class LiteralEvent:
    """A string literal that PostgreSQL coerces to a type: by cast (`type_name`) or by being
    written to or compared with a column (`table`/`column`, resolved during replay)."""

    value: str
    context: str  # default | cast | insert | update | where
    location: Location
    type_name: str | None = None
    table: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class TxEvent:
    """begin | commit (also ROLLBACK/END) | autocommit_on | autocommit_off (Alembic's block)."""

    kind: str
    location: Location


@dataclass(frozen=True)
class Unread:
    """A statement the migration runs that enumguard could not read or evaluate (run-time SQL it
    cannot fold, a call into a function it does not follow, `metadata.create_all`, a run-time
    branch around DDL, a file whose apply order is unknown). From here on, the facts it may change
    are uncertain, and no rule turns them into findings.

    `touches` says which facts: "types" (enum labels: CREATE/ALTER/DROP TYPE), "tables" (column
    types: CREATE/ALTER/DROP TABLE), or "any" (both: nothing of it can be seen, or a call).
    `names` are the identifiers visible in it, lower case and unqualified (string arguments of a
    call, words of the SQL text around its placeholders). The replay makes uncertain the enum
    types (and the tables) among those names; every one when none of the names is one.
    `reason` completes "not checked: <type> (<reason> at <path>:<line>)", e.g.
    "renamed by a call to _rename() that enumguard does not follow"."""

    reason: str
    location: Location
    touches: str = "any"
    names: frozenset[str] = frozenset()


Event = EnumOp | ColumnEvent | LiteralEvent | TxEvent | Unread | Finding
