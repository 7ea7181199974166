"""The facts one migration contributes, in statement order, before replay: enum DDL (EnumOp),
column changes, literal uses, transaction boundaries. Replay turns a stream of these into state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from enumguard.finding import Finding, Location
from enumguard.model import EnumOp


@dataclass(frozen=True)
class ColumnEvent:
    """kind: add (CREATE TABLE / ADD COLUMN) | retype (ALTER COLUMN TYPE) | default (SET DEFAULT)
    | drop_default | drop | drop_table | rename_column | rename_table.

    `type_name` is the column's type when it is a user-defined type (it may not be an enum);
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


Event = Union[EnumOp, ColumnEvent, LiteralEvent, TxEvent, Finding]
