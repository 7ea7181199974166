"""SQLAlchemy enum columns in model code -> RawBinding facts; RawBindings + DB types -> Bindings.
STUB: being written."""

from __future__ import annotations

from dataclasses import dataclass

from enumguard.config import Config
from enumguard.finding import Location
from enumguard.model import Binding, DbEnum, EnumClass


@dataclass(frozen=True)
class RawBinding:
    """`sa.Enum(PyEnum, name="x")` as read from one file, with the enum resolved to a qualname."""

    enum: str | None
    db_type: str | None
    stores: str
    native: bool
    location: Location
    table: str | None = None
    column: str | None = None


def bind(
    raw: tuple[RawBinding, ...], enums: tuple[EnumClass, ...], db_enums: tuple[DbEnum, ...], config: Config
) -> tuple[Binding, ...]:
    return ()
