"""Alembic: environments and their revision graphs (environments, revisions) and the evaluator
of each revision's upgrade() -> replay units in `alembic upgrade` order.

The evaluator, by file: evaluate (statements, events, bounds), flow (branches, loops, try: what
runs only sometimes), expressions and operators (values of expressions), calls (how a helper call
is followed, SQLAlchemy calls), builtin_calls (builtins, str/list/dict methods), modules (imports,
helper modules, frames), values (what a value can be), enum_types (sa.Enum), ops (op.* calls,
executed SQL and Enum.create/drop -> events), runtime_sql (SQL known only in part), branches
(the dialect test)."""

from enumguard.migrations.alembic.revisions import Revisions, load

__all__ = ["Revisions", "load"]
