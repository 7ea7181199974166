"""Alembic revision scripts (read with libcst, never imported) -> replay units in the order
`alembic upgrade heads` runs them, with the transaction each runs in (see ops for what
is read from each upgrade())."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper

from enumguard import cache as cache_mod
from enumguard.collect import SourceTree
from enumguard.config import Config
from enumguard.finding import Finding, Location, Severity
from enumguard.migrations.alembic import environments
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


def load(tree: SourceTree, config: Config, first_order: int = 0, store: cache_mod.FactCache | None = None) -> Revisions:
    out = Revisions()
    dirs = environments.alembic_dirs(tree, config)
    if store is None:
        store = cache_mod.FactCache("migration-facts", enabled=False)
    scripts = [s for s in _read_all(tree, environments.alembic_scripts(tree, dirs), out, store, config.progress) if s]
    per_migration = {d: config.transaction_per_migration for d in dirs}
    for d in dirs:
        if per_migration[d] is None:
            per_migration[d] = _env_says_per_migration(tree, d)
    for script in _ordered(scripts, out.problems):
        versions = posixpath.dirname(script.path) or "."
        # one `alembic upgrade` runs every pending revision of an environment in one transaction
        scope = script.path if per_migration.get(versions) else f"alembic:{posixpath.dirname(versions)}"
        migration = Migration(script.path, first_order + len(out.units), "alembic", script.revision, script.downs)
        out.units.append(Unit(migration, list(script.events), "alembic", scope))
        out.statements += script.statements
    return out


def _read_all(
    tree: SourceTree, paths: list[str], out: Revisions, store: cache_mod.FactCache, progress: bool
) -> list[_Script | None]:
    """Each revision's facts, from the cache when its text and every file it read are unchanged."""
    digest = cache_mod.code_digest()
    keys = {p: cache_mod.key(digest, "alembic", p, tree.get(p).text) for p in paths}
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
    script: "_Script | None"

    def valid(self, tree: SourceTree) -> bool:
        for path, seen in self.reads:
            source = tree.get(path)
            if (cache_mod.key(source.text) if source is not None else None) != seen:
                return False
        return True


def _read_safely(tree, path: str, out: Revisions) -> _Script | None:
    """A script that trips the reader is reported and skipped; the run goes on."""
    try:
        return _read(tree, path)
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop the audit
        message = f"enumguard could not read this revision ({type(exc).__name__}); its enum DDL is not replayed"
        out.problems.append(Finding(Location(path), "unsupported-sql", message, Severity.INFO))
        if isinstance(tree, _Reads):
            tree.failed = True
        return None


def _env_says_per_migration(tree: SourceTree, versions: str) -> bool:
    """True when env.py passes `transaction_per_migration=True` to context.configure()."""
    path = environments.env_py(tree, versions)
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


def _ordered(scripts: list[_Script], problems: list[Finding]) -> list[_Script]:
    """The order `alembic upgrade heads` runs revisions in on an empty database: Alembic's own
    topological sort (revision.py `_topological_sort`, heads first, then reversed), with the
    revision map in file order, so sibling branches run in the order Alembic picks."""
    scripts = sorted(scripts, key=lambda s: s.path)
    by_id = {s.revision: s for s in scripts}
    order = list(by_id)

    # Parents and ancestor sets of every revision, computed once in post-order without
    # recursion: a long chain of revisions would overflow the stack, and recomputing them on
    # demand is exponential in the number of revisions.
    downs = {r: tuple(d for d in by_id[r].downs if d in by_id) for r in order}
    par: dict[str, tuple[str, ...]] = {}
    anc: dict[str, frozenset[str]] = {}
    dep: dict[str, tuple[str, ...]] = {}
    for start in order:
        stack, visiting = [start], set()
        while stack:
            r = stack[-1]
            if r in anc:
                stack.pop()
                continue
            visiting.add(r)
            edges = downs[r] + tuple(d for d in by_id[r].depends if d in by_id)
            pending = [d for d in edges if d not in anc and d not in visiting]
            if pending:
                stack.extend(pending)
                continue
            covered = frozenset().union(*(anc.get(d, frozenset({d})) for d in downs[r]))
            dep[r] = tuple(d for d in by_id[r].depends if d in by_id and d not in covered)
            par[r] = tuple(dict.fromkeys(downs[r] + dep[r]))
            anc[r] = frozenset({r}).union(*(anc.get(q, frozenset({q})) for q in par[r]))
            stack.pop()

    def down(rev: str) -> tuple[str, ...]:
        return downs[rev]

    def ancestors(rev: str) -> set[str]:
        return set(anc[rev])

    def deps(rev: str) -> tuple[str, ...]:
        return dep[rev]

    def parents(rev: str) -> tuple[str, ...]:
        return par[rev]

    referenced = {d for s in scripts for d in down(s.revision)}
    heads = [r for r in order if r not in referenced]
    todo = set(order)
    current = sorted(heads, key=order.index)
    ancestry = [ancestors(h) for h in current]
    output: list[str] = []
    index = 0
    while current:
        candidate = current[index]
        for other, seen in enumerate(ancestry):
            if other != index and candidate in seen:
                index = other  # another head depends on this one: walk that one first
                break
        else:
            if candidate in todo:
                output.append(candidate)
                todo.discard(candidate)
            more = [r for r in parents(candidate) if r in todo and r not in current]
            if not more:
                del current[index]
                del ancestry[index]
                index = max(index - 1, 0)
            elif not deps(candidate) and len(down(candidate)) == 1:
                current[index] = more[0]
                ancestry[index].discard(candidate)
            else:
                current[index] = more[0]
                current.extend(more[1:])
                ancestry[index] = ancestors(more[0])
                ancestry.extend(ancestors(r) for r in more[1:])
    ordered = [by_id[r] for r in reversed(output)]
    for s in scripts:
        if s.revision in todo:  # unreachable from a head: part of a cycle
            problems.append(
                Finding(
                    Location(s.path),
                    "unsupported-sql",
                    f"revision `{s.revision}` is part of a cycle of down_revision links",
                    Severity.INFO,
                )
            )
            ordered.append(s)
    return ordered


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
    return _Script(path, revision, downs, depends, evaluator.events, evaluator.statements)
