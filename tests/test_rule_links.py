"""Every finding links to its rule's page: the text output, the PR comment and SARIF's helpUri."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from enumguard import config as config_mod
from enumguard import pipeline
from enumguard.report import RENDERERS
from enumguard.rules import ALL_RULES, DOCS_URL_PAGES, RULE_NAMES, rule_url

ROOT = Path(__file__).resolve().parents[1]


def incident_report():
    config = config_mod.load(ROOT / "examples" / "wf4-incident-before", None, RULE_NAMES)
    return pipeline.run(replace(config, cache=False))


def test_each_rule_url_names_its_generated_page() -> None:
    for rule in ALL_RULES:
        url = rule_url(rule.name)
        assert url.endswith(f"/{DOCS_URL_PAGES}/{rule.name}.md")
        assert (ROOT / DOCS_URL_PAGES / f"{rule.name}.md").is_file()


def test_text_comment_and_sarif_link_every_finding_to_its_rule_page() -> None:
    report = incident_report()
    assert report.findings
    text = RENDERERS["text"](report).splitlines()
    comment = RENDERERS["markdown"](report)
    sarif = json.loads(RENDERERS["sarif"](report))["runs"][0]
    help_uris = {r["id"]: r["helpUri"] for r in sarif["tool"]["driver"]["rules"]}
    for f in report.findings:
        first = text.index(next(line for line in text if line.startswith(f"{f.location}: {f.rule}: ")))
        block = text[first + 1 : first + 4]
        assert f"    docs: {rule_url(f.rule)}" in block or not f.help
        assert f"[`{f.rule}`]({rule_url(f.rule)})" in comment
        assert help_uris[f.rule] == rule_url(f.rule)
