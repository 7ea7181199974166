"""Per-file facts keyed by a content hash, kept in one pickle per kind of fact (python-facts,
migration-facts) shared by every tree scanned, so a file with the same path and text is parsed
once: across runs, and between the base and the head of `enumguard diff` (one `session`).

Every key covers the file's path and text, the inputs its extractor was given, and a digest of
enumguard's own code (the parsers, the model, the version), so an upgrade invalidates old entries.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from enumguard import __version__

_PACKAGE = Path(__file__).resolve().parent
# The code whose output the cache stores: both parsers and the dataclasses they return.
# Every module a cached fact depends on, subfolders included (migrations/alembic/, migrations/sql/).
_DIGESTED = (
    "python/**/*.py",
    "migrations/**/*.py",
    "model.py",
    "finding.py",
    "collect.py",
    "cache.py",
    "libcst_helpers.py",
    "sqlalchemy_names.py",
)
ENV_DIR = "ENUMGUARD_CACHE_DIR"
MAX_ENTRIES = 30_000


def code_digest() -> str:
    """A digest of the modules whose output the cache stores, and of enumguard's version
    (reading them costs a few milliseconds, so it is computed afresh, never stale)."""
    h = hashlib.sha256(__version__.encode())
    for pattern in _DIGESTED:
        for path in sorted(_PACKAGE.glob(pattern)):
            h.update(path.relative_to(_PACKAGE).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def cache_dir(explicit: Path | str | None = None) -> Path:
    """--cache-dir, else $ENUMGUARD_CACHE_DIR, else $XDG_CACHE_HOME/enumguard (~/.cache/enumguard)."""
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "enumguard"


class FactCache:
    """get/put by key. Disabled, it still remembers what this process put (so diff's two trees
    share facts) but never touches the disk. `save` keeps other trees' entries while the file
    stays below MAX_ENTRIES, else only the entries this run used."""

    def __init__(self, namespace: str, enabled: bool = True, directory: Path | str | None = None) -> None:
        self.enabled = enabled
        self.used: dict[str, object] = {}
        self.loaded: dict[str, object] = {}
        self.dirty = False
        self.file = cache_dir(directory) / f"{namespace}.pickle"
        if enabled:
            try:
                with open(self.file, "rb") as fh:
                    digest, data = pickle.load(fh)
                # entries of another enumguard version are dropped, not kept beside the new ones
                if digest == code_digest() and isinstance(data, dict):
                    self.loaded = data
            except Exception:  # a missing, partial or foreign cache file is simply not used
                self.loaded = {}

    def get(self, key: str) -> object | None:
        value = self.used.get(key)
        if value is None:
            value = self.loaded.get(key)
            if value is not None:
                self.used[key] = value
        return value

    def put(self, key: str, value: object) -> None:
        self.used[key] = value
        self.dirty = True

    def save(self) -> None:
        if not self.enabled or not self.dirty:
            return
        keep = {**self.loaded, **self.used}
        if len(keep) > MAX_ENTRIES:
            keep = self.used
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((code_digest(), keep), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)
            self.dirty = False
        except OSError:
            pass  # a read-only home: run without a cache


_SESSION: dict[tuple, FactCache] | None = None


@contextmanager
def session() -> Iterator[None]:
    """Scans inside share one store per kind of fact and save it once, at the end."""
    global _SESSION
    if _SESSION is not None:  # nested: the outer session owns the stores
        yield
        return
    _SESSION = {}
    try:
        yield
    finally:
        stores, _SESSION = _SESSION, None
        for store in stores.values():
            store.save()


def open_store(namespace: str, enabled: bool, directory: Path | str | None = None) -> FactCache:
    """The session's store for `namespace`, or a new one (pass it to `close` when done)."""
    if _SESSION is None:
        return FactCache(namespace, enabled, directory)
    ident = (namespace, enabled, str(cache_dir(directory)))
    if ident not in _SESSION:
        _SESSION[ident] = FactCache(namespace, enabled, directory)
    return _SESSION[ident]


def close(store: FactCache) -> None:
    """Save a store now, unless a session saves it at its end."""
    if _SESSION is None or store not in _SESSION.values():
        store.save()


def key(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()
