"""A `with` item or a `try` statement in, the exceptions it expects out: code written to raise.

`E("nope")` inside `pytest.raises(...)`, `self.assertRaises(...)` or `with raises(...)` tests the
error path (ANY means the block expects whatever it raises); inside `try:` whose handler names
`ValueError` (or `contextlib.suppress(ValueError)`) the error is handled on purpose. Catch-alls
(bare `except:`, `except Exception`) are not counted: they wrap much more than one lookup, and a
misspelt member under them is a bug that merely stays quiet."""

from __future__ import annotations

import libcst as cst

ANY = "*"
_EXPECTING = {"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp", "failUnlessRaises"}
_SUPPRESS = {"suppress"}


def _last_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _names(node: cst.BaseExpression | None) -> set[str]:
    """`ValueError`, `builtins.KeyError`, `(ValueError, TypeError)` -> their class names."""
    if isinstance(node, cst.Tuple):
        out: set[str] = set()
        for element in node.elements:
            out |= _names(element.value)
        return out
    name = _last_name(node) if node is not None else None
    return {name} if name else set()


def with_item(item: cst.BaseExpression) -> frozenset[str]:
    """What a `with` item expects its block to raise."""
    if not isinstance(item, cst.Call):
        return frozenset()
    name = _last_name(item.func)
    if name in _EXPECTING:
        return frozenset({ANY})
    if name in _SUPPRESS:
        out: set[str] = set()
        for arg in item.args:
            out |= _names(arg.value)
        return frozenset(out)
    return frozenset()


def try_handlers(node: cst.Try | cst.TryStar) -> frozenset[str]:
    """The exceptions a `try` statement's handlers name (bare `except:` names none)."""
    out: set[str] = set()
    for handler in node.handlers:
        out |= _names(handler.type)
    return frozenset(out)
