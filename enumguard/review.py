"""Config and two git refs in, a diff-mode Report out: the head's findings scoped to what the
change touches, each marked new or pre-existing, and the enum DDL the change adds.

The base tree is read from git objects into a temporary directory (gitrepo.export); the head is
the working tree, or another commit exported the same way. Both trees go through the same
pipeline with the same config, so a difference in findings is a difference in the code.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from enumguard import pipeline
from enumguard.collect import TEXT_NAMES, TEXT_SUFFIXES, links_notice, matches
from enumguard.config import DEFAULT_EXCLUDE, Config
from enumguard.finding import Finding
from enumguard.gitrepo import ChangeSet, GitRepo
from enumguard.model import Binding, EnumOp, Model, display_type
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
    with tempfile.TemporaryDirectory(prefix="enumguard-diff-") as tmp:
        base_report = _run_at(repo, fork, Path(tmp) / "base", config)
        if head is None:
            head_report = pipeline.run(config)
        else:
            head_report = _run_at(repo, head_sha, Path(tmp) / "head", config)
    findings, preexisting = classify(head_report, base_report, changeset)
    return replace(
        head_report,
        root=str(config.root),
        findings=findings,
        mode="diff",
        base=fork,
        head=head_sha,
        preexisting=preexisting,
        changes=enum_changes(head_report.model, base_report.model, changeset),
    )


def _run_at(repo: GitRepo, commit: str, dest: Path, config: Config) -> Report:
    """Export the analysed folder of `commit` and run the pipeline on it."""
    exclude = DEFAULT_EXCLUDE + config.exclude

    def wanted(path: str) -> str | None:
        if matches(path, exclude):
            return None
        return "text" if path.endswith(TEXT_SUFFIXES) or path.rsplit("/", 1)[-1] in TEXT_NAMES else "name"

    dest.mkdir(parents=True)
    links: list[str] = []
    repo.export(commit, dest, wanted, links, config.max_file_bytes)
    # The fact cache is one file per root path; a temporary root would leave a new file behind
    # on every run, so exported trees are parsed without it.
    report = pipeline.run(replace(config, root=dest, cache=False))
    if links:
        report = replace(report, notices=(links_notice(links, f"in the tree of {commit[:12]}"),) + report.notices)
    return report


# --------------------------------------------------------------------------- new or pre-existing


def classify(head: Report, base: Report, changeset: ChangeSet) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(scoped head findings marked new/pre-existing, the pre-existing ones), both sorted.

    Findings match by fingerprint with multiplicity: two identical findings at base and three
    at head leave one new. Base paths are carried across renames before matching.
    """
    in_scope = scope(head.model, base.model, changeset)
    remaining = Counter(_fingerprint(f, changeset.renames) for f in base.findings)
    marked: list[Finding] = []
    for f in sorted(head.findings):
        if not in_scope(f):
            continue
        key = f.fingerprint()
        if remaining[key] > 0:
            remaining[key] -= 1
            marked.append(f.with_new(False))
        else:
            marked.append(f.with_new(True))
    return tuple(marked), tuple(f for f in marked if not f.new)


def _fingerprint(f: Finding, renames: dict[str, str]) -> tuple[str, ...]:
    fp = f.fingerprint()
    return (fp[0], renames.get(fp[1], fp[1]), *fp[2:])


def scope(head: Model, base: Model, changeset: ChangeSet):
    """A predicate: does the change touch this finding's file, enum or DB type?"""
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
    names = set(types) | {display_type(t) for t in types} | {t.rpartition(".")[2] for t in types}

    def in_scope(f: Finding) -> bool:
        return f.path in changed or (f.enum is not None and f.enum in enums) or (f.db_type is not None and f.db_type in names)

    return in_scope


def _changed_bindings(head: Iterable[Binding], base: Iterable[Binding], changeset: ChangeSet) -> list[Binding]:
    """Bindings added, removed or altered (ignoring where in the file they sit)."""

    def key(b: Binding, renames: dict[str, str]) -> tuple:
        return (renames.get(b.location.path, b.location.path), b.enum, b.db_type, b.stores, b.explicit, b.labels, b.table, b.column)

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
