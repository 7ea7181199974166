"""STUB: to be written by its owner."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Severity
from enumguard.model import Model
from enumguard.rules.base import Rule


class AddValueInTransactionRule(Rule):
    """STUB add-value-in-transaction."""

    name = "add-value-in-transaction"
    severity = Severity.ERROR

    def check(self, model: Model) -> Iterator[Finding]:
        return iter(())


class DropTypeInUseRule(Rule):
    """STUB drop-type-in-use."""

    name = "drop-type-in-use"
    severity = Severity.ERROR

    def check(self, model: Model) -> Iterator[Finding]:
        return iter(())
