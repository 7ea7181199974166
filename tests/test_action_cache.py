"""The composite action's caches, run through its steps as GitHub's runner runs them (tests.composite):
a pull request whose findings fail the enumguard step still saves pip's cache and the fact cache,
the rerun of that pull request restores both and finds every fact in the restored cache, a new
commit starts from the facts of the last run (restore-keys) and saves its own."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

from tests import gitutil
from tests.composite import CacheStore, CompositeRun, run_composite
from tests.github_server import FakeGitHub
from tests.hostile import actionrun
from tests.sample_repo import MIGRATION, MODELS

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOKEN = "ghs_composite_cache"

# The pull request adds a member the DB type lacks: a new missing-in-db error fails the step.
HEAD = {
    "app/models.py": MODELS.replace('    shipped = "shipped"\n', '    shipped = "shipped"\n    archived = "archived"\n')
}

# pip would fetch enumguard's dependencies from PyPI: the stand-in links this environment's
# enumguard and leaves a file in pip's cache folder, as a download would.
INSTALL = f"""
mkdir -p "$RUNNER_TEMP/enumguard-venv/bin" "$PIP_CACHE_DIR"
ln -sf {BIN / "enumguard"} "$RUNNER_TEMP/enumguard-venv/bin/enumguard"
[ -e "$PIP_CACHE_DIR/wheels" ] || echo "wheels pip downloaded" > "$PIP_CACHE_DIR/wheels"
"""


def job(
    tmp_path: Path, repo: Path, event: Path, api_url: str, store: CacheStore, install: str = INSTALL
) -> CompositeRun:
    """One job on a fresh runner: an empty RUNNER_TEMP (the same path, as on GitHub's runners)."""
    runner_temp = tmp_path / "runner-temp"
    shutil.rmtree(runner_temp, ignore_errors=True)
    runner_temp.mkdir()
    (tmp_path / "home").mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path / "home"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "RUNNER_TEMP": str(runner_temp),
        "RUNNER_OS": "Linux",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": actionrun.REPO,
        "GITHUB_API_URL": api_url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_SHA": gitutil.git(repo, "rev-parse", "HEAD").strip(),
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "ENUMGUARD_GITHUB_WRITE_SPACING": "0",
        "ENUMGUARD_GITHUB_BACKOFF": "0.01",
    }
    return run_composite(
        ROOT / "action.yml", {"github-token": TOKEN}, env, store, replace_run={"Install enumguard": install}
    )


def facts(tmp_path: Path) -> dict[str, int]:
    """The fact cache files of the last job and their modification times (ns)."""
    folder = tmp_path / "runner-temp" / "enumguard-facts"
    return {p.name: p.stat().st_mtime_ns for p in sorted(folder.iterdir())}


def test_a_pull_request_with_findings_saves_both_caches_and_its_rerun_restores_the_facts(tmp_path):
    repo, event = actionrun.pr_repo(tmp_path, {"app/models.py": MODELS, "migrations/0001_init.sql": MIGRATION}, HEAD)
    store = CacheStore(tmp_path / "github-cache")
    with FakeGitHub() as gh:
        gh.state.add_token(TOKEN, actionrun.BOT, kind="installation")

        first = job(tmp_path, repo, event, gh.url, store)
        main = first.step("enumguard")
        assert main.outcome == "failure" and first.failed, main.stdout + main.stderr  # the new error fails it
        assert "missing-in-db" in main.stdout and len(gh.state.comments_on(actionrun.PR)) == 1
        assert first.step("Save pip's cache for enumguard").outcome == "success"
        assert first.step("Save enumguard's fact cache").outcome == "success"
        pip_key = first.step("Restore pip's cache for enumguard").outputs["cache-primary-key"]
        facts_key = first.step("Restore enumguard's fact cache").outputs["cache-primary-key"]
        assert pip_key.startswith("enumguard-pip-Linux-") and facts_key.startswith("enumguard-facts-Linux-")
        assert store.log == [f"miss {pip_key}", f"miss {facts_key}", f"saved {pip_key}", f"saved {facts_key}"]
        saved = facts(tmp_path)
        assert saved  # what the cold run parsed is in the saved entry

        # The rerun of the same commit (a new job, an empty runner): both caches are exact hits.
        store.log.clear()
        started = time.time_ns()
        rerun = job(tmp_path, repo, event, gh.url, store)
        assert rerun.step("enumguard").outcome == "failure"
        assert rerun.step("Restore enumguard's fact cache").outputs["cache-hit"] == "true"
        assert rerun.step("Restore pip's cache for enumguard").outputs["cache-hit"] == "true"
        assert rerun.step("Save pip's cache for enumguard").outcome == "skipped"
        assert rerun.step("Save enumguard's fact cache").outcome == "skipped"
        assert store.log == [f"hit {pip_key}", f"hit {facts_key}"]
        # enumguard found every fact in the restored files: it rewrote none of them (each keeps
        # the time the cache archive gave it, from the first job)
        restored = facts(tmp_path)
        assert set(restored) == set(saved) and all(mtime < started for mtime in restored.values())

        # A new commit on the pull request: the facts of the last run are restored by prefix,
        # and the new facts are saved under the new key.
        head = gitutil.branch(repo, "feature-2", {"app/extra.py": "from app.models import OrderStatus\n"})
        event = actionrun.event_file(tmp_path, gitutil.git(repo, "rev-parse", "main").strip(), head)
        store.log.clear()
        later = job(tmp_path, repo, event, gh.url, store)
        restore = later.step("Restore enumguard's fact cache").outputs
        assert restore["cache-hit"] == "false" and restore["cache-matched-key"] == facts_key
        assert later.step("Save enumguard's fact cache").outcome == "success"
        assert store.log[-1] == f"saved {restore['cache-primary-key']}" != f"saved {facts_key}"
        assert len(gh.state.comments_on(actionrun.PR)) == 1  # one sticky comment, edited


def test_a_failed_install_saves_neither_cache(tmp_path):
    repo, event = actionrun.pr_repo(tmp_path, {"app/models.py": MODELS, "migrations/0001_init.sql": MIGRATION}, HEAD)
    store = CacheStore(tmp_path / "github-cache")
    with FakeGitHub() as gh:
        run = job(tmp_path, repo, event, gh.url, store, install='mkdir -p "$PIP_CACHE_DIR"; exit 1')
    assert run.step("Install enumguard").outcome == "failure"
    assert run.step("enumguard").outcome == "skipped"
    assert run.step("Save pip's cache for enumguard").outcome == "skipped"  # a partial pip cache
    assert run.step("Save enumguard's fact cache").outcome == "skipped"
    assert not store.entries
