"""Config dataclass, read from [tool.enumguard] in pyproject.toml or from enumguard.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from enumguard import budget
from enumguard.errors import EnumguardError
from enumguard.finding import Severity

DEFAULT_EXCLUDE = (
    ".git/**",
    "**/.git/**",
    "**/node_modules/**",
    "**/.venv/**",
    "**/venv/**",
    "**/.tox/**",
    "**/.nox/**",
    "**/__pycache__/**",
    "**/site-packages/**",
    "**/.mypy_cache/**",
    "**/.enumguard_cache/**",
    "build/**",
    "dist/**",
    # setuptools' copies of a package in a monorepo (packages/db/build/lib/db/migrations/...)
    "**/build/lib/**",
    "**/build/bdist.*/**",
)


@dataclass(frozen=True)
class Config:
    """Every setting; the TOML key is the field name with `-` for `_`."""

    root: Path = Path(".")
    include: tuple[str, ...] = ()  # globs; empty means every file
    exclude: tuple[str, ...] = ()  # added to DEFAULT_EXCLUDE
    select: tuple[str, ...] = ()  # empty means every rule
    ignore: tuple[str, ...] = ()
    fail_on: str = "error"  # error | warning | never
    # Python enum qualname -> DB type name, overriding what the code says.
    bindings: tuple[tuple[str, str], ...] = ()
    name_fallback: bool = True  # link an unbound enum to a DB type of the same normalised name
    # Migrations: extra SQL globs, an explicit order, Alembic versions folders.
    sql_migrations: tuple[str, ...] = ()
    migration_order: tuple[str, ...] = ()
    alembic_versions: tuple[str, ...] = ()
    transaction_per_migration: bool | None = None  # None: read env.py
    postgres_version: int = 16
    idle_threshold_seconds: int = 300
    cache: bool = True
    jobs: int = 0  # 0: one worker per core
    max_file_bytes: int = 2_000_000  # a larger file is skipped with a notice (bounded work per file)
    # CPU seconds to parse and read one file; past them the file is reported and the run goes on (0: no bound)
    max_file_seconds: float = budget.DEFAULT_SECONDS
    cache_dir: Path | None = None  # --cache-dir; None: $ENUMGUARD_CACHE_DIR or the XDG cache
    progress: bool = False  # a progress line on stderr when it is a terminal (the CLI, without --quiet)
    source: str = "defaults"  # the file the settings came from, for messages

    def fail_threshold(self) -> Severity | None:
        return None if self.fail_on == "never" else Severity.parse(self.fail_on)


FAIL_ON = ("error", "warning", "never")
_LIST_KEYS = {"include", "exclude", "select", "ignore", "sql_migrations", "migration_order", "alembic_versions"}
_BOOL_KEYS = {"name_fallback", "cache"}
_INT_KEYS = {"postgres_version", "idle_threshold_seconds", "jobs", "max_file_bytes"}
_NUMBER_KEYS = {"max_file_seconds"}
_NOT_IN_FILE = {"root", "source", "cache_dir", "progress"}
_PATH_KEYS = {"sql_migrations", "migration_order", "alembic_versions"}  # globs/folders in the repository


def stays_inside(relative: str) -> bool:
    """A repository-relative path or glob that cannot leave the repository: not absolute (nor
    `~`, nor a Windows drive) and no `..` that climbs above its start."""
    value = relative.replace("\\", "/")
    if value.startswith(("/", "~")) or (len(value) > 1 and value[1] == ":"):
        return False
    depth = 0
    for part in value.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return False
        elif part not in ("", "."):
            depth += 1
    return True


def valid_keys() -> list[str]:
    return sorted(f.name.replace("_", "-") for f in fields(Config) if f.name not in _NOT_IN_FILE)


def _inside(path: Path, root: Path) -> bool:
    """Does `path`, symlinks resolved, stay inside `root` (already resolved)?"""
    try:
        path.resolve().relative_to(root)
        return True
    except ValueError:
        return False


def load(root: Path, config_file: Path | None = None, rule_names: frozenset[str] = frozenset()) -> Config:
    """Find and read the configuration for `root`; raise EnumguardError on any mistake."""
    root = root.resolve()
    if config_file is not None:
        if not config_file.is_file():
            raise EnumguardError(f"{config_file}: config file not found")
        if not _inside(config_file, root):
            raise EnumguardError(
                f"--config {config_file}: outside the repository {root}; the config file must be in it"
            )
        data = _read_toml(config_file)
        table = data.get("tool", {}).get("enumguard", data) if config_file.name == "pyproject.toml" else data
        return from_table(table, root, str(config_file), rule_names)
    for name in ("enumguard.toml", "pyproject.toml"):
        path = root / name
        if path.is_file():
            if not _inside(path, root):
                raise EnumguardError(f"{name}: a symlink to outside the repository; enumguard does not read it")
            data = _read_toml(path)
            if name == "pyproject.toml":
                if "enumguard" not in data.get("tool", {}):
                    continue
                data = data["tool"]["enumguard"]
            return from_table(data, root, name, rule_names)
    return Config(root=root)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise EnumguardError(f"{path}: invalid TOML: {exc}") from None


def from_table(table: dict[str, Any], root: Path, source: str, rule_names: frozenset[str] = frozenset()) -> Config:
    """Validate a [tool.enumguard] table; unknown keys and rules are errors naming the valid ones."""
    if not isinstance(table, dict):
        raise EnumguardError(f"{source}: [tool.enumguard] must be a table")
    values: dict[str, Any] = {}
    for key, raw in table.items():
        name = key.replace("-", "_")
        where = f"{source}: setting `{key}`"
        if name in _NOT_IN_FILE or name not in {f.name for f in fields(Config)}:
            raise EnumguardError(f"{where} is unknown; valid settings: {', '.join(valid_keys())}")
        if name in _LIST_KEYS:
            if isinstance(raw, str):
                raw = [raw]
            if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
                raise EnumguardError(f"{where} must be a list of strings")
            if name in _PATH_KEYS:
                for value in raw:
                    if not stays_inside(value):
                        raise EnumguardError(f"{where}: `{value}` points outside the repository")
            values[name] = tuple(raw)
        elif name in _BOOL_KEYS:
            if not isinstance(raw, bool):
                raise EnumguardError(f"{where} must be true or false")
            values[name] = raw
        elif name in _NUMBER_KEYS:
            if not isinstance(raw, (int, float)) or isinstance(raw, bool) or not 0 <= raw < float("inf"):
                raise EnumguardError(f"{where} must be a non-negative number")
            values[name] = float(raw)
        elif name in _INT_KEYS:
            if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
                raise EnumguardError(f"{where} must be a non-negative integer")
            values[name] = raw
        elif name == "transaction_per_migration":
            if not isinstance(raw, bool):
                raise EnumguardError(f"{where} must be true or false")
            values[name] = raw
        elif name == "fail_on":
            values[name] = check_fail_on(raw, where)
        elif name == "bindings":
            if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
                raise EnumguardError(f'{where} must be a table of "module.Enum" = "db_type"')
            values[name] = tuple(sorted(raw.items()))
    config = replace(Config(root=root, source=source), **values)
    check_rules(config.select + config.ignore, rule_names, source)
    return config


def check_fail_on(raw: object, where: str) -> str:
    if raw not in FAIL_ON:
        raise EnumguardError(f"{where} must be one of {', '.join(FAIL_ON)}, not {raw!r}")
    return str(raw)


def check_rules(names: tuple[str, ...], rule_names: frozenset[str], where: str) -> None:
    if not rule_names:
        return
    unknown = [n for n in names if n not in rule_names]
    if unknown:
        raise EnumguardError(
            f"{where}: unknown rule {', '.join(map(repr, unknown))}; valid rules: {', '.join(sorted(rule_names))}"
        )
