"""Findings, model and source tree in, the migrations `enumguard fix --write` creates out: one per
DB type with `missing-in-db` labels (in the enum's order), in the tool and place of the migration
that last changed the type, or why none can be written; and the findings with that file's path."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from enumguard.collect import SourceFile, SourceTree
from enumguard.config import Config
from enumguard.finding import Finding
from enumguard.fixes import alembic_file, sql_file
from enumguard.fixes.migration import (
    add_value_sql,
    autocommit_reason,
    downgrade_lines,
    last_migration,
    sql_text,
    type_ref,
    upgrade_lines,
)
from enumguard.migrations.alembic import environments
from enumguard.model import BoundPair, DbEnum, Migration, Model


@dataclass(frozen=True)
class NewMigration:
    db_type: str  # qualified
    labels: tuple[str, ...]  # in the Python enum's order
    style: str  # alembic | sql
    path: str | None  # the file to create; None when none can be written
    text: str  # its content; when not written, the statements to add by hand
    why: str = ""
    revision: str = ""  # Alembic: the new revision's id, on down_revision, in environment
    down_revision: str = ""
    environment: str = ""


def labels_certain(db: DbEnum) -> bool:
    """Whether the type's labels are known for certain, so a migration may be written for it."""
    return db.certain


def now() -> datetime:
    """The creation time of new migrations: SOURCE_DATE_EPOCH when set (reproducible runs)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def _groups(findings: tuple[Finding, ...], model: Model) -> list[tuple[BoundPair, list[str]]]:
    """The pair and missing labels of each DB type whose missing-in-db findings carry a migration."""
    out: dict[str, tuple[BoundPair, list[str]]] = {}
    for f in findings:
        if f.rule != "missing-in-db" or f.fix is None or f.fix.kind != "migration" or f.value is None:
            continue
        pair = next((p for p in model.pairs if p.db_name == f.db_type and p.db.source == "migrations"), None)
        if pair is None:
            continue
        _, labels = out.setdefault(pair.db.name, (pair, []))
        if f.value not in labels:
            labels.append(f.value)
    result = []
    for pair, labels in out.values():
        order = [p.label for p in pair.persisted]
        result.append((pair, sorted(labels, key=lambda x: order.index(x) if x in order else len(order))))
    return result


def plan(
    findings: tuple[Finding, ...], model: Model, tree: SourceTree, config: Config, at: datetime
) -> list[NewMigration]:
    """One new migration per DB type with missing labels. Each is planned as if the ones before
    it were written: files of one folder get distinct names, and revisions of one environment
    form a chain (one head)."""
    out = []
    for pair, labels in _groups(findings, model):
        new = _one(pair, labels, model, tree, config, at)
        out.append(new)
        if new.path:
            tree = SourceTree(
                tree.root,
                tuple(sorted(tree.files + (SourceFile(new.path, new.text),), key=lambda f: f.path)),
                tuple(sorted(tree.paths + (new.path,))),
                tree.skipped,
            )
            model = replace(model, migrations=model.migrations + (_as_migration(new, model, tree, config),))
    return out


def _as_migration(new: NewMigration, model: Model, tree: SourceTree, config: Config) -> Migration:
    """The planned file as the migration it will be (an Alembic revision on its branch's head)."""
    if new.style == "sql":
        return Migration(new.path or "", len(model.migrations), "sql")
    return Migration(
        new.path or "",
        len(model.migrations),
        "alembic",
        new.revision,
        (new.down_revision,),
        environment=new.environment,
    )


def _one(
    pair: BoundPair, labels: list[str], model: Model, tree: SourceTree, config: Config, at: datetime
) -> NewMigration:
    db = pair.db
    order = tuple(p.label for p in pair.persisted)
    statements = [add_value_sql(db.name, label, order, db.label_values) for label in labels]
    last = last_migration(model, db.name, db.location.path)
    style = last.kind if last is not None else "sql"
    by_hand = sql_text(statements, model.settings.postgres_version)
    base = NewMigration(db.name, tuple(labels), style, None, by_hand)
    if not labels_certain(db):
        return replace(base, why=f"the labels of `{pair.db_name}` are not certain")
    if last is None:
        return replace(base, why="no migration creates or changes it")
    words = f"add {', '.join(labels)} to {type_ref(db.name)}"
    if style == "sql":
        name = re.sub(r"\W+", "_", words).strip("_").lower()[:80]
        planned = sql_file.next_file(tree, config, last.path, name, by_hand, at)
        return replace(base, path=planned.path, text=planned.text or by_hand, why=planned.why)
    env = next((e for e in environments.environments(tree, config) if e.name == last.environment), None)
    if env is None:
        return replace(base, why=f"enumguard does not know the Alembic environment of {last.path}")
    upgrade = upgrade_lines(statements, autocommit_reason(model, db.name))
    downgrade = downgrade_lines(db.name, labels)
    migrations = [m for m in model.migrations if m.kind == "alembic" and m.environment == env.name]
    planned = alembic_file.revision_file(tree, env, migrations, last, words, upgrade, downgrade, at)
    return replace(
        base,
        path=planned.path,
        text=planned.text or by_hand,
        why=planned.why,
        revision=planned.revision,
        down_revision=planned.down,
        environment=env.name,
    )


def with_paths(findings: tuple[Finding, ...], model: Model, tree: SourceTree, config: Config) -> tuple[Finding, ...]:
    """The findings, each missing-in-db migration fix naming the file `enumguard fix --write` creates."""
    if not any(f.fix is not None and f.fix.kind == "migration" for f in findings):
        return findings
    planned = {m.db_type: m for m in plan(findings, model, tree, config, now()) if m.path}
    if not planned:
        return findings
    by_name = {p.db_name: p.db.name for p in model.pairs}
    out = []
    for f in findings:
        new = planned.get(by_name.get(f.db_type or "", ""))
        if new is not None and f.fix is not None and f.fix.kind == "migration" and f.rule == "missing-in-db":
            f = replace(f, fix=replace(f.fix, path=new.path or ""))
        out.append(f)
    return tuple(out)
