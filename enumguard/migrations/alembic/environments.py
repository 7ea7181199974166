"""SourceTree + Config in, Alembic versions folders out (from alembic.ini, config, or env.py +
versions/), the revision scripts in them, and the env.py next to each."""

from __future__ import annotations

import configparser
import posixpath

from enumguard.collect import SourceTree
from enumguard.config import Config, stays_inside
from enumguard.finding import Finding, Location, Severity


def alembic_dirs(tree: SourceTree, config: Config) -> list[str]:
    """Versions folders: configured ones, those alembic.ini names, else `versions/` next to env.py."""
    dirs: list[str] = [d.strip("/") for d in config.alembic_versions]
    if not dirs:
        for f in tree.files:
            if posixpath.basename(f.path) == "alembic.ini":
                for d in _from_ini(f.path, f.text, tree):
                    dirs.extend(_script_dirs(tree, d))
    if not dirs:
        for path in tree.paths:
            if posixpath.basename(path) == "env.py":
                dirs.extend(_script_dirs(tree, posixpath.join(posixpath.dirname(path), "versions")))
    seen: list[str] = []
    for d in dirs:
        d = posixpath.normpath(d) if d else "."
        if d not in seen:
            seen.append(d)
    return seen


def _has_scripts(tree: SourceTree, folder: str) -> bool:
    prefix = "" if folder in ("", ".") else folder + "/"
    return any(p.startswith(prefix) and p.endswith(".py") and "/" not in p[len(prefix) :] for p in tree.paths)


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


def _from_ini(path: str, text: str, tree: SourceTree | None = None) -> list[str]:
    """The versions folders an alembic.ini names, inside the repository (see ini_problems)."""
    return [d for d, _ in _ini_locations(path, text, tree) if stays_inside(d)]


def ini_problems(tree: SourceTree) -> list[Finding]:
    """A finding per alembic.ini setting that points outside the repository (it is not read)."""
    out: list[Finding] = []
    for f in tree.files:
        if posixpath.basename(f.path) != "alembic.ini":
            continue
        for folder, setting in _ini_locations(f.path, f.text, tree):
            if stays_inside(folder):
                continue
            line = next((i for i, text in enumerate(f.text.splitlines(), 1) if text.strip().startswith(setting)), 1)
            out.append(
                Finding(
                    Location(f.path, line, 1),
                    "unsupported-sql",
                    f"setting `{setting}` points outside the repository (`{folder}`); it is not read",
                    Severity.INFO,
                )
            )
    return out


def _ini_locations(path: str, text: str, tree: SourceTree | None = None) -> list[tuple[str, str]]:
    """(folder, setting) for each versions folder alembic.ini names, resolved but not checked."""
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    if not parser.has_section("alembic"):
        return []
    here = posixpath.dirname(path)

    def resolve(value: str) -> str:
        value = value.strip()
        if "%(here)s" in value:
            return posixpath.normpath(value.replace("%(here)s", here or "."))
        if ":" in value:  # a package resource, `pkg.sub:folder`
            package, _, sub = value.partition(":")
            located = _package_dir(tree, package) if tree is not None else None
            if located is not None:
                return posixpath.normpath(posixpath.join(located, sub.replace(":", "/")))
            value = posixpath.join(package.replace(".", "/"), sub.replace(":", "/"))
        return posixpath.normpath(posixpath.join(here, value))

    out: list[tuple[str, str]] = []
    locations = parser.get("alembic", "version_locations", fallback="")
    separator = parser.get("alembic", "version_path_separator", fallback="")
    if separator in ("os", ":", ";"):
        parts = locations.split(";" if separator == ";" else ":")
    else:  # legacy: spaces or commas
        parts = locations.replace(",", " ").split()
    out.extend((resolve(p), "version_locations") for p in parts if p.strip())
    script = parser.get("alembic", "script_location", fallback="")
    if script.strip() and not out:  # version_locations, when set, replaces <script>/versions
        out.append((posixpath.join(resolve(script), "versions"), "script_location"))
    return out


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


def env_py(tree: SourceTree, versions_dir: str) -> str | None:
    path = posixpath.join(posixpath.dirname(versions_dir), "env.py")
    return path if tree.get(path) is not None else None
