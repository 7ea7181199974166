"""Model in, the model a user is asked to trust out (`enumguard show`): each DB enum type with its
labels in order, the migration line each came from and its certainty; each linked enum with what
it stores, through which binding, and whether it was checked. Text or JSON."""

from __future__ import annotations

import json
from typing import Any

from enumguard.finding import Location
from enumguard.link.pairs import names_of, values_of
from enumguard.model import Binding, BoundPair, DbEnum, Model, NotChecked, display_type
from enumguard.report import coverage


def _where(location: Location) -> dict[str, Any]:
    return {"path": location.path, "line": location.line}


def _binding_kind(binding: Binding) -> str:
    if binding.explicit:
        return "config"
    if binding.by_fallback:
        return "name"
    return "code"


def stores(pair: BoundPair) -> str:
    """What the pair's enum writes: member names, member values, or the labels of sa.Enum(...)."""
    if pair.enum is None:
        return "labels"
    if pair.binding.stores in ("names", "values"):
        return pair.binding.stores
    written = [p.label for p in pair.persisted]
    if written == [p.label for p in names_of(pair.enum)]:
        return "names"
    values = values_of(pair.enum)
    if values is not None and written == [p.label for p in values]:
        return "values"
    return "names and values"


def _type_dict(db: DbEnum) -> dict[str, Any]:
    schema, _, name = db.name.rpartition(".")
    doubt = None if db.doubt is None else {"reason": db.doubt.reason, **_where(db.doubt.location)}
    return {
        "name": display_type(db.name),
        "schema": schema,
        "type": name,
        "certain": db.certain,
        "doubt": doubt,
        "created": _where(db.location),
        "labels": [{"label": label.value, **_where(label.location)} for label in db.labels],
    }


def _pair_dict(pair: BoundPair) -> dict[str, Any]:
    return {
        "enum": pair.enum.qualname if pair.enum is not None else "",
        "db_type": pair.db_name,
        "source": pair.db.source,
        "checked": True,
        "stores": stores(pair),
        "binding": {"kind": _binding_kind(pair.binding), **_where(pair.binding.location)},
        "labels": [{"label": p.label, "member": p.member, **_where(p.location)} for p in pair.persisted],
    }


def _unchecked_dict(entry: NotChecked) -> dict[str, Any]:
    return {
        "enum": entry.enum,
        "db_type": display_type(entry.db_type) if entry.db_type else None,
        "checked": False,
        "reason": entry.reason,
        **_where(entry.location),
    }


def render_json(model: Model) -> str:
    types = [db for db in model.db_enums if db.source == "migrations"]
    enums = [_pair_dict(p) for p in model.pairs]
    enums += [_unchecked_dict(e) for e in model.coverage.not_checked if e.enum is not None]
    doc = {
        "version": 1,
        "db_types": [_type_dict(db) for db in types],
        "enums": enums,
        "coverage": coverage.as_dict(model.coverage),
    }
    return json.dumps(doc, indent=2) + "\n"


def render_text(model: Model) -> str:
    lines: list[str] = []
    types = [db for db in model.db_enums if db.source == "migrations"]
    lines.append(f"DB enum types, replayed from the migrations ({len(types)}):")
    for db in types:
        state = "certain" if db.doubt is None else f"NOT CERTAIN: {db.doubt}"
        lines.append(f"  {display_type(db.name)}  ({state}; created at {db.location.path}:{db.location.line})")
        width = max((len(label.value) for label in db.labels), default=0)
        for label in db.labels:
            lines.append(f"    {label.value:<{width}}  {label.location.path}:{label.location.line}")
        if not db.labels:
            lines.append("    (no labels known)")
    pairs, unchecked = model.pairs, [e for e in model.coverage.not_checked if e.enum is not None]
    lines.append(f"Linked enums ({len(pairs)} checked, {len(unchecked)} not):")
    for pair in pairs:
        b = pair.binding
        how = {"code": "bound", "config": "bound by [tool.enumguard.bindings]", "name": "linked by name"}
        lines.append(
            f"  {pair.enum.qualname if pair.enum else pair.enum_name} -> {pair.db_name}"
            f" ({pair.db.source}): stores {stores(pair)}; {how[_binding_kind(b)]} at {b.location.path}:{b.location.line}"
        )
    for entry in unchecked:
        name = entry.enum or "sa.Enum labels"
        target = f" -> {display_type(entry.db_type)}" if entry.db_type else ""
        lines.append(f"  {name}{target}: not checked: {entry}")
    line = coverage.line(model.coverage)
    if line:
        lines.append(line)
    return "\n".join(lines) + "\n"
