"""Model in, BoundPairs out: each Python enum (or string-label Enum) next to the DB enum type it is
persisted in, with the labels it writes; and their comparison (missing, extra, case-only) that
the drift rules read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from enumguard.model import (
    Binding,
    BoundPair,
    DbEnum,
    EnumClass,
    Label,
    Model,
    NotChecked,
    Persisted,
    display_type,
)


@dataclass(frozen=True)
class Drift:
    missing_in_db: tuple[Persisted, ...]
    missing_in_code: tuple[Label, ...]
    case_only: tuple[tuple[Persisted, Label], ...]


def names_of(enum: EnumClass) -> tuple[Persisted, ...]:
    return tuple(Persisted(m.name, m.location, m.name) for m in enum.members if m.alias_of is None)


def values_of(enum: EnumClass) -> tuple[Persisted, ...] | None:
    """Member values as labels; None when one is not a statically known string."""
    out = []
    for m in enum.members:
        if m.alias_of is not None:
            continue
        if not m.value_known or not isinstance(m.value, str):
            return None
        out.append(Persisted(m.value, m.location, m.name))
    return tuple(out)


def _overlap(labels: Iterable[Persisted], db: DbEnum) -> tuple[int, int]:
    """(exact matches, case-insensitive matches) of the labels among the DB labels."""
    labels = list(labels)
    folded = {v.lower() for v in db.label_values}
    exact = set(db.label_values)
    return sum(1 for p in labels if p.label in exact), sum(1 for p in labels if p.label.lower() in folded)


def _choose(enum: EnumClass, db: DbEnum, binding: Binding) -> tuple[Persisted, ...] | None:
    """For a link that does not say how the enum is stored, the representation the DB labels
    match; None when neither fits clearly enough to report drift."""
    names, values = names_of(enum), values_of(enum)
    options = [names] if values is None or [p.label for p in values] == [p.label for p in names] else [names, values]
    exact = set(db.label_values)
    for option in options:
        if {p.label for p in option} == exact:
            return option
    scored = sorted(((_overlap(o, db), i) for i, o in enumerate(options)), reverse=True)
    best, index = scored[0]
    if len(scored) > 1 and scored[1][0] == best:
        if not binding.explicit or best[1] > 0:
            return None
        return options[-1]  # configured by hand without a code binding: most likely the values
    # Linked by name, or stored through a values_callable we cannot read: compare only when at
    # least half of the enum's labels AND half of the DB labels match (ignoring case). A link
    # configured by hand is trusted as it is.
    if not binding.explicit and (best[1] == 0 or 2 * best[1] < max(len(options[index]), len(exact))):
        return None
    return options[index]


def driver_stores(enum: EnumClass, drivers: frozenset[str]) -> str | None:
    """What a driver sends for a member when no SQLAlchemy type converts it: a str-based member
    (`StrEnum`, `(str, Enum)`) goes as its value with psycopg 3, psycopg2 and asyncpg; psycopg 3
    sends a plain `Enum` member's name (psycopg2 and asyncpg refuse one). None when SQLAlchemy
    is used (it may convert, by a binding enumguard did not read) or no driver is seen."""
    if drivers & {"sqlalchemy", "sqlmodel"} or not drivers:
        return None
    if enum.kind == "StrEnum" or enum.kind.startswith("str"):
        return "values"
    if drivers == {"psycopg"}:
        return "names"
    return None


def _fits(labels: tuple[Persisted, ...], db: DbEnum) -> bool:
    """At least half of the enum's labels AND half of the DB labels match, ignoring case."""
    _, folded = _overlap(labels, db)
    return folded > 0 and 2 * folded >= max(len(labels), len(db.label_values))


def persisted(
    enum: EnumClass, db: DbEnum, bindings: list[Binding], drivers: frozenset[str] = frozenset()
) -> tuple[Persisted, ...] | None:
    """Every label the bindings of one enum to one type write (union over their storage modes)."""
    seen: dict[str, Persisted] = {}
    for binding in bindings:
        stores = binding.stores
        if stores == "unknown" and not binding.explicit:
            stores = driver_stores(enum, drivers) or stores
        if stores == "names":
            labels: tuple[Persisted, ...] | None = names_of(enum)
        elif stores == "values":
            labels = values_of(enum)
        else:
            labels = _choose(enum, db, binding)
        if labels is None:
            return None
        if binding.by_fallback and stores != binding.stores and not _fits(labels, db):
            return None  # linked by name only: the labels must overlap as well
        for p in labels:
            seen.setdefault(p.label, p)
    return tuple(seen.values())


# What is linked: an enum's qualname, or ("labels", labels) of `sa.Enum("a", "b", name=..)`.
Key = str | tuple[str, tuple[str, ...]]


def bound_pairs(model: Model) -> tuple[tuple[BoundPair, ...], tuple[NotChecked, ...]]:
    """Each (enum, DB type) once, where every fact the comparison rests on is certain: the type's
    labels, the link, and what the enum stores. The others, with why, as NotChecked."""
    groups: dict[tuple[Key, str], list[Binding]] = {}
    skipped: dict[Key, NotChecked] = {}
    for binding in model.bindings:
        if binding.db_type is None:
            continue
        key = binding.enum or ("labels", binding.labels)
        other = _column_says_otherwise(model, binding)
        if other is not None:
            skipped.setdefault(key, other)
            continue
        groups.setdefault((key, binding.db_type), []).append(binding)
    pairs: list[BoundPair] = []
    unchecked: dict[Key, NotChecked] = {}
    for (key, db_type), group in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        group.sort(key=lambda b: (b.by_fallback, b.location))
        made = _pairs(model, group, db_type)
        if isinstance(made, NotChecked):
            unchecked.setdefault(key, made)
        else:
            pairs.extend(made)
    done = {p.enum.qualname if p.enum is not None else ("labels", p.binding.labels) for p in pairs}
    for key, why in skipped.items():
        if key not in done and key not in unchecked and not any(k == key for k, _ in groups):
            unchecked[key] = why
    return tuple(pairs), tuple(sorted(v for k, v in unchecked.items() if k not in done))


def _column_says_otherwise(model: Model, binding: Binding) -> NotChecked | None:
    """Why the model's declaration of this column is not what PostgreSQL stores into: the
    migrations gave the column another type, or created its table without it."""
    if binding.table is None or binding.column is None:
        return None
    key = (binding.table, binding.column)
    column = f"`{binding.table.removeprefix('public.')}.{binding.column}`"
    enum = binding.enum
    if key in model.plain_columns:
        return NotChecked(f"the migrations give column {column} a type that is no enum", binding.location, None, enum)
    typed = {(c.table, c.column): c.type_name for c in model.columns}
    if key in typed:
        if typed[key] != binding.db_type:
            shown = display_type(typed[key])
            return NotChecked(f"the migrations type column {column} `{shown}`", binding.location, None, enum)
        return None
    if binding.table in model.tables:
        # the migrations create the table, and not with this enum column
        return NotChecked(f"no migration gives column {column} an enum type", binding.location, None, enum)
    return None  # a table made outside the migrations: the model is the evidence of its columns


def _pairs(model: Model, group: list[Binding], db_type: str) -> list[BoundPair] | NotChecked:
    """The pairs of one enum's bindings to one DB type (the migrated type, and the live one when
    it differs), or why they are not checked."""
    first = group[0]
    migrated = model.db_enum(db_type)
    live = model.live_enum(db_type)
    candidates = [migrated] if migrated is not None else []
    if live is not None and (migrated is None or live.label_values != migrated.label_values):
        candidates.append(live)
    shown = display_type(db_type)
    if not candidates:
        return NotChecked(f"no migration creates DB type `{shown}`", first.location, db_type, first.enum)
    enum = model.enum(first.enum) if first.enum else None
    if first.enum:
        if enum is None or enum.in_migration:
            return []
        if enum.open or not enum.members:
            return NotChecked(f"the members of `{enum.name}` are not all known", enum.location, db_type, first.enum)
    columns = [c for c in model.columns if c.type_name == db_type]
    if all(b.by_fallback for b in group) and not any(c.doubt is None for c in columns):
        doubt = next((c.doubt for c in columns if c.doubt is not None), None)
        if doubt is not None:  # the columns of the type may have changed: the evidence is uncertain
            return NotChecked(doubt.reason, doubt.location, db_type, first.enum)
        return NotChecked(
            f"linked to `{shown}` by name only, and no column of that type remains after the migrations",
            first.location,
            db_type,
            first.enum,
        )
    out: list[BoundPair] = []
    for db in candidates:
        if not db.certain:
            assert db.doubt is not None
            return NotChecked(db.doubt.reason, db.doubt.location, db_type, first.enum)
        if enum is None:
            labels = tuple(Persisted(label, first.location, None) for label in first.labels)
            out.append(BoundPair(None, db, first, labels))
            continue
        stored = persisted(enum, db, group, model.drivers)
        if stored is None:
            return NotChecked(
                f"what `{enum.name}` stores in `{shown}` is not certain (member names or values)",
                first.location,
                db_type,
                first.enum,
            )
        out.append(BoundPair(enum, db, first, stored))
    return out


def compare(pair: BoundPair) -> Drift:
    written = {p.label for p in pair.persisted}
    in_db = set(pair.db.label_values)
    missing_db: list[Persisted] = []
    case_only: list[tuple[Persisted, Label]] = []
    used: set[str] = set()
    for p in pair.persisted:
        if p.label in in_db:
            continue
        twin = next(
            (
                label
                for label in pair.db.labels
                if label.value.lower() == p.label.lower() and label.value not in written and label.value not in used
            ),
            None,
        )
        if twin is not None:
            used.add(twin.value)
            case_only.append((p, twin))
        else:
            missing_db.append(p)
    missing_code = tuple(label for label in pair.db.labels if label.value not in written and label.value not in used)
    return Drift(tuple(missing_db), missing_code, tuple(case_only))
