"""EnumChange in, plain phrases out: what a change does to one DB enum type, as segments a
renderer formats (names as code) or as one line of text."""

from __future__ import annotations

from typing import Iterable

from enumguard.model import display_type
from enumguard.report.report import EnumChange

# A piece of a phrased enum change: (text, is_name). Names are shown as code (backticks in
# text, escaped code spans in Markdown); the rest is plain prose.
Segment = tuple[str, bool]


def describe(change: EnumChange) -> list[tuple[str, tuple[Segment, ...]]]:
    """Phrase each op of a change as (kind, segments), e.g. ("add_value", (("+ ", False),
    ("archived", True), (" (after ", False), ("shipped", True), (")", False))).

    Kinds: create, recreate (a DROP then CREATE of the same type), add_value, rename_value,
    rename_type, set_schema, drop. Renderers join the segments, formatting names as code.
    """
    out: list[tuple[str, tuple[Segment, ...]]] = []
    for op in change.ops:
        if op.kind == "create":
            labels = _names(op.labels) or (("no labels", False),)
            if out and out[-1][0] == "drop":
                out[-1] = ("recreate", (("dropped and recreated with ", False), *labels))
            else:
                out.append(("create", (("created with ", False), *labels)))
        elif op.kind == "add_value":
            parts: list[Segment] = [("+ ", False), (op.label or "?", True)]
            if op.before:
                parts += [(" (before ", False), (op.before, True), (")", False)]
            elif op.after:
                parts += [(" (after ", False), (op.after, True), (")", False)]
            out.append(("add_value", tuple(parts)))
        elif op.kind == "rename_value":
            out.append(
                (
                    "rename_value",
                    (("renamed ", False), (op.label or "?", True), (" -> ", False), (op.new_label or "?", True)),
                )
            )
        elif op.kind == "rename_type":
            out.append(("rename_type", (("renamed to ", False), (display_type(op.new_name or "?"), True))))
        elif op.kind == "set_schema":
            out.append(("set_schema", (("moved to ", False), (display_type(op.new_name or "?"), True))))
        elif op.kind == "drop":
            out.append(("drop", (("dropped" + (" with CASCADE" if op.cascade else ""), False),)))
        else:
            out.append((op.kind, ((op.kind.replace("_", " "), False),)))
    return out


def _names(labels: Iterable[str]) -> tuple[Segment, ...]:
    parts: list[Segment] = []
    for i, label in enumerate(labels):
        if i:
            parts.append((", ", False))
        parts.append((label, True))
    return tuple(parts)


def phrase(change: EnumChange) -> str:
    """Plain text: "`order_status`: + `archived` (after `shipped`), renamed `canceled` -> `cancelled`"."""
    items = ["".join(f"`{text}`" if name else text for text, name in parts) for _, parts in describe(change)]
    return f"`{display_type(change.type_name)}`: " + ", ".join(items)
