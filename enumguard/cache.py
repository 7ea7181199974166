"""Per-file facts keyed by a content hash, kept in one JSON file per kind of fact (python-facts,
migration-facts) shared by every tree scanned, so a file with the same path and text is parsed
once: across runs, and between the base and the head of `enumguard diff` (one `session`).

Every key covers the file's path and text, the inputs its extractor was given, and a digest of
enumguard's own code (the parsers, the model, the version), so an upgrade invalidates old entries.

The file is data only: each store has a Codec (enumguard.cachecodec) that writes its registered
dataclasses as JSON and reads back nothing else, so a planted or damaged cache file can make
enumguard parse again, never run code. A file that is not one of ours, is damaged, or was written
by a newer format is discarded with one notice on stderr, and the run goes on without it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from enumguard import __version__
from enumguard.cachecodec import Codec, CodecError

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
    "cachecodec.py",
)
ENV_DIR = "ENUMGUARD_CACHE_DIR"
MAX_ENTRIES = 30_000
FORMAT = "enumguard-facts"
FORMAT_VERSION = 1  # raise it when the file's layout changes; a newer file is not read
_NOTICED: set[str] = set()  # cache files already named in a notice by this process


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
    """get/put by key. Disabled (or without a codec), it still remembers what this process put
    (so diff's two trees share facts) but never touches the disk. `save` keeps other trees'
    entries while the file stays below MAX_ENTRIES, else only the entries this run used."""

    def __init__(
        self, namespace: str, enabled: bool = True, directory: Path | str | None = None, codec: Codec | None = None
    ) -> None:
        self.enabled = enabled and codec is not None
        self.codec = codec
        self.used: dict[str, object] = {}
        self.raw: dict[str, Any] = {}  # entries read from the file, decoded when first asked for
        self.new: set[str] = set()  # keys put by this run
        self.file = cache_dir(directory) / f"{namespace}.json"
        if self.enabled:
            self.raw = self._load()

    def _load(self) -> dict[str, Any]:
        assert self.codec is not None
        try:
            data = json.loads(self.file.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, RecursionError) as exc:  # not JSON: damaged, or another program's file
            return self._discard(f"not a JSON fact cache ({type(exc).__name__})")
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("version"), int):
            return self._discard("not an enumguard fact cache")
        if data["version"] > FORMAT_VERSION:
            return self._discard(
                f"written in format {data['version']} by a newer enumguard (this one reads {FORMAT_VERSION})"
            )
        # entries of another enumguard version or code are dropped, not kept beside the new ones
        if data["version"] < FORMAT_VERSION or data.get("digest") != code_digest():
            return {}
        if data.get("schema") != self.codec.schema:
            return {}
        entries = data.get("entries")
        if not isinstance(entries, dict):
            return self._discard("damaged (no entries)")
        return entries

    def _discard(self, why: str) -> dict[str, Any]:
        """The file's entries are dropped (it is replaced at the next save), with a notice."""
        self._notice(f"{why}; discarded, facts are read again")
        self.raw = {}
        return {}

    def _notice(self, message: str) -> None:
        """One line on stderr, once per cache file and process."""
        if str(self.file) not in _NOTICED:
            _NOTICED.add(str(self.file))
            print(f"enumguard: warning: fact cache {self.file}: {message}", file=sys.stderr)

    def get(self, key: str) -> object | None:
        value = self.used.get(key)
        if value is None and key in self.raw:
            assert self.codec is not None
            try:
                value = self.codec.decode(self.raw[key])
            except (CodecError, RecursionError) as exc:
                self._discard(f"damaged entry ({exc})")
                return None
            self.used[key] = value
        return value

    def put(self, key: str, value: object) -> None:
        self.used[key] = value
        self.new.add(key)

    def save(self) -> None:
        if not self.enabled or not self.new:
            return
        assert self.codec is not None
        keep = dict(self.raw)
        for key in self.used:
            if key in self.new:
                try:
                    keep[key] = self.codec.encode(self.used[key])
                except TypeError as exc:  # enumguard's own bug: the file is parsed again next time
                    keep.pop(key, None)
                    self._notice(f"cannot store a fact ({exc})")
        if len(keep) > MAX_ENTRIES:
            keep = {k: keep[k] for k in self.used if k in keep}
        document = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "enumguard": __version__,
            "digest": code_digest(),
            "schema": self.codec.schema,
            "entries": keep,
        }
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(json.dumps(document, separators=(",", ":")).encode("ascii"))
            os.replace(tmp, self.file)
            self.raw, self.new = keep, set()
            self.file.with_suffix(".pickle").unlink(missing_ok=True)  # the pickle of older versions
        except (OSError, ValueError):
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


def open_store(namespace: str, enabled: bool, directory: Path | str | None, codec: Codec) -> FactCache:
    """The session's store for `namespace`, or a new one (pass it to `close` when done)."""
    if _SESSION is None:
        return FactCache(namespace, enabled, directory, codec)
    ident = (namespace, enabled, str(cache_dir(directory)))
    if ident not in _SESSION:
        _SESSION[ident] = FactCache(namespace, enabled, directory, codec)
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
