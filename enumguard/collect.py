"""Files in, SourceTree out: which files exist under the root, with the text of those we parse.

Pull-request content is untrusted: a file is read only when its real path (symlinks resolved)
stays inside the root and outside /proc, /sys and /dev, is a regular file and is no larger than
`max-file-bytes`; anything else becomes a one-line notice, never an error."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from enumguard.config import DEFAULT_EXCLUDE, Config

# Files whose text later stages read. Everything else is known by path only.
TEXT_SUFFIXES = (".py", ".pyi", ".sql", ".psql", ".pgsql")
TEXT_NAMES = ("alembic.ini", "script.py.mako")  # script.py.mako: the template of a new revision
# Read only to learn how SQL is applied (psql scripts, compose volumes, Dockerfile COPY); not checked.
AUX_NAMES = re.compile(
    r"(?:[\w.\-]+\.(?:sh|bash)|Makefile|makefile|GNUmakefile|[Jj]ustfile|(?:docker-)?compose(?:[.\-_][\w.\-]*)?\.ya?ml"
    r"|Dockerfile(?:[.\-_][\w.\-]*)?|[\w.\-]+\.[Dd]ockerfile)\Z"
)
# Kernel pseudo-filesystems: reading /proc/self/environ would hand the token to the report.
FORBIDDEN_ROOTS = ("/proc", "/sys", "/dev")
LISTED_LINKS = 10  # symlink paths named in the notice; the rest are counted


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


def inside(real: str, root_real: str) -> bool:
    """Is the resolved path `real` the root or below it, and outside the kernel's pseudo-files?"""
    if any(real == f or real.startswith(f + "/") for f in FORBIDDEN_ROOTS):
        return False
    return real == root_real or real.startswith(root_real.rstrip("/") + "/")


def _decode(rel: str, data: bytes) -> tuple[str | None, str | None]:
    """(text, notice): UTF-8 (a BOM is dropped); UTF-16 and NUL bytes are refused, as Python
    and PostgreSQL refuse them; other bytes are read as Latin-1 with a notice."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None, f"{rel}: skipped, UTF-16 encoded (Python and PostgreSQL read UTF-8)"
    if b"\0" in data:
        line = data.count(b"\n", 0, data.index(b"\0")) + 1
        return None, f"{rel}: skipped, contains a NUL byte (line {line}); not a text file"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        if rel.endswith((".py", ".pyi")):
            declared = _declared_encoding(data)
            if declared:
                try:
                    return data.decode(declared), None
                except (LookupError, UnicodeDecodeError):
                    pass
        line = data.count(b"\n", 0, exc.start) + 1
        return data.decode("latin-1"), f"{rel}: not valid UTF-8 (line {line}); read as Latin-1"


_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _declared_encoding(data: bytes) -> str | None:
    """A PEP 263 `# -*- coding: latin-1 -*-` on one of the first two lines."""
    for line in data.split(b"\n", 2)[:2]:
        found = _CODING.match(line)
        if found:
            return found.group(1).decode("ascii")
    return None


def _read(full: Path, root_real: str, limit: int) -> tuple[bytes | None, str | None]:
    """(content, None), or (None, why not): 'link' for a symlink out of the root, else a notice
    tail. The real path is opened with O_NOFOLLOW so a link swapped in later is not followed."""
    real = os.path.realpath(full)
    if not inside(real, root_real):
        return None, "link"
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return None, f"could not be read ({exc.strerror})"
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None, "" if stat.S_ISDIR(info.st_mode) else "skipped, not a regular file"
        if info.st_size > limit:
            return None, f"skipped, {info.st_size:,} bytes is over the {limit:,}-byte limit (`max-file-bytes`)"
        data = fh.read(limit + 1)  # bounded even when the size changes under us
    if len(data) > limit:
        return None, f"skipped, over the {limit:,}-byte limit (`max-file-bytes`)"
    return data, None


OUTSIDE = "pointing outside the repository (or into /proc, /sys, /dev)"


def listed(paths: list[str]) -> str:
    """The first few paths, then a count of the rest."""
    more = len(paths) - LISTED_LINKS
    return ", ".join(paths[:LISTED_LINKS]) + (f" and {more} more" if more > 0 else "")


def links_notice(links: list[str], why: str = OUTSIDE) -> str:
    """One notice naming the symlinks that were not followed (the first few, then a count)."""
    return f"{len(links)} symlink(s) {why} were not read: {listed(links)}"


# A Git LFS pointer: the file's content lives on the LFS server, the checkout holds this text
# (actions/checkout leaves pointers unless `lfs: true`). Parsing it would report syntax errors.
LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"


def lfs_notice(paths: list[str]) -> str:
    return (
        f"{len(paths)} file(s) are Git LFS pointers, not their content; skipped "
        f"(run `git lfs pull`, or `lfs: true` on actions/checkout): {listed(paths)}"
    )


def collect(config: Config) -> SourceTree:
    """List the files under config.root that include/exclude admit, reading the parseable ones."""
    root = Path(config.root)
    root_real = os.path.realpath(root)
    listed = _git_files(root)
    paths = listed if listed is not None else _walk(root, DEFAULT_EXCLUDE + config.exclude)
    return build(str(root), paths, lambda rel: _read(root / rel, root_real, config.max_file_bytes), config)


def is_text(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    # any Alembic config (`alembic.ini`, `alembic-audit.ini`): a repository may hold several
    return (
        rel.endswith(TEXT_SUFFIXES)
        or name in TEXT_NAMES
        or (name.endswith(".ini") and "alembic" in name.lower())
        or is_aux(rel)
    )


def is_aux(rel: str) -> bool:
    """A script, compose file or Dockerfile: read for how SQL is applied, never checked itself."""
    return bool(AUX_NAMES.match(rel.rsplit("/", 1)[-1]))


def build(root: str, paths, read: Callable[[str], tuple[bytes | None, str | None]], config: Config) -> SourceTree:
    """Candidate paths and a reader (path -> (content, None) or (None, why not), as `_read`) in,
    the SourceTree out: the working tree reads the disk, `enumguard diff` a commit from git."""
    exclude = DEFAULT_EXCLUDE + config.exclude
    kept = sorted(
        p for p in set(paths) if not matches(p, exclude) and (not config.include or matches(p, config.include))
    )
    files: list[SourceFile] = []
    skipped: list[str] = []
    links: list[str] = []
    pointers: list[str] = []
    for rel in kept:
        if not is_text(rel):
            continue
        data, why = read(rel)
        if why == "link":
            links.append(rel)
            continue
        if data is None:
            if why:
                skipped.append(f"{rel}: {why}")
            continue
        if data.startswith(LFS_POINTER):
            pointers.append(rel)
            continue
        text, notice = _decode(rel, data)
        if notice:
            skipped.append(notice)
        if text is not None:
            files.append(SourceFile(rel, text))
    if pointers:
        skipped.insert(0, lfs_notice(pointers))
    if links:
        skipped.insert(0, links_notice(links))
    return SourceTree(root=root, files=tuple(files), paths=tuple(kept), skipped=tuple(skipped))
