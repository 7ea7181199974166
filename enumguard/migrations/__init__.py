"""SourceTree in, MigrationModel out: migrations in apply order, their enum DDL, and the DB enum
types replayed from it (labels in order, each with the statement that introduced it)."""

from __future__ import annotations

from dataclasses import dataclass

from enumguard import cache as cache_mod
from enumguard.collect import SourceTree
from enumguard.config import Config
from enumguard.finding import Finding, Location, Severity
from enumguard.migrations import alembic, replay
from enumguard.migrations.alembic import environments
from enumguard.migrations.events import Event
from enumguard.migrations.sql import files as sql_files_mod
from enumguard.migrations.sql.reader import Reader
from enumguard.migrations.sql.statements import Lines
from enumguard.model import ColumnUse, DbEnum, EnumOp, LiteralUse, Migration, TypeUse
from enumguard.progress import Progress


@dataclass(frozen=True)
class MigrationModel:
    migrations: tuple[Migration, ...] = ()
    ops: tuple[EnumOp, ...] = ()
    db_enums: tuple[DbEnum, ...] = ()
    columns: tuple[ColumnUse, ...] = ()
    literals: tuple[LiteralUse, ...] = ()
    problems: tuple[Finding, ...] = ()
    type_uses: tuple[TypeUse, ...] = ()
    statements: int = 0  # SQL statements and Alembic operations read (for the benchmark)
    plain_columns: frozenset[tuple[str, str]] = frozenset()  # last retyped to a non-enum type


@dataclass(frozen=True)
class SqlFacts:
    """What one SQL file says, cached by its path and text."""

    events: tuple[Event, ...]
    statements: int
    file_transaction: bool | None
    adds_value: bool


def _read_sql(path: str, text: str) -> SqlFacts:
    reader = Reader(path, path, Lines(text))
    try:
        events = reader.read(text)
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop the audit
        message = f"enumguard could not read this migration ({type(exc).__name__}); its enum DDL is not replayed"
        events = [Finding(Location(path), "unsupported-sql", message, Severity.INFO)]
    return SqlFacts(tuple(events), reader.statements, reader.file_transaction, reader.adds_value)


def migration_paths(tree: SourceTree, config: Config) -> frozenset[str]:
    """Paths of files that are migrations (SQL files and Alembic revision scripts)."""
    sql = {f.path for f in sql_files_mod.sql_files(tree, config)}
    replayed = set(environments.all_scripts(tree, config))
    # Revision scripts that are not replayed (another dialect's `versions/sqlite/`, a second
    # project's history) are still migrations, not application code: their enums are frozen copies.
    others = {f.path for f in tree.python_files() if f.path not in replayed and _looks_like_revision(f.text)}
    return frozenset(sql | replayed | others)


def notices(tree: SourceTree, config: Config) -> tuple[str, ...]:
    """One-line notices about what the migration stage left out (SQL no tool applies) and how it
    ordered what it read (several Alembic environments)."""
    found = (sql_files_mod.not_replayed(tree, config), environments.notice(tree, config))
    return tuple(n for n in found if n)


def _looks_like_revision(text: str) -> bool:
    return (
        "down_revision" in text and "revision" in text and ("from alembic import" in text or "import alembic" in text)
    )


def load(tree: SourceTree, config: Config) -> MigrationModel:
    """Read every migration, order them, and replay their enum DDL."""
    store = cache_mod.open_store("migration-facts", config.cache, config.cache_dir)
    units: list[replay.Unit] = []
    statements = 0
    items = [(item, tree.get(item.path)) for item in sql_files_mod.sql_files(tree, config)]
    items = [(item, source) for item, source in items if source is not None]
    digest = cache_mod.code_digest()
    keys = {item.path: cache_mod.key(digest, "sql", item.path, source.text) for item, source in items}
    todo = sum(1 for item, _ in items if not isinstance(store.get(keys[item.path]), SqlFacts))
    with Progress("reading SQL migrations", todo, config.progress) as progress:
        for item, source in items:
            facts = store.get(keys[item.path])
            if not isinstance(facts, SqlFacts):
                facts = _read_sql(item.path, source.text)
                store.put(keys[item.path], facts)
                progress.tick()
            statements += facts.statements
            mode = item.mode
            if facts.file_transaction is not None:
                mode = "file" if facts.file_transaction else "autocommit"
            if item.tool == "flyway" and config.postgres_version < 12 and facts.adds_value:
                mode = "autocommit"  # Flyway runs such a script outside a transaction on PostgreSQL < 12
            units.append(replay.Unit(Migration(item.path, len(units), "sql"), list(facts.events), mode))
    revisions = alembic.load(tree, config, first_order=len(units), store=store)
    cache_mod.close(store)
    units.extend(revisions.units)
    statements += revisions.statements
    result = replay.replay(units)
    return MigrationModel(
        migrations=tuple(u.migration for u in units),
        ops=tuple(result.ops),
        db_enums=result.db_enums,
        columns=result.columns,
        literals=tuple(result.literals),
        problems=tuple(environments.ini_problems(tree)) + tuple(revisions.problems) + tuple(result.problems),
        type_uses=tuple(result.type_uses),
        statements=statements,
        plain_columns=frozenset(result.plain_columns),
    )
