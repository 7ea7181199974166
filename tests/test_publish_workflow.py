"""Workflow commands: escaping as actions/toolkit does it, per-step caps with a note of what was
left out, job summary and outputs files; the GitHub context read from real webhook payloads."""

from __future__ import annotations

from pathlib import Path

from enumguard.finding import Finding, Location, Severity
from enumguard.publish import context, workflow
from enumguard.publish.inline import added_lines, suggested_line
from tests import reports

WEBHOOKS = Path(__file__).parent / "data" / "github" / "webhooks"


def test_message_and_properties_are_escaped_like_actions_toolkit():
    f = Finding(Location("dir,x/a:b.py", 3, 7), "unknown-member", "100% wrong\r\nsecond line", severity=Severity.ERROR)
    line = workflow.annotation(f)
    assert (
        line
        == "::error file=dir%2Cx/a%3Ab.py,line=3,col=7,title=enumguard unknown-member::100%25 wrong%0D%0Asecond line"
    )


def test_annotations_respect_ten_per_kind_and_say_what_was_left_out():
    errors = list(reports.audit_report(25).findings)
    warnings = [Finding(Location("w.py", i + 1), "syntax-error", "w", severity=Severity.WARNING) for i in range(3)]
    lines = workflow.annotations(errors + warnings)
    error_lines = [x for x in lines if x.startswith("::error")]
    assert len(error_lines) == 10
    assert error_lines[-1].endswith(
        "::16 more enumguard errors not annotated (GitHub shows 10 per step): see the job summary"
    )
    assert len([x for x in lines if x.startswith("::warning")]) == 3


def test_exactly_ten_fit_without_a_note():
    lines = workflow.annotations(list(reports.audit_report(10).findings))
    assert len(lines) == 10 and not any("more enumguard" in x for x in lines)


def test_outputs_use_heredoc_for_multiline_values(tmp_path):
    out = tmp_path / "out"
    workflow.set_outputs({"a": "1", "b": "x\ny"}, {"GITHUB_OUTPUT": str(out)})
    text = out.read_text()
    assert text.startswith("a=1\nb<<ghadelimiter_")
    assert "\nx\ny\nghadelimiter_" in text


def test_summary_appends_and_missing_variable_is_a_no_op(tmp_path):
    path = tmp_path / "s.md"
    assert workflow.append_summary("one", {"GITHUB_STEP_SUMMARY": str(path)})
    assert workflow.append_summary("two\n", {"GITHUB_STEP_SUMMARY": str(path)})
    assert path.read_text() == "one\ntwo\n"
    assert not workflow.append_summary("x", {})


def test_context_from_pull_request_payload():
    ctx = context.read(
        {
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(WEBHOOKS / "pull_request.opened.json"),
            "GITHUB_REPOSITORY": "Codertocat/Hello-World",
            "INPUT_GITHUB-TOKEN": " tok ",
            "GITHUB_API_URL": "https://ghe.example.com/api/v3/",
        }
    )
    assert (ctx.pr_number, ctx.head_sha, ctx.token) == (2, "ec26c3e57ca3a959ca5aad62de7213c562f8c821", "tok")
    assert ctx.api_url == "https://ghe.example.com/api/v3" and ctx.server_url == "https://github.com"


def test_pull_request_target_uses_the_same_payload():
    ctx = context.read(
        {
            "GITHUB_EVENT_NAME": "pull_request_target",
            "GITHUB_EVENT_PATH": str(WEBHOOKS / "pull_request.synchronize.json"),
        }
    )
    assert ctx.is_pr and ctx.base_sha == "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"


def test_workflow_dispatch_is_not_a_pull_request_and_github_token_is_a_fallback():
    ctx = context.read(
        {
            "GITHUB_EVENT_NAME": "workflow_dispatch",
            "GITHUB_EVENT_PATH": str(WEBHOOKS / "workflow_dispatch.json"),
            "GITHUB_TOKEN": "t",
        }
    )
    assert not ctx.is_pr and ctx.repo == "octo-org/octo-repo" and ctx.token == "t"


def test_unreadable_event_file_is_a_one_line_error(tmp_path):
    import pytest

    from enumguard.errors import EnumguardError

    bad = tmp_path / "e.json"
    bad.write_text("{")
    with pytest.raises(EnumguardError, match="cannot read the event payload"):
        context.read({"GITHUB_EVENT_PATH": str(bad)})


def test_added_lines_follow_hunk_headers():
    patch = "@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n c\n@@ -20,2 +21,2 @@ def f():\n x\n+y\n\\ No newline at end of file\n"
    assert added_lines(patch) == {2, 3, 22}


def test_suggestion_only_when_the_token_at_the_column_is_the_member(tmp_path):
    (tmp_path / "a.py").write_text("x = E.Completed\ny = E.CompletedAt\n")
    f = reports.unknown_member("Completed", 1, "submitted")
    f = Finding(Location("a.py", 1, 7), f.rule, f.message, suggestion="submitted", member="Completed")
    assert suggested_line(f, tmp_path) == "x = E.submitted"
    shifted = Finding(Location("a.py", 2, 7), f.rule, f.message, suggestion="submitted", member="Completed")
    assert suggested_line(shifted, tmp_path) is None
    wrong_col = Finding(Location("a.py", 1, 1), f.rule, f.message, suggestion="submitted", member="Completed")
    assert suggested_line(wrong_col, tmp_path) is None


def live_finding(path: str = "database:pg_stat_activity") -> Finding:
    return Finding(
        Location(path, 1, 1),
        "idle-in-transaction",
        "session pid 42 has been idle in transaction",
        severity=Severity.WARNING,
        help="fix the client",
        new=True,
    )


def test_live_database_finding_is_an_annotation_of_the_run_not_of_a_file():
    line = workflow.annotation(live_finding())
    assert line.startswith("::warning title=enumguard idle-in-transaction::session pid 42")
    assert "file=" not in line and "line=" not in line
    assert line.endswith("%0A(in the live database: pg_stat_activity)")


def test_inline_review_skips_live_database_findings_without_calling_github(tmp_path):
    from enumguard.publish import inline

    class NoCalls:
        def __getattr__(self, name):
            raise AssertionError(f"GitHub called: {name}")

    assert (
        inline.post(NoCalls(), 2, "a" * 40, "bot", [live_finding(), live_finding("database:public.status")], tmp_path)
        == 0
    )
