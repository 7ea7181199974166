"""Files in, SourceTree out: which files exist under the root, with the text of those we parse."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from enumguard.config import DEFAULT_EXCLUDE, Config

# Files whose text later stages read. Everything else is known by path only.
TEXT_SUFFIXES = (".py", ".pyi", ".sql")
TEXT_NAMES = ("alembic.ini",)
MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class SourceFile:
    path: str  # repo-relative, POSIX
    text: str


@dataclass(frozen=True)
class SourceTree:
    root: str
    files: tuple[SourceFile, ...]  # sorted by path
    paths: tuple[str, ...]  # every collected path, text or not
    skipped: tuple[str, ...] = ()  # one-line notices: too large, not text

    def get(self, path: str) -> SourceFile | None:
        index = self.__dict__.get("_index")
        if index is None:
            index = {f.path: f for f in self.files}
            object.__setattr__(self, "_index", index)
        return index.get(path)

    def python_files(self) -> tuple[SourceFile, ...]:
        return tuple(f for f in self.files if f.path.endswith((".py", ".pyi")))

    def sql_files(self) -> tuple[SourceFile, ...]:
        return tuple(f for f in self.files if f.path.endswith(".sql"))


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A path glob: `**/` is any number of folders, `*` and `?` stay within one folder."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(path: str, patterns: tuple[str, ...]) -> bool:
    return any(_glob_regex(p).match(path) for p in patterns)


def _walk(root: Path, exclude: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        dirnames[:] = sorted(d for d in dirnames if not matches(f"{prefix}{d}/-", exclude))
        found.extend(prefix + name for name in filenames)
    return found


def _git_files(root: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files below root, when root is in a git work tree
    (also a subfolder of one: ls-files lists paths relative to it)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            check=True,
            timeout=60,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def collect(config: Config) -> SourceTree:
    """List the files under config.root that include/exclude admit, reading the parseable ones."""
    root = Path(config.root)
    listed = _git_files(root)
    paths = listed if listed is not None else _walk(root, DEFAULT_EXCLUDE + config.exclude)

    def read(rel: str) -> bytes | None:
        full = root / rel
        if not full.is_file():
            return None
        if full.stat().st_size > MAX_BYTES:
            raise TooLarge
        return full.read_bytes()

    return build(str(root), paths, read, config)


class TooLarge(Exception):
    """A file above MAX_BYTES: skipped with a notice."""


def is_text(rel: str) -> bool:
    return rel.endswith(TEXT_SUFFIXES) or rel.rsplit("/", 1)[-1] in TEXT_NAMES


def build(root: str, paths, read: Callable[[str], bytes | None], config: Config) -> SourceTree:
    """Candidate paths and a reader (path -> bytes, None when absent) in, the SourceTree out:
    the working tree reads the disk, `enumguard diff` reads a commit from git objects."""
    exclude = DEFAULT_EXCLUDE + config.exclude
    kept = sorted(
        p
        for p in set(paths)
        if not matches(p, exclude) and (not config.include or matches(p, config.include))
    )
    files: list[SourceFile] = []
    skipped: list[str] = []
    for rel in kept:
        if not is_text(rel):
            continue
        try:
            data = read(rel)
            if data is not None and len(data) > MAX_BYTES:
                raise TooLarge
        except TooLarge:
            skipped.append(f"{rel}: skipped, larger than {MAX_BYTES // 1_000_000} MB")
            continue
        except OSError as exc:
            skipped.append(f"{rel}: could not be read ({exc.strerror})")
            continue
        if data is None:
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        files.append(SourceFile(rel, text))
    return SourceTree(root=root, files=tuple(files), paths=tuple(kept), skipped=tuple(skipped))
