"""Shared pytest configuration and fixtures."""

# Fixture repositories and examples are data for enumguard, not tests to collect.
collect_ignore_glob = ["fixtures/*"]

# PostgreSQL server and fresh databases for the live-audit and replay-proof tests.
import pytest  # noqa: E402

from tests.pg_fixtures import pg_db, pg_server  # noqa: E402,F401


@pytest.fixture(autouse=True, scope="session")
def _fact_cache_outside_home(tmp_path_factory):
    """The suite's fact caches go to a temporary folder, never to the user's ~/.cache nor to the
    folder $ENUMGUARD_CACHE_DIR names (which would win over XDG_CACHE_HOME and hold earlier facts)."""
    import os

    previous = {name: os.environ.get(name) for name in ("XDG_CACHE_HOME", "ENUMGUARD_CACHE_DIR")}
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    os.environ.pop("ENUMGUARD_CACHE_DIR", None)
    yield
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True, scope="session")
def _fixed_clock():
    """New migrations are named by the time (Supabase timestamps, Alembic's create date): every
    test runs at 2025-01-01 00:00:00 UTC, so reports and golden comments do not change by day."""
    import os

    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1735689600"
    yield
    if previous is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = previous
