"""Mapped classes, the mixins they inherit, and the resolver in; what each model inherits out: the
columns a mixin declares (plain `Column`/`mapped_column` or `@declared_attr`) belong to the table
of every model that inherits it, and so do the enum bindings written on them."""

from __future__ import annotations

from dataclasses import replace

from enumguard.python.binding_sites import RawBinding
from enumguard.python.mapped_classes import TableClass

Key = tuple[str, str]  # (file path, class qualname)


def _ancestors(path: str, bases: tuple[str, ...], resolver, limit: int = 64) -> list[Key]:
    """Project classes above a class (its bases resolved across modules, transitively)."""
    out: list[Key] = []
    todo = [(path, base) for base in bases]
    while todo and len(out) < limit:
        where, base = todo.pop(0)
        target = resolver.base_target(where, base)
        if target is None or target[0] != "class":
            continue
        key = (target[1], target[2])
        if key in out:
            continue
        out.append(key)
        fact = resolver.classes.get(key)
        todo.extend((key[0], b) for b in (fact.bases if fact is not None else ()))
    return out


def with_inherited(tables: dict[Key, TableClass], resolver) -> dict[Key, TableClass]:
    """Mapped classes (table set) with the columns of the mixins they inherit added (their own
    attribute wins); mixins themselves are left out."""
    out: dict[Key, TableClass] = {}
    for (path, qual), table in tables.items():
        if not table.table:
            continue
        columns = dict(table.columns)
        for key in _ancestors(path, table.bases, resolver):
            mixin = tables.get(key)
            if mixin is not None and not mixin.table:
                for attr, column in mixin.columns:
                    columns.setdefault(attr, column)
        out[(path, qual)] = replace(table, columns=tuple(columns.items()))
    return out


def inherited_bindings(raw: list[RawBinding], tables: dict[Key, TableClass], resolver) -> list[RawBinding]:
    """A copy of each enum column binding written on a class without a table, for the table of
    every mapped class that inherits that class."""
    holders: dict[Key, list[RawBinding]] = {}
    for item in raw:
        site = item.site
        if site.kind in ("call", "annotation") and site.table is None and site.column and site.owner:
            holders.setdefault((site.location.path, site.owner), []).append(item)
    if not holders:
        return []
    out: list[RawBinding] = []
    for (path, qual), table in sorted(tables.items()):
        if not table.table:
            continue
        own = {column for _, column in table.columns}
        for key in _ancestors(path, table.bases, resolver):
            for item in holders.get(key, ()):
                if item.site.column not in own:
                    out.append(RawBinding(item.enum, replace(item.site, table=table.table, owner=qual)))
    return out
