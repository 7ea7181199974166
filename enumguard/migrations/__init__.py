"""SourceTree in, MigrationModel out: migrations in apply order, their enum DDL, and the DB enum
types replayed from it (labels in order, each with the statement that introduced it)."""

from __future__ import annotations

from dataclasses import dataclass

from enumguard import budget
from enumguard import cache as cache_mod
from enumguard.cachecodec import Codec
from enumguard.collect import SourceTree
from enumguard.config import Config
from enumguard.finding import Finding, Location, Severity
from enumguard.migrations import alembic, replay
from enumguard.migrations.alembic import environments, revisions
from enumguard.migrations.events import Event, Unread
from enumguard.migrations.sql import files as sql_files_mod
from enumguard.migrations.sql import order as sql_order
from enumguard.migrations.sql import session as psql_session
from enumguard.model import ColumnUse, DbEnum, Doubt, EnumOp, LiteralUse, Migration, TypeUse
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
    plain_columns: frozenset[tuple[str, str]] = frozenset()  # last typed with a non-enum type
    tables: frozenset[str] = frozenset()  # created by a migration, not dropped
    table_doubts: tuple[tuple[str, Doubt], ...] = ()  # tables an unread statement may have changed
    notices: tuple[str, ...] = ()  # includes not followed, an apply order guessed


@dataclass(frozen=True)
class SqlFacts:
    """What one SQL file says as psql runs it (its includes read in place), cached by the path and
    text of every file it reads."""

    events: tuple[Event, ...]
    statements: int
    file_transaction: bool | None
    adds_value: bool
    included: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    complete: bool = True  # False when the time bound cut the reading: never cached


# What the migration-facts store holds: SQL files' facts and Alembic revisions' facts.
FACTS = Codec(SqlFacts | revisions._Cached)


def _read_sql(tree: SourceTree, path: str, skip: frozenset[str]) -> SqlFacts:
    try:
        with budget.per_file():
            run = psql_session.read(tree, path, skip)
    except budget.OverBudget as over:  # nothing of it is certain: every type it may touch is in doubt
        message = f"{over}: the file is not read"
        unread = Unread(f"{over}", Location(path), "any")
        return SqlFacts(
            (Finding(Location(path), "unsupported-sql", message, Severity.INFO), unread), 0, None, False, complete=False
        )
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop the audit
        message = f"enumguard could not read this migration ({type(exc).__name__}); its enum DDL is not replayed"
        finding = Finding(Location(path), "unsupported-sql", message, Severity.INFO)
        return SqlFacts((finding, Unread("changed by a file enumguard could not read", Location(path))), 0, None, False)
    return SqlFacts(
        tuple(run.events),
        run.statements,
        run.file_transaction,
        run.adds_value,
        tuple(run.included),
        tuple(run.notes),
    )


def migration_paths(tree: SourceTree, config: Config) -> frozenset[str]:
    """Paths of files that are migrations (SQL files and Alembic revision scripts)."""
    sql = {f.path for f in sql_files_mod.sql_files(tree, config)}
    replayed = set(environments.all_scripts(tree, config))
    # Revision scripts that are not replayed (another dialect's `versions/sqlite/`, a second
    # project's history) are still migrations, not application code: their enums are frozen copies.
    others = {f.path for f in tree.python_files() if f.path not in replayed and _looks_like_revision(f.text)}
    return frozenset(sql | replayed | others)


def notices(tree: SourceTree, config: Config) -> tuple[str, ...]:
    """One-line notices about what the migration stage left out (SQL nothing applies, includes
    not followed), guessed (an apply order) and how it ordered what it read (several Alembic
    environments)."""
    found = (sql_files_mod.not_replayed(tree, config), environments.notice(tree, config))
    loaded = _LOADED.get(id(tree))
    model = loaded[2] if loaded is not None and loaded[0] is tree and loaded[1] == config else load(tree, config)
    return tuple(n for n in found if n) + model.notices


def _looks_like_revision(text: str) -> bool:
    return (
        "down_revision" in text and "revision" in text and ("from alembic import" in text or "import alembic" in text)
    )


_LOADED: dict[int, tuple[SourceTree, Config, MigrationModel]] = {}


def load(tree: SourceTree, config: Config) -> MigrationModel:
    """Read every migration, order them, and replay their enum DDL."""
    model = _load(tree, config)
    if len(_LOADED) >= 4:
        _LOADED.clear()
    _LOADED[id(tree)] = (tree, config, model)
    return model


def _sql_key(digest: str, tree: SourceTree, path: str, skip: frozenset[str]) -> str:
    """The cache key of an applied file: the path and text of every file psql reads for it."""
    parts: list[str] = ["psql", path, *sorted(skip)]
    for name in psql_session.closure(tree, path, skip):
        source = tree.get(name)
        parts += [name, source.text if source is not None else ""]
    return cache_mod.key(digest, *parts)


def _load(tree: SourceTree, config: Config) -> MigrationModel:
    store = cache_mod.open_store("migration-facts", config.cache, config.cache_dir, FACTS)
    units: list[replay.Unit] = []
    statements = 0
    plan = sql_files_mod.plan(tree, config)
    items = [item for item in plan.files if tree.get(item.path) is not None]
    digest = cache_mod.code_digest()
    keys = {item.path: _sql_key(digest, tree, item.path, plan.configured - {item.path}) for item in items}
    todo = sum(1 for item in items if not isinstance(store.get(keys[item.path]), SqlFacts))
    groups: list[str] = []
    hows: list[str] = []
    included: dict[int, list[Migration]] = {}  # unit -> the files it includes
    notes: list[str] = []
    with Progress("reading SQL migrations", todo, config.progress) as progress:
        for item in items:
            facts = store.get(keys[item.path])
            if not isinstance(facts, SqlFacts):
                facts = _read_sql(tree, item.path, plan.configured - {item.path})
                if facts.complete:
                    store.put(keys[item.path], facts)
                progress.tick()
            notes.extend(facts.notes)
            included[len(units)] = [Migration(path, len(units), "sql") for path in facts.included]
            groups.append(item.group)
            hows.append(item.how)
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
    groups += ["alembic"] * len(revisions.units)
    hows += ["Alembic revision graph"] * len(revisions.units)
    statements += revisions.statements
    guess = sql_order.guessed([u.migration.path for u in units], groups, [u.events for u in units], hows)
    for index, unit in enumerate(units):
        if index in guess.before or index in guess.after:
            unit.events = [*guess.before.get(index, []), *unit.events, *guess.after.get(index, [])]
    if guess.notice:
        notes.append(guess.notice)
    result = replay.replay(units)
    return MigrationModel(
        migrations=tuple(m for i, u in enumerate(units) for m in (u.migration, *included.get(i, ()))),
        ops=tuple(result.ops),
        db_enums=result.db_enums,
        columns=result.columns,
        literals=tuple(result.literals),
        problems=tuple(environments.ini_problems(tree)) + tuple(revisions.problems) + tuple(result.problems),
        type_uses=tuple(result.type_uses),
        statements=statements,
        plain_columns=frozenset(result.plain_columns),
        tables=frozenset(result.tables),
        table_doubts=tuple(sorted(result.table_doubts.items())),
        notices=tuple(notes),
    )
