"""enumguard.budget: the time bound per file stops the work inside its block, past any `except
Exception`, leaves nothing armed behind, and bounds nothing where it cannot (another thread)."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from enumguard import budget


@pytest.fixture(autouse=True)
def bound():
    budget.configure(0.2)
    yield
    budget.configure(budget.DEFAULT_SECONDS)


def spin(seconds: float) -> None:
    """Work on the CPU for `seconds` of CPU time."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_work_past_the_bound_is_stopped_even_through_except_exception():
    handler = signal.getsignal(signal.SIGPROF)
    start = time.process_time()
    with pytest.raises(budget.OverBudget) as caught:
        with budget.per_file():
            try:
                spin(5)
            except Exception:  # noqa: BLE001 - what the readers do for one odd statement
                pass
    assert time.process_time() - start < 2
    assert str(caught.value) == "reading it took more than 0.2 s of CPU time (`max-file-seconds`)"
    assert signal.getsignal(signal.SIGPROF) is handler and signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)


def test_a_swallowed_stop_is_raised_again():
    swallowed = 0
    with pytest.raises(budget.OverBudget):
        with budget.per_file():
            while True:
                try:
                    spin(5)
                except BaseException:  # library code that swallows everything, once
                    swallowed += 1
                    if swallowed > 1:
                        raise
    assert swallowed == 2


def test_work_within_the_bound_and_nested_blocks_run_to_the_end():
    with budget.per_file():
        spin(0.05)
        with budget.per_file():  # the outer bound stays the one that counts
            spin(0.05)
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)


def test_no_bound_when_turned_off_or_outside_the_main_thread():
    budget.configure(0)
    with budget.per_file():
        spin(0.4)
    budget.configure(0.2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with budget.per_file():
                spin(0.4)
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert errors == []
