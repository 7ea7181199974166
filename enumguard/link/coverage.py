"""Model + its certain pairs + the links not checked -> Coverage: how many DB types and linked
enums the rules could check, and for each one they could not, why and where."""

from __future__ import annotations

from enumguard.model import BoundPair, Coverage, Model, NotChecked


def coverage(model: Model, pairs: tuple[BoundPair, ...], unchecked: tuple[NotChecked, ...]) -> Coverage:
    types = [db for db in model.db_enums if db.source == "migrations"]
    doubtful = [NotChecked(db.doubt.reason, db.doubt.location, db.name) for db in types if db.doubt is not None]
    linked = {
        b.enum or ("labels", b.labels) for b in model.bindings if b.db_type is not None and _application(model, b)
    }
    checked = {p.enum.qualname if p.enum is not None else ("labels", p.binding.labels) for p in pairs}
    return Coverage(
        db_types=(len(types) - len(doubtful), len(types)),
        enums=(len(linked & checked), len(linked)),
        not_checked=tuple(sorted(doubtful)) + unchecked,
    )


def _application(model: Model, binding) -> bool:
    """An enum of the application (not a frozen copy in a migration script)."""
    if not binding.enum:
        return True
    enum = model.enum(binding.enum)
    return enum is not None and not enum.in_migration
