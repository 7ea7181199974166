"""Operators over evaluated values (see values.py): arithmetic and `+` of strings with run-time
holes, `%` formatting, comparisons, `and`/`or`/`not`, conditional expressions, and the truth of
a value (None when only the run time knows it)."""

from __future__ import annotations

import operator
import re
from typing import TYPE_CHECKING

import libcst as cst

from enumguard.migrations.alembic.modules import Frame
from enumguard.migrations.alembic.values import (
    UNKNOWN,
    Attr,
    Choice,
    Library,
    Opaque,
    Text,
    Unknown,
    joined,
    same,
    text_parts,
    unknown,
)

MAX_TEXT = 1_000_000  # characters a string operation may build
PLAIN = (str, int, float, bool, type(None), tuple, list, dict, set, frozenset, range, bytes)
_BINARY = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
    cst.FloorDivide: operator.floordiv,
    cst.Modulo: operator.mod,
    cst.Power: operator.pow,
    cst.BitOr: operator.or_,
    cst.BitAnd: operator.and_,
    cst.BitXor: operator.xor,
    cst.LeftShift: operator.lshift,
    cst.RightShift: operator.rshift,
}
_BINARY_BY_NAME = {op.__name__: function for op, function in _BINARY.items()}
_COMPARE = {
    cst.Equal: operator.eq,
    cst.NotEqual: operator.ne,
    cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le,
    cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge,
    cst.Is: operator.is_,
    cst.IsNot: operator.is_not,
    cst.In: lambda a, b: operator.contains(b, a),
    cst.NotIn: lambda a, b: not operator.contains(b, a),
}
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")


def plain(value: object) -> bool:
    """A Python constant the evaluator may hand to Python's own operations."""
    return isinstance(value, PLAIN)


def has_holes(value: object) -> bool:
    """A container with an element known only at run time."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(isinstance(v, (Unknown, Text)) or has_holes(v) for v in value)
    if isinstance(value, dict):
        return any(isinstance(v, (Unknown, Text)) for v in [*value.keys(), *value.values()])
    return False


def percent(template: str | Text, args: object) -> object:
    """`template % args`, with a hole for each conversion whose value is not known."""
    if isinstance(template, str) and plain(args) and not has_holes(args):
        try:
            return template % args
        except (TypeError, ValueError, KeyError):
            return UNKNOWN
    parts: list[str | None] = []
    for piece in text_parts(template) or (None,):
        if piece is None:
            parts.append(None)
            continue
        at = 0
        for m in _PERCENT.finditer(piece):
            parts.append(piece[at : m.start()])
            parts.append("%" if m.group() == "%%" else None)
            at = m.end()
        parts.append(piece[at:])
    return joined(parts, "string operations")


_RUN_TIME = (Unknown, Text, Opaque, Library, Attr)


class Operators:
    """The operator half of the evaluator (mixed into evaluate.Evaluator)."""

    if TYPE_CHECKING:

        def expr(self, node: cst.BaseExpression | None, frame: Frame) -> object: ...

    def binary(self, node: cst.BinaryOperation, frame: Frame) -> object:
        return self.binop(node.operator, self.expr(node.left, frame), self.expr(node.right, frame))

    def binop(self, op: cst.BaseBinaryOp | cst.BaseAugOp, left: object, right: object) -> object:
        kind = type(op).__name__.removesuffix("Assign")
        if kind == "Add" and (isinstance(left, (str, Text)) or isinstance(right, (str, Text))):
            lp, rp = text_parts(left), text_parts(right)
            if lp is None or rp is None:
                return UNKNOWN
            if isinstance(left, str) and isinstance(right, str):
                return left + right if len(left) + len(right) <= MAX_TEXT else UNKNOWN
            return joined([*lp, *rp], "string operations")
        if kind == "Modulo" and isinstance(left, (str, Text)):
            return percent(left, right)
        function = _BINARY_BY_NAME.get(kind)
        if function is None or not plain(left) or not plain(right) or has_holes(left) or has_holes(right):
            return unknown(left, right)
        if kind in ("Multiply", "Power", "LeftShift") and _too_big(kind, left, right):
            return UNKNOWN
        try:
            return function(left, right)
        except Exception:  # noqa: BLE001 - what Python would raise at run time: not a value
            return UNKNOWN

    def unary(self, node: cst.UnaryOperation, frame: Frame) -> object:
        value = self.expr(node.expression, frame)
        if isinstance(node.operator, cst.Not):
            truth = self.truth(value)
            return unknown(value) if truth is None else not truth
        if not isinstance(value, (int, float)) or isinstance(value, bool) and not isinstance(node.operator, cst.Minus):
            return unknown(value)
        if isinstance(node.operator, cst.Minus):
            return -value
        if isinstance(node.operator, cst.BitInvert) and isinstance(value, int):
            return ~value
        return value

    def boolean_operation(self, node: cst.BooleanOperation, frame: Frame) -> object:
        left = self.expr(node.left, frame)
        truth = self.truth(left)
        is_and = isinstance(node.operator, cst.And)
        if truth is not None:
            return self.expr(node.right, frame) if truth == is_and else left
        right = self.expr(node.right, frame)
        return unknown(left, right)

    def comparison(self, node: cst.Comparison, frame: Frame) -> object:
        left = self.expr(node.left, frame)
        result: object = True
        for target in node.comparisons:
            right = self.expr(target.comparator, frame)
            outcome = self.compare(target.operator, left, right)
            if outcome is False:
                return False
            if outcome is not True:
                result = unknown(result, outcome, left, right)
            left = right
        return result

    def compare(self, op: cst.BaseCompOp, left: object, right: object) -> object:
        if isinstance(left, _RUN_TIME) or isinstance(right, _RUN_TIME):
            return unknown(left, right)  # `os.environ.get("X") == "1"`: only the run time knows
        function = _COMPARE.get(type(op))
        if function is None:
            return UNKNOWN
        membership = isinstance(op, (cst.In, cst.NotIn))
        try:
            outcome = bool(function(left, right))
        except Exception:  # noqa: BLE001
            return unknown(left, right)
        if membership and has_holes(right) and outcome == isinstance(op, cst.NotIn):
            return unknown(right, *(right if isinstance(right, (list, tuple, set)) else ()))
        if not membership and (has_holes(left) or has_holes(right)):
            return unknown(left, right)
        return outcome

    def if_expression(self, node: cst.IfExp, frame: Frame) -> object:
        test = self.expr(node.test, frame)
        truth = self.truth(test)
        if truth is not None:
            return self.expr(node.body if truth else node.orelse, frame)
        merged = same([self.expr(node.body, frame), self.expr(node.orelse, frame)])
        return unknown(test, merged) if isinstance(merged, Unknown) and not isinstance(merged, Choice) else merged

    def truth(self, value: object) -> bool | None:
        """Python's truth of a value, None when it is known only at run time."""
        if isinstance(value, (Unknown, Opaque, Library, Attr)):
            return None  # `settings.FLAG` of a module enumguard does not read
        if isinstance(value, Text):
            return True if any(value.parts) else None
        if plain(value):
            return bool(value)
        return True


def _too_big(kind: str, left: object, right: object) -> bool:
    if kind == "Multiply":
        sizes = [len(v) for v in (left, right) if isinstance(v, (str, list, tuple, bytes))]
        counts = [v for v in (left, right) if isinstance(v, int)]
        return bool(sizes and counts and sizes[0] * max(counts[0], 0) > MAX_TEXT)
    if kind == "Power":
        return not isinstance(right, int) or abs(right) > 64
    return not isinstance(right, int) or right > 64
