"""Shared pytest configuration and fixtures."""

# Fixture repositories and examples are data for enumguard, not tests to collect.
collect_ignore_glob = ["fixtures/*"]

# PostgreSQL server and fresh databases for the live-audit and replay-proof tests.
from tests.pg_fixtures import pg_db, pg_server  # noqa: E402,F401
