"""SQLAlchemy enum columns in model code -> BindingSite facts (per file, before name resolution);
resolved sites + DB types -> Bindings. STUB: being written."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from enumguard.config import Config
from enumguard.finding import Location
from enumguard.model import Binding, DbEnum, EnumClass


@dataclass(frozen=True)
class BindingSite:
    """One `sa.Enum(...)` / `postgresql.ENUM(...)` / `Mapped[PyEnum]` column in one file, as written.

    `enum_expr` is the dotted name of the Python enum as written in that file ("Status",
    "models.Status"), resolved later by the Python scanner's import table; None when the
    SQLAlchemy Enum lists string labels instead (`labels`).
    """

    enum_expr: str | None
    db_type: str | None  # from name=/schema=, folded as SQLAlchemy quotes it; None: default/unknown
    stores: str  # "names" | "values" (values_callable)
    native: bool  # False for native_enum=False
    location: Location
    labels: tuple[str, ...] = ()
    table: str | None = None
    column: str | None = None
    server_default: str | None = None
    server_default_location: Location | None = None


@dataclass(frozen=True)
class RawBinding:
    """A BindingSite whose enum expression has been resolved to an EnumClass qualname (or None)."""

    enum: str | None
    site: BindingSite


def extract(module: cst.Module, source: str, path: str) -> tuple[BindingSite, ...]:
    """Every SQLAlchemy enum binding in one parsed file. Called by the Python scanner per file."""
    return ()


def bind(
    raw: tuple[RawBinding, ...], enums: tuple[EnumClass, ...], db_enums: tuple[DbEnum, ...], config: Config
) -> tuple[Binding, ...]:
    """Bindings from code, then [tool.enumguard.bindings], then the name fallback."""
    return ()
