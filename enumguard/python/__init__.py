"""SourceTree in, PythonModel out: enum classes, member references and raw SQLAlchemy bindings,
read with libcst (never imported or executed). STUB: the scanner is being written."""

from __future__ import annotations

from dataclasses import dataclass

from enumguard.collect import SourceTree
from enumguard.config import Config
from enumguard.finding import Finding
from enumguard.model import EnumClass, LiteralUse, Reference
from enumguard.python.bindings import RawBinding


@dataclass(frozen=True)
class PythonModel:
    enums: tuple[EnumClass, ...] = ()
    references: tuple[Reference, ...] = ()
    raw_bindings: tuple[RawBinding, ...] = ()  # enum expressions already resolved to qualnames
    literals: tuple[LiteralUse, ...] = ()  # server_default= literals
    problems: tuple[Finding, ...] = ()


def scan(tree: SourceTree, config: Config, migration_paths: frozenset[str] = frozenset()) -> PythonModel:
    return PythonModel()
