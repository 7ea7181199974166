"""SQLAlchemy enum columns in model code -> BindingSite facts (per file, before name resolution);
resolved sites + DB types -> Bindings (see enumguard.python.binding_resolve)."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from enumguard.config import Config
from enumguard.finding import Location
from enumguard.model import Binding, DbEnum, EnumClass, LiteralUse
from enumguard.python.binding_syntax import function_stores, import_table

@dataclass(frozen=True)
class BindingSite:
    """One `sa.Enum(...)` / `postgresql.ENUM(...)` / `Mapped[PyEnum]` column in one file, as written.

    `enum_expr` is the dotted name of the Python enum as written in that file ("Status",
    "models.Status"), resolved later by the Python scanner's import table; None when the
    SQLAlchemy Enum lists string labels instead (`labels`).

    kind: "call" (an Enum(...) call anywhere), "annotation" (`Mapped[E]` without an explicit
    type: SQLAlchemy picks the type from type_annotation_map, by default Enum(E) named
    `e` lower-cased), "map" (a `type_annotation_map` entry for one enum), "map_generic"
    (an entry keyed on `enum.Enum` whose settings apply to every `Mapped[E]`), "class" (not a
    binding: a class and its bases, so that a map entry applies only below the class declaring it),
    "helper" (not a binding: a module-level function `owner` that returns the members' values or
    names, for a values_callable imported from this module).
    """

    enum_expr: str | None
    db_type: str | None  # from name=/schema=, folded as SQLAlchemy quotes it; None: default/unknown
    stores: str  # "names" | "values" (values_callable) | "unknown" (a values_callable we cannot read)
    native: bool  # False for native_enum=False
    location: Location
    labels: tuple[str, ...] = ()
    table: str | None = None
    column: str | None = None
    server_default: str | None = None
    server_default_location: Location | None = None
    kind: str = "call"
    default_name: bool = False  # no name=: SQLAlchemy names the type after the class, lower-cased
    schema: str | None = None  # schema= of a default-named type
    # server_default=E.member.value / .name: (member, "value" | "name"), resolved against the enum
    server_default_member: tuple[str, str] | None = None
    owner: str | None = None  # the class the site is written in (annotations, map entries)
    bases: tuple[str, ...] = ()  # kind "class": the owner's bases, last name segment as written
    values_helper: str | None = None  # values_callable=<function defined in another module>


@dataclass(frozen=True)
class RawBinding:
    """A BindingSite whose enum expression has been resolved to an EnumClass qualname (or None)."""

    enum: str | None
    site: BindingSite


def extract(module: cst.Module, source: str, path: str) -> tuple[BindingSite, ...]:
    """Every SQLAlchemy enum binding in one parsed file. Called by the Python scanner per file.

    The scanner turns every site into a RawBinding, resolving `enum_expr` with that file's import
    table (None when it names no enum class), and passes ALL of them on, including those whose
    `enum_expr` is None (string labels, kind "class"/"helper"/"map_generic"): bind() needs them.
    """
    helpers = _helpers(module, path) if (".value for " in source or ".name for " in source) else []
    if "Enum" not in source and "ENUM" not in source and "Mapped" not in source and "table=True" not in source:
        return tuple(helpers)
    imports = import_table(module)
    if not any(q.startswith(("sqlalchemy", "sqlmodel")) for q in imports.values()):
        return tuple(helpers)
    from enumguard.python.binding_visitor import SiteVisitor  # imports this module's dataclasses

    visitor = SiteVisitor(module, source, path, imports)
    visitor.walk(module)
    return tuple(helpers + visitor.sites)


def _helpers(module: cst.Module, path: str) -> list[BindingSite]:
    """Module-level functions usable as values_callable, for files that import them."""
    out = []
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            stores = function_stores(stmt)
            if stores != "unknown":
                where = Location(path, 1, 1)
                out.append(BindingSite(None, None, stores, True, where, kind="helper", owner=stmt.name.value))
    return out


def bind(
    raw: tuple[RawBinding, ...],
    enums: tuple[EnumClass, ...],
    db_enums: tuple[DbEnum, ...],
    config: Config,
    migration_paths: frozenset[str] = frozenset(),
) -> tuple[Binding, ...]:
    """Bindings from code, then [tool.enumguard.bindings], then the name fallback."""
    from enumguard.python import binding_resolve  # imports this module's dataclasses

    return binding_resolve.bind(raw, enums, db_enums, config, migration_paths)


def server_default_literals(
    raw: tuple[RawBinding, ...], bound: tuple[Binding, ...], enums: tuple[EnumClass, ...]
) -> tuple[LiteralUse, ...]:
    """LiteralUse(context="server_default") for each resolved binding with a server_default."""
    from enumguard.python import binding_resolve

    return binding_resolve.server_default_literals(raw, bound, enums)
