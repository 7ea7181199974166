"""`enumguard fix`: audit the repository, then show (dry run) or write the certain fixes: edits of
Python references, and one new migration per DB type with labels missing in the database.
Exit code: 0 nothing left to apply (or written), 1 a dry run that would change or create files."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import TextIO

from enumguard import collect, pipeline
from enumguard.config import Config
from enumguard.fixes import edits, new_migration
from enumguard.model import display_type


def _plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def run(config: Config, write: bool, out: TextIO, err: TextIO) -> int:
    tree = collect.collect(config)
    report = pipeline.run(config, tree=tree)
    planned = edits.edits_from(report.findings)
    outcome = edits.apply(config.root, planned)
    migrations = new_migration.plan(report.findings, report.model, tree, config, new_migration.now())
    for f in report.findings:
        if f.rule == "syntax-error" and f.path.endswith(".py"):  # no fix can be found in it
            err.write(f"enumguard: {f.path}:{f.line}: skipped: the file does not parse\n")
    for notice in outcome.skipped:
        err.write(f"enumguard: {notice}\n")
    new = [m for m in migrations if m.path]
    for m in migrations:
        if not m.path:
            shown = display_type(m.db_type)
            err.write(f"enumguard: no migration written for `{shown}`: {m.why}\n")
            out.write(f"-- add {', '.join(m.labels)} to {shown} in a new migration:\n{m.text}")
    files = len(outcome.changed)
    if write:
        edits.write(config.root, outcome)
        created = [m.path for m in new if m.path and _create(config.root, m.path, m.text, err)]
        line = f"enumguard: fixed {_plural(outcome.applied, 'finding')} in {_plural(files, 'file')}"
        if created:
            line += f"; created {_plural(len(created), 'migration')}: {', '.join(created)}"
        out.write(line + "\n")
        return 0
    for path, (old, text) in outcome.changed.items():
        out.write(edits.unified(path, old, text))
    for m in new:
        out.write("".join(difflib.unified_diff([], m.text.splitlines(keepends=True), "/dev/null", f"b/{m.path}")))
    if not files and not new:
        out.write("enumguard: nothing to fix\n")
        return 0
    parts = [f"{_plural(outcome.applied, 'fix', 'fixes')} in {_plural(files, 'file')}"] if files or not new else []
    if new:
        parts.append(_plural(len(new), "new migration"))
    out.write(f"enumguard: {' and '.join(parts)} (dry run; --write applies them)\n")
    return 1


def _create(root: Path, path: str, text: str, err: TextIO) -> bool:
    """Write a new file inside the repository; never over an existing file or through a link out."""
    target = root / path
    top = root.resolve()
    parent = target.parent.resolve()
    if not parent.is_relative_to(top) or os.path.isabs(path) or ".." in Path(path).parts:
        err.write(f"enumguard: {path}: not created: it resolves outside {root}\n")
        return False
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with open(parent / target.name, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        err.write(f"enumguard: {path}: not created: {exc.strerror or exc}\n")
        return False
    return True
