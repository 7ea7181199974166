"""Every rule's VALID and INVALID examples, run through the whole pipeline.

A VALID example must produce no finding at all; an INVALID one exactly the findings its
`expect:` markers name, on those lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from enumguard.rules import ALL_RULES
from enumguard.rules.base import Example
from tests.expectations import actual, audit, expected, explain_mismatch, write_repo

CASES = [
    pytest.param(rule, kind, example, id=f"{rule.name}-{kind}-{example.title or i}")
    for rule in ALL_RULES
    for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for i, example in enumerate(examples)
]


@pytest.mark.parametrize(("rule", "kind", "example"), CASES)
def test_rule_example(rule, kind: str, example: Example, tmp_path: Path) -> None:
    write_repo(tmp_path, example.files, example.config)
    want = expected(tmp_path)
    if kind == "valid":
        assert not want, "a VALID example must not carry expect: markers"
    else:
        assert any(r == rule.name for _, _, r in want), f"INVALID example of {rule.name} marks no {rule.name}"
    report = audit(tmp_path)
    got = actual(report)
    assert got == want, explain_mismatch(report, want, got)


def test_every_example_has_a_title_unique_within_its_rule() -> None:
    for rule in ALL_RULES:
        titles = [e.title for e in rule.VALID + rule.INVALID]
        assert all(titles) and len(set(titles)) == len(titles), f"{rule.name}: example titles {titles}"


def test_every_rule_has_documentation_and_examples() -> None:
    for rule in ALL_RULES:
        doc = rule.__doc__ or ""
        assert "## Why is this bad?" in doc and "## How to fix" in doc, f"{rule.name}: docstring sections"
        if rule.name not in ("unsupported-sql", "idle-in-transaction", "db-drift"):
            # These need input that a tiny repository cannot carry (SQL sqlglot rejects is
            # covered in the migration tests; the live rules need a server).
            assert rule.INVALID, f"{rule.name} has no INVALID example"
