"""Alembic revision scripts (read with libcst, never imported) -> replay units: each environment's
revisions in the order `alembic upgrade heads` runs them (graph), one environment after the other,
with the transaction each runs in (see ops for what is read from each upgrade())."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import cast

import libcst as cst
from libcst.metadata import MetadataWrapper

from enumguard import budget
from enumguard import cache as cache_mod
from enumguard.collect import SourceFile, SourceTree
from enumguard.config import Config
from enumguard.finding import Finding, Location, Severity
from enumguard.migrations.alembic import environments, graph, shared
from enumguard.migrations.alembic.evaluate import Evaluator, LazyPositions
from enumguard.migrations.alembic.expressions import boolean
from enumguard.migrations.events import Event
from enumguard.migrations.replay import Unit
from enumguard.model import Migration
from enumguard.progress import Progress
from enumguard.python import complexity


@dataclass
class Revisions:
    units: list[Unit] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    statements: int = 0


@dataclass
class _Script:
    path: str
    revision: str
    downs: tuple[str, ...]
    depends: tuple[str, ...]
    events: list[Event]
    statements: int
    labels: tuple[str, ...] = ()  # branch_labels


def load(tree: SourceTree, config: Config, first_order: int = 0, store: cache_mod.FactCache | None = None) -> Revisions:
    """Each environment's revisions in its own upgrade order, one environment after the other."""
    out = Revisions()
    envs = environments.environments(tree, config)
    if store is None:
        store = cache_mod.FactCache("migration-facts", enabled=False)
    per_env = [environments.scripts(tree, env) for env in envs]
    paths = list(dict.fromkeys(p for env_paths in per_env for p in env_paths))
    read = dict(zip(paths, _read_all(tree, paths, out, store, config.progress)))
    blocks: list[tuple[environments.Environment, list[Unit]]] = []
    for env, env_paths in zip(envs, per_env):
        per_migration = config.transaction_per_migration
        if per_migration is None:
            per_migration = _env_says_per_migration(tree, env.env_py)
        units: list[Unit] = []
        scripts = [s for s in (read[p] for p in env_paths) if s is not None]
        for script in graph.upgrade_order(scripts, out.problems):
            # one `alembic upgrade` runs every pending revision of an environment in one transaction
            scope = script.path if per_migration else f"alembic:{env.name}"
            migration = Migration(
                script.path, 0, "alembic", script.revision, script.downs, script.depends, script.labels, env.name
            )
            units.append(Unit(migration, list(script.events), "alembic", scope))
            out.statements += script.statements
        blocks.append((env, units))
    shared.mark_unknown_order(blocks)
    for _, units in blocks:
        for unit in units:
            unit.migration = replace(unit.migration, order=first_order + len(out.units))
            out.units.append(unit)
    return out


def _read_all(
    tree: SourceTree, paths: list[str], out: Revisions, store: cache_mod.FactCache, progress: bool
) -> list[_Script | None]:
    """Each revision's facts, from the cache when its text and every file it read are unchanged."""
    digest = cache_mod.code_digest()
    keys = {p: cache_mod.key(digest, "alembic", p, cast(SourceFile, tree.get(p)).text) for p in paths}  # all exist
    found: dict[str, _Script | None] = {}
    for path in paths:
        hit = store.get(keys[path])
        if isinstance(hit, _Cached) and hit.valid(tree):
            found[path] = hit.script
    todo = [p for p in paths if p not in found]
    with Progress("reading Alembic revisions", len(todo), progress) as bar:
        for path in todo:
            reads = _Reads(tree)
            found[path] = _read_safely(reads, path, out)
            if found[path] is not None or not reads.failed:
                store.put(keys[path], _Cached(tuple(reads.seen.items()), found[path]))
            bar.tick()
    return [found[p] for p in paths]


class _Reads:
    """The tree as a revision's reader sees it, noting every other file it looks up (an enum
    class imported from the application), so a cached revision is re-read when one changes."""

    def __init__(self, tree: SourceTree) -> None:
        self.tree = tree
        self.seen: dict[str, str | None] = {}
        self.failed = False

    def get(self, path: str):
        source = self.tree.get(path)
        self.seen[path] = cache_mod.key(source.text) if source is not None else None
        return source


@dataclass(frozen=True)
class _Cached:
    reads: tuple[tuple[str, str | None], ...]  # (path, content key or None when absent)
    script: _Script | None

    def valid(self, tree: SourceTree) -> bool:
        for path, seen in self.reads:
            source = tree.get(path)
            if (cache_mod.key(source.text) if source is not None else None) != seen:
                return False
        return True


def _read_safely(tree, path: str, out: Revisions) -> _Script | None:
    """A script that trips the reader is reported and skipped; the run goes on."""
    try:
        with budget.per_file():
            return _read(tree, path)
    except (Exception, budget.OverBudget) as exc:  # noqa: BLE001 - one odd file must not stop the audit
        why = str(exc) if isinstance(exc, budget.OverBudget) else type(exc).__name__
        message = f"enumguard could not read this revision ({why}); its enum DDL is not replayed"
        out.problems.append(Finding(Location(path), "unsupported-sql", message, Severity.INFO))
        if isinstance(tree, _Reads):
            tree.failed = True
        return None


def _env_says_per_migration(tree: SourceTree, path: str | None) -> bool:
    """True when env.py passes `transaction_per_migration=True` to context.configure()."""
    source = tree.get(path) if path else None
    if source is None:
        return False
    try:
        module = complexity.parse_module(source.text)
    except (cst.ParserSyntaxError, complexity.TooComplex, RecursionError):
        return False
    found = False

    class Visit(cst.CSTVisitor):
        def visit_Arg(self, node: cst.Arg) -> None:
            nonlocal found
            if node.keyword is not None and node.keyword.value == "transaction_per_migration":
                found = found or boolean(node.value) is True

    module.visit(Visit())
    return found


def _revision_ids(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return ()


def _read(tree: SourceTree, path: str) -> _Script | None:
    """A revision's id, parents and the events its upgrade() runs, found by evaluating it (the
    helpers it calls are read through `tree`, which records them for the fact cache)."""
    source = tree.get(path)
    if source is None:
        return None
    try:
        module = complexity.parse_module(source.text)
    except (cst.ParserSyntaxError, complexity.TooComplex):  # the Python scanner reports both
        return None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    evaluator = Evaluator(path, module, tree, LazyPositions(wrapper))
    revision = evaluator.global_value("revision")
    if not isinstance(revision, str):
        return None
    upgrade = [s for s in module.body if isinstance(s, cst.FunctionDef) and s.name.value == "upgrade"]
    if upgrade:
        evaluator.run(upgrade[-1])
    downs = _revision_ids(evaluator.global_value("down_revision"))
    depends = _revision_ids(evaluator.global_value("depends_on"))
    labels = _revision_ids(evaluator.global_value("branch_labels"))
    return _Script(path, revision, downs, depends, evaluator.events, evaluator.statements, labels)
