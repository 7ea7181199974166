"""Per-file facts keyed by a content hash, kept in one pickle shared by every tree scanned
(so `enumguard diff` reuses the head's facts for files the base has unchanged).

The key of an entry covers the file's path and text, the inputs the extractor was given, and a
digest of enumguard's own python/ sources, so a change to the scanner invalidates old entries.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


# Migration-stage modules the Python scanner calls for SQL strings in application code.
_SQL_READERS = ("app_sql.py", "sql_events.py", "sql_tree_events.py", "sql_statements.py", "events.py")


def code_digest() -> str:
    """A digest of the modules whose output the cache stores."""
    h = hashlib.sha256()
    sql = [_PACKAGE / "migrations" / name for name in _SQL_READERS]
    for path in sorted((_PACKAGE / "python").glob("*.py")) + sql + [_PACKAGE / "model.py", _PACKAGE / "finding.py"]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "enumguard"


MAX_ENTRIES = 30_000


class FactCache:
    """get/put by key; `save` keeps the other trees' entries while the file stays below
    MAX_ENTRIES, else only the entries this run used."""

    def __init__(self, root: str, namespace: str, enabled: bool = True) -> None:
        self.enabled = enabled
        self.used: dict[str, object] = {}
        self.loaded: dict[str, object] = {}
        self.dirty = False
        self.file = cache_dir() / f"{namespace}.pickle"
        if enabled:
            try:
                with open(self.file, "rb") as fh:
                    data = pickle.load(fh)
                if isinstance(data, dict):
                    self.loaded = data
            except Exception:  # a missing, partial or foreign cache file is simply not used
                self.loaded = {}

    def get(self, key: str) -> object | None:
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
                pickle.dump(keep, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)
        except OSError:
            pass  # a read-only home: run without a cache


def key(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()
