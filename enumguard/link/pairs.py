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
    Persisted,
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


def persisted(enum: EnumClass, db: DbEnum, bindings: list[Binding]) -> tuple[Persisted, ...] | None:
    """Every label the bindings of one enum to one type write (union over their storage modes)."""
    seen: dict[str, Persisted] = {}
    for binding in bindings:
        if binding.stores == "names":
            labels: tuple[Persisted, ...] | None = names_of(enum)
        elif binding.stores == "values":
            labels = values_of(enum)
        else:
            labels = _choose(enum, db, binding)
        if labels is None:
            return None
        for p in labels:
            seen.setdefault(p.label, p)
    return tuple(seen.values())


def bound_pairs(model: Model) -> tuple[BoundPair, ...]:
    """Each (enum, DB type) once; bindings to a type no migration creates give no pair."""
    groups: dict[tuple[object, str], list[Binding]] = {}
    enum_columns: dict[tuple[str, str], str] = {(c.table, c.column): c.type_name for c in model.columns}
    tables = {c.table for c in model.columns}
    plain = model.plain_columns
    for binding in model.bindings:
        if binding.db_type is None:
            continue
        if (binding.table, binding.column) in plain:
            continue  # a migration made this column a VARCHAR (or another non-enum type)
        if binding.table in tables and binding.column is not None:
            if enum_columns.get((binding.table, binding.column)) != binding.db_type:
                # The migrations gave this column another type (a VARCHAR, or another enum):
                # the model's declaration is not what the database stores into.
                continue
        key = (binding.enum or ("labels", binding.labels), binding.db_type)
        groups.setdefault(key, []).append(binding)
    pairs = []
    for (_, db_type), group in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        group.sort(key=lambda b: (b.by_fallback, b.location))
        migrated = model.db_enum(db_type)
        # `audit --database-url`: also compare with the live type when it differs from the replay
        # (when it is the same, the migration pair already says everything).
        live = model.live_enum(db_type)
        candidates = [migrated]
        if live is not None and (migrated is None or live.label_values != migrated.label_values):
            candidates.append(live)
        labels: tuple[Persisted, ...] | None
        for db in candidates:
            if db is None or not getattr(db, "labels_known", True):
                continue  # no such type, or created from code whose labels enumguard cannot read
            first = group[0]
            if not first.enum:
                labels = tuple(Persisted(label, first.location, None) for label in first.labels)
                pairs.append(BoundPair(None, db, first, labels))
                continue
            enum = model.enum(first.enum)
            if enum is None or enum.in_migration or enum.open or not enum.members:
                continue
            labels = persisted(enum, db, group)
            if labels is not None:
                pairs.append(BoundPair(enum, db, first, labels))
    return tuple(pairs)


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
