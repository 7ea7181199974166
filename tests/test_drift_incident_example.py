"""The bundled examples/wf4-incident-before: the case mismatch, reported with both locations."""

from __future__ import annotations

from pathlib import Path

from enumguard.cli import main
from enumguard.finding import Location
from tests.expectations import audit

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "wf4-incident-before"
MIGRATION = "supabase/migrations/20250301120000_create_sitemap_analysis.sql"


def test_incident_before_reports_each_case_mismatch_with_member_and_migration_label() -> None:
    report = audit(EXAMPLE)
    cases = [f for f in report.findings if f.rule == "case-mismatch"]
    got = [(f.location.path, f.location.line, f.member, f.related[0].location) for f in cases]
    assert got == [
        ("app/models.py", 17, "Queued", Location(MIGRATION, 3, 5)),
        ("app/models.py", 18, "Completed", Location(MIGRATION, 5, 5)),
        ("app/models.py", 19, "Error", Location(MIGRATION, 6, 5)),
    ]
    assert cases[0].message == (
        "`SitemapAnalysisStatusEnum` persists `Queued` but DB type `sitemap_analysis_status` "
        "(from migrations) has `queued`: they differ only by case"
    )
    assert all(f.db_type == "sitemap_analysis_status" for f in cases)


def test_incident_before_warns_about_the_label_no_member_stores() -> None:
    report = audit(EXAMPLE)
    rest = [(f.rule, f.location.path, f.location.line, f.value) for f in report.findings if f.rule != "case-mismatch"]
    assert rest == [("missing-in-code", MIGRATION, 4, "submitted")]


def test_incident_before_audit_exits_1_and_prints_both_locations(capsys) -> None:
    code = main(["audit", str(EXAMPLE)])
    out = capsys.readouterr().out
    assert code == 1
    assert "app/models.py:17:" in out and "case-mismatch" in out
