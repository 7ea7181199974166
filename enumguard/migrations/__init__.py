"""SourceTree in, MigrationModel out: migrations in apply order, their enum DDL, and the DB enum
types replayed from it. STUB: being written."""

from __future__ import annotations

from dataclasses import dataclass

from enumguard.collect import SourceTree
from enumguard.config import Config
from enumguard.finding import Finding
from enumguard.model import ColumnUse, DbEnum, EnumOp, LiteralUse, Migration


@dataclass(frozen=True)
class MigrationModel:
    migrations: tuple[Migration, ...] = ()
    ops: tuple[EnumOp, ...] = ()
    db_enums: tuple[DbEnum, ...] = ()
    columns: tuple[ColumnUse, ...] = ()
    literals: tuple[LiteralUse, ...] = ()
    problems: tuple[Finding, ...] = ()


def migration_paths(tree: SourceTree, config: Config) -> frozenset[str]:
    """Paths of files that are migrations (SQL files and Alembic revision scripts)."""
    return frozenset()


def load(tree: SourceTree, config: Config) -> MigrationModel:
    return MigrationModel()
