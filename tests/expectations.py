"""Reads `expect:` markers from a tiny repository and compares them with what enumguard found.

A marker sits in a comment on the line that causes a finding: `# expect: unknown-member` in
Python, `-- expect: missing-in-code` in SQL; several rules are separated by commas.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from enumguard import config as config_mod
from enumguard import pipeline
from enumguard.docs import toml_value
from enumguard.model import display_type
from enumguard.report import Report
from enumguard.rules import RULE_NAMES

MARK = "expect:"


def markers_in(path: str, text: str) -> Counter[tuple[str, int, str]]:
    found: Counter[tuple[str, int, str]] = Counter()
    for number, line in enumerate(text.splitlines(), start=1):
        at = line.find(MARK)
        if at < 0:
            continue
        before = line[:at].rstrip()
        if not (before.endswith("#") or before.endswith("--")):
            continue
        rules = line[at + len(MARK) :].split("#", 1)[0].split("--", 1)[0]
        for rule in rules.split(","):
            rule = rule.strip()
            if rule:
                assert rule in RULE_NAMES, f"{path}:{number}: marker names unknown rule {rule!r}"
                found[(path, number, rule)] += 1
    return found


NOT_CHECKED = "not-checked:"


def not_checked_markers(root: Path) -> Counter[tuple[str, int, str]]:
    """`# not-checked: mood, Mood` on the line that made a DB type (or an enum) uncertain."""
    found: Counter[tuple[str, int, str]] = Counter()
    for file in sorted(root.rglob("*")):
        if not (file.is_file() and file.suffix in (".py", ".sql")):
            continue
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            at = line.find(NOT_CHECKED)
            if at < 0:
                continue
            names = line[at + len(NOT_CHECKED) :].split("#", 1)[0].split("--", 1)[0]
            for name in names.split(","):
                if name.strip():
                    found[(file.relative_to(root).as_posix(), number, name.strip())] += 1
    return found


def not_checked(report: Report) -> Counter[tuple[str, int, str]]:
    """What the report says it could not check: (path, line, enum class or DB type name)."""
    return Counter(
        (e.location.path, e.location.line, e.enum.rpartition(".")[2] if e.enum else display_type(e.db_type or ""))
        for e in report.model.coverage.not_checked
    )


def expected(root: Path) -> Counter[tuple[str, int, str]]:
    total: Counter[tuple[str, int, str]] = Counter()
    for file in sorted(root.rglob("*")):
        if file.is_file() and file.suffix in (".py", ".sql"):
            total += markers_in(file.relative_to(root).as_posix(), file.read_text(encoding="utf-8"))
    return total


def audit(root: Path) -> Report:
    config = config_mod.load(root, rule_names=RULE_NAMES)
    return pipeline.run(replace(config, cache=False))


def actual(report: Report) -> Counter[tuple[str, int, str]]:
    return Counter((f.location.path, f.location.line, f.rule) for f in report.findings)


def explain_mismatch(report: Report, want: Counter, got: Counter) -> str:
    lines = ["findings differ from the expect: markers"]
    for key in sorted(want - got):
        lines.append(f"  missing  {key[0]}:{key[1]}: {key[2]}")
    for key in sorted(got - want):
        lines.append(f"  extra    {key[0]}:{key[1]}: {key[2]}")
    lines.append("all findings:")
    lines.extend(f"  {f.location}: {f.rule}: {f.message}" for f in report.findings)
    return "\n".join(lines)


def write_repo(root: Path, files: dict[str, str], config: dict[str, object]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if config:
        body = "".join(f"{key} = {toml_value(value)}\n" for key, value in config.items())
        (root / "enumguard.toml").write_text(body, encoding="utf-8")
