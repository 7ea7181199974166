"""`enumguard fix`: audit the repository, then show (dry run) or write the certain edit fixes.
Exit code: 0 nothing left to apply (or written), 1 a dry run that would change files."""

from __future__ import annotations

from typing import TextIO

from enumguard import pipeline
from enumguard.config import Config
from enumguard.fixes import edits


def run(config: Config, write: bool, out: TextIO, err: TextIO) -> int:
    report = pipeline.run(config)
    planned = edits.edits_from(report.findings)
    outcome = edits.apply(config.root, planned)
    for f in report.findings:
        if f.rule == "syntax-error" and f.path.endswith(".py"):  # no fix can be found in it
            err.write(f"enumguard: {f.path}:{f.line}: skipped: the file does not parse\n")
    for notice in outcome.skipped:
        err.write(f"enumguard: {notice}\n")
    files = len(outcome.changed)
    if write:
        edits.write(config.root, outcome)
        out.write(
            f"enumguard: fixed {outcome.applied} finding{'s' if outcome.applied != 1 else ''} "
            f"in {files} file{'s' if files != 1 else ''}\n"
        )
        return 0
    for path, (old, new) in outcome.changed.items():
        out.write(edits.unified(path, old, new))
    if not files:
        out.write("enumguard: nothing to fix\n")
        return 0
    out.write(
        f"enumguard: {outcome.applied} fix{'es' if outcome.applied != 1 else ''} in {files} "
        f"file{'s' if files != 1 else ''} (dry run; --write applies them)\n"
    )
    return 1
