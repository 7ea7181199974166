"""SourceTree + Config in, the Alembic environments out: each alembic.ini section Alembic can run
(`[alembic]`, `[name]` for `alembic -n name`), else each configured versions folder or env.py with
versions/ beside it; with its versions folders, env.py and target database, in replay order."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace

from enumguard.collect import SourceTree, matches
from enumguard.config import Config, stays_inside
from enumguard.finding import Finding, Location, Severity
from enumguard.migrations.alembic import ini as ini_mod


@dataclass(frozen=True)
class Environment:
    """One migration environment: one revision graph, one `alembic upgrade` run."""

    name: str  # how reports and `migration-order` name it: `svc/alembic.ini`, `alembic.ini [tenant]`, `db/env.py`
    versions: tuple[str, ...]  # versions folders, in the order Alembic searches them
    script_location: str | None = None  # the folder of env.py and script.py.mako
    env_py: str | None = None
    ini: ini_mod.IniSection | None = None
    recursive: bool = False  # recursive_version_locations: subfolders of the versions folders too
    configured: bool = False  # placed by `migration-order`: it shares one database with the others so placed

    @property
    def database(self) -> str | None:
        return self.ini.database if self.ini is not None else None

    def order_names(self) -> tuple[str, ...]:
        """The paths a `migration-order` entry may name it by."""
        return (self.name,) + ((self.ini.path,) if self.ini else ()) + (self.script_location or "",) + self.versions


def environments(tree: SourceTree, config: Config) -> tuple[Environment, ...]:
    """Every environment, in the order they are replayed: those `migration-order` names, in its
    order, then the rest in path order (alembic.ini sections in file order)."""
    if config.alembic_versions:
        found = _configured(tree, config)
    else:
        found = _from_inis(tree) or _from_env_py(tree)
    order = config.migration_order

    def rank(env: Environment) -> int:
        for i, pattern in enumerate(order):
            if any(
                k and (matches(k, (pattern,)) or matches(k, (pattern.rstrip("/") + "/**",))) for k in env.order_names()
            ):
                return i
        return len(order)

    ranked = sorted(((rank(e), i, e) for i, e in enumerate(found)), key=lambda t: (t[0], t[1]))
    return tuple(_with(e, configured=r < len(order)) for r, _, e in ranked)


def _with(env: Environment, **changes) -> Environment:
    return replace(env, **changes)


def alembic_dirs(tree: SourceTree, config: Config) -> list[str]:
    """Every versions folder of every environment."""
    return [d for env in environments(tree, config) for d in env.versions]


def is_ini(path: str) -> bool:
    """An Alembic config file: `alembic.ini`, or another `.ini` named for Alembic (`alembic-audit.ini`)."""
    name = posixpath.basename(path).lower()
    return name == "alembic.ini" or (name.endswith(".ini") and "alembic" in name)


def _from_inis(tree: SourceTree) -> list[Environment]:
    out: list[Environment] = []
    claimed: set[str] = set()
    for f in tree.files:
        if not is_ini(f.path):
            continue
        for sec in ini_mod.sections(f.path, f.text, lambda package: _package_dir(tree, package)):
            script = sec.script_location
            if script is None and sec.section == "alembic" and not sec.version_locations:
                here = posixpath.dirname(f.path) or "."
                if tree.get(posixpath.join(here, "env.py")) is None:
                    continue
                script = here  # Flask-Migrate: the ini sits in the script folder and names none
            inside_script = script if script is not None and stays_inside(script) else None
            locations = sec.version_locations or ((posixpath.join(script, "versions"),) if script else ())
            versions: list[str] = []
            for location in locations:
                if not stays_inside(location):
                    continue  # reported by ini_problems, never read
                for d in [location] if sec.recursive else _script_dirs(tree, location):
                    if d not in claimed and d not in versions and _has_scripts(tree, d, sec.recursive):
                        versions.append(d)
            if not versions:
                continue
            claimed.update(versions)
            env_py = posixpath.join(inside_script, "env.py") if inside_script is not None else None
            out.append(
                Environment(
                    name=f.path if sec.section == "alembic" else f"{f.path} [{sec.section}]",
                    versions=tuple(versions),
                    script_location=inside_script,
                    env_py=env_py if env_py is not None and tree.get(env_py) is not None else None,
                    ini=sec,
                    recursive=sec.recursive,
                )
            )
    return out


def _from_env_py(tree: SourceTree) -> list[Environment]:
    """Without a usable alembic.ini: each env.py with revisions in versions/ beside it."""
    out: list[Environment] = []
    for path in tree.paths:
        if posixpath.basename(path) != "env.py":
            continue
        script = posixpath.dirname(path) or "."
        versions = _script_dirs(tree, posixpath.join(script, "versions"))
        if versions:
            out.append(Environment(path, tuple(versions), script, path if tree.get(path) else None))
    return out


def _configured(tree: SourceTree, config: Config) -> list[Environment]:
    """`alembic-versions`: the folders given, grouped into the environments they belong to (an
    alembic.ini that lists them, else the folder above them, where env.py lives)."""
    known = _from_inis(tree)
    groups: dict[str, Environment] = {}
    for raw in config.alembic_versions:
        folder = posixpath.normpath(raw.strip("/")) if raw.strip("/") else "."
        owner = next((e for e in known if folder in e.versions or e.script_location == posixpath.dirname(folder)), None)
        if owner is None:
            script = posixpath.dirname(folder) or "."
            env_py = posixpath.join(script, "env.py")
            owner = Environment(folder, (), script, env_py if tree.get(env_py) else None)
        current = groups.get(owner.name, _with(owner, versions=()))
        if folder not in current.versions:
            groups[owner.name] = _with(current, versions=current.versions + (folder,))
    return list(groups.values())


def _has_scripts(tree: SourceTree, folder: str, recursive: bool = False) -> bool:
    prefix = "" if folder in ("", ".") else folder + "/"
    return any(
        p.startswith(prefix) and p.endswith(".py") and (recursive or "/" not in p[len(prefix) :]) for p in tree.paths
    )


def _script_dirs(tree: SourceTree, folder: str) -> list[str]:
    """The folder when it holds revisions; else its subfolders that do, preferring PostgreSQL
    ones (projects that keep `versions/postgresql/` beside `versions/sqlite/`)."""
    if _has_scripts(tree, folder):
        return [folder]
    prefix = "" if folder in ("", ".") else folder + "/"
    subs = sorted(
        {
            p[len(prefix) :].split("/", 1)[0]
            for p in tree.paths
            if p.startswith(prefix) and p.count("/") > prefix.count("/")
        }
    )
    subs = [posixpath.join(folder, s) for s in subs if _has_scripts(tree, posixpath.join(folder, s))]
    postgres = [s for s in subs if "postgres" in posixpath.basename(s).lower() or posixpath.basename(s).lower() == "pg"]
    return postgres or subs


def _package_dir(tree: SourceTree, package: str) -> str | None:
    """Where a dotted package lives in the tree (`src/app/db` for `app.db`), shortest path first."""
    tail = package.replace(".", "/") + "/__init__.py"
    found = sorted((p for p in tree.paths if p == tail or p.endswith("/" + tail)), key=len)
    return found[0][: -len("/__init__.py")] if found else None


def ini_problems(tree: SourceTree) -> list[Finding]:
    """A finding per alembic.ini setting that points outside the repository (it is not read)."""
    out: list[Finding] = []
    for f in tree.files:
        if not is_ini(f.path):
            continue
        for sec in ini_mod.sections(f.path, f.text, lambda package: _package_dir(tree, package)):
            outside = [(d, "version_locations") for d in sec.version_locations if not stays_inside(d)]
            if not sec.version_locations and sec.script_location and not stays_inside(sec.script_location):
                outside.append((posixpath.join(sec.script_location, "versions"), "script_location"))
            for folder, setting in outside:
                lines = f.text.splitlines()
                line = next(
                    (i for i, text in enumerate(lines, 1) if i >= sec.line and text.strip().startswith(setting)), 1
                )
                out.append(
                    Finding(
                        Location(f.path, line, 1),
                        "unsupported-sql",
                        f"setting `{setting}` points outside the repository (`{folder}`); it is not read",
                        Severity.INFO,
                    )
                )
    return out


def scripts(tree: SourceTree, env: Environment) -> list[str]:
    """The environment's revision scripts in the order Alembic loads them: folder by folder, by
    name within a folder (subfolders after their parent when recursive)."""
    out: list[str] = []
    for folder in env.versions:
        prefix = "" if folder in ("", ".") else folder + "/"
        found = [
            f.path
            for f in tree.python_files()
            if f.path.endswith(".py")
            and f.path.startswith(prefix)
            and (env.recursive or "/" not in f.path[len(prefix) :])
            and posixpath.basename(f.path) != "__init__.py"
            and "__pycache__/" not in f.path
        ]
        out.extend(p for p in sorted(found, key=lambda p: (p.count("/"), p)) if p not in out)
    return out


def all_scripts(tree: SourceTree, config: Config) -> list[str]:
    """The revision scripts of every environment."""
    return [p for env in environments(tree, config) for p in scripts(tree, env)]


def alembic_scripts(tree: SourceTree, dirs: list[str]) -> list[str]:
    """Revision scripts: .py files directly inside a versions folder."""
    wanted = set(dirs)
    return sorted(
        f.path
        for f in tree.python_files()
        if f.path.endswith(".py")
        and (posixpath.dirname(f.path) or ".") in wanted
        and posixpath.basename(f.path) != "__init__.py"
    )


def notice(tree: SourceTree, config: Config) -> str | None:
    """With several environments: which ones, in which order they are replayed, and how to state
    their order when they migrate one database."""
    envs = environments(tree, config)
    if len(envs) < 2:
        return None
    listed = "; ".join(_describe(tree, e) for e in envs)
    head = f"{len(envs)} Alembic environments, each replayed in its own revision graph, one after the other"
    if all(e.configured for e in envs):
        return f"{head} as one database in the order `migration-order` gives: {listed}"
    names = ", ".join(f'"{e.name}"' for e in envs)
    return (
        f"{head} in this order: {listed}; a type that more than one of them creates or changes is not "
        f"checked, as their order is unknown: if they migrate one database, add "
        f"`migration-order = [{names}]` to [tool.enumguard] in the order they run"
    )


def _describe(tree: SourceTree, env: Environment) -> str:
    count = len(scripts(tree, env))
    parts = [f"{', '.join(d + '/' for d in env.versions)}, {count} revision{'s' if count != 1 else ''}"]
    if env.database:
        parts.append(f"database {env.database}")
    return f"{env.name} ({'; '.join(parts)})"
