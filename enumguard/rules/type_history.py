"""Model ops in, type states out: each migration item next to the enum types as they were
just before it ran."""

from __future__ import annotations

from enumguard.migrations.replay import TypeState


def by_position(items, ops):
    """Yield (item, state) with the replayed type state just before each item's position."""
    state = TypeState()
    done = 0
    for item in sorted(items, key=lambda x: x.after_op):
        while done < min(item.after_op, len(ops)):
            state.apply(ops[done])
            done += 1
        yield item, state
