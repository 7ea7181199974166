"""The Action's files: action.yml (composite), docker/action.yml and the workflows valid against
SchemaStore's schemas (check-jsonschema, offline), zizmor clean, hadolint clean, the Docker image
where an engine runs, the pre-commit hook; the composite's scripts run as GitHub runs them (env
from inputs, one GITHUB_OUTPUT per step); and the Docker entry point run as GitHub runs it:
docker/action.yml's args with INPUT_* variables, as root, in a clone owned by another uid."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from enumguard import __version__, cli
from tests import gitutil
from tests.github_server import FakeGitHub
from tests.openapi_check import check_requests
from tests.sample_repo import MIGRATION, MODELS

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTION_FILES = [ROOT / "action.yml", ROOT / "docker" / "action.yml"]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
DOCKER_ACTION = yaml.safe_load((ROOT / "docker" / "action.yml").read_text())


def tool(name: str) -> str:
    path = BIN / name
    assert path.exists() or shutil.which(name), (
        f"{name} is missing: install the `test` extra (pip install -e '.[test]')"
    )
    return str(path) if path.exists() else shutil.which(name)


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)


@pytest.mark.parametrize("action", ACTION_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_action_yml_matches_schemastore_schema(action):
    proc = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(action))
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_schemastore_schema(workflow):
    proc = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_offline_finds_nothing():
    proc = run(
        tool("zizmor"), "--offline", "--no-progress", str(ROOT / ".github" / "workflows"), *map(str, ACTION_FILES)
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout + proc.stderr


def test_hadolint_finds_nothing():
    proc = run(tool("hadolint"), str(ROOT / "Dockerfile"))
    assert proc.returncode == 0 and proc.stdout.strip() == "", proc.stdout + proc.stderr


def test_both_forms_have_the_documented_inputs_and_outputs():
    assert set(ACTION["inputs"]) >= {
        "github-token",
        "path",
        "config",
        "fail-on",
        "mode",
        "comment",
        "review",
        "sarif-file",
        "database-url",
    }
    assert set(ACTION["outputs"]) == {"findings", "new-findings", "report-path"}
    assert ACTION["branding"]["icon"] and ACTION["branding"]["color"]
    assert DOCKER_ACTION["inputs"] == ACTION["inputs"]
    assert set(DOCKER_ACTION["outputs"]) == set(ACTION["outputs"])


def test_docker_form_builds_the_repository_dockerfile_and_passes_the_url_by_environment():
    assert DOCKER_ACTION["runs"]["using"] == "docker" and DOCKER_ACTION["runs"]["image"] == "../Dockerfile"
    assert (ROOT / "docker" / DOCKER_ACTION["runs"]["image"]).resolve() == ROOT / "Dockerfile"
    args = " ".join(DOCKER_ACTION["runs"]["args"])
    for name in DOCKER_ACTION["inputs"]:
        if name in ("github-token", "database-url", "comment-author"):  # INPUT_GITHUB-TOKEN; the others via env
            assert f"inputs.{name}" not in args
        else:
            assert f"${{{{ inputs.{name} }}}}" in args
    assert DOCKER_ACTION["runs"]["env"]["ENUMGUARD_DATABASE_URL"] == "${{ inputs.database-url }}"
    assert DOCKER_ACTION["runs"]["env"]["ENUMGUARD_COMMENT_AUTHOR"] == "${{ inputs.comment-author }}"


def test_composite_pins_actions_by_sha_and_keeps_inputs_out_of_scripts():
    steps = ACTION["runs"]["steps"]
    assert ACTION["runs"]["using"] == "composite"
    text = (ROOT / "action.yml").read_text()
    for step in steps:
        if "uses" in step:
            assert re.fullmatch(r"actions/(setup-python|cache/restore|cache/save)@[0-9a-f]{40}", step["uses"]), step[
                "uses"
            ]
            assert re.search(re.escape(step["uses"]) + r" # v\d+\.\d+\.\d+", text)  # the version it pins
        else:
            assert "${{" not in step["run"], step["name"]  # no expression spliced into a script
            assert step["shell"] == "bash"
    [main] = [s for s in steps if s.get("id") == "enumguard"]
    env = main["env"]
    for name in ACTION["inputs"]:
        assert f"${{{{ inputs.{name} }}}}" in env.values(), name
    assert env["ENUMGUARD_DATABASE_URL"] == "${{ inputs.database-url }}"
    assert env["INPUT_GITHUB_TOKEN"] == "${{ inputs.github-token }}"
    assert env["ENUMGUARD_COMMENT_AUTHOR"] == "${{ inputs.comment-author }}"
    assert "TOKEN" not in main["run"] and "DATABASE" not in main["run"]
    for name, output in ACTION["outputs"].items():
        assert output["value"] == f"${{{{ steps.enumguard.outputs.{name} }}}}"


def test_composite_restores_the_fact_cache_enumguard_uses_keyed_by_version_and_sources():
    steps = ACTION["runs"]["steps"]
    restores = [s for s in steps if s.get("uses", "").startswith("actions/cache/restore@")]
    saves = [s for s in steps if s.get("uses", "").startswith("actions/cache/save@")]
    assert not [s for s in steps if s.get("uses", "").startswith("actions/cache@")]  # its post step needs success()
    facts = next(s for s in restores if "enumguard-facts" in s["with"]["path"])
    [main] = [s for s in steps if s.get("id") == "enumguard"]
    assert main["env"]["ENUMGUARD_CACHE_DIR"] == facts["with"]["path"]
    key = facts["with"]["key"]
    assert "steps.keys.outputs.version" in key and "hashFiles(" in key and "**/*.py" in key and "**/*.sql" in key
    prefix = key.split("${{ hashFiles(")[0]
    assert facts["with"]["restore-keys"].strip() == prefix  # a partial hit restores the newest facts
    assert steps.index(facts) < steps.index(main)
    pip = next(s for s in restores if "enumguard-pip" in s["with"]["path"])
    [install] = [s for s in steps if s.get("name") == "Install enumguard"]
    assert install["env"]["PIP_CACHE_DIR"] == pip["with"]["path"]
    # each restored cache is saved at the end, whatever the verdict, under the key it was looked up by
    for restore in (facts, pip):
        [save] = [s for s in saves if s["with"]["path"] == restore["with"]["path"]]
        assert steps.index(save) > steps.index(main)
        assert (
            save["if"].startswith("always() && ") and f"steps.{restore['id']}.outputs.cache-hit != 'true'" in save["if"]
        )
        assert save["with"]["key"] == f"${{{{ steps.{restore['id']}.outputs.cache-primary-key }}}}"
    assert '--constraint "$GITHUB_ACTION_PATH/constraints/action.txt"' in install["run"]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["update-environment"] is False  # the job's own Python is left alone


def test_constraints_pin_every_dependency_the_install_resolves():
    pins = dict(
        line.split("==")
        for line in (ROOT / "constraints" / "action.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    names = {n.lower().replace("_", "-") for n in pins}
    assert {"libcst", "sqlglot", "jinja2", "pygithub", "psycopg", "psycopg-binary"} <= names
    assert all(re.fullmatch(r"\d+(\.\w+)+", v) for v in pins.values())


def test_dockerfile_pins_a_slim_python_installs_git_and_sets_no_user():
    text = (ROOT / "Dockerfile").read_text()
    base = re.search(r"^FROM\s+(\S+)", text, re.M).group(1)
    assert re.fullmatch(r"python:3\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base)
    assert not re.search(r"^USER\b", text, re.M)
    assert "git=" in text and 'pip install --no-cache-dir --constraint constraints/action.txt "./[db]"' in text


def test_ci_workflow_runs_the_readme_test_command():
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    steps = [s.get("run", "") for job in ci["jobs"].values() for s in job["steps"]]
    assert "bash .ci/run" in steps


def test_the_readme_test_command_runs_ruff_and_mypy_before_the_tests():
    lines = [line.strip() for line in (ROOT / "scripts" / "test.sh").read_text().splitlines()]
    order = [
        lines.index(".venv/bin/python -m ruff check --quiet ."),
        lines.index(".venv/bin/python -m ruff format --check --quiet ."),
        lines.index(".venv/bin/python -m mypy"),
        lines.index('exec .venv/bin/python -m pytest "$@"'),
    ]
    assert order == sorted(order) and "set -euo pipefail" in lines  # a linter's warning stops the run
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert {"E4", "E7", "E9", "F", "I"} <= set(project["tool"]["ruff"]["lint"]["select"])
    assert project["tool"]["mypy"]["files"] == ["enumguard"]
    test_extra = " ".join(project["project"]["optional-dependencies"]["test"])
    assert "ruff>=" in test_extra and "mypy>=" in test_extra


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


def _pr_clone(tmp_path: Path) -> tuple[Path, Path, str]:
    """A PR clone (base + head commit) and the matching event payload."""
    repo = gitutil.init(tmp_path / "workspace", {"app/models.py": MODELS, "migrations/0001_init.sql": MIGRATION})
    base = gitutil.git(repo, "rev-parse", "HEAD").strip()
    head = gitutil.branch(
        repo,
        "feature",
        {
            "app/models.py": MODELS.replace(
                '    shipped = "shipped"\n', '    shipped = "shipped"\n    archived = "archived"\n'
            )
        },
    )
    payload = json.loads(
        (ROOT / "tests" / "data" / "github" / "webhooks" / "pull_request.synchronize.json").read_text()
    )
    payload["pull_request"]["base"]["sha"], payload["pull_request"]["head"]["sha"] = base, head
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload))
    return repo, event, head


@pytest.fixture
def foreign_clone(tmp_path):
    """A PR clone owned by `nobody`, plus the matching event payload."""
    if os.geteuid() != 0:
        pytest.skip("needs root: GitHub runs Docker actions as root over a workspace owned by another uid")
    repo, event, head = _pr_clone(tmp_path)
    subprocess.run(["chown", "-R", "nobody", str(repo)], check=True)
    return repo, event, head


# --------------------------------------------------------------------------- composite steps


def _evaluate(value: str, context: dict[str, str]) -> str:
    """`${{ a.b.c }}` as GitHub evaluates it in a step's env (only plain context lookups)."""
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: context[m.group(1)], value)


def test_composite_steps_run_enumguard_pr_with_inputs_from_the_environment(tmp_path):
    """Each `run:` step of action.yml runs in bash as a runner runs it: its env evaluated, its
    own GITHUB_OUTPUT, GITHUB_ACTION_PATH at the repository. The `uses:` steps are GitHub's
    (setup-python answers with this interpreter, the caches restore nothing), and the install
    step is replaced by this test's own environment: pip would build enumguard from PyPI."""
    repo, event, head = _pr_clone(tmp_path)
    runner_temp = tmp_path / "runner-temp"
    (runner_temp / "enumguard-venv" / "bin").mkdir(parents=True)
    (runner_temp / "enumguard-venv" / "bin" / "enumguard").symlink_to(BIN / "enumguard")
    context = {f"inputs.{name}": str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    context.update(
        {
            "inputs.github-token": "ghs_composite",
            "inputs.sarif-file": "enumguard.sarif",
            "inputs.database-url": "postgresql://auditor:s3cret@db.invalid/app",
            "runner.temp": str(runner_temp),
            "runner.os": "Linux",
            "steps.python.outputs.python-path": sys.executable,
            "github.action_repository": "",  # as for a local `uses: ./`
            "github.action_ref": "",
        }
    )
    with FakeGitHub() as gh:
        gh.state.add_token("ghs_composite", "github-actions[bot]", kind="installation")
        base_env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path / "home"),
            "GITHUB_ACTION_PATH": str(ROOT),
            "RUNNER_TEMP": str(runner_temp),
            "RUNNER_OS": "Linux",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_REPOSITORY": "Codertocat/Hello-World",
            "GITHUB_API_URL": gh.url,
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_SHA": head,
            "GITHUB_WORKSPACE": str(repo),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "ENUMGUARD_GITHUB_WRITE_SPACING": "0",
            "ENUMGUARD_GITHUB_BACKOFF": "0.01",
        }
        for step in ACTION["runs"]["steps"]:
            if "run" not in step or step["name"] == "Install enumguard":
                continue
            output = tmp_path / f"output-{step['id'] if 'id' in step else 'x'}.txt"
            output.touch()
            env = {**base_env, "GITHUB_OUTPUT": str(output)}
            env.update({k: _evaluate(str(v), context) for k, v in step.get("env", {}).items()})
            proc = run("bash", "-e", "-c", step["run"], cwd=repo, env=env)
            assert proc.returncode in (0, 1), step["name"] + proc.stdout + proc.stderr
            for line in output.read_text().splitlines():
                name, _, value = line.partition("=")
                context[f"steps.{step.get('id')}.outputs.{name}"] = value
        assert len(gh.state.comments_on(2)) == 1
        check_requests(gh.state.requests)
    assert context["steps.keys.outputs.version"] == __version__
    assert context["steps.keys.outputs.pip"].startswith("enumguard-pip-Linux-3.")
    outputs = {name: _evaluate(spec["value"], context) for name, spec in ACTION["outputs"].items()}
    assert outputs["report-path"] == "enumguard-report.json" and outputs["new-findings"].isdigit()
    assert json.loads((repo / "enumguard-report.json").read_text())["version"] == 1
    assert json.loads((repo / "enumguard.sarif").read_text())["version"] == "2.1.0"
    # the fact cache went where the cache step saves it from
    assert sorted(p.name for p in (runner_temp / "enumguard-facts").iterdir()) == [
        "migration-facts.json",
        "python-facts.json",
    ]
    summary = (tmp_path / "summary.md").read_text()
    assert "database-url" in summary and "s3cret" not in proc.stdout + proc.stderr + summary  # via env, masked
    assert "ghs_composite" not in proc.stdout + proc.stderr


def _action_env(tmp_path: Path, repo: Path, event: Path, head: str, api_url: str) -> dict[str, str]:
    inputs = {name: str(spec.get("default", "")) for name, spec in DOCKER_ACTION["inputs"].items()}
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
    return env, [_expand(a, inputs) for a in DOCKER_ACTION["runs"]["args"]]


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
    rows = [
        line for line in summary.split("#### Checklist")[0].splitlines() if line.startswith(("- 🔴", "- 🟡", "- 🔵"))
    ]
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
