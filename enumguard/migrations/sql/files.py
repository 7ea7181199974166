"""SourceTree + Config in, SQL migration files out: each with its tool, order key and how the tool
runs it (an entry file that psql runs stands for the files it includes); and the one-line notice
about SQL with enum DDL that nothing applies."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from enumguard.collect import SourceTree, matches
from enumguard.config import Config
from enumguard.migrations.alembic.environments import alembic_dirs, alembic_scripts
from enumguard.migrations.sql import entry, session

# File NAME patterns of the migration tools (names, never SQL text).
SUPABASE = re.compile(r"(\d+)_.*\.sql\Z")
FLYWAY = re.compile(r"V(\d+(?:[._]\d+)*)__.+\.sql\Z")
FLYWAY_REPEATABLE = re.compile(r"R__(.+)\.sql\Z")
FLYWAY_UNDO = re.compile(r"U\d+(?:[._]\d+)*__.+\.sql\Z")
GOLANG_UP = re.compile(r"(\d+)_.+\.up\.sql\Z")
# Scripts that undo a change, by name (`rollback_0003.sql`, `0003_down.sql`, `revert-plans.sql`,
# `down.sql`) or folder (`rollbacks/`): never forward migrations, whoever runs them.
_UNDO_WORDS = {"rollback", "rollbacks", "revert", "reverts", "undo", "down"}
# Folders kept for the record, never applied (`archived/2024-02/`, `old/`, `backup/`), and schemas
# of other databases (`sqlite/`, `schema.mysql.sql`).
_SHELVED = {"old", "backup", "backups", "bak", "deprecated", "obsolete", "unused", "attic"}
_OTHER_DATABASES = {
    "sqlite", "sqlite3", "mysql", "mariadb", "mssql", "sqlserver", "tsql", "oracle", "h2", "hsqldb",
    "derby", "db2", "clickhouse", "duckdb", "snowflake", "bigquery", "cassandra", "spanner",
}  # fmt: skip
_ENUM_DDL = re.compile(r"\b(?:create|alter|drop)\s+type\b", re.IGNORECASE)
# Tools whose folder says exactly which SQL files they apply.
TOOLS = ("supabase", "flyway", "golang")

# How each tool runs a file. Supabase CLI sends a file's statements as one batch that runs in one
# implicit transaction (an ADD VALUE used later in the same file fails with 55P04, supabase/cli
# #3554); Flyway wraps each script in a transaction; golang-migrate sends the file as one
# multi-statement query (one implicit transaction); dbmate wraps each migration unless
# `transaction:false`. Plain `migrations/**/*.sql` has no known runner: psql-style autocommit,
# so only explicit BEGIN..COMMIT groups statements.
# psql (an initdb folder, a script, an entry file) autocommits each statement unless run with -1.
MODES = {
    "supabase": "file", "flyway": "file", "golang": "file", "plain": "autocommit", "configured": "autocommit",
    "initdb": "autocommit", "script": "autocommit",
}  # fmt: skip
# The postgres image runs its initdb folder before anything can connect; a schema entry file
# (one that includes others) is applied before the migrations that change what it creates.
_RANK = {"initdb": 0, "script": 1, "entry": 2, "supabase": 3, "flyway": 4, "golang": 5, "plain": 6, "configured": 6}


@dataclass(frozen=True)
class SqlFile:
    """`group`: files of one group run in an order the project gives (a tool's versions, a
    configured order, an initdb folder, a script, numbered names in one folder); between groups
    the order is enumguard's guess. `how` says where the order comes from, for notices."""

    path: str
    tool: str  # supabase | flyway | golang | plain | configured | initdb | script
    key: tuple
    group: str = ""
    how: str = "by file name"
    single_transaction: bool = False

    @property
    def mode(self) -> str:
        return "file" if self.single_transaction else MODES[self.tool]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.split(r"[._]", text))


def is_undo(path: str) -> bool:
    """A rollback/down/revert script, by its name or a folder it sits in."""
    folder, name = posixpath.split(path.lower())
    words = [w for w in re.split(r"[_\-.\s]+", name[: -len(".sql")] if name.endswith(".sql") else name) if w]
    # A leading word counts only without a version prefix: `20240101_revert_plan.sql` in
    # supabase/migrations is a forward migration that the CLI applies like any other.
    if words and (words[0] in _UNDO_WORDS or words[-1] in _UNDO_WORDS):
        return True
    return any(part in _UNDO_WORDS for part in folder.split("/"))


def is_shelved(path: str) -> bool:
    """SQL kept but not applied: in an archive/old/backup folder, or another database's schema."""
    folder, name = posixpath.split(path.lower())
    parts = folder.split("/") if folder else []
    if any(p in _SHELVED or p.startswith("archive") or p in _OTHER_DATABASES for p in parts):
        return True
    words = name.split(".")
    return len(words) > 2 and words[-2] in _OTHER_DATABASES


def classify(path: str) -> SqlFile | None:
    """The tool a SQL file belongs to by its place and name, or None when it is no migration."""
    folder, name = posixpath.split(path)
    if is_undo(path):
        return None
    if "/supabase/migrations/" not in f"/{path}" and is_shelved(path):
        return None
    if folder == "supabase/migrations" or folder.endswith("/supabase/migrations"):
        found = SUPABASE.match(name)
        return SqlFile(path, "supabase", (name,)) if found else None
    if "/supabase/migrations/" in f"/{path}":
        return None  # subfolders (backup/, archive/) are not applied by the Supabase CLI
    if name.endswith(".down.sql") or name == "down.sql" or FLYWAY_UNDO.match(name):
        return None
    found = FLYWAY.match(name)
    if found:
        return SqlFile(path, "flyway", (0, _version(found.group(1)), name))
    found = FLYWAY_REPEATABLE.match(name)
    if found:
        return SqlFile(path, "flyway", (1, (), found.group(1)))
    found = GOLANG_UP.match(name)
    if found:
        return SqlFile(path, "golang", (int(found.group(1)), name))
    if "/migrations/" in f"/{path}" or "/migration/" in f"/{path}":
        return SqlFile(path, "plain", (path,))
    return None


def _classified(tree: SourceTree, config: Config) -> tuple[dict[str, SqlFile], bool]:
    """Every SQL file a tool or the config makes a migration, and whether a known tool's folder
    (or an Alembic history) exists. With such a tool, plain `migrations/` SQL is not one of its
    migrations (ClickHouse DDL, hand-run scripts): only `sql-migrations` brings it in."""
    found: dict[str, SqlFile] = {}
    for f in tree.sql_files():
        item = classify(f.path)
        configured = (
            bool(config.sql_migrations)
            and matches(f.path, config.sql_migrations)
            and not is_undo(f.path)
            and not is_shelved(f.path)
        )
        if configured and (item is None or item.tool == "plain"):
            item = SqlFile(f.path, "configured", (f.path,))
        if item is not None:
            found[f.path] = item
    tool = any(item.tool in TOOLS for item in found.values()) or bool(alembic_scripts(tree, alembic_dirs(tree, config)))
    if tool:
        found = {path: item for path, item in found.items() if item.tool != "plain"}
    return found, tool


@dataclass(frozen=True)
class Plan:
    """What psql and the tools apply: `files` run in this order (an entry file stands for the
    files it includes, which are in `included`); `left_out`: SQL beside an entry file that it
    does not include (a browser schema next to the server's), not applied."""

    files: tuple[SqlFile, ...]
    included: frozenset[str]
    left_out: frozenset[str]
    configured: frozenset[str]  # placed by `migration-order`: applied there, not where included


_PLANS: dict[int, tuple[SourceTree, Config, Plan]] = {}


def plan(tree: SourceTree, config: Config) -> Plan:
    """Every SQL file that runs, once, in apply order (memoised per tree and config)."""
    cached = _PLANS.get(id(tree))
    if cached is not None and cached[0] is tree and cached[1] == config:
        return cached[2]
    result = _plan(tree, config)
    if len(_PLANS) >= 4:
        _PLANS.clear()
    _PLANS[id(tree)] = (tree, config, result)
    return result


def _plan(tree: SourceTree, config: Config) -> Plan:
    found, tool = _classified(tree, config)
    # A file several scripts run belongs to the longest list (the install script, not a helper
    # that rebuilds one part); the initdb folder before any script. Beside a migration tool, a
    # script's SQL is a seed or a chore run by hand, as plain SQL is: only the config brings it in.
    sequences = sorted(entry.sequences(tree), key=lambda q: (q.kind != "initdb", -len(q.paths), q.source))
    sequences = [q for q in sequences if q.kind == "initdb" or not tool]
    for index, seq in enumerate(sequences):
        for position, path in enumerate(seq.paths):
            if is_undo(path) or is_shelved(path) or found.get(path, SqlFile("", "", ())).tool in ("initdb", "script"):
                continue
            group = f"{seq.kind}:{seq.source}"
            found[path] = SqlFile(path, seq.kind, (index, position), group, seq.source, seq.single_transaction)
    order = config.migration_order
    configured = frozenset(p for p in found if order and matches(p, order))
    reach = {p: session.closure(tree, p, configured - {p})[1:] for p in found if tree.get(p) is not None}
    included = frozenset(t for p, targets in reach.items() for t in targets if t != p) - configured
    top = {p: item for p, item in found.items() if p not in included}
    entries = [p for p in top if reach.get(p)]
    left_out: set[str] = set()
    for e in entries:
        folder = posixpath.dirname(e)
        if not folder or top[e].tool not in ("plain", "configured", "initdb", "script"):
            continue
        covered = {t for p in entries if posixpath.dirname(p) == folder for t in reach[p]}
        for p, item in list(top.items()):
            if item.tool == "plain" and p.startswith(folder + "/") and posixpath.dirname(p) != folder:
                if p not in covered and p not in configured:
                    left_out.add(p)
                    del top[p]
    numbered = _numbered_folders(top.values())

    def key(item: SqlFile) -> tuple:
        explicit = next((i for i, pattern in enumerate(order) if matches(item.path, (pattern,))), len(order))
        rank = "entry" if item.tool == "plain" and reach.get(item.path) else item.tool
        folder = posixpath.dirname(item.path) if item.tool not in ("plain", "configured", "initdb", "script") else ""
        return (explicit, _RANK[rank], folder, item.key)

    files: list[SqlFile] = []
    for item in sorted(top.values(), key=key):
        explicit = key(item)[0] < len(order)
        group = item.group
        if explicit:
            group = "config"
        elif not group:
            group = _group(item, numbered)
        how = "as `migration-order` lists them" if explicit else item.how
        files.append(SqlFile(item.path, item.tool, item.key, group, how, item.single_transaction))
    return Plan(tuple(files), included, frozenset(left_out), configured)


def _numbered_folders(items) -> set[str]:
    """Folders whose plain migrations all start with a number: their name order is the order."""
    by_folder: dict[str, list[str]] = {}
    for item in items:
        if item.tool in ("plain", "configured"):
            by_folder.setdefault(posixpath.dirname(item.path), []).append(posixpath.basename(item.path))
    return {d for d, names in by_folder.items() if all(n[:1].isdigit() for n in names)}


def _group(item: SqlFile, numbered: set[str]) -> str:
    folder = posixpath.dirname(item.path)
    if item.tool in ("supabase", "golang"):
        return f"{item.tool}:{folder}"
    if item.tool == "flyway":
        return "flyway"
    return f"plain:{folder}" if folder in numbered else f"plain:{item.path}"


def not_replayed(tree: SourceTree, config: Config) -> str | None:
    """One notice naming the folders of SQL files with enum DDL (CREATE/ALTER/DROP TYPE) that
    nothing applies and the config does not name, and how to include them; None when there are
    none. Undo scripts and the folders a tool skips by design (supabase/migrations/backup/) are
    left out; archived folders, other databases' schemas and files beside an entry file that it
    does not include are named."""
    found, tool = _classified(tree, config)
    applied = plan(tree, config)
    done = {f.path for f in applied.files} | applied.included
    folders: dict[str, int] = {}
    for f in tree.sql_files():
        if f.path in done or is_undo(f.path) or "/supabase/migrations/" in f"/{f.path}" or not _ENUM_DDL.search(f.text):
            continue
        folder = posixpath.dirname(f.path) or "."
        folders[folder] = folders.get(folder, 0) + 1
    if not folders:
        return None
    names = ", ".join(f"{d}/ ({n} file{'s' if n > 1 else ''})" for d, n in sorted(folders.items()))
    tools = sorted({posixpath.dirname(i.path) + "/" for i in found.values() if i.tool in TOOLS})
    where = (
        f"outside {', '.join(tools)}"
        if tools
        else "beside the Alembic history"
        if tool
        else "that no migration tool applies"
    )
    return (
        f"not replayed: SQL with enum DDL {where}, in {names}; if it is applied to the database, "
        f'add `sql-migrations = ["{sorted(folders)[0]}/*.sql"]` to [tool.enumguard]'
    )


def sql_files(tree: SourceTree, config: Config) -> list[SqlFile]:
    """Every SQL migration that runs on its own (not through an include), in apply order."""
    return list(plan(tree, config).files)
