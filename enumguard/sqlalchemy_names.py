"""The SQLAlchemy (and SQLModel) names enumguard recognises, as qualified after import
resolution: one list for the model-code reader (python/) and the Alembic reader (migrations/)."""

from __future__ import annotations

# Callables that build SQLAlchemy's Enum type.
ENUM_TYPES = frozenset(
    {
        "sqlalchemy.Enum",
        "sqlalchemy.types.Enum",
        "sqlalchemy.sql.sqltypes.Enum",
        "sqlalchemy.dialects.postgresql.ENUM",
        "sqlalchemy.dialects.postgresql.Enum",
        "sqlalchemy.dialects.postgresql.named_types.ENUM",
        "sqlalchemy.dialects.postgresql.base.ENUM",
        "sqlmodel.Enum",
    }
)
# ARRAY(item): creating a table with an ARRAY of a named enum creates the enum type too.
ARRAYS = frozenset(
    {
        "sqlalchemy.ARRAY",
        "sqlalchemy.types.ARRAY",
        "sqlalchemy.sql.sqltypes.ARRAY",
        "sqlalchemy.dialects.postgresql.ARRAY",
        "sqlalchemy.dialects.postgresql.array.ARRAY",
    }
)
TEXT = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text"})
# `op.execute(sa.DDL("ALTER TYPE ..."))`: a DDL construct runs its statement as written.
DDL = frozenset({"sqlalchemy.DDL", "sqlalchemy.schema.DDL", "sqlalchemy.sql.ddl.DDL"})
# Core columns (what a migration writes); model code also declares ORM columns.
CORE_COLUMNS = frozenset({"sqlalchemy.Column", "sqlalchemy.schema.Column", "sqlmodel.Column"})
COLUMNS = CORE_COLUMNS | {"sqlalchemy.orm.mapped_column"}
TABLES = frozenset({"sqlalchemy.Table", "sqlalchemy.schema.Table", "sqlmodel.Table"})
MAPPED = frozenset({"sqlalchemy.orm.Mapped", "sqlalchemy.orm.base.Mapped"})
# The standard library's enum bases, qualified; ENUM_BASES adds the bare names a migration writes.
GENERIC_ENUM = frozenset({"enum.Enum", "enum.StrEnum", "enum.IntEnum"})
ENUM_BASES = GENERIC_ENUM | {"Enum", "StrEnum", "IntEnum"}
