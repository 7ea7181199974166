"""The registry: ALL_RULES is the explicit tuple of every rule, in documentation order."""

from __future__ import annotations

from enumguard.rules.base import Example, Rule
from enumguard.rules.drift import CaseMismatchRule, EnumValueRenamedRule, MissingInCodeRule, MissingInDbRule
from enumguard.rules.live import DbDriftRule, IdleInTransactionRule
from enumguard.rules.members import UnknownMemberRule, UnknownValueRule
from enumguard.rules.migration_safety import AddValueInTransactionRule, DropTypeInUseRule
from enumguard.rules.orm_unknown_value import OrmUnknownValueRule
from enumguard.rules.problems import SuppressionWithoutReasonRule, SyntaxErrorRule, UnsupportedSqlRule
from enumguard.rules.sql_values import MissingTypeRule, SqlUnknownValueRule

ALL_RULES: tuple[type[Rule], ...] = (
    UnknownMemberRule,
    UnknownValueRule,
    MissingInDbRule,
    MissingInCodeRule,
    CaseMismatchRule,
    EnumValueRenamedRule,
    SqlUnknownValueRule,
    OrmUnknownValueRule,
    MissingTypeRule,
    AddValueInTransactionRule,
    DropTypeInUseRule,
    DbDriftRule,
    IdleInTransactionRule,
    SyntaxErrorRule,
    UnsupportedSqlRule,
    SuppressionWithoutReasonRule,
)

RULE_NAMES: frozenset[str] = frozenset(rule.name for rule in ALL_RULES)


def by_name(name: str) -> type[Rule] | None:
    for rule in ALL_RULES:
        if rule.name == name:
            return rule
    return None


__all__ = ["ALL_RULES", "RULE_NAMES", "Example", "Rule", "by_name"]
