"""docs/rules is generated from the rules: it must match what the generator writes today."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from enumguard import docs
from enumguard.finding import Severity
from enumguard.rules import ALL_RULES
from enumguard.rules.base import Example, Rule

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules"


def test_docs_rules_match_the_rule_docstrings_and_examples() -> None:
    stale = docs.stale(DOCS)
    assert not stale, f"docs/rules is stale ({', '.join(stale)}): run `{docs.COMMAND}` to refresh it"


def test_every_rule_has_a_page_and_an_index_row() -> None:
    generated = docs.pages()
    assert set(generated) == {f"{rule.name}.md" for rule in ALL_RULES} | {"README.md"}
    for rule in ALL_RULES:
        assert f"[`{rule.name}`]({rule.name}.md)" in generated["README.md"]


class FakeRule(Rule):
    """Reports a thing | that is wrong.

    More words.

    ## Why is this bad?

    It breaks.

    ```python
    # a comment, not a heading
    ```

    # A stray top-level heading

    ## How to fix

    Fix it.
    """

    name = "fake-rule"
    severity = Severity.WARNING
    VALID: ClassVar = (Example({"b.sql": "SELECT 1;", "a.py": "x = 1\n"}),)
    INVALID: ClassVar = (
        Example(
            {"a.py": 'doc = """```py\nx\n```"""  # expect: fake-rule\n'},
            config={"select": ["fake-rule"], "bindings": {"m.E": "e"}},
        ),
        Example({"a.py": "y = 2  # expect: fake-rule\n"}),
    )


def test_rule_page_shows_docstring_sections_and_every_example_file() -> None:
    page = docs.rule_page(FakeRule)
    assert page.startswith("# `fake-rule`\n")
    assert "Default severity: **warning**" in page
    assert "## Why is this bad?\n\nIt breaks." in page and "## How to fix\n\nFix it." in page
    assert "### Valid\n\n`a.py`\n\n```python\nx = 1\n```\n\n`b.sql`\n\n```sql\nSELECT 1;\n```" in page
    assert "### Invalid 1" in page and "### Invalid 2" in page
    assert '`enumguard.toml`\n\n```toml\nselect = ["fake-rule"]\nbindings = { "m.E" = "e" }\n```' in page


def test_rule_page_fences_outlast_backticks_in_the_example() -> None:
    page = docs.rule_page(FakeRule)
    assert '````python\ndoc = """```py\nx\n```"""  # expect: fake-rule\n````' in page


def test_top_level_heading_in_a_docstring_is_demoted_but_code_comments_are_kept() -> None:
    page = docs.rule_page(FakeRule)
    assert "\n## A stray top-level heading\n" in page
    assert "```python\n# a comment, not a heading\n```" in page


def test_index_escapes_pipes_in_summaries() -> None:
    index = docs.index_page([FakeRule])
    assert "| [`fake-rule`](fake-rule.md) | warning | Reports a thing \\| that is wrong. |" in index


def test_generation_is_deterministic_and_write_then_check_is_clean(tmp_path: Path) -> None:
    assert docs.pages() == docs.pages()
    (tmp_path / "gone-rule.md").write_text("old\n")
    written = docs.write(tmp_path)
    assert "gone-rule.md" in written and not (tmp_path / "gone-rule.md").exists()
    assert docs.stale(tmp_path) == []
    assert docs.main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "README.md").write_text("edited by hand\n")
    assert docs.stale(tmp_path) == ["README.md"]
    assert docs.main(["--check", "--out", str(tmp_path)]) == 1


def test_each_rule_lives_in_the_module_named_after_it():
    """`missing-in-db` is class `MissingInDbRule` in `enumguard/rules/missing_in_db.py`."""
    for rule in ALL_RULES:
        module = "enumguard.rules." + rule.name.replace("-", "_")
        camel = "".join(part.capitalize() for part in rule.name.split("-")) + "Rule"
        assert (rule.__module__, rule.__name__) == (module, camel), rule.name


def test_readme_rule_table_lists_every_rule_as_the_generator_writes_it():
    readme = docs.ROOT_README.read_text(encoding="utf-8")
    assert not docs.readme_stale(), f"README.md's rule table is stale: run `{docs.COMMAND}` to refresh it"
    for rule in ALL_RULES:
        assert f"| [`{rule.name}`](docs/rules/{rule.name}.md) | {rule.severity} |" in readme
