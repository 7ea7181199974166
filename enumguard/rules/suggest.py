"""Did-you-mean helpers the rules share: how an enum is shown, and the closest name or label."""

from __future__ import annotations

import difflib
import json

from enumguard.model import EnumClass


def display(enum: EnumClass) -> str:
    """`Event.Kind` for a nested enum, the class name otherwise."""
    prefix = f"{enum.module}." if enum.module else ""
    return enum.qualname[len(prefix) :] if enum.qualname.startswith(prefix) else enum.name


def _fold(name: str) -> str:
    """`In-Progress`, `in_progress`, `IN PROGRESS` -> `inprogress`: case and separators dropped."""
    return "".join(ch for ch in name.lower() if ch not in "_- .")


def closest(name: str, candidates: tuple[str, ...]) -> tuple[str | None, bool]:
    """(the best replacement, whether it is certain): the one candidate that differs only by
    case or separators (`_`, `-`, space, `.`) is certain; otherwise the closest name by
    difflib, if any."""
    folded = [c for c in candidates if _fold(c) == _fold(name)]
    if len(folded) == 1:
        return folded[0], True
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.0)
    if not close:
        close = difflib.get_close_matches(name.lower(), [c.lower() for c in candidates], n=1, cutoff=0.0)
        close = [c for c in candidates if c.lower() in close][:1]
    return (close[0] if close else None), False


def quoted(text: str) -> str:
    """A double-quoted Python string literal of `text`, on one line (JSON's escapes are Python's)."""
    return json.dumps(text, ensure_ascii=False)


def closest_label(value: str, labels: tuple[str, ...]) -> str | None:
    for label in labels:
        if label.lower() == value.lower():
            return label
    found = difflib.get_close_matches(value, labels, n=1, cutoff=0.75)
    return found[0] if found else None
