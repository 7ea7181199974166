"""`sa.Enum(...)` / `postgresql.ENUM(...)` called with evaluated arguments -> the EnumType it
builds (name, labels, create_type, native); an enum class's members as written (the labels
SQLAlchemy stores for it: member names, or values with values_callable)."""

from __future__ import annotations

from typing import Any

import libcst as cst

from enumguard.libcst_helpers import dotted, string
from enumguard.migrations.alembic.values import Args, ClassValue, EnumType, Function, Member
from enumguard.sqlalchemy_names import ENUM_BASES


def build(ev: Any, args: Args, node: cst.Call) -> EnumType:
    """The type a call of SQLAlchemy's Enum builds."""
    first_written = next((a for a in node.args if a.keyword is None), None)
    first = args.positional[0] if args.positional else None
    name = args.keywords.get("name")
    labels: tuple[str, ...] = ()
    known = not args.open_star
    if first is not None and not isinstance(first, str) and first_written is not None and not first_written.star:
        # sa.Enum(PythonEnumClass, ...): the labels are its members' names (or values)
        found = class_labels(ev, first, "values_callable" in args.keywords, args.keywords.get("values_callable"), node)
        labels, known = found or (), found is not None
        class_name = dotted(first_written.value)
        if name is None and class_name:
            name = class_name.rsplit(".", 1)[-1].lower()
    elif all(isinstance(v, str) for v in args.positional):
        labels = tuple(str(v) for v in args.positional)
    else:
        known = False
    schema = args.keywords.get("schema")
    return EnumType(
        name=name if isinstance(name, str) else None,
        labels=labels if known else (),
        labels_known=known,
        create_type=args.keywords.get("create_type") is not False,
        native=args.keywords.get("native_enum") is not False,
        node=node,
        schema=schema if isinstance(schema, str) else None,
        inherit_schema=args.keywords.get("inherit_schema") is True,
    )


def class_labels(
    ev: Any, cls: object, by_value: bool, values_callable: object, node: cst.Call
) -> tuple[str, ...] | None:
    """The labels SQLAlchemy stores for a readable enum class: its member names, or with
    values_callable what the callable gives (evaluated when enumguard can follow it, else the
    members' values when they are all strings: the usual `[e.value for e in x]`)."""
    if not isinstance(cls, ClassValue):
        return None
    found = ev.members(cls)
    if found is None:
        return None
    if not by_value:
        return tuple(m.name for m in found)
    if isinstance(values_callable, Function):
        result = ev.follow(values_callable, Args([cls]), node)
        if isinstance(result, (list, tuple)) and all(isinstance(v, str) for v in result):
            return tuple(result)
    values = [m.value for m in found]
    return tuple(values) if all(isinstance(v, str) for v in values) else None


def members(cls: cst.ClassDef) -> list[Member] | None:
    """(name, value) of an enum class whose members are all literal assignments."""
    if not any((dotted(b.value) or "") in ENUM_BASES or (dotted(b.value) or "").endswith("Enum") for b in cls.bases):
        return None
    out: list[Member] = []
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    own_str = any(isinstance(s, cst.FunctionDef) and s.name.value in ("__str__", "__format__") for s in body)
    str_is_value = not own_str and any((dotted(b.value) or "") in ("StrEnum", "enum.StrEnum") for b in cls.bases)
    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            if isinstance(stmt, cst.FunctionDef):
                continue
            return None
        for small in stmt.body:
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
            ):
                target = small.targets[0].target.value
                if target.startswith("_"):
                    continue
                value: object = string(small.value)
                if value is None:
                    if isinstance(small.value, cst.Integer):
                        value = small.value.evaluated_value
                    else:
                        return None
                out.append(Member(cls.name.value, target, value, str_is_value and isinstance(value, str)))
    return out or None
