"""Config and two git refs in, a diff-mode Report out: the head's findings scoped to what the
change touches, each marked new or pre-existing, and the enum DDL the change adds.

The base tree is read from git objects into memory (gitrepo.read_tree), never written out; the
head is the working tree, or another commit read the same way. Both trees go through the same
pipeline with the same config, so a difference in findings is a difference in the code.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Iterable

from enumguard import cache, collect, pipeline
from enumguard.collect import is_text, links_notice, listed, matches
from enumguard.config import DEFAULT_EXCLUDE, Config
from enumguard.finding import Finding
from enumguard.gitrepo import ChangeSet, GitRepo, Tree
from enumguard.model import Binding, ColumnUse, EnumOp, LiteralUse, Model, TypeUse, display_type
from enumguard.report import EnumChange, Report
from enumguard.report.changes import Segment, describe, phrase

__all__ = ["diff", "classify", "scope", "enum_changes", "describe", "phrase", "Segment"]


def diff(config: Config, base: str, head: str | None = None) -> Report:
    """Compare `head` (default: the working tree at config.root) with where it forked from `base`."""
    repo = GitRepo(config.root)
    base_sha = repo.resolve(base, "base ref")
    head_sha = repo.resolve(head, "head ref") if head is not None else repo.head()
    fork = repo.merge_base(base_sha, head_sha)
    changeset = repo.changes(fork, head_sha if head is not None else None)
    # One session: a file whose path and text are the same in both trees is parsed once.
    with cache.session():
        base_report, base_read = _run_at(repo, fork, config)
        head_report, head_read = (pipeline.run(config), None) if head is None else _run_at(repo, head_sha, config)
    findings, preexisting = classify(head_report, base_report, changeset)
    # The head's notices describe the head; of the base only what could not be read from git is
    # said (a missing base blob can make an old finding look new, so the reader must know).
    return replace(
        head_report,
        root=str(config.root),
        findings=findings,
        mode="diff",
        base=fork,
        head=head_sha,
        preexisting=preexisting,
        changes=enum_changes(head_report.model, base_report.model, changeset),
        scope=_frozen(*scope_names(head_report.model, base_report.model, changeset)),
        notices=_unread_notices(base_read, fork, head_read, head_sha) + head_report.notices,
    )


def _frozen(enums: set[str], types: set[str]) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(enums), frozenset(types)


def _run_at(repo: GitRepo, commit: str, config: Config) -> tuple[Report, Tree]:
    """Run the pipeline on the analysed folder of `commit`, read from git objects in memory;
    also what was read (its symlinks and missing objects go into the diff's notices)."""
    exclude = DEFAULT_EXCLUDE + config.exclude

    def wanted(path: str) -> str | None:
        if matches(path, exclude):
            return None
        return "text" if is_text(path) else "name"

    read = repo.read_tree(commit, wanted, config.max_file_bytes)

    def content(path: str) -> tuple[bytes | None, str | None]:
        if path in read.oversized:
            limit = config.max_file_bytes
            return None, f"skipped, {read.oversized[path]:,} bytes is over the {limit:,}-byte limit (`max-file-bytes`)"
        return read.contents.get(path), None

    report = pipeline.run(config, tree=collect.build(str(config.root), read.paths, content, config))
    return report, read


def _unread_notices(base: Tree, fork: str, head: Tree | None, head_sha: str) -> tuple[str, ...]:
    """Symlinks of each commit, and ONE notice for the files whose blobs are missing at the
    base, the head or both (a snapshot lacking a file usually lacks it at both)."""
    notices = [
        links_notice(t.links, f"in the tree of {sha[:12]}")
        for t, sha in ((base, fork), (head, head_sha))
        if t and t.links
    ]
    at_base, at_head = set(base.missing), set(head.missing if head else ())
    if at_base or at_head:
        where = " and ".join(
            f"{label} {sha[:12]}"
            for label, sha, paths in (("base", fork, at_base), ("head", head_sha, at_head))
            if paths
        )
        paths = sorted(at_base | at_head)
        notices.append(
            f"{len(paths)} file(s) could not be read at {where}: their git objects are not in this repository "
            f"(partial clone, snapshot without large files, or damaged); skipped, not fetched: {listed(paths)}"
        )
    return tuple(notices)


# --------------------------------------------------------------------------- new or pre-existing


def classify(head: Report, base: Report, changeset: ChangeSet) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(scoped head findings marked new/pre-existing, the pre-existing ones), both sorted.

    Findings match by fingerprint with multiplicity: two identical findings at base and three
    at head leave one new. Base paths are carried across renames before matching. A new finding
    is reported when the change touched any of its inputs (`touched`), wherever it sits; a
    pre-existing one only when the change is about it (`scope`).
    """
    in_scope = scope(head.model, base.model, changeset)
    caused = touched(head.model, base.model, changeset)
    moved = _moved_enums(head.model, base.model, changeset.renames)
    remaining = Counter(_fingerprint(f, changeset.renames, moved) for f in base.findings)
    marked: list[Finding] = []
    for f in sorted(head.findings):
        key = f.fingerprint()
        if remaining[key] > 0:
            remaining[key] -= 1
            if in_scope(f):
                marked.append(f.with_new(False))
        elif caused(f):
            marked.append(f.with_new(True))
    return tuple(marked), tuple(f for f in marked if not f.new)


def _fingerprint(f: Finding, renames: dict[str, str], moved: dict[str, str] | None = None) -> tuple[str, ...]:
    fp = f.fingerprint()
    enum = (moved or {}).get(fp[2], fp[2])
    return (fp[0], renames.get(fp[1], fp[1]), enum, *fp[3:])


def _moved_enums(head: Model, base: Model, renames: dict[str, str]) -> dict[str, str]:
    """Base qualname -> head qualname of each enum whose file the change renamed: moving
    `app/schema.py` to `app/_internal/schema.py` renames its enums' modules, not the enums."""
    at_head: dict[tuple[str, str], list[str]] = {}
    for enum in head.enums:
        at_head.setdefault((enum.location.path, enum.name), []).append(enum.qualname)
    moved: dict[str, str] = {}
    for enum in base.enums:
        target = renames.get(enum.location.path)
        candidates = at_head.get((target, enum.name), []) if target else []
        if len(candidates) == 1 and candidates[0] != enum.qualname:
            moved[enum.qualname] = candidates[0]
    return moved


def _type_forms(name: str) -> set[str]:
    """The spellings one DB type has in the model and in findings: `public.t`, `t`, `"T"`."""
    return {name, display_type(name), name.rpartition(".")[2].strip('"')}


def scope(head: Model, base: Model, changeset: ChangeSet):
    """A predicate: does the change touch this finding's file, enum or DB type?"""
    changed = changeset.changed
    enums, types = scope_names(head, base, changeset)
    names = set().union(*(_type_forms(t) for t in types)) if types else set()

    def in_scope(f: Finding) -> bool:
        return (
            f.path in changed
            or (f.enum is not None and f.enum in enums)
            or (f.db_type is not None and f.db_type in names)
        )

    return in_scope


def scope_names(head: Model, base: Model, changeset: ChangeSet) -> tuple[set[str], set[str]]:
    """The enums (qualnames) and DB types (qualified) a change touches: enums defined in its
    files, types its migrations change, and both sides of the bindings it changes."""
    changed, removed = changeset.changed, changeset.removed
    enums = {e.qualname for e in head.enums if e.location.path in changed}
    enums |= {e.qualname for e in base.enums if e.location.path in removed}
    types: set[str] = set()
    for ops, paths in ((head.ops, changed), (base.ops, removed)):
        for op in ops:
            if op.migration in paths or op.location.path in paths:
                types.update(n for n in (op.type_name, op.new_name) if n)
    for b in _changed_bindings(head.bindings, base.bindings, changeset):
        if b.enum:
            enums.add(b.enum)
        if b.db_type:
            types.add(b.db_type)
    for b in head.bindings:  # the type an enum of the change is stored in
        if b.enum in enums and b.db_type:
            types.add(b.db_type)
    return enums, types


def touched(head: Model, base: Model, changeset: ChangeSet):
    """A predicate: did the change touch any input of this finding? Its file or a related one,
    its enum class, any binding of its enum or DB type (the file holding it), or any migration
    that creates, alters, renames, uses or writes its DB type (under any of its names)."""
    paths = changeset.changed | changeset.removed
    enums: set[str] = set()
    types: set[str] = set()
    for model in (head, base):
        enums.update(e.qualname for e in model.enums if e.location.path in paths)
        for b in model.bindings:
            if b.location.path in paths:
                enums.update([b.enum] if b.enum else [])
                types.update([b.db_type] if b.db_type else [])
        for op in model.ops:
            if op.migration in paths or op.location.path in paths:
                types.update(n for n in (op.type_name, op.new_name) if n)
        uses: tuple[ColumnUse | LiteralUse | TypeUse, ...] = (*model.columns, *model.literals, *model.type_uses)
        for use in uses:
            if use.location.path in paths:
                types.add(use.type_name)
    # A type renamed (RENAME TO, SET SCHEMA) is one type under each of its names.
    aliases = _rename_groups((*head.ops, *base.ops))
    for name in list(types):
        types |= aliases.get(name, set())
    names = set().union(*(_type_forms(t) for t in types)) if types else set()

    def caused(f: Finding) -> bool:
        if f.path in paths or any(r.location.path in paths for r in f.related):
            return True
        return (f.enum is not None and f.enum in enums) or (f.db_type is not None and f.db_type in names)

    return caused


def _rename_groups(ops: Iterable[EnumOp]) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for op in ops:
        if op.kind in ("rename_type", "set_schema") and op.new_name:
            group = groups.get(op.type_name, {op.type_name}) | groups.get(op.new_name, {op.new_name})
            for name in group:
                groups[name] = group
    return groups


def _changed_bindings(head: Iterable[Binding], base: Iterable[Binding], changeset: ChangeSet) -> list[Binding]:
    """Bindings added, removed or altered (ignoring where in the file they sit)."""

    def key(b: Binding, renames: dict[str, str]) -> tuple:
        return (
            renames.get(b.location.path, b.location.path),
            b.enum,
            b.db_type,
            b.stores,
            b.explicit,
            b.labels,
            b.table,
            b.column,
        )

    head_keys = Counter(key(b, {}) for b in head)
    base_keys = Counter(key(b, changeset.renames) for b in base)
    added, gone = head_keys - base_keys, base_keys - head_keys
    return [b for b in head if key(b, {}) in added] + [b for b in base if key(b, changeset.renames) in gone]


# --------------------------------------------------------------------------- enum changes


def enum_changes(head: Model, base: Model, changeset: ChangeSet) -> tuple[EnumChange, ...]:
    """The enum DDL in changed migrations at head that base did not already have, per type,
    in replay order (a type's group is keyed by the name the op uses)."""
    known = Counter(_op_key(op, changeset.renames) for op in base.ops)
    groups: dict[str, list[EnumOp]] = {}
    for op in head.ops:
        if op.migration not in changeset.changed:
            continue
        key = _op_key(op, {})
        if known[key] > 0:
            known[key] -= 1
            continue
        groups.setdefault(op.type_name, []).append(op)
    return tuple(EnumChange(type_name=name, ops=tuple(ops)) for name, ops in groups.items())


def _op_key(op: EnumOp, renames: dict[str, str]) -> tuple:
    return (
        renames.get(op.migration, op.migration),
        op.kind,
        op.type_name,
        op.labels,
        op.label,
        op.new_label,
        op.new_name,
        op.before,
        op.after,
        op.cascade,
        op.if_exists,
        op.if_not_exists,
    )
