"""`enumguard diff` on repositories that lack content: a blob missing from git (partial clone,
snapshot without large files, damaged repository), Git LFS pointers, and shallow clones."""

from __future__ import annotations

import json
from pathlib import Path

from enumguard.cli import main
from enumguard.config import Config
from enumguard.gitrepo import GitRepo
from enumguard.review import diff
from tests.gitutil import branch, commit, git, init, write
from tests.test_action_pr import gh, run  # noqa: F401  (fixtures)

ENUMS = "import enum\n\n\nclass Status(enum.Enum):\n    ACTIVE = 'active'\n    GONE = 'gone'\n"
USE = "from app.enums import Status\n\nx = Status.ACTIVE\n"
LFS = "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 5242880\n"


def _drop_object(repo: Path, rev: str) -> str:
    """Delete the loose object `rev` names (as a snapshot without that file would lack it)."""
    sha = git(repo, "rev-parse", rev).strip()
    (repo / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    return sha


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_a_blob_missing_at_base_is_one_notice_and_the_diff_goes_on(tmp_path: Path, capsys) -> None:
    files = {"app/enums.py": ENUMS, "app/use.py": USE}
    files.update({f"db/big{i:02}.sql": f"-- dump {i}\nselect {i};\n" for i in range(12)})
    repo = init(tmp_path / "r", files)
    branch(repo, "feature", {"app/use.py": USE + "y = Status.DELETED\n"})
    for i in range(12):  # after the last commit: `git add` may write a racily-clean file's object again
        _drop_object(repo, f"main:db/big{i:02}.sql")
    code = main(["diff", "--base", "main", "--format", "json", "--no-cache", str(repo)])
    out = _json(capsys)
    assert code == 1  # the new unknown member is found and fails the run
    assert [(f["rule"], f["path"], f["line"]) for f in out["findings"]] == [("unknown-member", "app/use.py", 4)]
    notices = [n for n in out["notices"] if "could not be read" in n]
    assert len(notices) == 1
    assert notices[0].startswith("12 file(s) could not be read at base ") and "head" not in notices[0]
    assert "db/big00.sql" in notices[0] and "db/big09.sql" in notices[0] and "db/big10.sql" not in notices[0]
    assert notices[0].endswith("and 2 more")


def test_a_blob_missing_at_both_refs_is_one_notice_naming_both_commits(tmp_path: Path) -> None:
    repo = init(
        tmp_path / "r", {"app/enums.py": ENUMS, "db/001.sql": "CREATE TYPE status AS ENUM ('active', 'gone');\n"}
    )
    base = git(repo, "rev-parse", "HEAD").strip()
    head = branch(repo, "feature", {"app/use.py": USE})
    _drop_object(repo, "HEAD:db/001.sql")  # shared by both commits
    report = diff(Config(root=repo), base="main", head="feature")
    missing = [n for n in report.notices if "could not be read" in n]
    assert missing == [
        f"1 file(s) could not be read at base {base[:12]} and head {head[:12]}: their git objects are "
        "not in this repository (partial clone, snapshot without large files, or damaged); "
        "skipped, not fetched: db/001.sql"
    ]
    # the rest of the tree was still read
    assert [e.name for e in report.model.enums] == ["Status"]


def test_missing_blob_in_a_renamed_pair_still_lists_the_changes(tmp_path: Path) -> None:
    body = "".join(f"v{i} = {i}\n" for i in range(40))
    repo = init(tmp_path / "r", {"a/long.py": body})
    git(repo, "mv", "a", "b")
    write(repo, {"b/long.py": body + "w = 1\n"})  # an inexact rename needs the old content
    _drop_object(repo, "main:a/long.py")
    g = GitRepo(repo)
    cs = g.changes(g.resolve("main"), None)
    assert "b/long.py" in cs.changed and "a/long.py" in cs.removed


def test_partial_clone_never_fetches_a_missing_blob(tmp_path: Path, capsys) -> None:
    origin = init(
        tmp_path / "origin", {"app/enums.py": ENUMS, "db/001.sql": "CREATE TYPE status AS ENUM ('active', 'gone');\n"}
    )
    git(origin, "config", "uploadpack.allowFilter", "true")
    branch(origin, "feature", {"app/use.py": USE, "app/enums.py": ENUMS + "    NEW = 'new'\n"})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--filter=blob:none", "--branch", "feature", f"file://{origin}", str(clone))
    git(clone, "branch", "-q", "main", "origin/main")
    # the base's blobs that the checkout did not need stay on the "server", which is now gone
    (tmp_path / "origin").rename(tmp_path / "offline")
    # the checkout fetched the head's blobs only: the base's app/enums.py and db/001.sql are not here
    code = main(["diff", "--base", "main", "--format", "json", "--no-cache", str(clone)])
    out = _json(capsys)
    assert code in (0, 1)
    assert [n for n in out["notices"] if "could not be read" in n and "app/enums.py" in n]
    assert not (tmp_path / "origin").exists()


def test_lfs_pointers_are_named_and_not_parsed(tmp_path: Path, capsys) -> None:
    pointer_sql = LFS.format("a" * 64)
    pointer_py = LFS.format("b" * 64)
    repo = init(tmp_path / "r", {"app/enums.py": ENUMS, "db/seed.sql": pointer_sql, "app/big_model.py": pointer_py})
    branch(repo, "feature", {"app/use.py": USE})
    code = main(["diff", "--base", "main", "--format", "json", "--no-cache", str(repo)])
    out = _json(capsys)
    assert code == 0
    assert out["findings"] == []  # no syntax-error / unsupported-sql for the pointer text
    lfs = [n for n in out["notices"] if "Git LFS" in n]
    assert len(lfs) == 1 and "app/big_model.py" in lfs[0] and "db/seed.sql" in lfs[0] and lfs[0].startswith("2 file(s)")
    main(["audit", "--format", "json", "--no-cache", str(repo)])  # the working tree holds pointers too
    audit = _json(capsys)
    assert audit["findings"] == [] and [n for n in audit["notices"] if "Git LFS" in n]


def test_shallow_clone_in_the_action_is_an_error_annotation_and_summary(gh, run, tmp_path: Path) -> None:  # noqa: F811
    origin = init(tmp_path / "origin", {"app/enums.py": ENUMS})
    write(origin, {"app/other.py": "z = 1\n"})
    commit(origin, "main moves on")
    branch(origin, "feature", {"app/use.py": USE})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{origin}", str(clone))
    # the payload's base commit is not in a fetch-depth 1 checkout
    code, out, files = run(gh, None, root=clone)
    assert code == 2
    first = out.splitlines()[0]
    assert (
        first.startswith("::error title=enumguard could not run::")
        and "shallow clone" in first
        and "fetch-depth: 0" in first
    )
    assert "Traceback" not in out + files["err"]
    summary = files["summary"].read_text()
    assert "enumguard could not run" in summary and "fetch-depth: 0" in summary
