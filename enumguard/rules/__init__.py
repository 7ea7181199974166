"""The registry: ALL_RULES is the explicit tuple of every rule, in documentation order.

Each rule lives in the module named after it (`missing-in-db` -> `missing_in_db.py`, class
`MissingInDbRule`), with its VALID/INVALID examples."""

from __future__ import annotations

from enumguard.rules.add_value_in_transaction import AddValueInTransactionRule
from enumguard.rules.base import DOCS_URL_PAGES, Example, Rule, rule_url
from enumguard.rules.case_mismatch import CaseMismatchRule
from enumguard.rules.db_drift import DbDriftRule
from enumguard.rules.drop_type_in_use import DropTypeInUseRule
from enumguard.rules.enum_value_renamed import EnumValueRenamedRule
from enumguard.rules.idle_in_transaction import IdleInTransactionRule
from enumguard.rules.missing_in_code import MissingInCodeRule
from enumguard.rules.missing_in_db import MissingInDbRule
from enumguard.rules.missing_type import MissingTypeRule
from enumguard.rules.orm_unknown_value import OrmUnknownValueRule
from enumguard.rules.sql_unknown_value import SqlUnknownValueRule
from enumguard.rules.suppression_without_reason import SuppressionWithoutReasonRule
from enumguard.rules.syntax_error import SyntaxErrorRule
from enumguard.rules.unknown_member import UnknownMemberRule
from enumguard.rules.unknown_value import UnknownValueRule
from enumguard.rules.unsupported_sql import UnsupportedSqlRule

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


def url_of(name: str) -> str | None:
    """The page of a registered rule in enumguard's home; None for a name that is not one (e.g.
    a test's own rule) and while the home is unknown."""
    return rule_url(name) if name in RULE_NAMES else None


__all__ = ["ALL_RULES", "DOCS_URL_PAGES", "RULE_NAMES", "Example", "Rule", "by_name", "rule_url", "url_of"]
