"""The work on one file in, OverBudget out when it passes `max-file-seconds` of CPU time: a time
bound per file, so one hostile file costs at most that and the audit goes on.

    try:
        with budget.per_file():
            facts = read(path, text)
    except budget.OverBudget as over:
        facts = ...  # a finding naming the file, `str(over)` saying why; not cached

The bound counts the process's CPU time (a timer signal, ITIMER_PROF), so other jobs on a busy
machine do not make a file time out. It works in the main thread of a process (the CLI, and each
worker process that parses Python files); elsewhere the work is not bounded. `configure` sets
the bound for the run (pipeline, from the config); worker processes forked later inherit it.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

DEFAULT_SECONDS = 5  # the largest file of real projects measured takes about 1 s
_RETRY = 0.5  # the timer fires again this often, in case library code swallowed the first raise
_seconds: float = DEFAULT_SECONDS
_active = False


class OverBudget(BaseException):
    """The file took more than the bound. A BaseException, so that the readers' `except
    Exception` (one odd statement or file must not stop the audit) cannot swallow it."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds

    def __str__(self) -> str:
        return f"reading it took more than {self.seconds:g} s of CPU time (`max-file-seconds`)"


def configure(seconds: float) -> None:
    """The bound for the files read from now on; 0 turns it off."""
    global _seconds
    _seconds = seconds


def _on_timer(signum: int, frame: object) -> None:
    if _active:
        raise OverBudget(_seconds)


@contextmanager
def per_file() -> Iterator[None]:
    """Bound the work inside the block (nested blocks share the outer bound)."""
    global _active
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if _active or not _seconds or not usable:
        yield
        return
    previous = signal.signal(signal.SIGPROF, _on_timer)
    _active = True
    try:
        signal.setitimer(signal.ITIMER_PROF, _seconds, _RETRY)
        yield
    finally:
        _active = False  # a signal arriving from here on is ignored
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous if previous is not None else signal.SIG_DFL)
