"""`enumguard fix` on temporary copies of fixture repos: the dry run's diff, --write, a second
run that finds nothing, and the tokens it must leave alone (syntax errors, stale or guessed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from enumguard import cli
from enumguard.finding import Finding, Location
from enumguard.fixes import edits
from enumguard.publish.inline import suggested_line

FIXTURES = Path(__file__).parent / "fixtures"
EDITS_REPO = FIXTURES / "repos" / "701_fix_edits"
FIXED = FIXTURES / "fixed" / "701_fix_edits"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EDITS_REPO, root)
    return root


def fix(root: Path, *args: str, capsys) -> tuple[int, str, str]:
    code = cli.main(["fix", str(root), "--no-cache", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_dry_run_prints_a_unified_diff_and_changes_nothing(repo, capsys):
    before = (repo / "app/jobs.py").read_text()
    code, out, _ = fix(repo, capsys=capsys)
    assert code == 1
    assert out.startswith("--- a/app/jobs.py\n+++ b/app/jobs.py\n@@ -1,10 +1,10 @@\n")
    assert "-DONE = [Status.done, Status.Done]  # expect: unknown-member\n" in out
    assert "+DONE = [Status.done, Status.done]  # expect: unknown-member\n" in out
    assert "+RUNNING = Status(u'in-progress')  # expect: unknown-value\n" in out
    assert out.endswith("enumguard: 5 fixes in 1 file (dry run; --write applies them)\n")
    assert (repo / "app/jobs.py").read_text() == before


def test_write_applies_only_certain_replacements_and_a_second_run_is_clean(repo, capsys):
    code, out, _ = fix(repo, "--write", capsys=capsys)
    assert code == 0 and out == "enumguard: fixed 5 findings in 1 file\n"
    assert (repo / "app/jobs.py").read_text() == (FIXED / "app/jobs.py").read_text()
    # The guess (`finished` -> `in_progress`?) and `"pending!"` are left as they were.
    assert "GUESS = Status.finished" in (repo / "app/jobs.py").read_text()
    code, out, _ = fix(repo, "--write", capsys=capsys)
    assert (code, out) == (0, "enumguard: fixed 0 findings in 0 files\n")
    code, out, _ = fix(repo, capsys=capsys)
    assert (code, out) == (0, "enumguard: nothing to fix\n")


def test_file_with_a_syntax_error_is_skipped_with_one_line(repo, capsys):
    broken = (repo / "app/broken.py").read_text()
    code, _, err = fix(repo, "--write", capsys=capsys)
    assert code == 0
    assert (repo / "app/broken.py").read_text() == broken
    assert err == "enumguard: app/broken.py:3: skipped: the file does not parse\n"


def test_syntax_error_at_apply_time_skips_the_file():
    edit = edits.Edit("a.py", 1, 7, ("Done",), "done", "unknown-member")
    text = "x = S.Done\ndef (:\n"
    new, applied, notices = edits.apply_to_text("a.py", text, [edit])
    assert (new, applied) == (text, 0)
    assert len(notices) == 1 and notices[0].startswith("a.py:") and "skipped: the file does not parse" in notices[0]


def test_a_token_that_changed_since_the_audit_is_skipped_with_a_notice():
    edit = edits.Edit("a.py", 1, 7, ("Done",), "done", "unknown-member")
    new, applied, notices = edits.apply_to_text("a.py", "x = S.Fine\n", [edit])
    assert (new, applied) == ("x = S.Fine\n", 0)
    assert notices == ["a.py:1:7: skipped: expected `Done`, found `Fine`"]
    shifted = edits.apply_to_text("a.py", "x  = S.Done\n", [edit])
    assert shifted[1] == 0 and shifted[2] == ["a.py:1:7: skipped: no name or string literal starts there any more"]


def test_string_literal_keeps_its_prefix_and_quotes_unless_they_would_change_the_value():
    edit = edits.Edit("a.py", 1, 7, ("Done",), '"done"', "unknown-value")
    assert edits.apply_to_text("a.py", "x = S(r'Done')\n", [edit])[0] == "x = S(r'done')\n"
    quote = edits.Edit("a.py", 1, 7, ("Done",), '"it\'s"', "unknown-value")
    assert edits.apply_to_text("a.py", "x = S('Done')\n", [quote])[0] == 'x = S("it\'s")\n'
    wrong = edits.apply_to_text("a.py", "x = S('Other')\n", [edit])
    assert wrong[1] == 0 and wrong[2] == ["a.py:1:7: skipped: expected `Done`, found 'Other'"]


def test_orm_literal_suggestion_is_an_edit_fix_applied_at_its_literal():
    # orm-unknown-value's interface: `suggestion` is the whole literal, quotes included.
    f = Finding(
        Location("m.py", 1, 32), "orm-unknown-value", "`'Queued'` is not a label", value="Queued", suggestion="'queued'"
    )
    assert f.fix is not None and (f.fix.kind, f.fix.replacement) == ("edit", "'queued'")
    [edit] = edits.edits_from([f])
    text = "q = select(Job).where(Job.s == 'Queued')\n"
    assert edits.apply_to_text("m.py", text, [edit])[:2] == ("q = select(Job).where(Job.s == 'queued')\n", 1)


def test_inline_review_suggestion_uses_the_same_codemod(tmp_path):
    (tmp_path / "a.py").write_text("x = S['Pending']\n")
    f = Finding(Location("a.py", 1, 7), "unknown-member", "m", member="Pending", suggestion='"pending"')
    assert suggested_line(f, tmp_path) == "x = S['pending']"


def test_a_symlink_out_of_the_repository_is_never_written(tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text("x = S.Done\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.py").symlink_to(outside)
    outcome = edits.apply(root, [edits.Edit("a.py", 1, 7, ("Done",), "done", "unknown-member")])
    assert outcome.changed == {} and outcome.skipped == [f"a.py: skipped: it resolves outside {root}"]


def test_orm_sql_literal_inside_a_python_string_is_replaced_in_place():
    text = "rows = conn.execute(text(\"SELECT 1 FROM jobs WHERE status = 'Queued'\"))\n"
    column = text.index("'Queued'") + 1
    f = Finding(Location("m.py", 1, column), "orm-unknown-value", "m", value="Queued", suggestion="'queued'")
    new, applied, notices = edits.apply_to_text("m.py", text, edits.edits_from([f]))
    assert (new, applied, notices) == (text.replace("'Queued'", "'queued'"), 1, [])
    moved = edits.apply_to_text("m.py", text.replace("'Queued'", "'Other'"), edits.edits_from([f]))
    assert moved[1] == 0 and moved[2] == [f"m.py:1:{column}: skipped: no name or string literal starts there any more"]


def test_orm_sql_literal_on_a_later_line_of_a_triple_quoted_string():
    text = 'SQL = text("""\n    UPDATE jobs\n    SET status = \'Completed\'\n""")\n'
    f = Finding(Location("m.py", 3, 18), "orm-unknown-value", "m", value="Completed", suggestion="'completed'")
    new, applied, _ = edits.apply_to_text("m.py", text, edits.edits_from([f]))
    assert applied == 1 and new == text.replace("'Completed'", "'completed'")
