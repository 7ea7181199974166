"""Repository text that tries to speak to GitHub: workflow commands in file names and enum
labels, a forged GITHUB_OUTPUT delimiter, Markdown/HTML/mentions in the PR comment. Run through
the Action's entry point as GitHub runs it, against the fake GitHub server."""

from __future__ import annotations

import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from enumguard.report import markdown
from tests.github_server import FakeGitHub
from tests.hostile.actionrun import BOT, PR, TOKEN, output_values, pr_repo, run_action, workflow_commands
from tests.openapi_check import check_requests

EVIL = "x\n::error::pwned%0A::add-mask::hunter2\n::stop-commands::zz\n::set-output name=findings::99\nghadelimiter_1\n## Fake section\n"
LABEL = EVIL + "| `tick` <details><summary>s</summary> --> <!-- @acme/team #123 ``` ~~x~~"
# Git allows any byte but `/` and NUL in a file name; this one is Python that does not parse.
EVIL_FILE = "app/x\n::error file=a.py::pwned %0A ##[error]legacy @acme #7 -->.py"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """One pull request full of hostile text, run once through the entry point: (run, gh, rerun)."""
    tmp = tmp_path_factory.mktemp("hostile")
    with FakeGitHub() as gh:
        gh.state.add_token(TOKEN, BOT, kind="installation")
        repo, event = pr_repo(tmp, {"README.md": "base\n"}, HEAD_FILES)
        yield run_action(tmp, repo, event, gh.url), gh, lambda: run_action(tmp, repo, event, gh.url)
        check_requests(gh.state.requests)


def _sql_string(value: str) -> str:
    return "E'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


HEAD_FILES = {
    "app/__init__.py": "",
    "app/models.py": "import enum\n\n\nclass Color(enum.Enum):\n    red = 'red'\n",
    EVIL_FILE: "def broken(:\n",
    # the column is the evidence that links Color to the type by name
    "migrations/0001_color.sql": f"CREATE TYPE color AS ENUM ('red', {_sql_string(LABEL)});\n"
    "CREATE TABLE paints (id int, color color);\n",
}


def test_repository_text_creates_no_workflow_command_output_or_summary_section(hostile):
    run, gh, _ = hostile
    assert run.code == 0, run.stdout + run.stderr  # a warning and notices; no new error
    assert "pwned" in run.stdout  # the text did reach the log...
    commands = workflow_commands(run.stdout + "\n" + run.stderr)
    # ...but every command the runner executes is one of ours: stop/resume, or an annotation titled enumguard
    names = {name for name, _ in commands}
    assert names <= {"stop-commands", "error", "warning", "notice"} | {
        c for c, _ in commands if c.startswith("enumguard-")
    }
    for name, rest in commands:
        if name in ("error", "warning", "notice"):
            assert "title=enumguard" in rest, rest
    assert not [c for c in commands if c[0] in ("add-mask", "set-output") or c[0].startswith("##")]
    files = [re.search(r"file=([^,]*),", rest).group(1) for name, rest in commands if "file=" in rest]
    assert "app/x%0A%3A%3Aerror file=a.py%3A%3Apwned %250A ##[error]legacy @acme #7 -->.py" in files
    assert output_values(run.outputs) == {"findings": "2", "new-findings": "2", "report-path": "enumguard-report.json"}
    # the Actions token is not sent to GET /user (a 403 that PyGithub would log on every run)
    log = re.sub(r"::(stop-commands::)?enumguard-[0-9a-f]{32}(::?)?", "", run.stdout + run.stderr)  # random tokens
    assert not any(r.path == "/user" for r in gh.state.requests) and "403" not in log
    headings = [line for line in run.summary.splitlines() if line.startswith("#")]
    assert headings == [
        "### ⚠️ enumguard: 2 new enum problems in this pull request.",
        "#### Database enum changes in this pull request",
        "#### Checklist",
    ]


def test_pr_comment_keeps_markdown_html_and_mentions_inert_and_the_marker_findable(hostile):
    _, gh, rerun = hostile
    [comment] = gh.state.comments_on(PR)
    body = comment["body"]
    assert body.startswith(markdown.MARKER + "\n")
    html = cmarkgfm.github_flavored_markdown_to_html(body, options=Options.CMARK_OPT_UNSAFE)  # raw HTML kept
    assert html.count("<!--") == 1 and html.count("-->") == 1  # the marker, nothing else opened or closed
    assert "<details>" not in html and "<summary>" not in html  # no notices in this run, so none of ours
    assert "<h2" not in html and "<del>" not in html and "<pre" not in html
    # the findings list keeps one item per finding: no label opened a list, table or element of its own
    findings = re.findall(r"<ul>(.*?)</ul>", html, re.S)[0]
    items = re.findall(r"<li>(.*?)</li>", findings, re.S)
    assert [("syntax-error" in item, "missing-in-code" in item) for item in items] == [(True, False), (False, True)]
    assert "<table" not in html and "<ol" not in html
    prose = re.sub(r"<code>.*?</code>", "", html, flags=re.S)  # GitHub links no mentions in code
    assert "pwned" in prose and not re.search(r"@acme|#(?:123|7)\b", prose)
    # the next run finds the comment by its marker and edits it: still exactly one
    rerun()
    assert len(gh.state.comments_on(PR)) == 1
    assert [r.method for r in gh.state.requests if r.method == "POST"] == ["POST"]
