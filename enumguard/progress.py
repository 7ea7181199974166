"""A count of files parsed in, one self-erasing line on stderr out: only on a terminal, only once
a stage has run for DELAY seconds (short runs stay silent), at most every INTERVAL seconds."""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY = 0.5
INTERVAL = 0.1


class Progress:
    """`enumguard: parsing Python files 120/1788`; `close()` erases the line it drew."""

    def __init__(self, label: str, total: int, enabled: bool, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and total > 0 and _is_tty(self.stream)
        self.started = time.monotonic()
        self.shown_at = 0.0
        self.drawn = False

    def tick(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < DELAY or now - self.shown_at < INTERVAL:
            return
        self.shown_at = now
        self._write(f"\renumguard: {self.label} {self.done}/{self.total}\x1b[K")
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self._write("\r\x1b[K")
            self.drawn = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal must not stop the audit
            self.enabled = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
