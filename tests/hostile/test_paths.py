"""A pull request must not read outside its repository: symlinks (in the working tree and in
git trees, where they are blobs of mode 120000) and settings that name paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from enumguard import cli
from enumguard.gitrepo import GitRepo
from tests import gitutil
from tests.github_server import FakeGitHub
from tests.hostile.actionrun import BOT, PR, TOKEN, pr_repo, run_action

SECRET_MEMBER = "LEAKED_MEMBER_7f3a"
SECRET_LABEL = "leaked_label_9c1e"
MODELS = "import enum\n\n\nclass Color(enum.Enum):\n    red = 'red'\n"
VIEWS = "from app.models import Color\n\nx = Color.red\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Files outside the repository that a link may point at."""
    out = tmp_path / "outside"
    out.mkdir()
    (out / "secret.py").write_text(f"import enum\n\n\nclass Color(enum.Enum):\n    {SECRET_MEMBER} = 'x'\n")
    (out / "secret.sql").write_text(f"CREATE TYPE color AS ENUM ('red', '{SECRET_LABEL}');\n")
    return out


def _links(root: Path, outside: Path) -> None:
    (root / "app" / "leak.py").symlink_to(outside / "secret.py")
    (root / "app" / "environ.py").symlink_to("/proc/self/environ")
    (root / "migrations" / "0002_leak.sql").symlink_to(outside / "secret.sql")
    (root / "app" / "alias.py").symlink_to("views.py")  # inside the repository: read


def _repo(root: Path) -> Path:
    return gitutil.init(
        root,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/views.py": VIEWS,
            "migrations/0001_init.sql": "CREATE TYPE color AS ENUM ('red');\n",
        },
    )


def _audit(capsys, *argv: str) -> tuple[int, dict, str]:
    code = cli.main([*argv, "--format", "json", "--no-cache"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else {}), out + err


def test_audit_never_reads_through_links_leaving_the_root(tmp_path, outside, capsys):
    root = _repo(tmp_path / "repo")
    _links(root, outside)
    code, report, everything = _audit(capsys, "audit", str(root))
    assert SECRET_MEMBER not in everything and SECRET_LABEL not in everything and TOKEN not in everything
    [notice] = [n for n in report["notices"] if "symlink" in n]
    assert notice == (
        "3 symlink(s) pointing outside the repository (or into /proc, /sys, /dev) were not read: "
        "app/environ.py, app/leak.py, migrations/0002_leak.sql"
    )
    assert code == 0 and report["findings"] == []  # alias.py (inside) was read like views.py


def test_diff_of_committed_links_reads_neither_the_working_tree_nor_the_git_tree_through_them(
    tmp_path, outside, capsys
):
    root = _repo(tmp_path / "repo")
    gitutil.git(root, "checkout", "-q", "-b", "feature")
    _links(root, outside)
    gitutil.commit(root, "links")  # git stores each link as a blob of mode 120000 holding its target
    assert "120000" in gitutil.git(root, "ls-tree", "-r", "HEAD", "app/leak.py")
    for argv in (["diff", "--base", "main", str(root)], ["diff", "--base", "main", "--head", "feature", str(root)]):
        code, report, everything = _audit(capsys, *argv)
        assert SECRET_MEMBER not in everything and SECRET_LABEL not in everything
        assert any("app/leak.py" in n and "symlink" in n for n in report["notices"]), report


def test_exported_tree_creates_no_symlink_and_lists_it(tmp_path, outside):
    root = _repo(tmp_path / "repo")
    (root / "app" / "leak.py").symlink_to(outside / "secret.py")
    commit = gitutil.commit(root, "link")
    links: list[str] = []
    dest = tmp_path / "export"
    dest.mkdir()
    GitRepo(root).export(commit, dest, lambda p: "text", links)
    assert links == ["app/leak.py"]
    assert not (dest / "app" / "leak.py").exists() and not any(p.is_symlink() for p in dest.rglob("*"))


def test_action_does_not_post_proc_self_environ_or_files_outside(tmp_path, outside):
    with FakeGitHub() as gh:
        gh.state.add_token(TOKEN, BOT, kind="installation")
        repo, event = pr_repo(tmp_path, {"README.md": "base\n"}, {"app/__init__.py": "", "app/models.py": MODELS})
        (repo / "app" / "env.py").symlink_to("/proc/self/environ")
        (repo / "app" / "leak.py").symlink_to(outside / "secret.py")
        run = run_action(tmp_path, repo, event, gh.url)
        [comment] = gh.state.comments_on(PR)
    report = (repo / "enumguard-report.json").read_text()
    for text in (run.stdout, run.stderr, run.summary, run.outputs, comment["body"], report):
        assert TOKEN not in text and SECRET_MEMBER not in text
    assert "app/env.py, app/leak.py" in run.stdout


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("sql-migrations", "../outside/*.sql"),
        ("migration-order", "/etc/*.sql"),
        ("alembic-versions", "db/../../outside"),
    ],
)
def test_path_settings_must_stay_in_the_repository(tmp_path, capsys, setting, value):
    root = _repo(tmp_path / "repo")
    (root / "enumguard.toml").write_text(f'{setting} = ["{value}"]\n')
    code = cli.main(["audit", str(root), "--no-cache"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"enumguard: error: enumguard.toml: setting `{setting}`: `{value}` points outside the repository\n"


def test_config_file_outside_the_repository_is_refused(tmp_path, capsys):
    root = _repo(tmp_path / "repo")
    (tmp_path / "evil.toml").write_text('sql-migrations = ["**/*.sql"]\n')
    assert cli.main(["audit", str(root), "--config", str(tmp_path / "evil.toml")]) == 2
    assert "--config" in capsys.readouterr().err
    (root / "enumguard.toml").symlink_to(tmp_path / "evil.toml")
    assert cli.main(["audit", str(root)]) == 2
    assert (
        capsys.readouterr().err
        == "enumguard: error: enumguard.toml: a symlink to outside the repository; enumguard does not read it\n"
    )


def test_alembic_ini_locations_outside_are_reported_by_setting_and_not_read(tmp_path, capsys):
    root = _repo(tmp_path / "repo")
    (root / "alembic.ini").write_text("[alembic]\nscript_location = db\nversion_locations = %(here)s/../outside /etc\n")
    code, report, _ = _audit(capsys, "audit", str(root))
    messages = [(f["path"], f["line"], f["message"]) for f in report["findings"]]
    assert messages == [
        ("alembic.ini", 3, "setting `version_locations` points outside the repository (`../outside`); it is not read"),
        ("alembic.ini", 3, "setting `version_locations` points outside the repository (`/etc`); it is not read"),
    ]
    assert code == 0
