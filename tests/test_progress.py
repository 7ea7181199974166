"""The progress line: drawn on stderr when it is a terminal (a real pty here), erased at the end,
never written to a pipe or file, and never with --quiet."""

from __future__ import annotations

import io
import os
import pty
import select
import sys
from pathlib import Path

import pytest

from enumguard import cli, progress

ENUM = "import enum\n\n\nclass Color(enum.Enum):\n    RED = 'red'\n"
USE = "from app.colors import Color\n\nx = Color.RED\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "colors.py").write_text(ENUM)
    for i in range(3):
        (root / "app" / f"use{i}.py").write_text(USE)
    # a long run in miniature: draw from the first file on
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    return root


def audit_on_a_terminal(root: Path, monkeypatch, *flags: str) -> tuple[int, str]:
    """Run the CLI with stderr on the slave side of a pty; return what the terminal received."""
    master, slave = pty.openpty()
    terminal = os.fdopen(slave, "w", buffering=1, encoding="utf-8")
    monkeypatch.setattr(sys, "stderr", terminal)
    try:
        code = cli.main(["audit", str(root), "--no-cache", "--jobs", "1", *flags])
        terminal.flush()
        received = b""
        while select.select([master], [], [], 0.2)[0]:
            chunk = os.read(master, 65536)
            if not chunk:
                break
            received += chunk
    finally:
        terminal.close()
        os.close(master)
    return code, received.decode()


def test_terminal_shows_files_parsed_out_of_total_then_erases_the_line(project, monkeypatch, capsys):
    code, shown = audit_on_a_terminal(project, monkeypatch)
    assert code == 0
    assert "enumguard: parsing Python files 1/5" in shown
    assert "enumguard: parsing Python files 5/5" in shown
    assert shown.endswith("\r\x1b[K")  # nothing left on the user's line
    assert "0 findings" in capsys.readouterr().out  # the report itself still goes to stdout


def test_quiet_draws_nothing_on_a_terminal(project, monkeypatch):
    code, shown = audit_on_a_terminal(project, monkeypatch, "--quiet")
    assert code == 0 and shown == ""


def test_stderr_that_is_no_terminal_gets_no_progress(project, monkeypatch, capsys):
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    assert cli.main(["audit", str(project), "--no-cache", "--jobs", "1"]) == 0
    assert piped.getvalue() == ""


def test_short_runs_stay_silent_even_on_a_terminal(project, monkeypatch):
    monkeypatch.setattr(progress, "DELAY", 60.0)
    code, shown = audit_on_a_terminal(project, monkeypatch)
    assert code == 0 and shown == ""
