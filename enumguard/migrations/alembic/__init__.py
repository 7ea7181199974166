"""Alembic: environments and their revision graphs (environments, revisions), the upgrade()
reader (ops, expressions, branches, runtime_sql) -> replay units in `alembic upgrade` order."""

from enumguard.migrations.alembic.revisions import Revisions, load

__all__ = ["Revisions", "load"]
