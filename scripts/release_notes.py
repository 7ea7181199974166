#!/usr/bin/env python3
"""A release tag in, that version's CHANGELOG.md section out (the GitHub release's notes), after
checking that the tag is vMAJOR.MINOR.PATCH and names the version pyproject.toml and
enumguard/__init__.py declare. Any mismatch is a one-line error and exit status 1, so the release
workflow stops before it builds or publishes anything.

    python scripts/release_notes.py v1.2.0 [--root PATH] > notes.md
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

TAG = re.compile(r"v(\d+\.\d+\.\d+)")
# Keep a Changelog: `## [1.2.0] - 2026-12-06`
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?\s*$", re.M)


class ReleaseError(Exception):
    pass


def notes(tag: str, root: Path) -> str:
    """The CHANGELOG section of the version `tag` names (without its heading)."""
    m = TAG.fullmatch(tag)
    if not m:
        raise ReleaseError(f"tag {tag!r} is not a release tag (vMAJOR.MINOR.PATCH)")
    version = m.group(1)
    declared = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    if declared != version:
        raise ReleaseError(f"tag {tag} but pyproject.toml says version {declared}")
    init = re.search(
        r'^__version__ = "([^"]+)"', (root / "enumguard" / "__init__.py").read_text(encoding="utf-8"), re.M
    )
    if not init or init.group(1) != version:
        raise ReleaseError(f"tag {tag} but enumguard/__init__.py says __version__ {init.group(1) if init else '?'}")
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = list(HEADING.finditer(changelog))
    for i, heading in enumerate(headings):
        if heading.group("version") == version:
            if not heading.group("date"):
                raise ReleaseError(
                    f"CHANGELOG.md: the section [{version}] has no release date (`## [{version}] - YYYY-MM-DD`)"
                )
            end = headings[i + 1].start() if i + 1 < len(headings) else len(changelog)
            body = changelog[heading.end() : end]
            body = re.split(r"^\[[^\]]+\]: ", body, flags=re.M)[0]  # link references at the end
            if not body.strip():
                raise ReleaseError(f"CHANGELOG.md: the section [{version}] is empty")
            return body.strip() + "\n"
    raise ReleaseError(f"CHANGELOG.md has no section `## [{version}] - YYYY-MM-DD` (move [Unreleased] there)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tag")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    try:
        sys.stdout.write(notes(args.tag, args.root))
    except (ReleaseError, OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
