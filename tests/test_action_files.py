"""The Action's files: action.yml and the workflows valid against SchemaStore's schemas
(check-jsonschema, offline), zizmor clean, hadolint clean, the Docker image where an engine
runs, the pre-commit hook, and the entry point run as GitHub runs it: action.yml's args with
INPUT_* variables, as root, in a clone owned by another uid."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from enumguard import __version__, cli
from tests import gitutil
from tests.github_server import FakeGitHub
from tests.openapi_check import check_requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def tool(name: str) -> str:
    path = BIN / name
    assert path.exists() or shutil.which(name), f"{name} is missing: install the `test` extra (pip install -e '.[test]')"
    return str(path) if path.exists() else shutil.which(name)


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)


def test_action_yml_matches_schemastore_schema():
    proc = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ROOT / "action.yml"))
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_schemastore_schema(workflow):
    proc = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_offline_finds_nothing():
    proc = run(tool("zizmor"), "--offline", "--no-progress", str(ROOT / ".github" / "workflows"), str(ROOT / "action.yml"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout + proc.stderr


def test_hadolint_finds_nothing():
    proc = run(tool("hadolint"), str(ROOT / "Dockerfile"))
    assert proc.returncode == 0 and proc.stdout.strip() == "", proc.stdout + proc.stderr


def test_action_is_a_docker_action_with_the_documented_inputs_and_outputs():
    assert ACTION["runs"]["using"] == "docker" and ACTION["runs"]["image"] == "Dockerfile"
    assert set(ACTION["inputs"]) >= {
        "github-token", "path", "config", "fail-on", "mode", "comment", "review", "sarif-file", "database-url",
    }
    assert set(ACTION["outputs"]) == {"findings", "new-findings", "report-path"}
    assert ACTION["branding"]["icon"] and ACTION["branding"]["color"]
    args = " ".join(ACTION["runs"]["args"])
    for name in ACTION["inputs"]:
        if name in ("github-token", "database-url", "comment-author"):  # INPUT_GITHUB-TOKEN; the others via env
            assert f"inputs.{name}" not in args
        else:
            assert f"${{{{ inputs.{name} }}}}" in args
    assert ACTION["runs"]["env"]["ENUMGUARD_DATABASE_URL"] == "${{ inputs.database-url }}"
    assert ACTION["runs"]["env"]["ENUMGUARD_COMMENT_AUTHOR"] == "${{ inputs.comment-author }}"


def test_dockerfile_pins_a_slim_python_installs_git_and_sets_no_user():
    text = (ROOT / "Dockerfile").read_text()
    base = re.search(r"^FROM\s+(\S+)", text, re.M).group(1)
    assert re.fullmatch(r"python:3\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base)
    assert not re.search(r"^USER\b", text, re.M)
    assert "git=" in text and "pip install --no-cache-dir \"./[db]\"" in text


def test_ci_workflow_runs_the_readme_test_command():
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    steps = [s.get("run", "") for job in ci["jobs"].values() for s in job["steps"]]
    assert "bash .ci/run" in steps


def test_self_review_workflow_has_least_permissions():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "enumguard.yml").read_text())
    assert set(wf[True]) == {"pull_request", "workflow_dispatch"}  # YAML 1.1 reads `on` as True
    assert wf["permissions"] == {}
    [job] = wf["jobs"].values()
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    checkout = job["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0 and checkout["with"]["persist-credentials"] is False


def test_readme_workflow_for_users_matches_the_workflow_schema(tmp_path):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## GitHub Action", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "enumguard.yml").write_text(block)
    proc = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(tmp_path / "enumguard.yml"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with_ = yaml.safe_load(block)["jobs"]["enumguard"]["steps"][1]["with"]
    assert set(with_) <= set(ACTION["inputs"])


def test_pre_commit_hook_runs_the_audit(tmp_path, capsys):
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {"id", "name", "entry", "language"} <= set(hook) and hook["language"] == "python"
    assert hook["pass_filenames"] is False
    command = hook["entry"].split()
    assert command[0] == "enumguard"
    (tmp_path / "m.py").write_text("import enum\n\n\nclass E(enum.Enum):\n    A = 1\n")
    assert cli.main([*command[1:], str(tmp_path), "--no-cache"]) == 0


def _docker_engine() -> str | None:
    docker = shutil.which("docker")
    if not docker:
        return "no docker binary on PATH"
    proc = run(docker, "info")
    if proc.returncode != 0:
        return f"no Docker engine answers `docker info`: {(proc.stderr or proc.stdout).strip().splitlines()[-1]}"
    return None


def test_docker_image_builds_and_reports_its_version():
    reason = _docker_engine()
    if reason:
        pytest.skip(reason)
    tag = "enumguard-action-test:latest"
    build = run("docker", "build", "-t", tag, str(ROOT))
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    version = run("docker", "run", "--rm", tag, "--version")
    assert version.stdout.strip() == f"enumguard {__version__}"


# --------------------------------------------------------------------------- entry point


def _expand(arg: str, inputs: dict[str, str]) -> str:
    """Evaluate `${{ inputs.x }}` as GitHub does before starting the container."""
    return re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: inputs[m.group(1)], arg)


MODELS = """\
import enum

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class OrderStatus(enum.Enum):
    pending = "pending"
    shipped = "shipped"


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[OrderStatus] = mapped_column(sa.Enum(OrderStatus, name="order_status"))
"""
MIGRATION = "CREATE TYPE order_status AS ENUM ('pending', 'shipped');\nCREATE TABLE orders (id serial PRIMARY KEY, status order_status);\n"


@pytest.fixture
def foreign_clone(tmp_path):
    """A PR clone (base + head commit) owned by `nobody`, plus the matching event payload."""
    if os.geteuid() != 0:
        pytest.skip("needs root: GitHub runs Docker actions as root over a workspace owned by another uid")
    repo = gitutil.init(tmp_path / "workspace", {"app/models.py": MODELS, "migrations/0001_init.sql": MIGRATION})
    base = gitutil.git(repo, "rev-parse", "HEAD").strip()
    head = gitutil.branch(repo, "feature", {"app/models.py": MODELS.replace('    shipped = "shipped"\n', '    shipped = "shipped"\n    archived = "archived"\n')})
    subprocess.run(["chown", "-R", "nobody", str(repo)], check=True)
    payload = json.loads((ROOT / "tests" / "data" / "github" / "webhooks" / "pull_request.synchronize.json").read_text())
    payload["pull_request"]["base"]["sha"], payload["pull_request"]["head"]["sha"] = base, head
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload))
    return repo, event, head


def _action_env(tmp_path: Path, repo: Path, event: Path, head: str, api_url: str) -> dict[str, str]:
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    inputs.update({"github-token": "ghs_entrypoint", "sarif-file": "enumguard.sarif"})
    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path / "home"),  # no global git config of this machine
        "GIT_CONFIG_NOSYSTEM": "1",  # nor its system config: only the entry point may trust the clone
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "Codertocat/Hello-World",
        "GITHUB_API_URL": api_url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_SHA": head,
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "ENUMGUARD_GITHUB_WRITE_SPACING": "0",
        "ENUMGUARD_GITHUB_BACKOFF": "0.01",
        "ENUMGUARD_DATABASE_URL": inputs["database-url"],
        "ENUMGUARD_COMMENT_AUTHOR": inputs["comment-author"],
    }
    env.update({f"INPUT_{name.upper().replace(' ', '_')}": value for name, value in inputs.items()})
    (tmp_path / "home").mkdir(exist_ok=True)
    return env, [_expand(a, inputs) for a in ACTION["runs"]["args"]]


def test_entry_point_runs_as_github_runs_it_in_a_clone_owned_by_another_uid(tmp_path, foreign_clone):
    repo, event, head = foreign_clone
    with FakeGitHub() as gh:
        gh.state.add_token("ghs_entrypoint", "github-actions[bot]", kind="installation")
        env, args = _action_env(tmp_path, repo, event, head, gh.url)
        assert "INPUT_GITHUB-TOKEN" in env and "INPUT_FAIL-ON" in env
        proc = run(str(ROOT / "scripts" / "action-entrypoint.py"), *args, cwd=repo, env=env)
        assert proc.returncode in (0, 1), proc.stdout + proc.stderr
        assert "PR comment created" in proc.stdout, proc.stdout + proc.stderr
        assert len(gh.state.comments_on(2)) == 1
        check_requests(gh.state.requests)
    outputs = dict(line.split("=", 1) for line in (tmp_path / "output.txt").read_text().splitlines())
    assert outputs["report-path"] == "enumguard-report.json"
    assert json.loads((repo / "enumguard.sarif").read_text())["version"] == "2.1.0"
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("### ")
    # Whatever the rules find, the outputs, the summary and the exit code tell the same story.
    new = int(outputs["new-findings"])
    rows = [line for line in summary.split("#### Checklist")[0].splitlines() if line.startswith(("- 🔴", "- 🟡", "- 🔵"))]
    assert len(rows) == new
    assert proc.returncode == (1 if any(line.startswith("- 🔴") for line in rows) else 0)
    assert not (tmp_path / "home" / ".gitconfig").exists()  # trusted through the environment only


def test_without_the_entry_point_git_refuses_the_foreign_clone(tmp_path, foreign_clone):
    repo, event, head = foreign_clone
    with FakeGitHub() as gh:
        env, args = _action_env(tmp_path, repo, event, head, gh.url)
        proc = run(str(BIN / "enumguard"), *args, cwd=repo, env=env)
    assert proc.returncode == 2
    assert "dubious ownership" in proc.stderr
