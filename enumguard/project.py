"""An audited folder in, the project it belongs to out: the folder itself when it holds the
migrations or its own settings, else the nearest folder above it that does (as ruff finds its
pyproject.toml), so `cd app && enumguard audit .` is checked against the project's migrations.

Only `enumguard audit` walks up; `enumguard diff PATH` keeps PATH as given (both trees)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from enumguard import collect
from enumguard.config import DEFAULT_EXCLUDE
from enumguard.migrations.sql import files as sql_files


@dataclass(frozen=True)
class Located:
    root: Path  # the folder to analyse
    scope: str | None  # the audited folder relative to root, when root is above it
    notice: str | None  # one line for the report, when something was decided for the user


def has_settings(folder: Path) -> bool:
    if (folder / "enumguard.toml").is_file():
        return True
    pyproject = folder / "pyproject.toml"
    try:
        return pyproject.is_file() and "[tool.enumguard" in pyproject.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _paths(folder: Path) -> list[str]:
    listed = collect._git_files(folder)
    paths = listed if listed is not None else collect._walk(folder, DEFAULT_EXCLUDE)
    return [p for p in paths if not collect.matches(p, DEFAULT_EXCLUDE)]


def migrations_in(folder: Path) -> str | None:
    """Where the migrations below `folder` are (a folder relative to it), judged by path only:
    SQL a migration tool applies, an alembic.ini, or env.py beside versions/; a tool's folder
    is named before a plain `migrations/` one (which may hold another database's DDL)."""
    paths = sorted(_paths(folder))
    folders = {posixpath.dirname(p) for p in paths}
    plain = None
    for path in paths:
        name = posixpath.basename(path)
        if path.endswith(".sql"):
            item = sql_files.classify(path)
            if item is not None and item.tool != "plain":
                return posixpath.dirname(path) or "."
            if item is not None and plain is None:
                plain = posixpath.dirname(path) or "."
        elif name == "alembic.ini":
            return posixpath.dirname(path) or "."
        elif name == "env.py" and posixpath.join(posixpath.dirname(path), "versions") in folders:
            return posixpath.join(posixpath.dirname(path), "versions")
    return plain


def _ancestors(folder: Path):
    """Parents of folder up to the root of its git work tree; never the home folder or above
    (a dotfiles repository or a stray pyproject.toml there is no project of this code)."""
    home = Path.home().resolve()
    current = folder
    while current.parent != current and current != home:
        if (current / ".git").exists():
            return
        current = current.parent
        if current == home:
            return
        yield current


def locate(path: Path, explicit_config: bool = False) -> Located:
    """The project root for an audit of `path` (see the module docstring). A folder with its
    own settings (or `--config`) stays the root; then only the nearest migrations are named."""
    folder = path.resolve()
    own = explicit_config or has_settings(folder)
    if migrations_in(folder) is not None:
        return Located(folder, None, None)
    nearest = None
    for parent in _ancestors(folder):
        marker = has_settings(parent) or (parent / "pyproject.toml").is_file() or (parent / ".git").exists()
        where = migrations_in(parent) if marker else None
        if own:
            if where is not None:
                nearest = parent / where
                break
            continue
        if has_settings(parent) or where is not None:
            scope = folder.relative_to(parent).as_posix()
            found = f"migrations in {where}/" if where else "its settings; no migrations found there either"
            return Located(
                parent,
                scope,
                (
                    f"auditing {scope}/ as part of the project at {parent} ({found}); "
                    f"findings outside {scope}/ that do not concern it are left out"
                ),
            )
    notice = f"no migrations found under {folder}: the database rules had nothing to compare"
    if nearest is not None:
        notice += f"; the nearest are in {nearest} (audit the project that holds them)"
    return Located(folder, None, notice)


def in_scope(finding, scope: str, migrations: frozenset[str]) -> bool:
    """A finding in the audited folder, or one in a migration about something in it (the DB
    label an enum of the folder lacks); code elsewhere that uses the folder's enums is out."""
    prefix = scope.rstrip("/") + "/"
    if finding.location.path.startswith(prefix):
        return True
    return finding.location.path in migrations and any(r.location.path.startswith(prefix) for r in finding.related)
