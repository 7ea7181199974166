"""A database URL in, a model extender out: `extend(model) -> (model, notices)` adds the live
database's enum types (Model.live_enums) and its state (Model.live) for the rules.

Read-only and bounded (see connect.py). Any failure becomes a one-line notice naming the
database with its password masked; the static audit goes on without the live facts.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from enumguard.config import Config
from enumguard.live.catalog import IdleSession, LiveDatabase, location
from enumguard.live.connect import LiveError, mask_url, read_only_session, scrub
from enumguard.model import Model

__all__ = ["IdleSession", "LiveDatabase", "extender", "live_state", "location", "mask_url", "read_live"]


def read_live(url: str, connect_timeout: int | None = None) -> LiveDatabase:
    """Read the live database; raises LiveError with a one-line, password-free message."""
    from enumguard.live import catalog, connect

    timeout = connect.CONNECT_TIMEOUT_SECONDS if connect_timeout is None else connect_timeout
    masked = mask_url(url)
    with read_only_session(url, connect_timeout=timeout) as cur:
        state = catalog.read(cur, masked)
    if state.activity_error:
        state = replace(state, activity_error=scrub(state.activity_error, url))
    return state


def live_state(model: Model) -> LiveDatabase | None:
    return model.live


def notices_for(state: LiveDatabase) -> list[str]:
    """What the reader of the report should know about how complete the live audit was."""
    out = []
    if state.activity_error:
        out.append(f"database {state.url}: health check skipped: cannot read pg_stat_activity ({state.activity_error})")
    elif state.hidden_sessions:
        out.append(
            f"database {state.url}: health check limited: role `{state.user}` cannot see the state of "
            f"{state.hidden_sessions} other session(s); grant it `pg_read_all_stats` to check them"
        )
    return out


def extender(
    url: str, config: Config, connect_timeout: int | None = None
) -> Callable[[Model], tuple[Model, list[str]]]:
    """The hook pipeline.run calls after building the static model."""

    def extend(model: Model) -> tuple[Model, list[str]]:
        try:
            state = read_live(url, connect_timeout)
        except LiveError as exc:
            return model, [f"database {mask_url(url)}: {exc}; the live checks were skipped"]
        settings = replace(model.settings, idle_threshold_seconds=config.idle_threshold_seconds)
        return replace(model, live_enums=state.enums, live=state, settings=settings), notices_for(state)

    return extend
