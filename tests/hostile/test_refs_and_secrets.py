"""Git arguments from users and payloads are refs, never options; and every error path we can
provoke (database and GitHub API) keeps the token and the password out of every output."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

from enumguard import cli
from tests import gitutil
from tests.github_server import FakeGitHub, Fault
from tests.hostile.actionrun import BOT, PR, REPO, TOKEN, WEBHOOKS, event_file

PASSWORD = "p@ss:w/rd%Secret-42!"  # needs URL-encoding, so both spellings are checked
SECRETS = (TOKEN, PASSWORD, quote(PASSWORD, safe=""), quote(PASSWORD))
MODELS = "import enum\n\n\nclass Color(enum.Enum):\n    red = 'red'\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = gitutil.init(
        tmp_path / "repo",
        {"app/__init__.py": "", "app/models.py": MODELS, "migrations/0001.sql": "CREATE TYPE color AS ENUM ('red');\n"},
    )
    gitutil.branch(root, "feature", {"app/views.py": "from app.models import Color\n\nColor.blue\n"})
    return root


# --------------------------------------------------------------------------- refs


@pytest.mark.parametrize(
    "argv",
    [
        ["--base", "--upload-pack=touch PWNED"],
        ["--base=--output=PWNED"],
        ["--base", "main", "--head=--upload-pack=touch PWNED"],
    ],
)
def test_refs_starting_with_a_dash_are_refused_not_passed_as_options(repo, capsys, monkeypatch, argv):
    monkeypatch.chdir(repo)
    assert cli.main(["diff", *argv, "."]) == 2
    err = capsys.readouterr().err
    assert err.startswith("enumguard: error: ") and "is not a git ref" in err and err.count("\n") == 1
    assert not (repo / "PWNED").exists() and not list(repo.parent.glob("PWNED*"))


def _pr_env(monkeypatch, tmp_path: Path, event: Path, api_url: str, token: str = TOKEN, **extra: str) -> None:
    values = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": api_url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_SHA": "0" * 40,
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "INPUT_GITHUB-TOKEN": token,
        "ENUMGUARD_GITHUB_WRITE_SPACING": "0",
        "ENUMGUARD_GITHUB_BACKOFF": "0.01",
        "ENUMGUARD_GITHUB_MAX_WAIT": "0.1",
        "ENUMGUARD_GITHUB_RETRIES": "1",
        **extra,
    }
    for k in ("GITHUB_TOKEN", "ENUMGUARD_COMMENT_AUTHOR", "ENUMGUARD_DATABASE_URL"):
        monkeypatch.delenv(k, raising=False)
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    for f in ("summary.md", "output.txt"):
        (tmp_path / f).write_text("")


def test_event_payload_ref_starting_with_a_dash_is_refused(repo, tmp_path, capsys, monkeypatch):
    head = gitutil.git(repo, "rev-parse", "HEAD").strip()
    _pr_env(monkeypatch, tmp_path, event_file(tmp_path, "--upload-pack=touch PWNED", head), "http://127.0.0.1:9")
    assert cli.main(["pr", str(repo), "--no-cache"]) == 2
    out, err = capsys.readouterr()
    assert out.startswith(
        "::error title=enumguard could not run::base ref `--upload-pack=touch PWNED` is not a git ref"
    )
    assert not list(tmp_path.rglob("PWNED*"))


# --------------------------------------------------------------------------- secrets


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def hangup_port():
    """A server that accepts and closes at once: a database that went down mid-handshake."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                conn.close()
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def _assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, (secret, text[:2000])


def _dispatch_run(repo: Path, tmp_path: Path, capsys, monkeypatch, url: str) -> tuple[int, str]:
    event = tmp_path / "dispatch.json"
    event.write_text((WEBHOOKS / "workflow_dispatch.json").read_text())
    _pr_env(
        monkeypatch,
        tmp_path,
        event,
        "http://127.0.0.1:9",
        GITHUB_EVENT_NAME="workflow_dispatch",
        ENUMGUARD_DATABASE_URL=url,
    )
    report = tmp_path / "report.json"
    code = cli.main(
        [
            "pr",
            str(repo),
            "--no-cache",
            "--format",
            "json",
            "--output",
            str(report),
            "--sarif-file",
            str(tmp_path / "r.sarif"),
        ]
    )
    out, err = capsys.readouterr()
    assert report.exists(), out + err
    everything = [
        out,
        err,
        report.read_text(),
        (tmp_path / "r.sarif").read_text(),
        (tmp_path / "summary.md").read_text(),
        (tmp_path / "output.txt").read_text(),
    ]
    _assert_no_secret(*everything)
    return code, "\n".join(everything)


def test_database_errors_never_show_the_password(repo, tmp_path, capsys, monkeypatch, hangup_port, pg_server, pg_db):
    enc = quote(PASSWORD, safe="")
    cases = {
        "bad url": f"postgresql://app:{enc}@[::1/app",
        "refused": f"postgresql://app:{enc}@127.0.0.1:{_closed_port()}/app",
        "hung up": f"postgresql://app:{enc}@127.0.0.1:{hangup_port}/app?connect_timeout=2",
        "wrong password": f"postgresql://postgres:{enc}@127.0.0.1:{pg_server.port}/{pg_db}",
        "ssl required": f"postgresql://postgres:{enc}@127.0.0.1:{pg_server.port}/{pg_db}?sslmode=require",
        "keyword form": f"host=127.0.0.1 port={_closed_port()} user=app password='{PASSWORD}'",
    }
    for name, url in cases.items():
        code, everything = _dispatch_run(repo, tmp_path, capsys, monkeypatch, url)
        assert code in (0, 1), name
        assert "the live checks were skipped" in everything, name


@pytest.mark.parametrize(
    ("status", "message"), [(401, "Bad credentials"), (403, "Resource not accessible"), (500, "Server Error")]
)
def test_github_api_errors_never_show_the_token(repo, tmp_path, capsys, monkeypatch, status, message):
    base = gitutil.git(repo, "rev-parse", "main").strip()
    head = gitutil.git(repo, "rev-parse", "HEAD").strip()
    with FakeGitHub() as gh:
        gh.state.add_token(TOKEN, BOT, kind="installation")
        gh.state.faults.append(Fault("GET", r"/comments$", status, times=10, message=f"{message} for {TOKEN}"))
        _pr_env(
            monkeypatch,
            tmp_path,
            event_file(tmp_path, base, head),
            gh.url,
            ENUMGUARD_DATABASE_URL=f"postgresql://app:{quote(PASSWORD, safe='')}@db.invalid/app",
        )
        code = cli.main(["pr", str(repo), "--no-cache"])
        out, err = capsys.readouterr()
        assert gh.state.comments_on(PR) == []
    assert code == 1  # the findings decide, not the failed post
    assert f"could not post the PR comment: HTTP {status}" in out
    _assert_no_secret(out, err, (tmp_path / "summary.md").read_text(), (tmp_path / "output.txt").read_text())


def test_unreachable_github_api_never_shows_the_token(repo, tmp_path, capsys, monkeypatch):
    base = gitutil.git(repo, "rev-parse", "main").strip()
    head = gitutil.git(repo, "rev-parse", "HEAD").strip()
    _pr_env(monkeypatch, tmp_path, event_file(tmp_path, base, head), f"http://127.0.0.1:{_closed_port()}")
    assert cli.main(["pr", str(repo), "--no-cache"]) == 1
    out, err = capsys.readouterr()
    assert "could not post the PR comment" in out
    _assert_no_secret(out, err, (tmp_path / "summary.md").read_text())
