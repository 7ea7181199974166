"""The PR comment renderer: golden comments, escaping of repository text, the checklist, the
size fallback. Refresh goldens with ENUMGUARD_UPDATE_GOLDEN=1 and review the diff like code."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from enumguard import config as config_mod
from enumguard import review
from enumguard.finding import Finding, Location, Severity
from enumguard.report import markdown, mdescape
from enumguard.report.checklist import checklist
from enumguard.rules import RULE_NAMES
from tests import reports
from tests.gitutil import commit, git, init

GOLDEN = Path(__file__).parent / "golden"
RULES = markdown.rules_base("https://github.com", "OWNER/enumguard", "v0.1.0")
LINKS = markdown.LinkContext("https://github.com", "Codertocat/Hello-World", reports.HEAD, RULES)


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("ENUMGUARD_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"{path} missing: run with ENUMGUARD_UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name, build",
    [
        ("comment_incident_pr.md", reports.incident_pr),
        ("comment_clean_pr.md", reports.clean_pr),
        ("comment_migration_only_pr.md", reports.migration_only_pr),
    ],
)
def test_rendered_comment_matches_golden(name, build):
    check_golden(name, markdown.render(build(), LINKS))


LARGE = Path(__file__).parent / "fixtures" / "repos" / "704_large_pr_forty_findings"


def large_pr(tmp_path: Path):
    """A real diff: a PR that adds fixture 704 (40 findings of 6 rules in 7 files) to a
    repository holding only a README; commit SHAs pinned so the golden is stable."""
    import shutil

    repo = tmp_path / "repo"
    init(repo, {"README.md": "orders\n"})
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "orders")
    shutil.copytree(LARGE, repo, dirs_exist_ok=True)
    commit(repo, "orders")
    config = replace(config_mod.load(repo, rule_names=RULE_NAMES), cache=False)
    return replace(review.diff(config, base=base, head="HEAD"), base=reports.BASE, head=reports.HEAD)


def test_large_pr_comment_matches_golden(tmp_path):
    report = large_pr(tmp_path)
    assert sum(1 for f in report.findings if f.new) == 40
    check_golden("comment_large_pr.md", markdown.render(report, LINKS))


def test_large_pr_groups_by_rule_and_file_and_the_checklist_counts_the_same(tmp_path):
    body = markdown.render(large_pr(tmp_path), LINKS)
    summaries = re.findall(r"<summary>\S+ ([a-z-]+): (\d+) findings? in (\d+) files?</summary>", body)
    counts = {rule: int(n) for rule, n, _ in summaries}
    assert sum(counts.values()) == 40 and counts["unknown-member"] == 28
    references = counts["unknown-member"] + counts["unknown-value"] + counts["sql-unknown-value"]
    drift = counts["missing-in-db"] + counts["missing-in-code"] + counts["case-mismatch"]
    assert f"enumguard found {references} unknown members or labels (new), listed in this comment" in body
    assert f"enumguard found {drift} differences (new), listed in this comment" in body
    # Each file of a rule has its own heading with its count; every row sits in a <details>.
    assert "`app/services/orders.py` (12)" in body
    head = body[: body.index("<details>")]
    assert "- 🔴" not in head and "| 🔴 | [`unknown-member`]" in head


def test_ten_findings_are_listed_flat_and_eleven_are_grouped():
    ten = markdown.render(reports.audit_report(10), LINKS)
    eleven = markdown.render(reports.audit_report(11), LINKS)
    assert "<details>" not in ten and ten.count("\n- 🔴 ") == 10
    assert "<summary>🔴 unknown-member: 11 findings in 1 file</summary>" in eleven


def test_migration_fix_is_a_collapsed_code_block_under_its_finding():
    fix = Finding(
        Location("app/models.py", 5, 5),
        "missing-in-db",
        "`S` persists `x` but ...",
        help="add it",
        fix=__import__("enumguard.finding", fromlist=["Fix"]).Fix(
            "migration", text="ALTER TYPE s ADD VALUE 'x' BEFORE 'y';\n-- ```` @team\n", style="sql"
        ),
        new=True,
    )
    body = markdown.render(replace(reports.clean_pr(), findings=(fix,)), LINKS)
    block = body[body.index("  <details>") : body.index("  </details>")]
    assert "<summary>Fix: a new SQL migration that adds the label</summary>" in block
    # The fence is longer than any backtick run in the text, which is shown verbatim.
    assert "  `````sql\n  ALTER TYPE s ADD VALUE 'x' BEFORE 'y';\n  -- ```` @team\n  `````" in block


def test_checklist_counts_only_the_rows_the_comment_keeps():
    big = reports.audit_report(3000)
    body = markdown.render(big, LINKS)
    shown = body.count("[line ")
    assert 0 < shown < 3000
    assert (
        f"enumguard found {shown} unknown members or labels, listed in this comment; {3000 - shown} more only in the job summary"
        in body
    )


def test_comment_starts_with_hidden_marker_and_one_line_verdict():
    body = markdown.render(reports.incident_pr(), LINKS)
    lines = body.splitlines()
    assert lines[0] == markdown.MARKER
    assert lines[1] == "### ❌ enumguard: 2 new enum problems in this pull request."


def test_location_links_to_file_line_at_head_sha():
    body = markdown.render(reports.incident_pr(), LINKS)
    assert f"(https://github.com/Codertocat/Hello-World/blob/{reports.HEAD}/app/services/scheduler.py#L10)" in body


def test_live_database_location_is_shown_as_code_without_a_file_link():
    idle = Finding(
        Location("database:pg_stat_activity", 1, 1),
        "idle-in-transaction",
        "session pid 42 is idle",
        severity=Severity.WARNING,
    )
    report = replace(reports.audit_report(1), findings=(reports.audit_report(1).findings[0], idle))
    body = markdown.render(report, LINKS)
    assert "`database:pg_stat_activity:1`" in body
    assert "blob/" + reports.HEAD + "/database" not in body
    assert f"blob/{reports.HEAD}/app/services/scheduler.py#L1)" in body


def test_enterprise_server_url_is_used_for_links():
    ctx = markdown.LinkContext("https://ghe.example.com/", "o/r", "abc")
    assert ctx.url("a b/c.py", 3) == "https://ghe.example.com/o/r/blob/abc/a%20b/c.py#L3"


def test_job_summary_has_no_marker():
    assert markdown.MARKER not in markdown.render(reports.incident_pr(), LINKS, marker=False)


def test_preexisting_findings_are_collapsed_and_not_counted_as_new():
    body = markdown.render(reports.incident_pr(), LINKS)
    details = body[body.index("<details>") :]
    assert "case-mismatch" in details and "case-mismatch" not in body[: body.index("<details>")]
    assert "**New:** 2 errors · 0 warnings · 0 info — **pre-existing:** 1" in body


def test_migration_changes_are_phrased_per_type():
    body = markdown.render(reports.migration_only_pr(), LINKS)
    assert "- `order_status`: \\+ `archived` (after `shipped`), renamed `canceled` \\-&gt; `cancelled`" in body
    assert "- `priority`: dropped and recreated with `low`, `high`" in body


# --------------------------------------------------------------------------- checklist


def _items(report):
    return {"".join(t for t, _ in item.text): item for item in checklist(report)}


def test_checklist_ticks_references_and_sync_only_when_rules_ran_and_found_nothing():
    clean = _items(reports.clean_pr())
    assert clean["All enum references use existing members"].checked
    assert clean["Database and Python enum definitions are synchronised"].checked
    assert "1 binding compared" in clean["Database and Python enum definitions are synchronised"].note
    not_run = _items(replace(reports.clean_pr(), rules=("missing-in-db",)))
    assert not any(item.checked for item in not_run.values())
    assert "unknown-member" in not_run["All enum references use existing members"].note


def test_checklist_leaves_human_items_unticked_even_when_clean():
    items = _items(reports.clean_pr())
    assert not items["Tests cover the enum references in modified code"].checked
    assert not items["Error handling exists for invalid enum access"].checked


def test_sync_item_needs_at_least_one_compared_binding():
    report = replace(reports.clean_pr(), model=replace(reports.incident_model(), bindings=()))
    item = _items(report)["Database and Python enum definitions are synchronised"]
    assert not item.checked and "no Python enum is bound" in item.note


def test_parse_failures_prevent_ticking():
    broken = Finding(Location("app/x.py", 1, 1), "syntax-error", "cannot parse `app/x.py`", new=True)
    item = _items(replace(reports.clean_pr(), findings=(broken,)))["All enum references use existing members"]
    assert not item.checked and "could not be parsed" in item.note


def test_operation_items_appear_only_for_their_operations():
    texts = list(_items(reports.migration_only_pr()))
    assert any(t.startswith("The migration is deployed before code that writes the new label") for t in texts)
    assert any(t.startswith("No running code writes the old label") for t in texts)
    assert any(t.startswith("Table rewrite size, dependents and CASCADE reviewed") for t in texts)
    assert len(list(_items(reports.clean_pr()))) == 4


# --------------------------------------------------------------------------- escaping

HOSTILE = "@octocat <img src=x onerror=alert(1)> | **bold** [x](https://evil.example) #1 `tick` ``x`` \n# heading"


def test_prose_escaping_defuses_mentions_html_tables_links_and_references():
    out = mdescape.text(HOSTILE)
    assert "@octocat" not in out and "@\u200doctocat" in out
    assert "<img" not in out and "&lt;img" in out
    assert re.search(r"(?<!\\)\|", out) is None
    assert "\\*\\*bold\\*\\*" in out and "\\[x\\]" in out
    assert "#1" not in out and "\n" not in out
    assert "https://evil" not in out


def test_code_span_fence_is_longer_than_any_backtick_run_inside():
    assert mdescape.code("a``b") == "```a``b```"
    assert mdescape.code("`x`") == "`` `x` ``"
    assert mdescape.code("a|b", table=True) == "`a\\|b`"
    assert mdescape.code("a|b") == "`a|b`"


def test_message_keeps_rule_names_as_code_and_escapes_the_rest():
    out = mdescape.message("`E.<b>` is not a member of `E` | @team", table=True)
    assert out.startswith("`E.<b>` is not a member of `E` \\| @\u200dteam")


def test_hostile_repository_text_cannot_escape_the_finding_item():
    hostile = Finding(
        Location("app/@evil|x.py", 3, 1),
        "unknown-member",
        f"`E.{HOSTILE}` is not a member of `E`",
        help=HOSTILE,
        suggestion="a|b`c",
        enum="E",
        member=HOSTILE,
        new=True,
    )
    body = markdown.render(replace(reports.clean_pr(), findings=(hostile,)), LINKS)
    lines = body.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("- 🔴"))
    item = lines[start : lines.index("", start)]
    # The item keeps its four lines (location, message, help, fix): the newline in the text
    # starts no heading, and every continuation line stays inside the list item.
    assert len(item) == 4 and all(line.startswith("  ") for line in item[1:])
    assert item[3] == "  <br>**Fix:** replace with ``a|b`c`` (`enumguard fix --write` applies it)"
    # Outside code spans (which GitHub shows verbatim) no HTML, mention or link survives.
    prose = re.sub(r"(`+)(.+?)(?<!`)\1(?!`)", "", body)
    assert "<img" not in prose and "@octocat" not in prose and "@evil" not in prose
    assert "](https://evil" not in prose


# --------------------------------------------------------------------------- size limit


def test_oversized_comment_falls_back_to_a_shorter_summary():
    big = reports.audit_report(3000)
    full = markdown.render(big, LINKS, limit=10**9)
    assert len(full) > markdown.COMMENT_LIMIT
    body = markdown.render(big, LINKS)
    assert len(body) <= markdown.COMMENT_LIMIT
    assert body.startswith(markdown.MARKER)
    assert "more not shown here" in body and "#### Checklist" in body


def test_oversized_preexisting_list_is_dropped_before_new_findings():
    pre = tuple(replace(f, new=False) for f in reports.audit_report(2000).findings)
    new = reports.unknown_member("Completed", 10, "submitted")
    report = replace(reports.clean_pr(), findings=tuple(sorted(pre + (new,))), preexisting=pre)
    body = markdown.render(report, LINKS)
    assert len(body) <= markdown.COMMENT_LIMIT
    assert "Completed" in body and "<details>" not in body
    assert "2000 pre-existing findings not listed" in body


def test_audit_report_verdict_speaks_of_the_repository():
    body = markdown.render(reports.audit_report(1), LINKS)
    assert "1 enum problem in this repository." in body
    assert "**Found:** 1 error" in body


def test_severity_icon_of_verdict_follows_worst_new_finding():
    warn = replace(reports.unknown_member("X", 1, "failed"), severity=Severity.WARNING)
    body = markdown.render(replace(reports.clean_pr(), findings=(warn,)), LINKS)
    assert body.splitlines()[1].startswith("### ⚠️")


def test_job_summary_limit_counts_utf8_bytes():
    big = reports.audit_report(12000)
    body = markdown.render_summary(big, LINKS)
    assert len(body.encode("utf-8")) <= markdown.SUMMARY_LIMIT < 2**20
    assert not body.startswith(markdown.MARKER) and "more not shown here" in body
