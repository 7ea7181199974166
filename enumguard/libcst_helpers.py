"""libcst nodes in, plain values out: dotted names, string literals and call arguments, shared
by the model-code reader (python/) and the Alembic reader (migrations/)."""

from __future__ import annotations

import libcst as cst


def dotted(node: cst.BaseExpression | None) -> str | None:
    """`a.b.c` as text, or None for anything that is not a plain dotted name."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


def string(node: cst.BaseExpression | None) -> str | None:
    """The value of a plain or implicitly concatenated string literal (not an f-string)."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def kwarg(call: cst.Call, name: str) -> cst.Arg | None:
    """The argument `name=` of a call, as written."""
    for a in call.args:
        if a.keyword is not None and a.keyword.value == name:
            return a
    return None


def arg(call: cst.Call, keyword: str, position: int | None = None) -> cst.BaseExpression | None:
    """The value of `keyword=`, else of the positional argument at `position` (stars skipped)."""
    found = kwarg(call, keyword)
    if found is not None:
        return found.value
    if position is not None:
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if position < len(positional):
            return positional[position]
    return None
