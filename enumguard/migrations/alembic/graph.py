"""One environment's revisions (id, down_revision, depends_on, branch_labels, in the order Alembic
loads them) in, its revision graph out: the order `alembic upgrade heads` runs them in on an empty
database (several roots and heads, merges, dependencies), its heads and branches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from enumguard.finding import Finding, Location, Severity


class Node(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def revision(self) -> str: ...
    @property
    def downs(self) -> tuple[str, ...]: ...
    @property
    def depends(self) -> tuple[str, ...]: ...
    @property
    def labels(self) -> tuple[str, ...]: ...


@dataclass
class Graph:
    """The revisions of one environment, linked as Alembic links them."""

    nodes: dict[str, Node]  # by revision id, in load order
    downs: dict[str, tuple[str, ...]]  # down_revision ids that exist
    parents: dict[str, tuple[str, ...]]  # downs + dependencies no ancestor already depends on
    deps: dict[str, tuple[str, ...]]  # those dependencies
    ancestors: dict[str, frozenset[str]]  # through parents, the revision itself included
    order: tuple[str, ...] = ()  # the upgrade order (see upgrade_order)
    cycle: tuple[str, ...] = ()  # revisions no head reaches (part of a cycle)

    @property
    def heads(self) -> list[str]:
        """Revisions no down_revision names (a revision only depended on is still a head)."""
        named = {d for r in self.downs for d in self.downs[r]}
        return [r for r in self.nodes if r not in named]

    def label_of(self, revision: str) -> tuple[str, ...]:
        """Branch labels of a revision: its own and those of the ancestors on its line (Alembic
        gives a label to every descendant of the revision that declares it)."""
        return tuple(
            sorted({label for r in self.nodes if r in self.ancestors[revision] for label in self.nodes[r].labels})
        )


def build(nodes: Sequence[Node]) -> Graph:
    """The graph of `nodes` (a revision id repeated: the later file wins, as in Alembic)."""
    by_id: dict[str, Node] = {}
    for node in nodes:
        by_id[node.revision] = node
    labels = {label: node.revision for node in by_id.values() for label in node.labels}
    order = list(by_id)
    downs = {r: tuple(d for d in by_id[r].downs if d in by_id) for r in order}
    # depends_on names a revision or a branch label (the revision that declares it)
    resolved = {
        r: tuple(dict.fromkeys(labels.get(d, d) for d in by_id[r].depends if labels.get(d, d) in by_id)) for r in order
    }

    # Ancestors through down_revision only, then the dependencies no such ancestor already has
    # (Alembic's _normalize_depends_on), then ancestors through both. Post-order without
    # recursion: a long chain would overflow the stack.
    down_anc = _closure(order, downs)
    deps: dict[str, tuple[str, ...]] = {}
    for r in order:
        inherited = {d for a in down_anc[r] if a != r for d in resolved[a]}
        deps[r] = tuple(d for d in resolved[r] if d not in inherited)
    parents = {r: tuple(dict.fromkeys(downs[r] + deps[r])) for r in order}
    ancestors = _closure(order, parents)
    graph = Graph(by_id, downs, parents, deps, ancestors)
    graph.order = tuple(_topological(graph))
    reached = set(graph.order)
    graph.cycle = tuple(r for r in order if r not in reached)
    return graph


def down_ancestors(graph: Graph) -> dict[str, frozenset[str]]:
    """Ancestors through down_revision only: a revision's own line, without what it depends on."""
    return _closure(list(graph.nodes), graph.downs)


def _closure(order: list[str], edges: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for start in order:
        stack, visiting = [start], set()
        while stack:
            r = stack[-1]
            if r in out:
                stack.pop()
                continue
            visiting.add(r)
            pending = [d for d in edges[r] if d not in out and d not in visiting]
            if pending:
                stack.extend(pending)
                continue
            out[r] = frozenset({r}).union(*(out.get(q, frozenset({q})) for q in edges[r]))
            stack.pop()
    return out


def _topological(graph: Graph) -> list[str]:
    """Alembic's revision.py `_topological_sort` from every head, reversed: base first."""
    order = list(graph.nodes)
    todo = set(order)
    current = graph.heads
    ancestry = [set(graph.ancestors[h]) for h in current]
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
            more = [r for r in graph.parents[candidate] if r in todo and r not in current]
            if not more:
                del current[index]
                del ancestry[index]
                index = max(index - 1, 0)
            elif not graph.deps[candidate] and len(graph.downs[candidate]) == 1:
                current[index] = more[0]
                ancestry[index].discard(candidate)
            else:
                current[index] = more[0]
                current.extend(more[1:])
                ancestry[index] = set(graph.ancestors[more[0]])
                ancestry.extend(set(graph.ancestors[r]) for r in more[1:])
    return list(reversed(output))


def upgrade_order(nodes: Sequence[Node], problems: list[Finding]) -> list:
    """The nodes in the order `alembic upgrade heads` runs them on an empty database; revisions
    on a cycle of down_revision links (Alembic refuses those) follow, each reported."""
    graph = build(nodes)
    ordered = [graph.nodes[r] for r in graph.order]
    for r in graph.cycle:
        node = graph.nodes[r]
        problems.append(
            Finding(
                Location(node.path),
                "unsupported-sql",
                f"revision `{r}` is part of a cycle of down_revision links",
                Severity.INFO,
            )
        )
        ordered.append(node)
    return ordered
