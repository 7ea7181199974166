"""Migration units in apply order, each with its group, in; the enum types whose history rests on
an order enumguard guessed out, as Unread events to put into the units and one notice.

Within a group the order is given (a tool's versions, a configured order, an initdb folder, a
script, an entry file, numbered names in one folder); between two groups it is a guess, except
that the initdb folder runs first and that a file which alone creates a type runs before the
files that use or change it (they would fail otherwise). A type that two groups change, or that
one uses and another changes, in an order not so given is uncertain from the first of them on."""

from __future__ import annotations

from dataclasses import dataclass, field

from enumguard.finding import Location
from enumguard.migrations.events import ColumnEvent, Event, LiteralEvent, Unread
from enumguard.model import EnumOp


@dataclass
class _Touch:
    unit: int
    changes: bool = False
    creates: bool = False
    location: Location | None = None  # of the first change (else use) in the unit


@dataclass
class Guess:
    """Unread events to insert: at the start of a unit (`before`) or after its last event (`after`)."""

    before: dict[int, list[Unread]] = field(default_factory=dict)
    after: dict[int, list[Unread]] = field(default_factory=dict)
    notice: str | None = None


def _base(name: str | None) -> str:
    return (name or "").rpartition(".")[2].lower()


def _touches(events: list[Event], columns: dict[tuple[str, str], set[str]]) -> dict[str, _Touch]:
    found: dict[str, _Touch] = {}

    def note(name: str | None, unit: int, location: Location, changes: bool, creates: bool = False) -> None:
        base = _base(name)
        if not base or base == "*":
            return
        t = found.setdefault(base, _Touch(unit))
        if changes and not t.changes:
            t.location = location
        elif t.location is None:
            t.location = location
        t.changes = t.changes or changes
        t.creates = t.creates or creates

    for event in events:
        if isinstance(event, EnumOp) and event.kind != "unknown":
            note(event.type_name, 0, event.location, True, event.kind == "create")
            if event.new_name:
                note(event.new_name, 0, event.location, True)
        elif isinstance(event, ColumnEvent) and event.type_name:
            note(event.type_name, 0, event.location, False)
        elif isinstance(event, LiteralEvent):
            if event.type_name:
                note(event.type_name, 0, event.location, False)
            else:
                for name in columns.get((_base(event.table), (event.column or "").lower()), ()):
                    note(name, 0, event.location, False)
    return found


def guessed(paths: list[str], groups: list[str], events: list[list[Event]], hows: list[str]) -> Guess:
    """`paths`, `groups`, `events`, `hows`: one entry per unit, in apply order."""
    columns: dict[tuple[str, str], set[str]] = {}
    for unit_events in events:
        for event in unit_events:
            if isinstance(event, ColumnEvent) and event.type_name and event.column:
                columns.setdefault((_base(event.table), event.column.lower()), set()).add(_base(event.type_name))
    by_type: dict[str, list[_Touch]] = {}
    for index, unit_events in enumerate(events):
        for name, touch in _touches(unit_events, columns).items():
            touch.unit = index
            by_type.setdefault(name, []).append(touch)
    out = Guess()
    doubtful: dict[str, tuple[int, int]] = {}
    for name, touches in by_type.items():
        creators = [t.unit for t in touches if t.creates]
        for i, first in enumerate(touches):
            for second in touches[i + 1 :]:
                if not (first.changes or second.changes) or _given(groups, first.unit, second.unit):
                    continue
                if creators == [first.unit] and i == 0:
                    continue  # the one file that creates the type runs before those that use it
                doubtful.setdefault(name, (first.unit, second.unit))
    files: set[int] = set()
    for name, (a, b) in sorted(doubtful.items()):
        touches = by_type[name]
        later = next(t for t in touches if t.unit == b)
        where = later.location or Location(paths[b])
        reason = f"changed in SQL files applied in an order enumguard guessed (`{paths[a]}` before `{paths[b]}`)"
        unread = Unread(reason, where, "types", frozenset({name}))
        out.before.setdefault(touches[0].unit, []).append(unread)
        out.after.setdefault(touches[-1].unit, []).append(unread)
        files.update(t.unit for t in touches if t.changes)
    if doubtful:
        units = sorted(files)
        shown = ", ".join(f"{paths[u]} ({hows[u]})" for u in units[:6])
        more = f" and {len(units) - 6} more" if len(units) > 6 else ""
        # The files that create a type first: an order PostgreSQL can run, for the user to check.
        creating = {t.unit for name in doubtful for t in by_type[name] if t.creates}
        runnable = sorted(units, key=lambda u: (u not in creating, u))
        suggestion = ", ".join(f'"{paths[u]}"' for u in runnable[:4]) + (", ..." if len(units) > 4 else "")
        out.notice = (
            f"apply order guessed for SQL files that change enum types: {shown}{more}; not checked: "
            f"{', '.join(sorted(doubtful))}. List them in the order the project applies them under "
            f"[tool.enumguard], e.g. `migration-order = [{suggestion}]`"
        )
    return out


def _given(groups: list[str], a: int, b: int) -> bool:
    """Is the order of units a < b given by the project (not a guess of enumguard)?"""
    if groups[a] == groups[b]:
        return True
    return groups[a].startswith("initdb:") and not groups[b].startswith("initdb:")
