"""STUB: to be written by its owner."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Severity
from enumguard.model import Model
from enumguard.rules.base import Rule


class MissingInDbRule(Rule):
    """STUB missing-in-db."""

    name = "missing-in-db"
    severity = Severity.ERROR

    def check(self, model: Model) -> Iterator[Finding]:
        return iter(())


class MissingInCodeRule(Rule):
    """STUB missing-in-code."""

    name = "missing-in-code"
    severity = Severity.WARNING

    def check(self, model: Model) -> Iterator[Finding]:
        return iter(())


class CaseMismatchRule(Rule):
    """STUB case-mismatch."""

    name = "case-mismatch"
    severity = Severity.ERROR

    def check(self, model: Model) -> Iterator[Finding]:
        return iter(())


class EnumValueRenamedRule(Rule):
    """STUB enum-value-renamed."""

    name = "enum-value-renamed"
    severity = Severity.WARNING

    def check(self, model: Model) -> Iterator[Finding]:
        return iter(())
