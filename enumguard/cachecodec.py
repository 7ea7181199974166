"""Cached facts in, JSON-ready data out, and back: a typed codec for enumguard's own frozen
dataclasses, so the fact cache is data that loading cannot turn into code.

A Codec is built from the type of what a store holds: its registry is every dataclass and enum
that type's annotations reach, and the classes named for fields annotated loosely. Encoding
follows each field's annotation (a dataclass is the list of its fields in order; a union of
dataclasses is tagged with the class name); a loosely annotated field (`object`, a bare `tuple`,
a union of scalars and tuples) uses a self-describing form whose lists start with a tag.
Decoding builds only registered classes, found by that tag in the registry (never imported by a
name read from the file), checks every value against the annotation, and raises CodecError for
anything else.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import functools
import hashlib
import itertools
import operator
import types
import typing
from typing import Any, Callable, Iterable

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]
_SCALARS = (str, int, float, bool, type(None))


class CodecError(ValueError):
    """Data the codec did not write (corrupt, foreign, or of other classes)."""


class Codec:
    """encode(value) -> JSON-ready data; decode(data) -> the value, of registered classes only."""

    def __init__(self, root: Any, loose: Iterable[type] = ()) -> None:
        """root: the type of the stored values (a union of classes); loose: the classes that
        fields annotated `object` or a bare `tuple` hold."""
        self.classes: dict[str, type] = {}
        self.enums: dict[str, type[enum.Enum]] = {}
        self._fields: dict[type, list[tuple[str, Any]]] = {}
        for tp in (root, *loose):
            self._register(tp)
        self._encoders: dict[Any, Encoder] = {}
        self._decoders: dict[Any, Decoder] = {}
        self._class_decoders: dict[tuple[type, bool], Decoder] = {}
        self.encode: Encoder = self._encoder(root)
        self.decode: Decoder = self._decoder(root)
        # what the data's shape depends on: a change to a registered class makes old data foreign
        shape: list[tuple[str, Any]] = [
            (tag, [(n, repr(t)) for n, t in self._fields[cls]]) for tag, cls in sorted(self.classes.items())
        ]
        shape.append(("enums", sorted(self.enums)))
        self.schema = hashlib.sha256(repr((repr(root), shape)).encode()).hexdigest()[:16]

    def _register(self, tp: Any) -> None:
        """Every dataclass and enum that `tp` reaches through annotations."""
        for arg in typing.get_args(tp):
            self._register(arg)
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            if self.enums.setdefault(tp.__qualname__, tp) is not tp:
                raise TypeError(f"two enums are named {tp.__qualname__}")
        elif isinstance(tp, type) and dataclasses.is_dataclass(tp) and tp not in self._fields:
            if self.classes.setdefault(tp.__qualname__, tp) is not tp:
                raise TypeError(f"two classes are named {tp.__qualname__}")
            self._fields[tp] = _fields(tp)
            for _, field_type in self._fields[tp]:
                self._register(field_type)

    # ----------------------------------------------------------------------- encoding

    def _encoder(self, tp: Any) -> Encoder:
        if tp in self._encoders:
            return self._encoders[tp]
        # a placeholder first, so a class that refers to itself finds its own encoder
        slot: list[Encoder] = []
        self._encoders[tp] = lambda value: slot[0](value)
        built = self._build_encoder(tp)
        slot.append(built)
        self._encoders[tp] = built
        return built

    def _build_encoder(self, tp: Any) -> Encoder:
        kind, args = _shape(tp, self)
        if kind == "scalar":
            allowed = args
            return lambda v: v if type(v) in allowed else _bad(v, tp)
        if kind == "generic":
            return self._encode_any
        if kind == "optional":
            inner = self._encoder(args[0])
            return lambda v: None if v is None else inner(v)
        if kind == "variadic":
            item = self._encoder(args[0])
            return lambda v: [item(x) for x in v] if type(v) is tuple else _bad(v, tp)
        if kind == "fixed":
            items = [self._encoder(a) for a in args]
            return lambda v: (
                [e(x) for e, x in zip(items, v)] if type(v) is tuple and len(v) == len(items) else _bad(v, tp)
            )
        if kind in ("list", "frozenset"):
            item, container = self._encoder(args[0]), (list if kind == "list" else frozenset)
            return lambda v: [item(x) for x in v] if type(v) is container else _bad(v, tp)
        if kind == "enum":
            cls = args[0]
            return lambda v: v.value if type(v) is cls else _bad(v, tp)
        if kind == "class":
            return self._class_encoder(args[0], tagged=False)
        if kind == "union":  # of registered dataclasses
            by_type = {cls: self._class_encoder(cls, tagged=True) for cls in args}
            return lambda v: by_type[type(v)](v) if type(v) in by_type else _bad(v, tp)
        raise TypeError(f"the fact cache cannot store {tp!r}")

    def _class_encoder(self, cls: type, tagged: bool) -> Encoder:
        fields = [(name, self._encoder(t)) for name, t in self._fields[cls]]
        head = [cls.__qualname__] if tagged else []

        def encode(value: Any) -> Any:
            if type(value) is not cls:
                _bad(value, cls)
            return head + [e(getattr(value, name)) for name, e in fields]

        return encode

    def _encode_any(self, v: Any) -> Any:
        """The self-describing form: scalars as they are, anything else a list led by a tag."""
        t = type(v)
        if t in _SCALARS:
            return v
        if t is tuple:
            return ["t", *map(self._encode_any, v)]
        if t is list:
            return ["l", *map(self._encode_any, v)]
        if t is frozenset:
            return ["f", *map(self._encode_any, v)]
        if t is bytes:
            return ["b", base64.b64encode(v).decode("ascii")]
        if t in self._fields:
            return ["d", *self._class_encoder(t, tagged=True)(v)]
        if isinstance(v, enum.Enum) and self.enums.get(t.__qualname__) is t:
            return ["e", t.__qualname__, v.value]
        return _bad(v, "a registered class")

    # ----------------------------------------------------------------------- decoding

    def _decoder(self, tp: Any) -> Decoder:
        if tp in self._decoders:
            return self._decoders[tp]
        slot: list[Decoder] = []
        self._decoders[tp] = lambda data: slot[0](data)
        built = self._build_decoder(tp)
        slot.append(built)
        self._decoders[tp] = built
        return built

    def _build_decoder(self, tp: Any) -> Decoder:
        kind, args = _shape(tp, self)
        if kind == "scalar":
            allowed = _types(args)
            return lambda d: d if type(d) in allowed else _corrupt(d, tp)
        if kind == "generic":
            check = tp if tp in (tuple, list, frozenset) else None

            def decode_generic(d: Any) -> Any:
                value = self._decode_any(d)
                return value if check is None or type(value) is check else _corrupt(d, tp)

            return decode_generic
        if kind == "optional":
            inner = self._decoder(args[0])
            return lambda d: None if d is None else inner(d)
        if kind in ("variadic", "list", "frozenset"):
            container = {"variadic": tuple, "list": list, "frozenset": frozenset}[kind]
            item_kind, item_args = _shape(args[0], self)
            if item_kind == "scalar":  # names, words: checked and built in C, not item by item
                item_types = frozenset(_types(item_args))
                return lambda d: (
                    container(d) if type(d) is list and item_types.issuperset(map(type, d)) else _corrupt(d, tp)
                )
            item = self._decoder(args[0])
            return lambda d: container([item(x) for x in d]) if type(d) is list else _corrupt(d, tp)
        if kind == "fixed":
            items = [self._decoder(a) for a in args]
            n = len(items)
            return lambda d: (
                tuple([f(x) for f, x in zip(items, d)]) if type(d) is list and len(d) == n else _corrupt(d, tp)
            )
        if kind == "enum":
            cls = args[0]

            def decode_enum(d: Any) -> Any:
                try:
                    return cls(d)
                except (ValueError, TypeError):
                    return _corrupt(d, tp)

            return decode_enum
        if kind == "class":
            return self._class_decoder(args[0], tagged=False)
        if kind == "union":
            by_tag = {cls.__qualname__: self._class_decoder(cls, tagged=True) for cls in args}

            def decode_union(d: Any) -> Any:
                if type(d) is not list or not d or type(d[0]) is not str or d[0] not in by_tag:
                    return _corrupt(d, tp)
                return by_tag[d[0]](d)

            return decode_union
        raise TypeError(f"the fact cache cannot store {tp!r}")

    def _class_decoder(self, cls: type, tagged: bool) -> Decoder:
        if (cls, tagged) not in self._class_decoders:
            self._class_decoders[cls, tagged] = self._build_class_decoder(cls, tagged)
        return self._class_decoders[cls, tagged]

    def _build_class_decoder(self, cls: type, tagged: bool) -> Decoder:
        names = [name for name, _ in self._fields[cls]]
        shapes = [_shape(t, self) for _, t in self._fields[cls]]
        start = 1 if tagged else 0
        size = len(names) + start
        new = object.__new__
        # Every field is restored as it was written, so __init__ (and __post_init__, which
        # derives fields that are stored too) is not run again; frozen classes have a __dict__.
        if all(kind == "scalar" for kind, _ in shapes):
            # plain records (Location, ImportFact): the field types checked at once, in C
            signatures = {(str,) * start + s for s in itertools.product(*(_types(args) for _, args in shapes))}

            def decode_record(d: Any) -> Any:
                if type(d) is not list or tuple(map(type, d)) not in signatures:
                    return _corrupt(d, cls)
                obj: Any = new(cls)
                obj.__dict__.update(zip(names, d[start:]))
                return obj

            return decode_record
        decoders = [self._decoder(t) for _, t in self._fields[cls]]

        def decode(d: Any) -> Any:
            if type(d) is not list or len(d) != size:
                return _corrupt(d, cls)
            obj: Any = new(cls)
            obj.__dict__.update(zip(names, [f(x) for f, x in zip(decoders, d[start:])]))
            return obj

        return decode

    def _decode_any(self, d: Any) -> Any:
        t = type(d)
        if t in _SCALARS:
            return d
        if t is not list or not d or type(d[0]) is not str:
            return _corrupt(d, "a tagged value")
        tag, rest = d[0], d[1:]
        if tag == "t":
            return tuple(map(self._decode_any, rest))
        if tag == "l":
            return list(map(self._decode_any, rest))
        if tag == "f":
            return frozenset(map(self._decode_any, rest))
        if tag == "b" and len(rest) == 1 and type(rest[0]) is str:
            try:
                return base64.b64decode(rest[0], validate=True)
            except ValueError:
                return _corrupt(d, "bytes")
        if tag == "d" and rest and type(rest[0]) is str and rest[0] in self.classes:
            return self._class_decoder(self.classes[rest[0]], tagged=True)(rest)
        if tag == "e" and len(rest) == 2 and type(rest[0]) is str and rest[0] in self.enums:
            try:
                return self.enums[rest[0]](rest[1])
            except (ValueError, TypeError):
                return _corrupt(d, rest[0])
        return _corrupt(d, "a tagged value")


def _types(scalars: tuple) -> tuple:
    """The JSON types a scalar annotation decodes from (JSON writes 1.0 as a float, 1 as an int)."""
    return scalars + ((int,) if float in scalars and int not in scalars else ())


def _fields(cls: type) -> list[tuple[str, Any]]:
    hints = typing.get_type_hints(cls)
    return [(f.name, hints[f.name]) for f in dataclasses.fields(cls)]


def _shape(tp: Any, codec: Codec) -> tuple[str, tuple]:
    """How a type annotation is stored: a kind and its arguments."""
    if tp in (Any, object) or tp in (tuple, list, frozenset):
        return "generic", ()
    if tp in _SCALARS:
        return "scalar", (tp,)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        rest = tuple(a for a in args if a is not type(None))
        optional = len(rest) < len(args)
        if all(a in codec._fields for a in rest) and len(rest) > 1:
            return ("optional", (functools.reduce(operator.or_, rest),)) if optional else ("union", rest)
        if len(rest) == 1:
            return ("optional", rest) if optional else _shape(rest[0], codec)
        if all(a in _SCALARS for a in rest):
            return "scalar", args
        return "generic", ()
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return "variadic", (args[0],)
        return "fixed", args
    if origin is list:
        return "list", args
    if origin is frozenset:
        return "frozenset", args
    if isinstance(tp, type) and issubclass(tp, enum.Enum) and codec.enums.get(tp.__qualname__) is tp:
        return "enum", (tp,)
    if tp in codec._fields:
        return "class", (tp,)
    raise TypeError(f"the fact cache cannot store {tp!r}: register the class, or annotate the field")


def _bad(value: Any, expected: Any) -> Any:
    raise TypeError(f"the fact cache cannot store {type(value).__name__} as {expected!r}")


def _corrupt(data: Any, expected: Any) -> Any:
    raise CodecError(f"expected {expected!r}, found {type(data).__name__}")
