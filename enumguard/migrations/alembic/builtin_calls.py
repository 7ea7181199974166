"""Calls on plain Python values, evaluated: the builtins (len, sorted, map, ...), `str` methods
(`.format`, `.join` with run-time holes), list/dict methods, and what a `for` loop gets from a
value (None when only the run time knows)."""

from __future__ import annotations

import builtins
import sys
from string import Formatter
from typing import TYPE_CHECKING, Any

import libcst as cst

from enumguard.migrations.alembic import enum_types
from enumguard.migrations.alembic.expressions import MAX_ITEMS, PURE_BUILTINS
from enumguard.migrations.alembic.modules import Frame
from enumguard.migrations.alembic.operators import MAX_TEXT, has_holes, plain
from enumguard.migrations.alembic.values import UNKNOWN, Args, ClassValue, Member, Text, joined, text_parts, unknown

_PURE_STR = frozenset(
    [
        "capitalize",
        "casefold",
        "center",
        "count",
        "endswith",
        "find",
        "index",
        "isdigit",
        "isidentifier",
        "islower",
        "isupper",
        "ljust",
        "lower",
        "lstrip",
        "partition",
        "removeprefix",
        "removesuffix",
        "replace",
        "rjust",
        "rpartition",
        "rsplit",
        "rstrip",
        "split",
        "splitlines",
        "startswith",
        "strip",
        "swapcase",
        "title",
        "upper",
        "zfill",
    ]
)
_PURE_CONTAINER = frozenset({"count", "index", "keys", "values", "items", "get", "copy"})
_MUTATING = frozenset({"append", "extend", "insert", "update", "add", "setdefault", "pop", "remove", "discard"})


class BuiltinCalls:
    """The plain-value half of the evaluator's calls (mixed into evaluate.Evaluator)."""

    if TYPE_CHECKING:

        def call_value(self, callee: object, args: Args, node: cst.Call, frame: Frame) -> object: ...

        def attribute(self, obj: object, name: str) -> object: ...

        def truth(self, value: object) -> bool | None: ...

        def formatted_value(self, value: object, conversion: str | None, spec: str | None) -> str | None: ...

    def builtin(self, name: str, args: Args, node: cst.Call, frame: Frame) -> object:
        values = args.positional
        if name == "print":
            return None
        if name in ("map", "filter") and len(values) == 2:
            items = self.iterate(values[1])
            if items is None:
                return UNKNOWN
            out = []
            for item in items:
                result = self.call_value(values[0], Args([item]), node, frame) if values[0] is not None else item
                if name == "map":
                    out.append(result)
                elif self.truth(result) is None:
                    return UNKNOWN
                elif self.truth(result):
                    out.append(item)
            return out
        if name == "str" and len(values) == 1 and isinstance(values[0], Member) and values[0].str_is_value:
            return values[0].value  # `list(map(str, Kind))` of a StrEnum: its values
        if name == "getattr" and len(values) >= 2 and isinstance(values[1], str):
            return self.attribute(values[0], values[1])
        if name in ("list", "tuple", "set", "frozenset", "sorted", "reversed", "enumerate", "zip") and values:
            items = [self.iterate(v) for v in values]
            if any(i is None for i in items):
                return unknown(*values)
            values = items
        if name in ("isinstance", "hasattr", "open", "next", "iter"):
            return UNKNOWN
        if any(isinstance(v, (range, list, tuple, set, dict, str)) and len(v) > MAX_TEXT // 100 for v in values):
            return UNKNOWN  # sum(range(10**12)): not worth computing
        if not all(plain(v) and not has_holes(v) for v in [*values, *args.keywords.values()]) or args.open_star:
            if name == "len" and values and isinstance(values[0], (list, tuple, dict, set)):
                return len(values[0])
            return unknown(*values)
        function = _BUILTINS.get(name)
        if function is None:
            return UNKNOWN
        try:
            result = function(*values, **args.keywords)
        except Exception:  # noqa: BLE001 - what Python would raise at run time: not a value
            return UNKNOWN
        if isinstance(result, (map, filter, zip, enumerate, reversed)):
            result = list(result)[: MAX_ITEMS + 1]
        if isinstance(result, str) and len(result) > MAX_TEXT:
            return UNKNOWN
        return result

    def string_method(self, obj: str | Text, name: str, args: Args) -> object:
        values = args.positional
        if name == "join" and len(values) == 1:
            items = self.iterate(values[0])
            if items is None:
                return Text((None,), "string formatting")
            parts: list[str | None] = []
            for i, item in enumerate(items):
                if i:
                    parts.extend(text_parts(obj) or (None,))
                parts.extend(text_parts(item) or (None,))
            return joined(parts, "string formatting")
        if name == "format" and isinstance(obj, str):
            return self.format(obj, args)
        if isinstance(obj, Text):
            if name in ("upper", "lower"):
                return Text(tuple(getattr(p, name)() if p else p for p in obj.parts), obj.how)
            return obj if name in ("strip", "lstrip", "rstrip") else Text((None,), "string formatting")
        if any(isinstance(v, int) and v > MAX_TEXT for v in values):
            return UNKNOWN  # "x".zfill(10**9)
        if name in _PURE_STR and all(plain(v) and not has_holes(v) for v in [*values, *args.keywords.values()]):
            try:
                return getattr(obj, name)(*values, **args.keywords)
            except Exception:  # noqa: BLE001
                return UNKNOWN
        if name == "replace":
            return Text((None,), "string formatting")
        return UNKNOWN

    def format(self, template: str, args: Args) -> object:
        """`template.format(...)`, with a hole for each field whose value is not known."""
        parts: list[str | None] = []
        auto = 0
        try:
            fields = list(Formatter().parse(template))
        except ValueError:
            return UNKNOWN
        for literal, field, spec, conversion in fields:
            parts.append(literal)
            if field is None:
                continue
            head = field.split(".")[0].split("[")[0]
            if head == "":
                value, auto = args.get("", auto), auto + 1
            elif head.isdigit():
                value = args.get("", int(head))
            else:
                value = args.keywords.get(head, UNKNOWN)
            if head != field or not plain(value) or has_holes(value) or spec and "{" in spec:
                parts.append(None)
                continue
            parts.append(self.formatted_value(value, conversion, spec or ""))
        return joined(parts, "string formatting")

    def container_method(self, obj: Any, name: str, args: Args) -> object:
        if name in _MUTATING and hasattr(obj, name):
            try:
                return getattr(obj, name)(*args.positional, **args.keywords)
            except Exception:  # noqa: BLE001
                return UNKNOWN
        if name in _PURE_CONTAINER and hasattr(obj, name):
            try:
                result = getattr(obj, name)(*args.positional, **args.keywords)
            except Exception:  # noqa: BLE001
                return UNKNOWN
            return list(result) if name in ("keys", "values", "items") else result
        return UNKNOWN

    def iterate(self, value: object) -> list[object] | None:
        """The items a `for` loop gets from a value, None when they are known only at run time
        (or there are more than the evaluator unrolls)."""
        if isinstance(value, (list, tuple, str, range)):
            return list(value) if len(value) <= MAX_ITEMS else None
        if isinstance(value, dict):
            return list(value) if len(value) <= MAX_ITEMS else None
        if isinstance(value, (set, frozenset)):
            return sorted(value, key=repr) if len(value) <= MAX_ITEMS else None
        if isinstance(value, ClassValue):
            found = self.members(value)
            return list(found) if found is not None else None
        return None

    def members(self, cls: ClassValue) -> list[Member] | None:
        return enum_types.members(cls.node)


_BUILTINS: dict[str, Any] = {name: getattr(builtins, name) for name in PURE_BUILTINS}
_STDLIB: frozenset[str] = frozenset(sys.stdlib_module_names)
