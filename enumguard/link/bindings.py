"""Resolved BindingSites + enum classes + DB enum types + config -> Bindings (and server_default
literals): code first, then [tool.enumguard.bindings], then the name fallback."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from enumguard.config import Config
from enumguard.model import Binding, DbEnum, EnumClass, LiteralUse, qualify
from enumguard.python.binding_sites import BindingSite, RawBinding


def bind(
    raw: tuple[RawBinding, ...],
    enums: tuple[EnumClass, ...],
    db_enums: tuple[DbEnum, ...],
    config: Config,
    migration_paths: frozenset[str] = frozenset(),
    columns: tuple = (),
) -> tuple[Binding, ...]:
    """Bindings from code, then [tool.enumguard.bindings], then the name fallback.

    `Enum(E)` without `name=` names the type after the class (`premstatus`); when no migration
    creates that type but they give the model's table column an enum type (`prem_status`), the
    column's type is what PostgreSQL stores into (SQLAlchemy sends no cast), so that is the link.

    Sites in migration scripts and sites of enums defined in migration scripts are never bound:
    they are frozen copies, not the application's enums.
    """
    by_name = {e.qualname: e for e in enums}
    raw = tuple(r for r in raw if r.site.location.path not in migration_paths)
    helpers: dict[str, set[str]] = {}
    for item in raw:
        if item.site.kind == "helper" and item.site.owner:
            helpers.setdefault(item.site.owner, set()).add(item.site.stores)
    raw = tuple(RawBinding(r.enum, _with_helper(r.site, helpers)) for r in raw)
    maps = _AnnotationMaps(raw)
    out: list[Binding] = []
    known = {db.name for db in db_enums}
    column_types = {(c.table, c.column): c.type_name for c in columns}
    for item in raw:
        site = item.site
        enum = by_name.get(item.enum) if item.enum is not None else None
        if site.kind in ("map_generic", "class", "helper"):
            continue
        if enum is None:
            if item.enum is None and site.labels and site.native and site.db_type:
                # sa.Enum("a", "b", name="t"): the labels themselves are what gets stored.
                out.append(
                    Binding(
                        enum="",
                        db_type=site.db_type,
                        stores="labels",
                        location=site.location,
                        table=site.table,
                        column=site.column,
                        labels=site.labels,
                    )
                )
            continue
        if enum.in_migration:
            continue
        effective = site
        if site.kind == "annotation":
            mapped = maps.effective(site, enum.qualname)
            if mapped is None:
                continue  # several maps could apply, differently: we cannot tell which one does
            effective = mapped
        db_type = _db_type(effective, enum)
        if effective.db_type is None and effective.default_name and db_type not in known:
            db_type = column_types.get((site.table, site.column), db_type)
        out.append(
            Binding(
                enum=enum.qualname,
                db_type=db_type,
                stores=effective.stores,
                location=site.location,
                table=site.table,
                column=site.column,
            )
        )
    out = _apply_config(out, by_name, db_enums, config)
    if config.name_fallback:
        out.extend(_fallback(out, enums, db_enums))
    return tuple(sorted(set(out), key=lambda b: (b.location, b.enum, b.db_type or "")))


def _with_helper(site: BindingSite, helpers: dict[str, set[str]]) -> BindingSite:
    """A values_callable imported from another module, read there (by function name, when
    every function of that name in the repository returns the same thing)."""
    if site.stores == "unknown" and site.values_helper and len(helpers.get(site.values_helper, ())) == 1:
        return replace(site, stores=next(iter(helpers[site.values_helper])))
    return site


class _AnnotationMaps:
    """type_annotation_map entries, each applying to the classes below the class declaring it
    (by simple class name, across files); an entry outside any class applies everywhere."""

    def __init__(self, raw: tuple[RawBinding, ...]) -> None:
        self.parents: dict[str, set[str]] = {}
        self.entries: list[tuple[str | None, str | None, BindingSite]] = []  # (owner, enum, site)
        for item in raw:
            site = item.site
            if site.kind == "class" and site.owner:
                self.parents.setdefault(site.owner, set()).update(site.bases)
            elif site.kind == "map" and item.enum is not None:
                self.entries.append((site.owner, item.enum, site))
            elif site.kind == "map_generic":
                self.entries.append((site.owner, None, site))

    def ancestors(self, name: str | None) -> set[str]:
        seen: set[str] = set()
        todo = [name] if name else []
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(self.parents.get(current, ()))
        return seen

    def effective(self, site: BindingSite, enum: str) -> BindingSite | None:
        """The site as SQLAlchemy resolves `Mapped[E]`: a specific entry, else a generic one's
        settings, else the default Enum(E); None when entries that could apply disagree."""
        scope = self.ancestors(site.owner)
        applicable = [(e, s) for owner, e, s in self.entries if owner is None or owner in scope]
        specific = {(s.db_type, s.stores, s.native, s.schema) for e, s in applicable if e == enum}
        if len(specific) > 1:
            return None
        if specific:
            return next(s for e, s in applicable if e == enum)
        generic = {(s.native, s.stores) for e, s in applicable if e is None}
        if len(generic) > 1:
            return None
        if generic:
            native, stores = next(iter(generic))
            return replace(site, native=native, stores=stores)
        return site


def _db_type(site: BindingSite, enum: EnumClass) -> str | None:
    if not site.native:
        return None
    if site.db_type is not None:
        return site.db_type
    if site.default_name:
        return qualify(enum.name.lower(), site.schema)
    return None


def parse_type_name(text: str, db_enums: tuple[DbEnum, ...]) -> str:
    """A type name from the config as PostgreSQL reads it: `"MixedCase"` keeps its case,
    unquoted names fold to lower case unless a DB type of exactly that spelling exists."""
    parts = _split_dotted(text.strip())
    schema, name = (parts[-2], parts[-1]) if len(parts) > 1 else (None, parts[0])
    exact = qualify(_unquote(name), _unquote(schema) if schema else None)
    if any(db.name == exact for db in db_enums):
        return exact
    return qualify(_fold(name), _fold(schema) if schema else None)


def _unquote(word: str) -> str:
    return word[1:-1] if len(word) >= 2 and word[0] == word[-1] == '"' else word


def _fold(word: str) -> str:
    """PostgreSQL's identifier rule: quoted keeps its case, unquoted folds to lower case."""
    return _unquote(word) if word.startswith('"') else word.lower()


def _split_dotted(text: str) -> list[str]:
    parts, current, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def _apply_config(
    out: list[Binding], by_name: dict[str, EnumClass], db_enums: tuple[DbEnum, ...], config: Config
) -> list[Binding]:
    """[tool.enumguard.bindings] overrides the DB type of every code binding of that enum and
    binds enums the code does not (their storage then decided by the labels: "unknown")."""
    if not config.bindings:
        return out
    explicit = {qualname: parse_type_name(name, db_enums) for qualname, name in config.bindings}
    result: list[Binding] = []
    for binding in out:
        if binding.enum in explicit:
            binding = replace(binding, db_type=explicit[binding.enum], explicit=True)
        result.append(binding)
    bound = {b.enum for b in result}
    for qualname, db_type in explicit.items():
        enum = by_name.get(qualname)
        if enum is None or enum.in_migration or qualname in bound:
            continue
        result.append(Binding(enum=qualname, db_type=db_type, stores="unknown", location=enum.location, explicit=True))
    return result


def normalise(name: str) -> str:
    return name.replace("_", "").lower()


def _fallback(out: list[Binding], enums: tuple[EnumClass, ...], db_enums: tuple[DbEnum, ...]) -> list[Binding]:
    """Link each application enum the code does not bind to the one DB type whose name equals the
    class name ignoring case and underscores. Never when two types (or two enums) share that
    normalised name: PostgreSQL keeps `"Status"` and `status` apart, and so do we."""
    bound = {b.enum for b in out}
    taken = {b.db_type for b in out if b.db_type}
    types: dict[str, list[DbEnum]] = {}
    for db in db_enums:
        types.setdefault(normalise(db.name.rpartition(".")[2]), []).append(db)
    classes: dict[str, list[EnumClass]] = {}
    for enum in enums:
        if not enum.in_migration:
            classes.setdefault(normalise(enum.name), []).append(enum)
    result = []
    for key, candidates in classes.items():
        matches = types.get(key, [])
        if len(candidates) != 1 or len(matches) != 1:
            continue
        enum, db = candidates[0], matches[0]
        if enum.qualname in bound or db.name in taken or enum.open:
            continue
        result.append(
            Binding(enum=enum.qualname, db_type=db.name, stores="unknown", location=enum.location, by_fallback=True)
        )
    return result


def column_literals(literals: tuple[LiteralUse, ...], bound: tuple[Binding, ...]) -> tuple[LiteralUse, ...]:
    """Migration literals written to a column of a table no migration creates get the type the
    model binds that column to (one type, by code); those whose column no model binds are dropped."""
    types: dict[tuple[str, str], set[str]] = {}
    for b in bound:
        if b.table and b.column and b.db_type and not b.by_fallback:
            types.setdefault((b.table, b.column), set()).add(b.db_type)
    out = []
    for lit in literals:
        if lit.type_name:
            out.append(lit)
            continue
        found = types.get((lit.table or "", lit.column or ""), set())
        if len(found) == 1:
            out.append(replace(lit, type_name=next(iter(found))))
    return tuple(out)


def server_default_literals(
    raw: tuple[RawBinding, ...], bound: tuple[Binding, ...], enums: tuple[EnumClass, ...]
) -> tuple[LiteralUse, ...]:
    """A `server_default=` of a bound enum column is a literal of its DB type (for sql-unknown-value)."""
    by_location: dict[object, Binding] = {}
    binding: Binding | None
    for binding in bound:
        if binding.db_type is not None and not binding.by_fallback:
            by_location.setdefault(binding.location, binding)
    by_name = {e.qualname: e for e in enums}
    out = []
    for item in raw:
        site = item.site
        binding = by_location.get(site.location)
        if binding is None or site.server_default_location is None:
            continue
        value = site.server_default
        if value is None and site.server_default_member is not None:
            value = _member_label(by_name.get(binding.enum), binding.stores, site.server_default_member)
        if value is None:
            continue
        out.append(LiteralUse(cast(str, binding.db_type), value, "server_default", site.server_default_location))
    return tuple(out)


def _member_label(enum: EnumClass | None, stores: str, member_attr: tuple[str, str]) -> str | None:
    if enum is None:
        return None
    member = enum.member(member_attr[0])
    if member is None:
        return None
    if member_attr[1] == "name":
        return member.name
    return member.value if member.value_known and isinstance(member.value, str) else None
