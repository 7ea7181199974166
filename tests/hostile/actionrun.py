"""Run the Action's entry point as GitHub runs it (a process with GitHub's environment, the
fake GitHub server, a real pull-request payload) and read back what the runner would: workflow
commands in the log, GITHUB_OUTPUT, the job summary and the PR comment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests import gitutil

ROOT = Path(__file__).resolve().parents[2]
WEBHOOKS = ROOT / "tests" / "data" / "github" / "webhooks"
REPO = "Codertocat/Hello-World"
PR = 2
TOKEN = "ghs_hostile_token_0123456789abcdef"
BOT = "github-actions[bot]"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    summary: str
    outputs: str


def pr_repo(tmp: Path, base_files: dict[str, str], head_files: dict[str, str]) -> tuple[Path, Path]:
    """A git repository whose `feature` branch (checked out) adds head_files; and the event file."""
    repo = gitutil.init(tmp / "workspace", base_files)
    base = gitutil.git(repo, "rev-parse", "HEAD").strip()
    head = gitutil.branch(repo, "feature", head_files)
    return repo, event_file(tmp, base, head)


def event_file(tmp: Path, base: str, head: str) -> Path:
    payload = json.loads((WEBHOOKS / "pull_request.synchronize.json").read_text())
    payload["pull_request"]["base"]["sha"], payload["pull_request"]["head"]["sha"] = base, head
    event = tmp / "event.json"
    event.write_text(json.dumps(payload))
    return event


def run_action(
    tmp: Path,
    repo: Path,
    event: Path,
    api_url: str,
    *args: str,
    env: dict[str, str] | None = None,
    token: str = TOKEN,
    event_name: str = "pull_request",
) -> Run:
    summary, outputs = tmp / "summary.md", tmp / "output.txt"
    for f in (summary, outputs):
        f.write_text("")
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp / "home"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": api_url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_SHA": gitutil.git(repo, "rev-parse", "HEAD").strip(),
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "INPUT_GITHUB-TOKEN": token,
        "ENUMGUARD_GITHUB_WRITE_SPACING": "0",
        "ENUMGUARD_GITHUB_BACKOFF": "0.01",
        "ENUMGUARD_GITHUB_MAX_WAIT": "1",
        "XDG_CACHE_HOME": str(tmp / "cache"),
        **(env or {}),
    }
    (tmp / "home").mkdir(exist_ok=True)
    argv = [
        "pr",
        ".",
        "--config=",
        "--fail-on=error",
        "--mode=auto",
        "--comment=true",
        "--review=false",
        "--sarif-file=",
        "--format=json",
        "--output=enumguard-report.json",
        *args,
    ]
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "action-entrypoint.py"), *argv],
        cwd=repo,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, summary.read_text(), outputs.read_text())


def workflow_commands(log: str) -> list[tuple[str, str]]:
    """(command, rest) for every line the runner would execute as a workflow command: `::cmd ...::`
    and the legacy `##[cmd]`, honouring ::stop-commands::TOKEN ... ::TOKEN:: as the runner does."""
    found: list[tuple[str, str]] = []
    stopped: str | None = None
    for raw in log.splitlines():
        line = raw.strip()  # the runner trims before it looks for a command
        if stopped is not None:
            if line == f"::{stopped}::":
                stopped = None
            continue
        if line.startswith("::"):
            body = line[2:]
            end = min((i for i in (body.find(" "), body.find("::")) if i >= 0), default=len(body))
            name = body[:end]
            found.append((name, body[end:]))
            if name == "stop-commands":
                stopped = body[end + 2 :]
        elif line.startswith("##["):
            found.append((line[3:].split("]", 1)[0], line))
    return found


def output_values(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: `name=value` lines and `name<<DELIM` heredocs."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            body = []
            while lines[i] != delim:
                body.append(lines[i])
                i += 1
            i += 1
            values[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values
