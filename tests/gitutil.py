"""Real git repositories in temporary directories for the diff-mode tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
    env = {**os.environ, **ENV, "HOME": str(root.parent), **(env or {})}
    proc = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def write(root: Path, files: dict[str, str | None]) -> None:
    """Write files; None deletes one."""
    for rel, text in files.items():
        path = root / rel
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def init(root: Path, files: dict[str, str | None]) -> Path:
    """A repository with one commit of `files` on `main`."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write(root, files)
    commit(root, "base")
    return root


def commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def branch(root: Path, name: str, files: dict[str, str | None], message: str = "change") -> str:
    """Commit `files` on a new branch `name` (left checked out)."""
    git(root, "checkout", "-q", "-b", name)
    write(root, files)
    return commit(root, message)
