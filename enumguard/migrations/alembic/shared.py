"""The replay units of several Alembic environments in, the same units out with an `Unread` before
the first change of each enum type that more than one environment creates or changes: enumguard
cannot know how their runs interleave (or whether they share a database) unless `migration-order`
places both."""

from __future__ import annotations

from collections.abc import Sequence

from enumguard.migrations.alembic.environments import Environment
from enumguard.migrations.events import Unread
from enumguard.migrations.replay import Unit
from enumguard.model import EnumOp


def _key(name: str) -> tuple[str, str]:
    """(schema, name); schema `*` for a name resolved through a search_path at replay time."""
    if name.startswith("?"):
        return "*", name[1:].rpartition(".")[2]
    schema, _, base = name.rpartition(".")
    return schema, base


def _same(a: tuple[str, str], b: tuple[str, str]) -> bool:
    return a[1] == b[1] and (a[0] == b[0] or "*" in (a[0], b[0]))


def _touched(units: list[Unit]) -> list[tuple[tuple[str, str], int, int]]:
    """(type key, unit index, event index) of the first op of each type in these units."""
    seen: list[tuple[tuple[str, str], int, int]] = []
    for u, unit in enumerate(units):
        for e, event in enumerate(unit.events):
            if not isinstance(event, EnumOp):
                continue
            for name in (event.type_name, event.new_name):
                if name and not any(_same(_key(name), k) for k, _, _ in seen):
                    seen.append((_key(name), u, e))
    return seen


def mark_unknown_order(blocks: Sequence[tuple[Environment, list[Unit]]]) -> None:
    """Insert an Unread into each later environment that changes a type an earlier one changed,
    unless both environments are placed by `migration-order` (then they are one database, run
    in that order)."""
    touched = [_touched(units) for _, units in blocks]
    for j, (env, units) in enumerate(blocks):
        inserts: list[tuple[int, int, Unread]] = []
        for key, u, e in touched[j]:
            earlier = next(
                (
                    blocks[i][0]
                    for i in range(j)
                    if not (blocks[i][0].configured and env.configured) and any(_same(key, k) for k, _, _ in touched[i])
                ),
                None,
            )
            if earlier is None:
                continue
            op = units[u].events[e]
            assert isinstance(op, EnumOp)
            reason = (
                f"changed in two Alembic environments ({earlier.name}, {env.name}) whose order enumguard "
                "cannot know; set `migration-order`"
            )
            inserts.append((u, e, Unread(reason, op.location, "types", frozenset({key[1].lower()}))))
        for u, e, unread in sorted(inserts, key=lambda t: (t[0], t[1]), reverse=True):
            units[u].events.insert(e, unread)
