"""pytest fixtures over tests/pg.py: one PostgreSQL server per test session, a fresh database
per test. Tests that use them skip only when no server binaries exist on the machine."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests import pg


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg.PgServer]:
    try:
        server = pg.start()
    except pg.PgUnavailable as exc:
        pytest.skip(f"PostgreSQL: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_db(pg_server: pg.PgServer) -> Iterator[str]:
    """The name of a new, empty database; dropped after the test (open sessions are ended)."""
    name = pg_server.create_database()
    try:
        yield name
    finally:
        pg_server.drop_database(name)
