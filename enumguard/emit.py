"""A Report and where it goes in, the rendered report written and the exit status out: shared by
the commands (cli) and the Action's wiring (pr)."""

from __future__ import annotations

import sys
from pathlib import Path

from enumguard.config import Config
from enumguard.errors import EnumguardError
from enumguard.report import RENDERERS, Report


def emit(report: Report, format: str, output: str | None) -> None:
    """Render `report` as `format` into the file `output`, or to stdout."""
    write_text(RENDERERS[format](report), output)


def write_text(rendered: str, output: str | None) -> None:
    """Write rendered text into the file `output`, or to stdout."""
    if output:
        try:
            Path(output).write_text(rendered, encoding="utf-8", errors="backslashreplace")
        except OSError as exc:
            raise EnumguardError(f"{output}: cannot write report ({exc.strerror})") from None
    else:
        sys.stdout.write(rendered)


def exit_code(report: Report, config: Config) -> int:
    """1 when a finding at or above fail-on exists; in diff mode only a NEW one counts
    (pre-existing findings are reported, never fail), as in `enumguard pr`."""
    failing = report.at_or_above(config.fail_threshold())
    if report.mode == "diff":
        failing = [f for f in failing if f.new is not False]
    return 1 if failing else 0
