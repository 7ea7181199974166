"""Enum ops in, the history of the DB enum types out: `TypeState` replays ops as PostgreSQL runs
them; `TypeHistory` answers what a type looked like before op i and what a type is finally called.

The migration replay builds the final types with TypeState; rules read the history through
`Model.history` instead of replaying ops themselves."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Iterator, Protocol, TypeVar, cast

from enumguard.finding import Location
from enumguard.model import DbEnum, Doubt, EnumOp, Label

EVERY_TYPE = "*"  # the type_name of an `unknown` op that may have touched any type


@dataclass
class _Type:
    labels: list[Label]
    location: Location
    doubt: Doubt | None = None


class TypeState:
    """Enum types by qualified name; `apply(op)` says whether the op changed anything, as
    PostgreSQL would run it (IF [NOT] EXISTS no-ops; statements that would fail change nothing).

    An `unknown` op (a statement enumguard could not read) puts a Doubt on the types it may have
    touched: their labels are no longer certain (`labels()` is None), and a name it may have
    created may exist (`may_exist`)."""

    def __init__(self) -> None:
        self.types: dict[str, _Type] = {}
        self.maybe: dict[str, Doubt] = {}  # names an unread statement may have created
        self.anything: Doubt | None = None  # an unread statement that may have touched any type

    def exists(self, name: str) -> bool:
        return name in self.types

    def may_exist(self, name: str) -> Doubt | None:
        """Why `name` may exist although no statement enumguard read creates it; None when not."""
        if name in self.types:
            return None
        return self.maybe.get(name) or self.anything

    def doubt(self, name: str) -> Doubt | None:
        t = self.types.get(name)
        return t.doubt if t is not None else None

    def labels(self, name: str) -> tuple[str, ...] | None:
        """The type's labels when they are certain; None when it does not exist or is in doubt."""
        t = self.types.get(name)
        return tuple(label.value for label in t.labels) if t is not None and t.doubt is None else None

    def label(self, name: str, value: str) -> Label | None:
        t = self.types.get(name)
        return next((label for label in t.labels if label.value == value), None) if t else None

    def apply(self, op: EnumOp) -> bool:
        if op.kind == "unknown":
            self._unknown(op)
            return True
        t = self.types.get(op.type_name)
        if op.kind == "create":
            if t is not None:
                return False
            where = op.label_locations if len(op.label_locations) == len(op.labels) else (op.location,) * len(op.labels)
            doubt = None if op.labels_known else Doubt("created with labels computed at run time", op.location)
            self.types[op.type_name] = _Type([Label(v, at) for v, at in zip(op.labels, where)], op.location, doubt)
            self.maybe.pop(op.type_name, None)
            return True
        if t is None:
            made = self.may_exist(op.type_name)
            if made is None or op.kind == "drop":
                return False
            # A type an unread statement may have created: changed here, its labels unknown.
            self.types[op.type_name] = _Type([], made.location, made)
            self._change(op, self.types[op.type_name])
            return True
        return self._change(op, t)

    def _change(self, op: EnumOp, t: _Type) -> bool:
        values = [label.value for label in t.labels]
        if op.kind == "add_value":
            label = op.label
            if label is None or label in values:
                return False
            index = len(values)
            anchor = op.before or op.after
            if anchor is not None and anchor not in values:
                if t.doubt is None:
                    return False  # PostgreSQL: `"w" is not an existing enum label`
                anchor = None  # the labels are in doubt: the anchor may be one enumguard missed
                op = replace(op, before=None, after=None)
            if op.before is not None:
                index = values.index(op.before)
            elif op.after is not None:
                index = values.index(op.after) + 1
            t.labels.insert(index, Label(label, op.location))
            return True
        if op.kind == "rename_value":
            if op.new_label is None or op.new_label in values:
                return False
            if op.label not in values:
                if t.doubt is None:
                    return False
                t.labels.append(Label(op.new_label, op.location))  # the old label was missed
                return True
            t.labels[values.index(op.label)] = Label(op.new_label, op.location)
            return True
        if op.kind in ("rename_type", "set_schema"):
            if not op.new_name or op.new_name in self.types:
                return False
            self.types[op.new_name] = self.types.pop(op.type_name)
            return True
        if op.kind == "drop":
            del self.types[op.type_name]
            return True
        return False

    def _unknown(self, op: EnumOp) -> None:
        doubt = Doubt(op.reason or "changed by a statement enumguard could not read", op.location)
        if op.type_name == EVERY_TYPE:
            for t in self.types.values():
                t.doubt = t.doubt or doubt
            self.anything = self.anything or doubt
        elif op.type_name in self.types:
            t = self.types[op.type_name]
            t.doubt = t.doubt or doubt
        else:
            self.maybe.setdefault(op.type_name, doubt)

    def db_enums(self) -> tuple[DbEnum, ...]:
        return tuple(DbEnum(name, tuple(t.labels), t.location, doubt=t.doubt) for name, t in sorted(self.types.items()))


class _Placed(Protocol):
    """Something placed between two ops: after the first `after_op` of them (None: unplaced)."""

    @property
    def after_op(self) -> int | None: ...


T = TypeVar("T", bound=_Placed)


@dataclass(frozen=True)
class TypeHistory:
    """The ops in replay order, and for each the final name of the type it acted on."""

    ops: tuple[EnumOp, ...] = ()
    final_names: tuple[str, ...] = ()
    # id(op) -> its position; ops are compared by identity, as two equal ops are still two ops.
    positions: dict[int, int] = field(default_factory=dict, compare=False, repr=False)
    # Which type each op acts on, followed through renames: the position of its CREATE (or, for
    # an ADD VALUE on a type no op created, -1 - its own position); -1 when unknown.
    type_ids: tuple[int, ...] = ()
    # name -> [(position, type id or None)]: from that position on, the name means that type.
    id_changes: dict[str, list[tuple[int, int | None]]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, ops: tuple[EnumOp, ...]) -> TypeHistory:
        # One backward pass: the final name of each name after op i, following RENAME TO / SET SCHEMA.
        final_of: dict[str, str] = {}
        finals: list[str] = []
        for op in reversed(ops):
            finals.append(final_of.get(op.type_name, op.type_name))
            if op.kind in ("rename_type", "set_schema") and op.new_name:
                final_of[op.type_name] = final_of.get(op.new_name, op.new_name)
        type_ids, changes = _identities(ops)
        return cls(ops, tuple(reversed(finals)), {id(op): i for i, op in enumerate(ops)}, type_ids, changes)

    def type_id(self, index: int) -> int:
        """The type op `index` acts on (see type_ids)."""
        return self.type_ids[index]

    def type_id_at(self, position: int, name: str) -> int:
        """The type `name` means once `position` ops have run; -1 when no such type."""
        found = -1
        for at, ident in self.id_changes.get(name, ()):
            if at > position:
                break
            found = -1 if ident is None else ident
        return found

    def final_name(self, op: EnumOp) -> str:
        """The name the type `op` acted on has after every later RENAME TO / SET SCHEMA."""
        index = self.positions.get(id(op))
        return op.type_name if index is None else self.final_names[index]

    def state_before(self, index: int) -> TypeState:
        """The types as they were when op `index` was about to run (all of them for len(ops))."""
        state = TypeState()
        for op in self.ops[: max(index, 0)]:
            state.apply(op)
        return state

    def walk(self, items: Iterable[T]) -> Iterator[tuple[T, TypeState]]:
        """Each item with an `after_op` position, in that order, next to the types as they were
        just before it (one replay for all items; the state is live, read it before the next)."""
        state = TypeState()
        done = 0
        for item in sorted(items, key=lambda x: cast(int, x.after_op)):  # placed items only
            while done < min(cast(int, item.after_op), len(self.ops)):
                state.apply(self.ops[done])
                done += 1
            yield item, state


def _identities(ops: tuple[EnumOp, ...]) -> tuple[tuple[int, ...], dict[str, list[tuple[int, int | None]]]]:
    """Follow each type's identity through RENAME TO / SET SCHEMA and DROP, op by op."""
    identity: dict[str, int] = {}
    changes: dict[str, list[tuple[int, int | None]]] = {}
    ids: list[int] = []

    def change(name: str, at: int, ident: int | None) -> None:
        changes.setdefault(name, []).append((at, ident))

    for index, op in enumerate(ops):
        if op.kind == "create":
            identity[op.type_name] = index
            change(op.type_name, index + 1, index)
        elif op.kind in ("rename_type", "set_schema") and op.type_name in identity and op.new_name:
            moved = identity.pop(op.type_name)
            identity[op.new_name] = moved
            change(op.type_name, index + 1, None)
            change(op.new_name, index + 1, moved)
        elif op.kind == "drop":
            if identity.pop(op.type_name, None) is not None:
                change(op.type_name, index + 1, None)
        elif op.kind == "add_value" and op.label is not None and op.type_name not in identity:
            identity[op.type_name] = -1 - index
            change(op.type_name, index + 1, -1 - index)
        ids.append(identity.get(op.type_name, -1))
    return tuple(ids), changes
