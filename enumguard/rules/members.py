"""STUB: to be written by its owner."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Severity
from enumguard.model import Model
from enumguard.rules.base import Rule


class UnknownMemberRule(Rule):
    """STUB unknown-member."""

    name = "unknown-member"
    severity = Severity.ERROR

    def check(self, model: Model) -> Iterator[Finding]:
        return iter(())


class UnknownValueRule(Rule):
    """STUB unknown-value."""

    name = "unknown-value"
    severity = Severity.ERROR

    def check(self, model: Model) -> Iterator[Finding]:
        return iter(())
