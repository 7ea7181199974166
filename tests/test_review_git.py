"""The git side of `enumguard diff`: changed paths, renames, exporting a commit, one-line errors,
and never touching the user's working tree or index."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from enumguard.cli import main
from enumguard.config import Config
from enumguard.errors import EnumguardError
from enumguard.gitrepo import GitRepo
from enumguard.review import diff
from tests.gitutil import branch, commit, git, init, write


def test_changes_list_modified_added_deleted_renamed_and_untracked(tmp_path: Path) -> None:
    repo = init(
        tmp_path / "r",
        {
            "a.py": "x = 1\n",
            "b.py": "y = 2\n",
            "gone.py": "z = 3\n",
            "long.py": "".join(f"v{i} = {i}\n" for i in range(40)),
        },
    )
    git(repo, "mv", "long.py", "moved.py")
    write(repo, {"a.py": "x = 10\n", "gone.py": None, "fresh.py": "w = 4\n"})
    g = GitRepo(repo)
    cs = g.changes(g.resolve("main"), None)
    assert cs.changed == {"a.py", "moved.py", "fresh.py"}
    assert cs.removed == {"a.py", "gone.py", "long.py"}
    assert cs.renames == {"long.py": "moved.py"}


def test_changes_between_two_commits_ignore_the_working_tree(tmp_path: Path) -> None:
    repo = init(tmp_path / "r", {"a.py": "x = 1\n", "b.py": "y = 2\n"})
    branch(repo, "feature", {"b.py": "y = 3\n"})
    write(repo, {"a.py": "x = 99\n", "untracked.py": "u = 1\n"})
    g = GitRepo(repo)
    cs = g.changes(g.resolve("main"), g.resolve("feature"))
    assert cs.changed == {"b.py"} and cs.removed == {"b.py"} and cs.renames == {}


def test_subdirectory_root_sees_paths_relative_to_itself(tmp_path: Path) -> None:
    repo = init(tmp_path / "r", {"svc/app/m.py": "x = 1\n", "other/o.py": "o = 1\n"})
    write(repo, {"svc/app/m.py": "x = 2\n", "other/o.py": "o = 2\n", "svc/new.sql": "select 1;\n"})
    g = GitRepo(repo / "svc")
    assert g.prefix == "svc"
    cs = g.changes(g.resolve("main"), None)
    assert cs.changed == {"app/m.py", "new.sql"}


def test_export_writes_the_commit_files_of_the_analysed_folder_only(tmp_path: Path) -> None:
    repo = init(
        tmp_path / "r",
        {
            "svc/app/m.py": "x = 1\n",
            "svc/db/001.sql": "CREATE TYPE s AS ENUM ('a');\n",
            "svc/logo.png": "binary-ish",
            "svc/.gitattributes": "app/m.py export-ignore\n",
            "top.py": "t = 1\n",
        },
    )
    base = git(repo, "rev-parse", "HEAD").strip()
    write(repo, {"svc/app/m.py": "x = 2\n"})
    commit(repo, "later")
    dest = tmp_path / "out"
    wanted = lambda p: "text" if p.endswith((".py", ".sql")) else "name"  # noqa: E731
    GitRepo(repo / "svc").export(base, dest, wanted)
    assert (dest / "app/m.py").read_text() == "x = 1\n"  # the base content, export-ignore or not
    assert (dest / "db/001.sql").read_text() == "CREATE TYPE s AS ENUM ('a');\n"
    assert (dest / "logo.png").read_bytes() == b""  # known by name only
    assert not (dest / "top.py").exists()


def test_export_of_a_folder_missing_at_that_commit_is_empty(tmp_path: Path) -> None:
    repo = init(tmp_path / "r", {"a.py": "x = 1\n"})
    base = git(repo, "rev-parse", "HEAD").strip()
    write(repo, {"svc/m.py": "y = 1\n"})
    commit(repo, "add svc")
    dest = tmp_path / "out"
    dest.mkdir()
    assert GitRepo(repo / "svc").export(base, dest, lambda p: "text") == 0
    assert list(dest.iterdir()) == []


def test_missing_base_ref_is_one_line_naming_it(tmp_path: Path, capsys) -> None:
    repo = init(tmp_path / "r", {"a.py": "x = 1\n"})
    assert main(["diff", "--base", "origin/nope", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "`origin/nope`" in err and "does not exist" in err


def test_missing_head_ref_is_one_line_naming_it(tmp_path: Path) -> None:
    repo = init(tmp_path / "r", {"a.py": "x = 1\n"})
    with pytest.raises(EnumguardError, match="head ref `feature/x` does not exist"):
        diff(Config(root=repo), base="main", head="feature/x")


def test_shallow_clone_without_the_base_asks_for_fetch_depth_0(tmp_path: Path, capsys) -> None:
    origin = init(tmp_path / "origin", {"a.py": "x = 1\n"})
    base = git(origin, "rev-parse", "HEAD").strip()
    branch(origin, "feature", {"a.py": "x = 2\n"})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{origin}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    assert main(["diff", "--base", base, str(clone)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "shallow clone" in err and "fetch-depth: 0" in err


def test_shallow_clone_with_base_but_no_shared_history_asks_for_fetch_depth_0(tmp_path: Path) -> None:
    origin = init(tmp_path / "origin", {"a.py": "x = 1\n"})
    write(origin, {"b.py": "y = 1\n"})
    commit(origin, "main moves on")
    branch(origin, "feature", {"a.py": "x = 2\n"})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{origin}", str(clone))
    git(clone, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")
    git(clone, "checkout", "-q", "HEAD~0")
    # origin/main's tip is here, but not the commit both branches share
    with pytest.raises(EnumguardError, match="fetch-depth: 0"):
        diff(Config(root=clone), base="origin/main")


def test_not_a_git_repository_is_one_line(tmp_path: Path, capsys) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.py").write_text("x = 1\n")
    env_ceiling = os.environ.get("GIT_CEILING_DIRECTORIES")
    os.environ["GIT_CEILING_DIRECTORIES"] = str(tmp_path)
    try:
        assert main(["diff", "--base", "main", str(plain)]) == 2
    finally:
        if env_ceiling is None:
            del os.environ["GIT_CEILING_DIRECTORIES"]
        else:
            os.environ["GIT_CEILING_DIRECTORIES"] = env_ceiling
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a git repository" in err


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the repository to another uid")
def test_repository_owned_by_another_user_asks_for_safe_directory(tmp_path: Path, monkeypatch) -> None:
    repo = init(tmp_path / "r", {"a.py": "x = 1\n"})
    for path in [repo, *repo.rglob("*")]:
        os.lchown(path, 12345, 12345)
    monkeypatch.setenv("HOME", str(tmp_path))  # no global safe.directory from the runner
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    with pytest.raises(EnumguardError, match="safe.directory") as info:
        diff(Config(root=repo), base="main")
    assert "\n" not in str(info.value)


def _snapshot(repo: Path) -> tuple[str, dict[str, tuple[int, str]]]:
    # GIT_OPTIONAL_LOCKS=0: `git status` itself must not refresh the index we are watching
    status = git(repo, "status", "--porcelain=v1", "--untracked-files=all", env={"GIT_OPTIONAL_LOCKS": "0"})
    files = {}
    for path in sorted(repo.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            files[path.relative_to(repo).as_posix()] = (path.stat().st_mtime_ns, hashlib.sha256(data).hexdigest())
    return status, files


def test_diff_leaves_working_tree_index_and_refs_untouched(tmp_path: Path) -> None:
    repo = init(tmp_path / "r", {"app/m.py": "import enum\n", "db/001.sql": "CREATE TYPE s AS ENUM ('a');\n"})
    branch(repo, "feature", {"db/002.sql": "ALTER TYPE s ADD VALUE 'b';\n"})
    write(repo, {"app/m.py": "import enum  # edited\n", "app/new.py": "x = 1\n"})
    git(repo, "add", "app/new.py")
    before = _snapshot(repo)
    head_ref = git(repo, "rev-parse", "HEAD").strip()
    report = diff(Config(root=repo), base="main")
    assert report.mode == "diff" and report.head == head_ref
    report = diff(Config(root=repo), base="main", head="feature")
    assert _snapshot(repo) == before
    assert git(repo, "rev-parse", "HEAD").strip() == head_ref
    assert git(repo, "stash", "list") == ""


def test_report_carries_resolved_base_and_head(tmp_path: Path) -> None:
    repo = init(tmp_path / "r", {"a.py": "x = 1\n"})
    fork = git(repo, "rev-parse", "HEAD").strip()
    head = branch(repo, "feature", {"a.py": "x = 2\n"})
    git(repo, "checkout", "-q", "main")
    write(repo, {"b.py": "main moved on\n"})
    commit(repo, "main moves")
    report = diff(Config(root=repo), base="main", head="feature")
    assert (report.base, report.head) == (fork, head)  # compared with where feature forked


def test_cli_diff_text_output_names_the_base(tmp_path: Path, capsys) -> None:
    repo = init(tmp_path / "r", {"a.py": "x = 1\n"})
    branch(repo, "feature", {"a.py": "x = 2\n"})
    fork = git(repo, "rev-parse", "main").strip()
    assert main(["diff", "--base", "main", "--head", "feature", str(repo)]) == 0
    out = capsys.readouterr().out
    assert f"0 new, 0 pre-existing since {fork[:12]}" in out


def test_git_missing_from_path_is_one_line(tmp_path: Path, monkeypatch) -> None:
    repo = init(tmp_path / "r", {"a.py": "x = 1\n"})
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("git") is None
    with pytest.raises(EnumguardError, match="`git` is not installed"):
        diff(Config(root=repo), base="main")


def test_export_streams_many_blobs_byte_for_byte(tmp_path: Path) -> None:
    files = {f"pkg/m{i:03}.py": f"x = {i}\r\n" * (i % 7) for i in range(300)}
    repo = init(tmp_path / "r", files)
    (repo / "pkg/raw.sql").write_bytes(b"-- caf\xe9\n\x00tail")
    commit(repo, "raw bytes")
    dest = tmp_path / "out"
    assert GitRepo(repo).export(git(repo, "rev-parse", "HEAD").strip(), dest, lambda p: "text") == 301
    assert all((dest / rel).read_bytes() == text.encode() for rel, text in files.items())
    assert (dest / "pkg/raw.sql").read_bytes() == b"-- caf\xe9\n\x00tail"
