"""SourceTree + Config in, SQL migration files out: each with its tool, order key and how the tool
runs it; and the one-line notice about SQL with enum DDL that no tool applies."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from enumguard.collect import SourceTree, matches
from enumguard.config import Config
from enumguard.migrations.alembic.environments import alembic_dirs, alembic_scripts

# File NAME patterns of the migration tools (names, never SQL text).
SUPABASE = re.compile(r"(\d+)_.*\.sql\Z")
FLYWAY = re.compile(r"V(\d+(?:[._]\d+)*)__.+\.sql\Z")
FLYWAY_REPEATABLE = re.compile(r"R__(.+)\.sql\Z")
FLYWAY_UNDO = re.compile(r"U\d+(?:[._]\d+)*__.+\.sql\Z")
GOLANG_UP = re.compile(r"(\d+)_.+\.up\.sql\Z")
# Scripts that undo a change, by name (`rollback_0003.sql`, `0003_down.sql`, `revert-plans.sql`,
# `down.sql`) or folder (`rollbacks/`): never forward migrations, whoever runs them.
_UNDO_WORDS = {"rollback", "rollbacks", "revert", "reverts", "undo", "down"}
_ENUM_DDL = re.compile(r"\b(?:create|alter|drop)\s+type\b", re.IGNORECASE)
# Tools whose folder says exactly which SQL files they apply.
TOOLS = ("supabase", "flyway", "golang")

# How each tool runs a file. Supabase CLI sends a file's statements as one batch that runs in one
# implicit transaction (an ADD VALUE used later in the same file fails with 55P04, supabase/cli
# #3554); Flyway wraps each script in a transaction; golang-migrate sends the file as one
# multi-statement query (one implicit transaction); dbmate wraps each migration unless
# `transaction:false`. Plain `migrations/**/*.sql` has no known runner: psql-style autocommit,
# so only explicit BEGIN..COMMIT groups statements.
MODES = {"supabase": "file", "flyway": "file", "golang": "file", "plain": "autocommit", "configured": "autocommit"}
_RANK = {"supabase": 0, "flyway": 1, "golang": 2, "plain": 3, "configured": 3}


@dataclass(frozen=True)
class SqlFile:
    path: str
    tool: str  # supabase | flyway | golang | plain | configured
    key: tuple

    @property
    def mode(self) -> str:
        return MODES[self.tool]


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


def classify(path: str) -> SqlFile | None:
    """The tool a SQL file belongs to by its place and name, or None when it is no migration."""
    folder, name = posixpath.split(path)
    if is_undo(path):
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
        configured = bool(config.sql_migrations) and matches(f.path, config.sql_migrations) and not is_undo(f.path)
        if configured and (item is None or item.tool == "plain"):
            item = SqlFile(f.path, "configured", (f.path,))
        if item is not None:
            found[f.path] = item
    tool = any(item.tool in TOOLS for item in found.values()) or bool(alembic_scripts(tree, alembic_dirs(tree, config)))
    if tool:
        found = {path: item for path, item in found.items() if item.tool != "plain"}
    return found, tool


def not_replayed(tree: SourceTree, config: Config) -> str | None:
    """One notice naming the folders of SQL files with enum DDL (CREATE/ALTER/DROP TYPE) that no
    tool applies and the config does not name, and how to include them; None when there are none.
    Undo scripts and the folders a tool skips by design (supabase/migrations/backup/) are left out."""
    found, tool = _classified(tree, config)
    folders: dict[str, int] = {}
    for f in tree.sql_files():
        if (
            f.path in found
            or is_undo(f.path)
            or "/supabase/migrations/" in f"/{f.path}"
            or not _ENUM_DDL.search(f.text)
        ):
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
    """Every SQL migration, in apply order."""
    found, _ = _classified(tree, config)
    order = config.migration_order

    def key(item: SqlFile) -> tuple:
        explicit = next((i for i, pattern in enumerate(order) if matches(item.path, (pattern,))), len(order))
        folder = posixpath.dirname(item.path) if item.tool != "plain" else ""
        return (explicit, _RANK[item.tool], folder, item.key)

    return sorted(found.values(), key=key)
