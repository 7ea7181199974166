"""The release: .github/workflows/release.yml (its schema and zizmor checks run with the other
workflows in test_action_files), the notes it takes from CHANGELOG.md (Keep a Changelog), and
the sdist and wheel it builds, checked with `twine check --strict` as the workflow does."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from enumguard import __version__

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
RELEASE = yaml.safe_load(WORKFLOW.read_text())
NOTES = ROOT / "scripts" / "release_notes.py"
PIN = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")


def steps(job: str) -> list[dict]:
    return RELEASE["jobs"][job]["steps"]


def runs(job: str) -> str:
    return "\n".join(s.get("run", "") for s in steps(job))


def test_a_version_tag_builds_checks_publishes_by_trusted_publishing_then_releases_and_moves_the_major_tag():
    assert RELEASE[True] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}  # YAML 1.1 reads `on` as True
    assert RELEASE["permissions"] == {}
    text = WORKFLOW.read_text()
    assert "secrets." not in text and "password" not in text  # no PyPI token anywhere
    for job in RELEASE["jobs"].values():
        for step in job["steps"]:
            assert "uses" not in step or PIN.fullmatch(step["uses"]), step["uses"]
    build, pypi, release = (RELEASE["jobs"][name] for name in ("build", "pypi", "github-release"))
    assert build["permissions"] == {"contents": "read"}
    assert 'scripts/release_notes.py "$TAG" > release-notes.md' in runs("build")
    assert "python -m build" in runs("build") and "twine check --strict dist/*" in runs("build")
    assert pypi["needs"] == "build" and pypi["permissions"] == {"id-token": "write"}
    assert pypi["environment"]["name"] == "pypi"
    [publish] = [s for s in steps("pypi") if s.get("uses", "").startswith("pypa/gh-action-pypi-publish@")]
    assert not publish.get("with")  # trusted publishing: no user, no password
    assert set(release["needs"]) == {"build", "pypi"} and release["permissions"] == {"contents": "write"}
    assert 'gh release create "$TAG" dist/*' in runs("github-release")
    assert "--notes-file release-notes.md" in runs("github-release")
    assert 'major="${TAG%%.*}"' in runs("github-release") and 'sha="$GITHUB_SHA"' in runs("github-release")


def _release_tree(tmp_path: Path, version: str, changelog: str) -> Path:
    root = tmp_path / "repo"
    (root / "enumguard").mkdir(parents=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "enumguard"\nversion = "{version}"\n')
    (root / "enumguard" / "__init__.py").write_text(f'"""x"""\n\n__version__ = "{version}"\n')
    (root / "CHANGELOG.md").write_text(changelog)
    return root


def _notes(tag: str, root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(NOTES), tag, "--root", str(root)], capture_output=True, text=True)


CHANGELOG = """# Changelog

## [Unreleased]

### Added

- next

## [1.2.0] - 2026-12-06

### Fixed

- the cache

## [1.1.0] - 2026-11-01

### Added

- rules

[1.2.0]: https://example.invalid/compare/v1.1.0...v1.2.0
"""


def test_the_release_notes_are_the_changelog_section_of_the_tagged_version(tmp_path):
    proc = _notes("v1.2.0", _release_tree(tmp_path, "1.2.0", CHANGELOG))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "### Fixed\n\n- the cache\n"


@pytest.mark.parametrize(
    ("tag", "version", "changelog", "error"),
    [
        ("v1.2", "1.2.0", CHANGELOG, "tag 'v1.2' is not a release tag (vMAJOR.MINOR.PATCH)"),
        ("v1.3.0", "1.2.0", CHANGELOG, "tag v1.3.0 but pyproject.toml says version 1.2.0"),
        (
            "v1.3.0",
            "1.3.0",
            CHANGELOG,
            "CHANGELOG.md has no section `## [1.3.0] - YYYY-MM-DD` (move [Unreleased] there)",
        ),
        (
            "v1.2.0",
            "1.2.0",
            CHANGELOG.replace("## [1.2.0] - 2026-12-06", "## [1.2.0]"),
            "CHANGELOG.md: the section [1.2.0] has no release date (`## [1.2.0] - YYYY-MM-DD`)",
        ),
    ],
)
def test_a_tag_without_its_version_or_changelog_section_stops_the_release(tmp_path, tag, version, changelog, error):
    proc = _notes(tag, _release_tree(tmp_path, version, changelog))
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == f"release: {error}\n"


def test_changelog_is_in_keep_a_changelog_form():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog\n") and "[Keep a Changelog](https://keepachangelog.com/" in text
    versions = re.findall(r"^## \[([^\]]+)\](.*)$", text, re.M)
    assert versions[0] == ("Unreleased", "")
    for version, rest in versions[1:]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", version) and re.fullmatch(r" - \d{4}-\d{2}-\d{2}", rest), version
    kinds = set(re.findall(r"^### (.+)$", text, re.M))
    assert kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}, kinds


def test_the_distributions_build_and_pass_twine_check(tmp_path):
    """As the workflow builds them (without build isolation: the test extra has the backend)."""
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "build", "dist", ".pytest_cache"),
    )
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert "deprecated" not in built.stdout.lower() + built.stderr.lower()
    wheel, sdist = dist / f"enumguard-{__version__}-py3-none-any.whl", dist / f"enumguard-{__version__}.tar.gz"
    assert sorted(dist.iterdir()) == sorted([wheel, sdist])
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, (wheel, sdist))], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    names = zipfile.ZipFile(wheel).namelist()
    assert "enumguard/report/templates/comment.md.j2" in names  # the PR comment's template ships
    assert not [n for n in names if n.startswith("tests/")]
