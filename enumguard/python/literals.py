"""A libcst expression in, its Python value out when it is a literal (no code is run)."""

from __future__ import annotations

from typing import Any

import libcst as cst

from enumguard.model import Value


def string_value(node: cst.CSTNode) -> str | None:
    ok, value = literal_value(node) if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) else (False, None)
    return value if ok and isinstance(value, str) else None


def literal_value(node: Any) -> tuple[bool, Value]:  # a libcst node, dispatched on its exact type
    """(True, value) for a literal Python can evaluate without running code, else (False, None)."""
    kind = type(node)
    try:
        if kind is cst.SimpleString or kind is cst.ConcatenatedString:
            value = node.evaluated_value
            return (value is not None, value)
        if kind is cst.Integer:
            return True, int(node.value.replace("_", ""), 0)
        if kind is cst.Float:
            return True, float(node.value.replace("_", ""))
    except (ValueError, SyntaxError, TypeError):
        return False, None
    if kind is cst.Name and node.value in ("True", "False", "None"):
        return True, {"True": True, "False": False, "None": None}[node.value]
    if kind is cst.UnaryOperation and isinstance(node.operator, cst.Minus):
        ok, value = literal_value(node.expression)
        if ok and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True, -value
    if kind is cst.Tuple:
        items = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                return False, None
            ok, value = literal_value(element.value)
            if not ok:
                return False, None
            items.append(value)
        return True, tuple(items)
    return False, None
