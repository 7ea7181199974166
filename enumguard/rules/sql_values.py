"""STUB: to be written by its owner."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Severity
from enumguard.model import Model
from enumguard.rules.base import Rule


class SqlUnknownValueRule(Rule):
    """STUB sql-unknown-value."""

    name = "sql-unknown-value"
    severity = Severity.ERROR

    def check(self, model: Model) -> Iterator[Finding]:
        return iter(())


class MissingTypeRule(Rule):
    """STUB missing-type."""

    name = "missing-type"
    severity = Severity.ERROR

    def check(self, model: Model) -> Iterator[Finding]:
        return iter(())
