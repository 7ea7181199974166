"""Findings in, GitHub Actions workflow commands out: annotations within GitHub's per-step caps,
the job summary (GITHUB_STEP_SUMMARY) and step outputs (GITHUB_OUTPUT)."""

import os
import re
import secrets
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, TextIO

from enumguard.finding import Finding, Severity

# GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (and 50 per
# job); the rest are dropped silently (actions/toolkit docs/problem-matchers.md, "Limitations").
CAP_PER_KIND = 10
COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_OUTPUT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def escape_data(text: str) -> str:
    """Message part of a workflow command (actions/toolkit escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A `key=value` property (actions/toolkit escapeProperty): also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **props: object) -> str:
    parts = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
    return f"::{kind}{' ' + parts if parts else ''}::{escape_data(message)}"


def annotation(f: Finding) -> str:
    message = f.message + (f"\n{f.help}" if f.help else "")
    if f.path.startswith("database:"):  # a live-database object, no file: an annotation of the run
        shown = f.path[len("database:") :]
        return command(COMMANDS[f.severity], f"{message}\n(in the live database: {shown})", title=f"enumguard {f.rule}")
    return command(
        COMMANDS[f.severity], message, file=f.path, line=f.line, col=f.location.column, title=f"enumguard {f.rule}"
    )


def annotations(findings: Iterable[Finding], cap: int = CAP_PER_KIND) -> list[str]:
    """One command per finding, at most `cap` per kind; when a kind overflows, its last slot
    says how many were left out (so nothing disappears silently)."""
    by_kind: dict[Severity, list[Finding]] = {}
    for f in findings:
        by_kind.setdefault(f.severity, []).append(f)
    lines: list[str] = []
    for severity in sorted(by_kind, reverse=True):
        items = by_kind[severity]
        if len(items) <= cap:
            lines += [annotation(f) for f in items]
            continue
        lines += [annotation(f) for f in items[: cap - 1]]
        left = len(items) - (cap - 1)
        word = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "notices"}[severity]
        lines.append(
            command(
                COMMANDS[severity],
                f"{left} more enumguard {word} not annotated (GitHub shows {cap} per step): see the job summary",
                title="enumguard: more findings",
            )
        )
    return lines


@contextmanager
def commands_stopped(out: TextIO) -> Iterator[None]:
    """GitHub ignores workflow commands (`::error::`, `::add-mask::`, ...) printed inside:
    `::stop-commands::<token>` until `::<token>::`, with a fresh random token."""
    token = f"enumguard-{secrets.token_hex(16)}"
    out.write(f"::stop-commands::{token}\n")
    try:
        yield
    finally:
        out.write(f"::{token}::\n")


def warning(message: str, out: TextIO) -> None:
    out.write(command("warning", message, title="enumguard") + "\n")


def append_summary(markdown: str, env: dict[str, str] | None = None) -> bool:
    path = (env if env is not None else os.environ).get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    with open(path, "a", encoding="utf-8", errors="backslashreplace") as fh:
        fh.write(markdown if markdown.endswith("\n") else markdown + "\n")
    return True


def set_outputs(values: dict[str, str], env: dict[str, str] | None = None) -> bool:
    """Append `name=value` lines (heredoc form when a value has a newline) to GITHUB_OUTPUT."""
    path = (env if env is not None else os.environ).get("GITHUB_OUTPUT")
    if not path:
        return False
    with open(path, "a", encoding="utf-8", errors="backslashreplace") as fh:
        for name, value in values.items():
            if not _OUTPUT_NAME.fullmatch(name):
                raise ValueError(f"not an output name: {name!r}")
            if "\n" in value or "\r" in value:
                delim = f"ghadelimiter_{uuid.uuid4()}"
                while delim in value:  # cannot happen by chance; never let a value close it
                    delim = f"ghadelimiter_{uuid.uuid4()}"
                fh.write(f"{name}<<{delim}\n{value}\n{delim}\n")
            else:
                fh.write(f"{name}={value}\n")
    return True


def relative_to_workspace(path: Path, workspace: str | None) -> str:
    """Docker actions see the workspace at another path than later steps: report paths
    relative to it when possible."""
    if workspace:
        try:
            return str(path.resolve().relative_to(Path(workspace).resolve()))
        except ValueError:
            pass
    return str(path)
