"""`enumguard pr` end to end: cli.main with GitHub's environment, PyGithub pointed at a fake
GitHub on 127.0.0.1, real webhook payloads; every request checked against GitHub's OpenAPI."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from enumguard import cli, pipeline, review
from enumguard.report import markdown, mdescape
from tests import reports
from tests.github_server import FakeGitHub, Fault
from tests.openapi_check import check_requests

WEBHOOKS = Path(__file__).parent / "data" / "github" / "webhooks"
REPO = "Codertocat/Hello-World"
PR = 2  # the number in the example payloads
TOKEN = "ghs_test_token_do_not_print_0123456789"
BOT = "github-actions[bot]"


@pytest.fixture
def gh():
    with FakeGitHub() as server:
        server.state.add_token(TOKEN, BOT, kind="installation")
        yield server
        check_requests(server.state.requests)


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    """run(gh, report, event=..., args=[...], env={...}) -> (exit code, stdout, tmp files)."""
    repo = tmp_path / "repo"
    repo.mkdir()

    def _run(gh, report, event="pull_request.synchronize", args=(), env=None, token=TOKEN, root=repo, event_path=None):
        """report=None runs the real analysis (git + pipeline) on `root`."""
        event_name = event.split(".")[0]
        summary, outputs = tmp_path / "summary.md", tmp_path / "output.txt"
        values = {
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path or WEBHOOKS / f"{event}.json"),
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_API_URL": gh.url,
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_SHA": reports.HEAD,
            "GITHUB_WORKSPACE": str(tmp_path),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_OUTPUT": str(outputs),
            "INPUT_GITHUB-TOKEN": token,
            "ENUMGUARD_GITHUB_WRITE_SPACING": "0",
            "ENUMGUARD_GITHUB_BACKOFF": "0.01",
            "ENUMGUARD_GITHUB_MAX_WAIT": "1",
            **(env or {}),
        }
        for k in ("GITHUB_TOKEN", "ENUMGUARD_COMMENT_AUTHOR"):
            monkeypatch.delenv(k, raising=False)
        for k, v in values.items():
            monkeypatch.setenv(k, v)
        calls = []
        if report is not None:
            monkeypatch.setattr(review, "diff", lambda config, base, head=None: calls.append(("diff", base)) or report)
            monkeypatch.setattr(pipeline, "run", lambda config, extend_model=None: calls.append(("audit",)) or report)
        code = cli.main(["pr", str(root), "--no-cache", *args])
        captured = capsys.readouterr()
        return (
            code,
            captured.out,
            {"summary": summary, "outputs": outputs, "calls": calls, "tmp": tmp_path, "err": captured.err},
        )

    return _run


def ours(gh, number=PR):
    return [c for c in gh.state.comments_on(number) if c["body"].startswith(markdown.MARKER)]


def test_pull_request_posts_one_sticky_comment_and_fails_on_new_errors(gh, run):
    code, out, files = run(gh, reports.incident_pr())
    assert code == 1
    assert files["calls"] == [("diff", "f95f852bd8fca8fcc58a9a2d6c842781e32a215e")]  # the payload's base.sha
    [comment] = gh.state.comments_on(PR)
    assert comment["body"] == markdown.render(
        reports.incident_pr(), markdown.LinkContext("https://github.com", REPO, reports.HEAD)
    )
    assert comment["user"]["login"] == BOT


def test_rerunning_five_times_leaves_exactly_one_comment(gh, run):
    for _ in range(5):
        run(gh, reports.incident_pr())
    assert len(gh.state.comments_on(PR)) == 1
    assert sum(1 for r in gh.state.requests if r.method == "POST") == 1


def test_comment_is_edited_to_say_clean_when_the_pr_becomes_clean(gh, run):
    run(gh, reports.incident_pr())
    code, _, _ = run(gh, reports.clean_pr())
    assert code == 0
    [comment] = gh.state.comments_on(PR)
    assert "No new enum problems in this pull request." in comment["body"]
    assert [r.method for r in gh.state.requests if r.method != "GET"] == ["POST", "PATCH"]


def test_another_accounts_marker_comment_is_left_alone(gh, run):
    other = gh.state.seed_comment(PR, markdown.MARKER + "\nforged by someone else", "mallory", repo=REPO)
    run(gh, reports.incident_pr())
    assert other["body"] == markdown.MARKER + "\nforged by someone else"
    assert len(ours(gh)) == 2
    assert not any(r.method == "PATCH" for r in gh.state.requests)


def test_sticky_comment_on_page_three_is_found_and_edited(gh, run):
    gh.state.max_per_page = 2
    for i in range(4):
        gh.state.seed_comment(PR, f"chatter {i}", "octocat", repo=REPO)
    mine = gh.state.seed_comment(PR, markdown.MARKER + "\nold report", BOT, kind="installation", repo=REPO)
    run(gh, reports.incident_pr())
    pages = [
        r.query.get("page", ["1"])[0]
        for r in gh.state.requests
        if r.path.endswith(f"/issues/{PR}/comments") and r.method == "GET"
    ]
    assert pages == ["1", "2", "3"]
    assert len(gh.state.comments_on(PR)) == 5
    assert "2 new enum problems" in mine["body"]


def test_personal_token_author_comes_from_get_user(gh, run):
    gh.state.add_token("ghp_personal", "alice")
    gh.state.seed_comment(PR, markdown.MARKER + "\nbot comment", BOT, kind="installation", repo=REPO)
    run(gh, reports.incident_pr(), token="ghp_personal")
    alice = [c for c in ours(gh) if c["user"]["login"] == "alice"]
    assert len(alice) == 1 and len(ours(gh)) == 2  # the bot's comment is not alice's to edit


def test_configured_author_is_used_without_asking_user(gh, run):
    gh.state.add_token("ghs_app", "my-app[bot]", kind="installation")
    run(gh, reports.incident_pr(), token="ghs_app", env={"ENUMGUARD_COMMENT_AUTHOR": "my-app[bot]"})
    run(gh, reports.incident_pr(), token="ghs_app", env={"ENUMGUARD_COMMENT_AUTHOR": "my-app[bot]"})
    assert not any(r.path == "/user" for r in gh.state.requests)
    assert len(ours(gh)) == 1


def test_read_only_token_still_writes_summary_and_annotations_and_warns(gh, run):
    gh.state.add_token("ghs_fork", BOT, kind="installation", write=False)
    code, out, files = run(gh, reports.incident_pr(), token="ghs_fork")
    assert code == 1  # decided by the findings, not by the failed post
    assert gh.state.comments_on(PR) == []
    warnings = [
        line for line in out.splitlines() if line.startswith("::warning") and "could not post the PR comment" in line
    ]
    assert len(warnings) == 1 and "HTTP 403" in warnings[0] and "fork" in warnings[0]
    assert "::error file=app/services/scheduler.py,line=10,col=35" in out
    assert "2 new enum problems" in files["summary"].read_text()


def test_server_error_on_create_then_success_makes_no_duplicate(gh, run):
    # GitHub stores the comment but answers 502: the publisher must list again, not re-POST.
    gh.state.faults.append(Fault("POST", r"/issues/\d+/comments$", 502, store=True))
    code, out, _ = run(gh, reports.incident_pr())
    assert len(gh.state.comments_on(PR)) == 1
    assert sum(1 for r in gh.state.requests if r.method == "POST") == 1
    assert "::warning" not in out


def test_server_error_before_storing_is_retried_with_a_second_create(gh, run):
    gh.state.faults.append(Fault("POST", r"/issues/\d+/comments$", 503))
    run(gh, reports.incident_pr())
    assert len(gh.state.comments_on(PR)) == 1
    assert sum(1 for r in gh.state.requests if r.method == "POST") == 2


def test_get_5xx_is_retried_by_pygithub(gh, run):
    gh.state.faults.append(Fault("GET", r"/issues/\d+/comments$", 500, times=2))
    code, out, _ = run(gh, reports.incident_pr())
    assert len(gh.state.comments_on(PR)) == 1 and "::warning" not in out


def test_rate_limit_429_with_retry_after_is_waited_out(gh, run):
    gh.state.faults.append(
        Fault("GET", r"/issues/\d+/comments$", 429, headers={"Retry-After": "0"}, message="rate limited")
    )
    run(gh, reports.incident_pr())
    assert len(gh.state.comments_on(PR)) == 1


def test_primary_rate_limit_403_is_retried_then_succeeds(gh, run):
    import time

    gh.state.faults.append(
        Fault(
            "GET",
            r"/issues/\d+/comments$",
            403,
            message="API rate limit exceeded for installation ID 1.",
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()))},
        )
    )
    code, out, _ = run(gh, reports.incident_pr())
    assert len(gh.state.comments_on(PR)) == 1 and "::warning" not in out


def test_persistent_server_errors_are_bounded_and_end_in_a_warning(gh, run):
    gh.state.faults.append(Fault("GET", r"/issues/\d+/comments$", 502, times=100))
    code, out, _ = run(gh, reports.incident_pr())
    assert code == 1
    gets = [r for r in gh.state.requests if r.path.endswith("/comments")]
    assert 1 < len(gets) <= 6
    assert "could not post the PR comment: HTTP 502" in out


def test_token_is_never_printed(gh, run, tmp_path):
    gh.state.faults.append(Fault("POST", r"/comments$", 400, message=f"bad {TOKEN}"))
    _, out, files = run(gh, reports.incident_pr())
    everything = out + files["summary"].read_text() + files["outputs"].read_text()
    assert TOKEN not in everything and "***" in out


def test_workflow_dispatch_runs_audit_writes_summary_and_sarif_and_no_comment(gh, run, tmp_path):
    sarif = tmp_path / "enumguard.sarif"
    code, out, files = run(gh, reports.audit_report(2), event="workflow_dispatch", args=["--sarif-file", str(sarif)])
    assert files["calls"] == [("audit",)]
    assert gh.state.requests == []
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert "2 enum problems in this repository." in files["summary"].read_text()
    assert code == 1


def test_outputs_name_findings_new_findings_and_report_path(gh, run, tmp_path):
    report_file = tmp_path / "enumguard-report.json"
    run(gh, reports.incident_pr(), args=["--format", "json", "--output", str(report_file)])
    lines = dict(line.split("=", 1) for line in (tmp_path / "output.txt").read_text().splitlines())
    assert lines == {"findings": "3", "new-findings": "2", "report-path": "enumguard-report.json"}
    assert json.loads(report_file.read_text())["findings"]


def test_fail_on_never_exits_zero_and_preexisting_findings_do_not_fail(gh, run):
    assert run(gh, reports.incident_pr(), args=["--fail-on", "never"])[0] == 0
    only_pre = replace(reports.incident_pr(), findings=reports.incident_pr().preexisting)
    assert run(gh, only_pre, args=["--fail-on", "warning"])[0] == 0


def test_comment_false_posts_nothing(gh, run):
    run(gh, reports.incident_pr(), args=["--comment", "false"])
    assert gh.state.requests == []


def test_opened_payload_is_handled_like_synchronize(gh, run):
    run(gh, reports.clean_pr(), event="pull_request.opened")
    assert len(ours(gh)) == 1


def test_mode_diff_outside_a_pull_request_is_a_usage_error(gh, run, capsys):
    code, out, files = run(gh, reports.clean_pr(), event="workflow_dispatch", args=["--mode", "diff"])
    assert code == 2
    assert out.startswith("::error title=enumguard could not run::--mode diff needs a pull_request event")
    assert "enumguard could not run" in files["summary"].read_text()


# --------------------------------------------------------------------------- inline review


def _scheduler(tmp_path: Path) -> None:
    src = Path(__file__).parent.parent / "examples" / "wf4-incident"
    shutil.copytree(src, tmp_path / "repo", dirs_exist_ok=True)


def _pr_files(gh):
    patch = "@@ -7,9 +7,9 @@ def needs_processing(job: SitemapAnalysisJob) -> bool:\n" + "".join(
        f"+{i}\n" if i in (10, 12) else f" {i}\n" for i in range(7, 16)
    )
    gh.state.files[PR] = [
        {
            "sha": "bbcd538c8e72b8c175046e27cc8f907076331401",
            "filename": "app/services/scheduler.py",
            "status": "modified",
            "additions": 2,
            "deletions": 2,
            "changes": 4,
            "blob_url": "https://github.com/x",
            "raw_url": "https://github.com/x",
            "contents_url": f"{gh.url}/repos/{REPO}/contents/app/services/scheduler.py",
            "patch": patch,
        }
    ]


def test_review_posts_suggestions_on_added_lines_once(gh, run, tmp_path):
    _scheduler(tmp_path)
    _pr_files(gh)
    run(gh, reports.incident_pr(), args=["--review", "true"])
    run(gh, reports.incident_pr(), args=["--review", "true"])
    assert len(gh.state.reviews) == 1
    bodies = {c["line"]: c["body"] for c in gh.state.review_comments}
    assert sorted(bodies) == [10, 12]
    assert "```suggestion\n        SitemapAnalysisStatusEnum.submitted,\n```" in bodies[10]
    assert gh.state.reviews[0]["commit_id"] == reports.HEAD


def test_review_is_skipped_when_checkout_is_not_the_pr_head(gh, run, tmp_path):
    _scheduler(tmp_path)
    _pr_files(gh)
    _, out, _ = run(gh, replace(reports.incident_pr(), head="0" * 40), args=["--review", "true"])
    assert gh.state.reviews == [] and "inline review skipped" in out


def test_rate_limited_create_is_retried_after_listing_again(gh, run):
    gh.state.faults.append(
        Fault("POST", r"/issues/\d+/comments$", 429, headers={"Retry-After": "0"}, message="rate limited")
    )
    _, out, _ = run(gh, reports.incident_pr())
    assert len(gh.state.comments_on(PR)) == 1 and "::warning" not in out
    methods = [r.method for r in gh.state.requests if r.path.endswith("/comments")]
    assert methods == ["GET", "POST", "GET", "POST"]


def test_edit_is_retried_on_5xx(gh, run):
    run(gh, reports.incident_pr())
    gh.state.faults.append(Fault("PATCH", r"/issues/comments/\d+$", 502))
    _, out, _ = run(gh, reports.clean_pr())
    [comment] = gh.state.comments_on(PR)
    assert "No new enum problems" in comment["body"] and "::warning" not in out


def test_secondary_rate_limit_wait_is_capped(gh, run):
    import time

    gh.state.faults.append(
        Fault(
            "GET",
            r"/issues/\d+/comments$",
            403,
            headers={"Retry-After": "600"},
            message="You have exceeded a secondary rate limit.",
        )
    )
    start = time.monotonic()
    _, out, _ = run(gh, reports.incident_pr())  # ENUMGUARD_GITHUB_MAX_WAIT=1
    assert time.monotonic() - start < 10
    assert len(gh.state.comments_on(PR)) == 1


def test_cli_markdown_format_renders_the_comment_without_links(tmp_path, capsys):
    (tmp_path / "m.py").write_text("import enum\n\n\nclass E(enum.Enum):\n    A = 1\n")
    assert cli.main(["audit", str(tmp_path), "--format", "markdown", "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(markdown.MARKER + "\n### ✅ enumguard: No enum problems in this repository.")


def test_real_diff_of_a_migration_only_pr_is_phrased_in_the_comment(gh, run, tmp_path):
    from tests import gitutil

    repo = gitutil.init(
        tmp_path / "clone",
        {
            "migrations/0001_init.sql": (
                "CREATE TYPE order_status AS ENUM ('pending', 'shipped');\n"
                "CREATE TABLE orders (id serial PRIMARY KEY, status order_status);\n"
            )
        },
    )
    base = gitutil.git(repo, "rev-parse", "HEAD").strip()
    head = gitutil.branch(
        repo,
        "feature",
        {
            "migrations/0002_more.sql": (
                "ALTER TYPE order_status ADD VALUE 'archived' AFTER 'shipped';\n"
                "ALTER TYPE order_status RENAME VALUE 'pending' TO 'waiting';\n"
            )
        },
    )
    payload = json.loads((WEBHOOKS / "pull_request.synchronize.json").read_text())
    payload["pull_request"]["base"]["sha"], payload["pull_request"]["head"]["sha"] = base, head
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload))
    code, out, _ = run(gh, None, root=repo, event_path=event)
    assert code == 0
    [comment] = gh.state.comments_on(PR)
    body = comment["body"]
    assert "- `order_status`: \\+ `archived` (after `shipped`), renamed `pending` \\-&gt; `waiting`" in body
    assert "The migration is deployed before code that writes the new label (`archived` in `order_status`)" in body
    assert "No running code writes the old label (`pending` of `order_status`)" in body
    assert f"compared `{base[:12]}`..`{head[:12]}`" in body


def test_real_incident_pr_reports_the_two_unknown_members_as_new(gh, run, tmp_path):
    """The incident: a PR renames the enum's members to the DB's labels but leaves
    `Completed` and `Error` in the scheduler (examples/wf4-incident-before -> wf4-incident)."""
    from tests import gitutil

    examples = Path(__file__).parent.parent / "examples"
    repo = tmp_path / "clone"
    shutil.copytree(examples / "wf4-incident-before", repo)
    gitutil.init(repo, {})
    base = gitutil.git(repo, "rev-parse", "HEAD").strip()
    gitutil.git(repo, "checkout", "-q", "-b", "rename")
    shutil.rmtree(repo / "app")
    shutil.copytree(examples / "wf4-incident", repo, dirs_exist_ok=True)
    head = gitutil.commit(repo, "rename members")
    payload = json.loads((WEBHOOKS / "pull_request.synchronize.json").read_text())
    payload["pull_request"]["base"]["sha"], payload["pull_request"]["head"]["sha"] = base, head
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload))
    code, out, files = run(gh, None, root=repo, event_path=event)
    assert code == 1
    [comment] = gh.state.comments_on(PR)
    lines = comment["body"].splitlines()
    # A finding: icon, rule and location on its first line, the message on the next.
    rows = [line + "\n" + lines[i + 1] for i, line in enumerate(lines) if line.startswith("- 🔴")]
    assert len(rows) == 2 and all("`unknown-member`" in r for r in rows)
    assert f"/blob/{head}/app/services/scheduler.py#L10)" in rows[0]
    assert "`SitemapAnalysisStatusEnum.Completed` is not a member of `SitemapAnalysisStatusEnum`" in rows[0]
    assert "::error file=app/services/scheduler.py,line=10,col=35,title=enumguard unknown-member::" in out
    outputs = dict(line.split("=", 1) for line in files["outputs"].read_text().splitlines())
    assert outputs["new-findings"] == "2"


# --------------------------------------------------------------------------- database-url


PASSWORD = "s3cr3t-Pa55w0rd"


def closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.mark.parametrize("variable", ["ENUMGUARD_DATABASE_URL", "INPUT_DATABASE-URL"])
@pytest.mark.parametrize(("views", "expected"), [("x = Color.RED\n", 0), ("x = Color.Purple\n", 1)])
def test_audit_with_unreachable_database_notes_it_masked_and_exits_on_findings(
    gh, run, tmp_path, variable, views, expected
):
    root = tmp_path / "repo"
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text("import enum\n\n\nclass Color(enum.Enum):\n    RED = 'red'\n")
    (root / "app" / "views.py").write_text("from app.models import Color\n\n" + views)
    url = f"postgresql://enumguard:{PASSWORD}@127.0.0.1:{closed_port()}/prod"
    sarif_file, report_file = tmp_path / "enumguard.sarif", tmp_path / "enumguard-report.json"
    code, out, files = run(
        gh,
        None,
        event="workflow_dispatch",
        env={variable: url},
        args=["--sarif-file", str(sarif_file), "--format", "json", "--output", str(report_file)],
    )
    assert code == expected
    summary = files["summary"].read_text()
    texts = {
        "stdout": out,
        "stderr": files["err"],
        "summary": summary,
        "outputs": files["outputs"].read_text(),
        "sarif": sarif_file.read_text(),
        "json": report_file.read_text(),
    }
    for name, text in texts.items():
        assert PASSWORD not in text, name
    [notice] = json.loads(report_file.read_text())["notices"]
    assert notice.startswith("database postgresql://enumguard:***@127.0.0.1:") and notice.endswith(
        "the live checks were skipped"
    )
    assert "\n" not in notice
    # One line in the summary, escaped like all repository-derived text (no autolink, no mention).
    assert [x for x in summary.splitlines() if "127.0.0.1" in x] == [f"- {mdescape.text(notice)}"]
    assert f"enumguard: warning: {notice}" in out
    assert gh.state.requests == []  # not a pull request: nothing posted


def test_pull_request_run_with_database_url_says_the_live_check_is_for_audits(gh, run):
    url = f"postgresql://enumguard:{PASSWORD}@127.0.0.1:{closed_port()}/prod"
    code, out, files = run(gh, reports.incident_pr(), env={"ENUMGUARD_DATABASE_URL": url})
    assert code == 1 and files["calls"] == [("diff", reports.BASE)]
    assert "the live database is checked in audit runs only" in files["summary"].read_text()
    assert PASSWORD not in out + files["err"] + files["summary"].read_text()
    assert "audit runs only" in ours(gh)[0]["body"]


# --------------------------------------------------------------------------- comment: on-findings


def test_on_findings_posts_nothing_on_a_clean_pull_request(gh, run):
    code, out, _ = run(gh, reports.clean_pr(), args=["--comment=on-findings"])
    assert code == 0
    assert gh.state.comments_on(PR) == []
    assert not any(r.method in ("POST", "PATCH") for r in gh.state.requests)
    assert "no PR comment" in out


def test_on_findings_posts_when_the_pull_request_has_new_findings(gh, run):
    code, _, _ = run(gh, reports.incident_pr(), args=["--comment=on-findings"])
    assert code == 1
    [comment] = ours(gh)
    assert "2 new enum problems" in comment["body"]


def test_on_findings_updates_an_existing_comment_to_resolved(gh, run):
    run(gh, reports.incident_pr(), args=["--comment=on-findings"])
    run(gh, reports.clean_pr(), args=["--comment=on-findings"])
    [comment] = ours(gh)
    assert "No new enum problems in this pull request." in comment["body"]
    assert [r.method for r in gh.state.requests if r.method != "GET"] == ["POST", "PATCH"]


def test_rule_names_link_to_the_pages_of_the_action_repository(gh, run):
    run(gh, reports.incident_pr(), env={"GITHUB_ACTION_REPOSITORY": "acme/enumguard", "GITHUB_ACTION_REF": "v1.2.0"})
    [comment] = ours(gh)
    assert (
        "[`unknown-member`](https://github.com/acme/enumguard/blob/v1.2.0/docs/rules/unknown-member.md)"
        in comment["body"]
    )
