"""No finding in any output links to a page that does not exist. The terminal points to
`enumguard --explain RULE` (offline, this version's text); the Action links rule names to the
pages of the repository it runs from, at its ref; SARIF's helpUri and the links of offline
reports exist only when enumguard's home is known (enumguard.HOME_URL), at the release tag.

Whether a link exists is decided as GitHub would serve it: `https://github.com/OWNER/NAME/blob/
REF/PATH#Ln` exists when a repository standing for OWNER/NAME (a local git repository here)
has PATH at REF with at least n lines; any other address counts as missing."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import pytest

import enumguard
from enumguard import config as config_mod
from enumguard import pipeline
from enumguard.report import RENDERERS
from enumguard.rules import ALL_RULES, DOCS_URL_PAGES, RULE_NAMES, rule_url
from tests import gitutil
from tests.github_server import FakeGitHub
from tests.hostile import actionrun

ROOT = Path(__file__).resolve().parents[1]
URL = re.compile(r"https?://[^\s)\"'<>\]`]+")
BLOB = re.compile(r"https://github\.com/([^/]+/[^/]+)/blob/([^/]+)/([^#]+?)(?:#L(\d+))?")
NOT_FINDING_LINKS = {"https://json.schemastore.org/sarif-2.1.0.json"}  # SARIF's $schema
HOME = "acme/enumguard"


def missing(texts: list[str], repos: dict[str, Path]) -> list[str]:
    """The addresses in `texts` that do not exist."""
    gone = []
    for url in {u for text in texts for u in URL.findall(text)} - NOT_FINDING_LINKS:
        m = BLOB.fullmatch(url)
        repo = repos.get(m.group(1)) if m else None
        if m is None or repo is None:
            gone.append(url)
            continue
        shown = subprocess.run(
            ["git", "show", f"{m.group(2)}:{unquote(m.group(3))}"], cwd=repo, capture_output=True, text=True
        )
        if shown.returncode != 0 or (m.group(4) and int(m.group(4)) > shown.stdout.count("\n")):
            gone.append(url)
    return sorted(gone)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """enumguard's repository as a user reaches it: the generated rule pages, tagged as the
    release workflow tags a release (vX.Y.Z and the major tag)."""
    repo = tmp_path_factory.mktemp("home") / "enumguard"
    shutil.copytree(ROOT / DOCS_URL_PAGES, repo / DOCS_URL_PAGES)
    gitutil.init(repo, {})
    for tag in (f"v{enumguard.__version__}", "v1"):
        gitutil.git(repo, "tag", tag)
    return repo


def incident_report():
    config = config_mod.load(ROOT / "examples" / "wf4-incident-before", None, RULE_NAMES)
    return pipeline.run(replace(config, cache=False))


def test_without_a_known_home_no_output_links_to_enumguard_and_the_terminal_names_the_offline_page():
    assert enumguard.HOME_URL is None  # set it when enumguard has a public repository
    report = incident_report()
    assert report.findings
    outputs = {fmt: RENDERERS[fmt](report) for fmt in RENDERERS}
    assert missing(list(outputs.values()), {}) == []
    sarif = json.loads(outputs["sarif"])["runs"][0]
    assert all("helpUri" not in r for r in sarif["tool"]["driver"]["rules"])
    text = outputs["text"].splitlines()
    commands = set()
    for f in report.findings:
        first = text.index(next(line for line in text if line.startswith(f"{f.location}: {f.rule}: ")))
        block = text[first + 1 : first + 4]
        assert f"    docs: enumguard --explain {f.rule}" in block or not f.help
        commands.add(f.rule)
    for rule in commands:  # the command it names prints that rule's page, offline
        proc = subprocess.run(
            [sys.executable, "-m", "enumguard", "--explain", rule], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 0 and proc.stdout.startswith(f"# {rule} ("), proc.stderr


def test_with_a_known_home_every_rule_link_is_a_page_of_the_installed_release(monkeypatch, home):
    monkeypatch.setattr(enumguard, "HOME_URL", f"https://github.com/{HOME}")
    for rule in ALL_RULES:
        assert rule_url(rule.name) == (
            f"https://github.com/{HOME}/blob/v{enumguard.__version__}/{DOCS_URL_PAGES}/{rule.name}.md"
        )
    report = incident_report()
    outputs = [RENDERERS[fmt](report) for fmt in RENDERERS]
    assert missing(outputs, {HOME: home}) == []
    sarif = json.loads(RENDERERS["sarif"](report))["runs"][0]
    assert {r["id"] for r in sarif["tool"]["driver"]["rules"] if "helpUri" in r} == RULE_NAMES
    comment = RENDERERS["markdown"](report)
    assert all(f"[`{f.rule}`]({rule_url(f.rule)})" in comment for f in report.findings)


BASE = {
    "app/__init__.py": "",
    "app/models.py": "import enum\n\n\nclass Color(enum.Enum):\n    red = 'red'\n    green = 'green'\n",
    "migrations/0001_color.sql": "CREATE TYPE color AS ENUM ('red', 'green');\n",
}
HEAD = {"app/paint.py": "from app.models import Color\n\n\ndef paint():\n    return Color.Red\n"}


def _pull_files(repo: Path, base: str, head: str) -> list[dict]:
    """The PR's files as GitHub's API lists them, from the real diff."""
    out = []
    for path in gitutil.git(repo, "diff", "--name-only", base, head).split():
        patch = gitutil.git(repo, "diff", base, head, "--", path)
        out.append({"filename": path, "status": "added", "patch": patch[patch.index("@@") :]})
    return out


def _action(tmp_path: Path, env: dict[str, str]) -> tuple[actionrun.Run, list[str], Path]:
    """The Action on a pull request that adds an unknown member, with the review and SARIF on:
    (the run, every text a reviewer sees, the PR's repository)."""
    repo, event = actionrun.pr_repo(tmp_path, BASE, HEAD)
    base, head = gitutil.git(repo, "rev-parse", "main").strip(), gitutil.git(repo, "rev-parse", "HEAD").strip()
    with FakeGitHub() as gh:
        gh.state.add_token(actionrun.TOKEN, actionrun.BOT, kind="installation")
        gh.state.files[actionrun.PR] = [
            {"sha": "0" * 40, "additions": 5, "deletions": 0, "changes": 5, **f} for f in _pull_files(repo, base, head)
        ]
        run = actionrun.run_action(
            tmp_path, repo, event, gh.url, "--review=true", "--sarif-file=enumguard.sarif", env=env
        )
        bodies = [c["body"] for c in gh.state.comments_on(actionrun.PR)]
        bodies += [c["body"] for c in gh.state.review_comments]
    assert run.code == 1, run.stdout + run.stderr  # the new unknown-member
    assert len(bodies) == 2 and "unknown-member" in bodies[1]  # the comment and one inline comment
    texts = [*bodies, run.summary, run.stdout, run.stderr, (repo / "enumguard.sarif").read_text()]
    return run, texts, repo


def test_the_action_links_rule_names_to_the_pages_of_its_own_repository_at_its_ref(tmp_path, home):
    # the composite action passes github.action_repository/action_ref (the runner leaves
    # GITHUB_ACTION_* empty there), and its checkout is on disk under _actions/OWNER/NAME/REF
    checkout = tmp_path / "_actions" / HOME / "v1"
    shutil.copytree(ROOT / DOCS_URL_PAGES, checkout / DOCS_URL_PAGES)
    env = {"ENUMGUARD_ACTION_REPOSITORY": HOME, "ENUMGUARD_ACTION_REF": "v1", "GITHUB_ACTION_PATH": str(checkout)}
    run, texts, repo = _action(tmp_path, env)
    page = f"https://github.com/{HOME}/blob/v1/{DOCS_URL_PAGES}/unknown-member.md"
    sarif = json.loads(texts[-1])["runs"][0]
    assert f"[`unknown-member`]({page})" in texts[0] and f"[unknown-member]({page})" in texts[1]
    assert {r["id"]: r["helpUri"] for r in sarif["tool"]["driver"]["rules"]}["unknown-member"] == page
    assert missing(texts, {HOME: home, actionrun.REPO: repo}) == []


@pytest.mark.parametrize(
    "env",
    [
        {},  # a local action (`uses: ./`): no repository to link to
        # a composite action that wraps this one reports its own repository and ref
        {"ENUMGUARD_ACTION_REPOSITORY": "someone/wrapper", "ENUMGUARD_ACTION_REF": "v3", "GITHUB_ACTION_PATH": "."},
    ],
    ids=["local-action", "wrapped"],
)
def test_the_action_links_no_rule_page_it_cannot_vouch_for(tmp_path, env, home):
    if env.get("GITHUB_ACTION_PATH") == ".":
        checkout = tmp_path / "_actions" / HOME / "v1"
        shutil.copytree(ROOT / DOCS_URL_PAGES, checkout / DOCS_URL_PAGES)
        env = {**env, "GITHUB_ACTION_PATH": str(checkout)}
    run, texts, repo = _action(tmp_path, env)
    assert "blob/v" not in "".join(texts)  # no rule page
    assert missing(texts, {HOME: home, actionrun.REPO: repo}) == []  # the location links exist
    assert re.search(rf"https://github\.com/{actionrun.REPO}/blob/[0-9a-f]{{40}}/app/paint\.py#L5", texts[0])
