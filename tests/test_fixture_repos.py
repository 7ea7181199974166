"""Each fixture repository under tests/fixtures/repos/ gives exactly the findings its markers name.

A fixture whose markers state what enumguard should find but does not yet carries a file
MARKERS_XFAIL with the reason (strict: when the gap is closed the test fails until the file goes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.expectations import actual, audit, expected, explain_mismatch, not_checked, not_checked_markers

REPOS = Path(__file__).parent / "fixtures" / "repos"


@pytest.mark.parametrize("repo", sorted(p for p in REPOS.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_fixture_repo_findings_match_markers(repo: Path, request) -> None:
    known = repo / "MARKERS_XFAIL"
    if known.is_file():
        request.node.add_marker(pytest.mark.xfail(reason=known.read_text().strip(), strict=True))
    want = expected(repo)
    report = audit(repo)
    got = actual(report)
    assert got == want, explain_mismatch(report, want, got)
    # Where a fixture says what enumguard cannot check, the coverage says exactly that.
    uncertain = not_checked_markers(repo)
    if uncertain:
        assert not_checked(report) == uncertain
