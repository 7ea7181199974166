"""An alembic.ini's text in, the Alembic environments it configures out: one per section that
`alembic` (or `alembic -n NAME`) can run, with its script location, versions folders, template
settings and target database, after Alembic's `%(here)s` / `%(key)s` interpolation."""

from __future__ import annotations

import configparser
import posixpath
import re
from dataclasses import dataclass

# Settings beside the folders that later stages read (the fix writes revisions with them).
TEMPLATE_KEYS = ("file_template", "truncate_slug_length", "timezone", "revision_environment")
# A `sqlalchemy.url` that is Alembic's own placeholder says nothing about the database.
_HERE = "\x00here"  # what `%(here)s` interpolates to, replaced by the ini's folder when resolving
_PLACEHOLDER = re.compile(r"^driver://|^(?:\w+(?:\+\w+)?://)?user:pass@localhost/dbname$")


@dataclass(frozen=True)
class IniSection:
    """One runnable section of an alembic.ini: `[alembic]`, or `[NAME]` for `alembic -n NAME`."""

    path: str  # the ini file
    section: str
    line: int  # line of the section header (1 when it only inherits [DEFAULT])
    script_location: str | None  # resolved, repository-relative; None when the section sets none
    script_setting: str  # the raw value, for messages
    version_locations: tuple[str, ...]  # resolved folders, in the order Alembic searches them
    recursive: bool  # recursive_version_locations = true
    database: str | None  # what sqlalchemy.url (or a multi-database `databases`) shows, without credentials
    settings: tuple[tuple[str, str], ...]  # TEMPLATE_KEYS that are set

    def setting(self, key: str) -> str | None:
        return dict(self.settings).get(key)


def sections(path: str, text: str, package_dir=None) -> list[IniSection]:
    """The runnable sections of an alembic.ini at `path`; `package_dir(dotted)` finds where a
    package lives in the repository (for `script_location = pkg.sub:folder`). Unreadable text
    gives no sections (enumguard then looks for env.py)."""
    here = posixpath.dirname(path)
    parser = configparser.ConfigParser(defaults={"here": _HERE}, strict=False)
    raw = configparser.RawConfigParser(strict=False, default_section="\x00enumguard-no-default")
    try:
        parser.read_string(text)
        raw.read_string(text)
    except configparser.Error:
        return []
    own_defaults = raw.has_section("DEFAULT") and raw.has_option("DEFAULT", "script_location")
    names = [
        s
        for s in raw.sections()
        if s != "DEFAULT"
        and (raw.has_option(s, "script_location") or (s == "alembic" and (own_defaults or parser.has_section(s))))
    ]
    out: list[IniSection] = []
    for name in names:
        if not parser.has_section(name):
            continue
        script = _get(parser, name, "script_location")
        locations = _get(parser, name, "version_locations") or ""
        separator = _get(parser, name, "path_separator") or _get(parser, name, "version_path_separator")
        folders = tuple(_resolve(p, here, package_dir) for p in _split(locations, separator))
        header = next((i for i, line in enumerate(text.splitlines(), 1) if line.strip() == f"[{name}]"), 1)
        out.append(
            IniSection(
                path=path,
                section=name,
                line=header,
                script_location=_resolve(script, here, package_dir) if script and script.strip() else None,
                script_setting=(raw.get(name, "script_location", fallback=None) or "").strip(),
                version_locations=folders,
                recursive=(_get(parser, name, "recursive_version_locations") or "").strip().lower() == "true",
                database=_database(parser, name, here),
                settings=tuple((k, v) for k in TEMPLATE_KEYS if (v := _get(parser, name, k)) is not None),
            )
        )
    return out


def _get(parser: configparser.ConfigParser, section: str, key: str) -> str | None:
    """A value after interpolation; None when unset or when the interpolation cannot be done."""
    try:
        value = parser.get(section, key, fallback=None)
    except (configparser.InterpolationError, ValueError):
        return None
    return value if value is None or value.strip() else None


def _split(value: str, separator: str | None) -> list[str]:
    """version_locations split as Alembic splits it: by `path_separator` / `version_path_separator`
    (os is `:` here), else (legacy) by spaces and commas."""
    sep = (separator or "").strip()
    if sep in ("os", ":"):
        parts = value.split(":")
    elif sep == ";":
        parts = value.split(";")
    elif sep == "newline":
        parts = value.splitlines()
    else:  # "space" or legacy
        parts = value.replace(",", " ").split() if not sep else value.split()
    return [p.strip() for p in parts if p.strip()]


def _resolve(value: str, here: str, package_dir) -> str:
    """A folder setting as a repository-relative path (not checked: it may climb out)."""
    value = value.strip()
    if _HERE in value:
        return posixpath.normpath(value.replace(_HERE, here or "."))
    if value.startswith("/"):
        return posixpath.normpath(value)
    if ":" in value and not value.startswith("."):  # a package resource, `pkg.sub:folder`
        package, _, sub = value.partition(":")
        located = package_dir(package) if package_dir is not None else None
        if located is not None:
            return posixpath.normpath(posixpath.join(located, sub.replace(":", "/")))
        value = posixpath.join(package.replace(".", "/"), sub.replace(":", "/"))
    return posixpath.normpath(posixpath.join(here, value))


def _database(parser: configparser.ConfigParser, section: str, here: str) -> str | None:
    """The target database as far as the file shows it: `sqlalchemy.url` without credentials, or
    the engine names of the multi-database template (`databases = engine1, engine2`)."""
    many = _get(parser, section, "databases")
    if many:
        return "databases " + ", ".join(n.strip() for n in many.split(",") if n.strip())
    url = (_get(parser, section, "sqlalchemy.url") or "").strip().replace(_HERE, here or ".")
    if not url or _PLACEHOLDER.search(url) or "${" in url or url.startswith("%"):
        return None
    return re.sub(r"//[^/@]*@", "//", url)
