"""Shared pytest configuration and fixtures."""

# Fixture repositories and examples are data for enumguard, not tests to collect.
collect_ignore_glob = ["fixtures/*"]
