"""libcst expressions of a revision or helper module -> values (see values.py): names through
frames and imports, literals, f-strings, operators, `%`, containers, comprehensions, subscripts
and attributes. Calls are in calls.py; what is not known stays Unknown, never a guess."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any, cast

import libcst as cst

from enumguard.migrations.alembic.modules import MISSING, Frame, ModuleEnv, class_member, library
from enumguard.migrations.alembic.operators import has_holes, plain
from enumguard.migrations.alembic.values import (
    BIND,
    DIALECT,
    OP,
    UNKNOWN,
    Attr,
    ClassValue,
    Column,
    Db,
    EnumType,
    Instance,
    Library,
    Member,
    Opaque,
    Table,
    Text,
    Unknown,
    joined,
    text_parts,
    unknown,
)

MAX_ITEMS = 1000  # elements a loop or comprehension is unrolled to; more is a run-time loop


def boolean(node: cst.BaseExpression | None) -> bool | None:
    """`True` / `False` as written."""
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


class Expressions:
    """The expression half of the evaluator (mixed into evaluate.Evaluator)."""

    origins: dict[int, tuple[str, cst.CSTNode, str, bool]]
    depth: int

    if TYPE_CHECKING:  # provided by evaluate.Evaluator and its other halves

        def tick(self) -> None: ...

        def call(self, node: cst.Call, frame: Frame) -> object: ...

        def assign(self, target: cst.BaseExpression, value: object, frame: Frame) -> None: ...

        def iterate(self, value: object) -> list[object] | None: ...

        def members(self, cls: ClassValue) -> list[Member] | None: ...

        def truth(self, value: object) -> bool | None: ...

    def expr(self, node: cst.BaseExpression | None, frame: Frame) -> object:
        if node is None:
            return None
        self.tick()
        handler = _HANDLERS.get(type(node))
        if handler is None:
            return UNKNOWN
        value = getattr(self, handler)(node, frame)
        if type(value) is str and len(value) > 20 and type(node) in _TEXT_NODES and id(value) not in self.origins:
            # SQL: remember where its text is written (a literal of upgrade() or of the module)
            self.origins[id(value)] = (value, node, frame.module.path, self.depth == 0 or frame.locals is None)
        return value

    def name(self, node: cst.Name, frame: Frame) -> object:
        word = node.value
        if word in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[word]
        value = frame.lookup(word, self)
        if value is not MISSING:
            return value
        if word == "op":  # a helper handed `op`, or a star import of it
            return OP
        if word in _BUILTIN_NAMES:
            return Library(f"builtins.{word}")
        return Unknown(how=f"`{word}`, which enumguard cannot see assigned")

    def attribute(self, obj: object, name: str) -> object:
        if isinstance(obj, Library):
            return library(f"{obj.qualified}.{name}")
        if isinstance(obj, ModuleEnv):
            value = obj.lookup(name, self)
            return UNKNOWN if value is MISSING else value
        if isinstance(obj, Db):
            if obj.kind == "dialect":
                return "postgresql" if name == "name" else UNKNOWN
            if name == "dialect":
                return DIALECT
            if name in ("bind", "connection", "engine") and obj.kind in ("bind", "context", "session"):
                return BIND
            if name == "impl" and obj.kind == "context":
                return obj
            return Attr(obj, name)
        if isinstance(obj, (ClassValue, Instance)):
            members = self.members(obj) if isinstance(obj, ClassValue) else None
            found = next((m for m in members or () if m.name == name), None)
            if found is not None:
                return found
            value = class_member(self, obj, name)
            return Attr(obj, name) if value is MISSING else value
        if isinstance(obj, (EnumType, Column, Table)):
            return Opaque(f"sqlalchemy.{type(obj).__name__}.{name}")  # `table.c.id`, `table.update()`
        if isinstance(obj, Member):
            if name in ("value", "_value_"):
                return obj.value
            if name in ("name", "_name_"):
                return obj.name
            return UNKNOWN
        if isinstance(obj, Unknown):
            return unknown(obj)
        if isinstance(obj, Opaque):
            return Opaque(f"{obj.qualified}.{name}")
        return Attr(obj, name)

    def simple_string(self, node: cst.SimpleString | cst.ConcatenatedString, frame: Frame) -> object:
        if isinstance(node, cst.ConcatenatedString) and _has_fstring(node):
            left, right = self.expr(node.left, frame), self.expr(node.right, frame)
            parts = [*(text_parts(left) or (None,)), *(text_parts(right) or (None,))]
            how = next((v.how for v in (left, right) if isinstance(v, Text)), "an f-string")
            return joined(parts, how)
        return node.evaluated_value

    def formatted(self, node: cst.FormattedString, frame: Frame) -> object:
        raw = "r" in node.prefix.lower()
        parts: list[str | None] = []
        for piece in node.parts:
            if isinstance(piece, cst.FormattedStringText):
                text = piece.value
                if not raw and "\\" in text:
                    try:
                        text = ast.literal_eval(f"{node.prefix.lower().replace('f', '')}{node.end}{text}{node.end}")
                    except (SyntaxError, ValueError):
                        parts.append(None)
                        continue
                parts.append(text.replace("{{", "{").replace("}}", "}"))
                continue
            if not isinstance(piece, cst.FormattedStringExpression):
                parts.append(None)
                continue
            value = self.expr(piece.expression, frame)
            spec: str | None = ""
            if piece.format_spec:
                spec_value = self.formatted(cst.FormattedString(parts=piece.format_spec), frame)
                spec = spec_value if isinstance(spec_value, str) else None
            parts.append(self.formatted_value(value, piece.conversion, spec))
        return joined(parts, "an f-string")

    def formatted_value(self, value: object, conversion: str | None, spec: str | None) -> str | None:
        if spec is None or not plain(value) or has_holes(value) or re.search(r"\d{7}", spec):
            return None
        try:
            if conversion == "r":
                value = repr(value)
            elif conversion == "a":
                value = ascii(value)
            elif conversion == "s":
                value = str(value)
            return format(value, spec)
        except (TypeError, ValueError):
            return None

    def number(self, node: cst.Integer | cst.Float | cst.Imaginary, frame: Frame) -> object:
        return node.evaluated_value

    def sequence(self, node: cst.List | cst.Tuple | cst.Set, frame: Frame) -> object:
        items: list[object] = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                spread = self.iterate(self.expr(element.value, frame))
                if spread is None:
                    return UNKNOWN
                items.extend(spread)
            else:
                items.append(self.expr(element.value, frame))
        if isinstance(node, cst.Tuple):
            return tuple(items)
        if isinstance(node, cst.Set):
            try:
                return set(items)
            except TypeError:
                return UNKNOWN
        return items

    def dictionary(self, node: cst.Dict, frame: Frame) -> object:
        out: dict[Any, object] = {}
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                spread = self.expr(element.value, frame)
                if not isinstance(spread, dict):
                    return UNKNOWN
                out.update(spread)
                continue
            if not isinstance(element, cst.DictElement):
                return UNKNOWN
            key = self.expr(element.key, frame)
            try:
                out[key] = self.expr(element.value, frame)
            except TypeError:
                return UNKNOWN
        return out

    def comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp, frame: Frame) -> object:
        inner = Frame(frame.module, frame, "<comprehension>")
        produced: list[object] = []
        if not self._generate(node, node.for_in, inner, produced):
            return unknown(*produced) if produced else UNKNOWN
        if isinstance(node, cst.DictComp):
            try:
                return dict(cast(Any, produced))
            except (TypeError, ValueError):
                return UNKNOWN
        if isinstance(node, cst.SetComp):
            try:
                return set(produced)
            except TypeError:
                return UNKNOWN
        return produced

    def _generate(self, node, clause: cst.CompFor, frame: Frame, out: list[object]) -> bool:
        iterable = self.expr(clause.iter, frame)
        items = self.iterate(iterable)
        if items is None:
            out.append(unknown(iterable))
            return False
        for item in items:
            self.assign(clause.target, item, frame)
            keep: bool | None = True
            for condition in clause.ifs:
                keep = self.truth(self.expr(condition.test, frame))
                if keep is not True:
                    break
            if keep is None:
                out.append(UNKNOWN)
                return False
            if not keep:
                continue
            if clause.inner_for_in is not None:
                if not self._generate(node, clause.inner_for_in, frame, out):
                    return False
            elif isinstance(node, cst.DictComp):
                out.append((self.expr(node.key, frame), self.expr(node.value, frame)))
            else:
                out.append(self.expr(node.elt, frame))
            if len(out) > MAX_ITEMS:
                return False
        return True

    def subscript(self, node: cst.Subscript, frame: Frame) -> object:
        obj = self.expr(node.value, frame)
        if len(node.slice) != 1:
            return unknown(obj)
        index = node.slice[0].slice
        if isinstance(index, cst.Slice):
            bounds = [
                self.expr(part, frame) if part is not None else None for part in (index.lower, index.upper, index.step)
            ]
            if not all(b is None or isinstance(b, int) for b in bounds):
                return unknown(obj)
            key: object = slice(*bounds)
        elif isinstance(index, cst.Index):
            key = self.expr(index.value, frame)
        else:
            return unknown(obj)
        if isinstance(obj, (str, list, tuple, dict, range)) and (plain(key) or isinstance(key, slice)):
            try:
                return cast(Any, obj)[key]
            except (KeyError, IndexError, TypeError, ValueError):
                return UNKNOWN
        if isinstance(obj, ClassValue) and isinstance(key, str):  # Status["DONE"]
            return next((m for m in self.members(obj) or () if m.name == key), UNKNOWN)
        return unknown(obj, key)

    def attribute_node(self, node: cst.Attribute, frame: Frame) -> object:
        return self.attribute(self.expr(node.value, frame), node.attr.value)

    def await_node(self, node: cst.Await, frame: Frame) -> object:
        return self.expr(node.expression, frame)

    def named(self, node: cst.NamedExpr, frame: Frame) -> object:
        value = self.expr(node.value, frame)
        self.assign(node.target, value, frame)
        return value

    def lambda_node(self, node: cst.Lambda, frame: Frame) -> object:
        from enumguard.migrations.alembic.values import Function

        return Function(node, frame.module, frame if frame.locals is not None else None, frame.module.follow)

    def call_node(self, node: cst.Call, frame: Frame) -> object:
        return self.call(node, frame)


def _has_fstring(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.ConcatenatedString):
        return _has_fstring(node.left) or _has_fstring(node.right)
    return isinstance(node, cst.FormattedString)


_TEXT_NODES = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.BinaryOperation, cst.Call)
# Builtins the evaluator computes by calling Python's own (on known values only).
PURE_BUILTINS = (
    "abs", "all", "any", "ascii", "bool", "dict", "enumerate", "float", "format", "frozenset", "int", "len",
    "list", "max", "min", "range", "repr", "reversed", "round", "set", "sorted", "str", "sum", "tuple", "zip",
)  # fmt: skip
# Names that are builtins unless the module binds them.
_BUILTIN_NAMES = frozenset(PURE_BUILTINS) | {
    "filter", "getattr", "hasattr", "isinstance", "map", "next", "open", "print",
}  # fmt: skip

_HANDLERS = {
    cst.Name: "name",
    cst.Attribute: "attribute_node",
    cst.SimpleString: "simple_string",
    cst.ConcatenatedString: "simple_string",
    cst.FormattedString: "formatted",
    cst.Integer: "number",
    cst.Float: "number",
    cst.Imaginary: "number",
    cst.BinaryOperation: "binary",
    cst.UnaryOperation: "unary",
    cst.BooleanOperation: "boolean_operation",
    cst.Comparison: "comparison",
    cst.IfExp: "if_expression",
    cst.List: "sequence",
    cst.Tuple: "sequence",
    cst.Set: "sequence",
    cst.Dict: "dictionary",
    cst.ListComp: "comprehension",
    cst.SetComp: "comprehension",
    cst.GeneratorExp: "comprehension",
    cst.DictComp: "comprehension",
    cst.Subscript: "subscript",
    cst.Await: "await_node",
    cst.NamedExpr: "named",
    cst.Lambda: "lambda_node",
    cst.Call: "call_node",
}
