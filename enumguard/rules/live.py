"""STUB: to be written by its owner."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Severity
from enumguard.model import Model
from enumguard.rules.base import Rule


class DbDriftRule(Rule):
    """STUB db-drift."""

    name = "db-drift"
    severity = Severity.WARNING

    def check(self, model: Model) -> Iterator[Finding]:
        return iter(())


class IdleInTransactionRule(Rule):
    """STUB idle-in-transaction."""

    name = "idle-in-transaction"
    severity = Severity.WARNING

    def check(self, model: Model) -> Iterator[Finding]:
        return iter(())
