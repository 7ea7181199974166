"""The SQL migration that last changed a type in, the next file of its tool out: Supabase
`<UTC timestamp>_<name>.sql` later than every file there, Flyway's next `V<n>__<name>.sql`, the
next number of a numbered folder (golang-migrate `.up.sql`, dbmate, plain); or why none."""

from __future__ import annotations

import posixpath
import re
from datetime import datetime, timedelta

from enumguard.collect import SourceTree, matches
from enumguard.config import Config
from enumguard.fixes.alembic_file import Planned
from enumguard.migrations.sql import files as sql_files_mod

_NUMBERED = re.compile(r"(\d+)([_\-.])")
_STAMP = "%Y%m%d%H%M%S"


def _next_number(numbers: list[str], now: datetime) -> str:
    """After the highest of `numbers` (digit strings): timestamps give now (or a second after the
    latest when that is later), counters give the next one at the same width."""
    top = max(numbers, key=int)
    width = len(top)
    if width == 14 and top.startswith(("19", "20")):
        stamp = now.strftime(_STAMP)
        if stamp > top:
            return stamp
        try:
            return (datetime.strptime(top, _STAMP) + timedelta(seconds=1)).strftime(_STAMP)
        except ValueError:
            return str(int(top) + 1)
    return str(int(top) + 1).zfill(width)


def _flyway_next(names: list[str], now: datetime) -> str | None:
    """The version after the highest `V<version>__` (its last part counted up, width kept)."""
    versions = [m.group(1) for n in names if (m := sql_files_mod.FLYWAY.match(n))]
    if not versions:
        return None
    top = max(versions, key=lambda v: tuple(int(p) for p in re.split(r"[._]", v)))
    head, sep, last = top.rpartition("." if "." in top else "_") if re.search(r"[._]", top) else ("", "", top)
    return f"{head}{sep}{_next_number([last], now)}"


def _markers(text: str) -> tuple[str, str]:
    """The sections a dbmate or goose file needs around the statements."""
    if re.search(r"^--\s*migrate:up", text, re.MULTILINE):
        return "-- migrate:up\n", "\n-- migrate:down\n"
    if re.search(r"^--\s*\+goose\s+Up", text, re.MULTILINE | re.IGNORECASE):
        return "-- +goose Up\n", "\n-- +goose Down\n"
    return "", ""


def next_file(tree: SourceTree, config: Config, last: str, name: str, body: str, now: datetime) -> Planned:
    """The file after `last` (the SQL migration that last changed the type) in its tool's scheme,
    holding `body`; `name` is the descriptive part of the file name."""
    items = sql_files_mod.sql_files(tree, config)
    item = next((i for i in items if i.path == last), None)
    if item is None:
        return Planned(None, why=f"{last} is not a migration of a tool enumguard knows")
    folder = posixpath.dirname(last)
    names = [posixpath.basename(p) for p in tree.paths if posixpath.dirname(p) == folder and p.endswith(".sql")]
    source = tree.get(last)
    before, after = _markers(source.text if source is not None else "")
    text = before + body + after
    if item.tool == "flyway":
        version = _flyway_next(names, now)
        new = f"V{version}__{name}.sql" if version else None
    else:
        matched = [_NUMBERED.match(n) for n in names if item.tool != "golang" or n.endswith(".up.sql")]
        numbered = [m for m in matched if m is not None]
        if item.tool == "supabase":
            numbered = [m for m in numbered if sql_files_mod.SUPABASE.match(m.string)]
        elif len(numbered) != len(matched) or not numbered:
            return Planned(
                None,
                why=f"the SQL files in {folder or '.'}/ are not all numbered: enumguard does not know what name "
                f"runs after {posixpath.basename(last)}",
            )
        if not numbered:
            new = f"{now.strftime(_STAMP)}_{name}.sql"
        else:
            separator = "_" if item.tool in ("supabase", "golang") else numbered[-1].group(2)
            number = _next_number([m.group(1) for m in numbered], now)
            new = f"{number}{separator}{name}{'.up.sql' if item.tool == 'golang' else '.sql'}"
    if new is None:
        return Planned(None, why=f"enumguard does not know what name runs after {posixpath.basename(last)}")
    path = posixpath.join(folder, new) if folder else new
    planned = sql_files_mod.classify(path)
    if item.tool == "configured" and matches(path, config.sql_migrations):
        planned = sql_files_mod.SqlFile(path, "configured", (path,))
    later = [i for i in items if i.tool == item.tool and posixpath.dirname(i.path) == folder]
    if planned is None or planned.tool != item.tool or any(i.key >= planned.key for i in later):
        return Planned(None, why=f"no file name in {folder or '.'}/ runs after every migration there")
    if path in tree.paths:
        return Planned(None, why=f"{path} exists already")
    return Planned(path, text=text)
