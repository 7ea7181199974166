"""SQLAlchemy enum columns in one parsed file -> BindingSite facts (before name resolution).
Binding them to DB types is the linking stage (enumguard.link)."""

from __future__ import annotations

import libcst as cst

from enumguard.finding import Location
from enumguard.python.binding_sites import BindingSite
from enumguard.python.binding_syntax import function_stores, import_table
from enumguard.python.binding_visitor import SiteVisitor


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
