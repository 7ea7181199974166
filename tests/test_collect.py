"""Which files an audit reads: .gitignore is honoured at the repository root and below it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from enumguard import collect
from enumguard.config import Config


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_gitignored_files_are_skipped_also_when_auditing_a_subfolder(tmp_path: Path) -> None:
    service = tmp_path / "services" / "billing"
    (service / "app").mkdir(parents=True)
    (service / "app" / "models.py").write_text("x = 1\n")
    (service / "generated").mkdir()
    (service / "generated" / "models.py").write_text("x = 2\n")
    (tmp_path / ".gitignore").write_text("generated/\n")
    _git(tmp_path, "init", "-q")
    for root in (tmp_path, service):
        paths = [f.path for f in collect.collect(Config(root=root)).python_files()]
        assert any(p.endswith("app/models.py") for p in paths), paths
        assert not any("generated" in p for p in paths), paths


def test_outside_git_every_file_below_the_root_is_read_except_default_excludes(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "models.py").write_text("x = 1\n")
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "site.py").write_text("x = 2\n")
    copy = tmp_path / "packages" / "db" / "build" / "lib" / "db"  # setuptools' build copy
    copy.mkdir(parents=True)
    (copy / "models.py").write_text("x = 3\n")
    (tmp_path / "packages" / "db" / "src" / "db").mkdir(parents=True)
    (tmp_path / "packages" / "db" / "src" / "db" / "build.py").write_text("x = 4\n")
    paths = [f.path for f in collect.collect(Config(root=tmp_path)).python_files()]
    assert paths == ["app/models.py", "packages/db/src/db/build.py"]
