"""An Alembic environment, the revision that last changed a type and the upgrade() that adds its
labels in, the new revision file out: in the versions folder of that revision's branch, a fresh
id in the project's style, down_revision the branch's head, named by the ini's file_template
and written through the project's script.py.mako; or why none can be written."""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from enumguard.collect import SourceTree
from enumguard.fixes import mako_lite
from enumguard.migrations.alembic import environments, graph
from enumguard.migrations.alembic.environments import Environment
from enumguard.model import Migration

_SLUG = re.compile(r"\w+")
_HEX = re.compile(r"[0-9a-f]+\Z")


@dataclass(frozen=True)
class Planned:
    """The file to create (path and text), or `why` nothing can be written."""

    path: str | None
    text: str = ""
    why: str = ""
    revision: str = ""  # an Alembic revision's id and down_revision
    down: str = ""


@dataclass(frozen=True)
class _Node:
    path: str
    revision: str
    downs: tuple[str, ...]
    depends: tuple[str, ...]
    labels: tuple[str, ...]


def branch_head(tree: SourceTree, env: Environment, migrations: list[Migration], last: Migration) -> tuple[str, str]:
    """(head revision the new one goes on, "") or ("", why not): the one head that descends from
    `last`; refused when the environment's graph is not certain (a revision enumguard could not
    read, a cycle), when several heads follow `last`, or when the environment has other heads
    that no branch label separates (an unmerged split: `alembic upgrade head` refuses it)."""
    read = {m.path for m in migrations}
    unread = [p for p in environments.scripts(tree, env) if p not in read]
    if unread:
        return "", (
            f"enumguard could not read every revision of {env.name} ({unread[0]}"
            f"{f' and {len(unread) - 1} more' if len(unread) > 1 else ''}), so its head is not certain"
        )
    nodes = [_Node(m.path, m.revision or "", m.down_revisions, m.depends_on, m.branch_labels) for m in migrations]
    g = graph.build(nodes)
    if g.cycle:
        return "", f"{env.name} has a cycle of down_revision links ({', '.join(g.cycle[:3])}): it has no head to follow"
    # the heads on `last`'s line of down_revisions; a branch that only depends on it is another line
    lines = graph.down_ancestors(g)
    after = [h for h in g.heads if last.revision in lines[h]] or [h for h in g.heads if last.revision in g.ancestors[h]]
    if len(after) != 1:
        return "", (
            f"{len(after)} heads of {env.name} ({', '.join(after)}) follow `{last.revision}`, the revision that "
            "last changed the type: merge them first (`alembic merge heads`)"
        )
    head = after[0]
    if len(g.heads) > 1 and not g.label_of(head):
        return "", (
            f"{env.name} has {len(g.heads)} heads ({', '.join(g.heads)}) and no branch label tells them apart: "
            "merge them first (`alembic merge heads`)"
        )
    return head, ""


def fresh_id(existing: list[str], seed: str, now: datetime) -> str:
    """A revision id no revision has, in the form the environment uses: the next number of
    numbered ids (`0007` after `0006`), else hex digits of the common length (12 by default)."""
    if existing and all(r.isdigit() for r in existing):
        width = max(len(r) for r in existing)
        number = max(int(r) for r in existing) + 1
        stamp = int(now.strftime("%Y%m%d%H%M%S"))
        if width == 14 and str(number).startswith(("19", "20")) and stamp >= number:
            number = stamp  # timestamp ids: now, unless the latest is in the future
        return str(number).zfill(width)
    lengths = {len(r) for r in existing if _HEX.match(r)}
    length = lengths.pop() if len(lengths) == 1 and all(_HEX.match(r) for r in existing) else 12
    taken = set(existing)
    for n in range(1000):
        candidate = hashlib.sha256(f"{seed}:{n}".encode()).hexdigest()[:length]
        if candidate not in taken and not candidate.isdigit():
            return candidate
    raise ValueError("no free revision id")  # 1000 hash collisions: not reachable in practice


def slug(message: str, truncate: int = 40) -> str:
    """Alembic's file-name slug of a message (ScriptDirectory._rev_path)."""
    found = "_".join(_SLUG.findall(message)).lower()
    if len(found) > truncate:
        found = found[:truncate].rsplit("_", 1)[0] + "_"
    return found


def _local(now: datetime, zone: str | None) -> datetime:
    """The creation time as Alembic takes it: in `timezone` when the ini sets one, else local."""
    if zone:
        try:
            return now.astimezone(ZoneInfo(zone.strip()))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return now.astimezone().replace(tzinfo=None)


def file_name(env: Environment, rev: str, message: str, created: datetime) -> str | None:
    """The revision's file name by the ini's file_template (Alembic's default `%(rev)s_%(slug)s`)."""
    template = (env.ini.setting("file_template") if env.ini else None) or "%(rev)s_%(slug)s"
    try:
        truncate = int((env.ini.setting("truncate_slug_length") if env.ini else None) or 40)
        name = template % {
            "rev": rev,
            "slug": slug(message, truncate),
            "epoch": int(created.timestamp()),
            "year": created.year,
            "month": created.month,
            "day": created.day,
            "hour": created.hour,
            "minute": created.minute,
            "second": created.second,
        }
    except (KeyError, ValueError, TypeError):
        return None
    return f"{name}.py"


DEFAULT_TEMPLATE = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from alembic import op
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''


def revision_file(
    tree: SourceTree,
    env: Environment,
    migrations: list[Migration],
    last: Migration,
    message: str,
    upgrade: list[str],
    downgrade: list[str],
    now: datetime,
) -> Planned:
    """The new revision of `env` that runs `upgrade` (lines of upgrade()'s body) after the head
    of `last`'s branch."""
    head, why = branch_head(tree, env, migrations, last)
    if not head:
        return Planned(None, why=why)
    by_revision = {m.revision: m for m in migrations}
    ids = [m.revision for m in migrations if m.revision]
    rev = fresh_id(ids, f"{env.name}|{message}|{head}", now)
    created = _local(now, env.ini.setting("timezone") if env.ini else None)
    name = file_name(env, rev, message, created)
    if name is None:
        return Planned(None, why=f"the file_template of {env.name} uses a key Alembic does not define")
    folder = posixpath.dirname(by_revision[head].path)
    path = posixpath.normpath(posixpath.join(folder, name))
    if tree.get(path) is not None or path in tree.paths:
        return Planned(None, why=f"{path} exists already")
    template_path = posixpath.join(env.script_location, "script.py.mako") if env.script_location else None
    source = tree.get(template_path) if template_path else None
    template = source.text if source is not None else DEFAULT_TEMPLATE
    values: dict[str, object] = {
        "message": message,
        "up_revision": rev,
        "down_revision": head,
        "branch_labels": None,
        "depends_on": None,
        "create_date": created.replace(tzinfo=None) if created.tzinfo is None else created,
        "imports": "" if "from alembic import op" in template else "from alembic import op",
        "upgrades": "\n    ".join(upgrade),
        "downgrades": "\n    ".join(downgrade),
    }
    try:
        text = mako_lite.render(template, values)
    except mako_lite.Refused as exc:
        return Planned(None, why=f"{template_path} uses {exc} (enumguard renders templates without running them)")
    return Planned(path, text=text, revision=rev, down=head)
