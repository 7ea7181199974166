"""Did-you-mean helpers the rules share: how an enum is shown, and a replacement that helps.

Certain (safe to offer as a one-click fix): the same name in another case, or once `_`, `-` and
spaces are removed (`in_progress` for `InProgress`). Likely (named in the help, never applied): a
close spelling, difflib ratio >= 0.8 (`Pending` for `Pendng`). Anything further (`processing` for
`Error`) misleads more than it helps, so nothing is suggested."""

from __future__ import annotations

import difflib
import json
import re

from enumguard.model import EnumClass

CLOSE_ENOUGH = 0.8
_SEPARATORS = re.compile(r"[\s_\-]+")


def display(enum: EnumClass) -> str:
    """`Event.Kind` for a nested enum, the class name otherwise."""
    prefix = f"{enum.module}." if enum.module else ""
    return enum.qualname[len(prefix) :] if enum.qualname.startswith(prefix) else enum.name


def _squashed(text: str) -> str:
    return _SEPARATORS.sub("", text).lower()


def closest(name: str, candidates: tuple[str, ...] | list[str]) -> tuple[str | None, bool]:
    """(the replacement, whether it is certain), or (None, False) when nothing is close."""
    for same in (lambda c: c.lower() == name.lower(), lambda c: _squashed(c) == _squashed(name)):
        found = [c for c in candidates if same(c)]
        if len(found) == 1:
            return found[0], True
        if found:  # two candidates differ from each other only by case: neither is certain
            return None, False
    best, score = None, 0.0
    for candidate in candidates:
        ratio = difflib.SequenceMatcher(None, name.lower(), candidate.lower()).ratio()
        if ratio > score:
            best, score = candidate, ratio
    return (best, False) if score >= CLOSE_ENOUGH else (None, False)


def quoted(text: str) -> str:
    """A double-quoted Python string literal of `text`, on one line (JSON's escapes are Python's)."""
    return json.dumps(text, ensure_ascii=False)


def closest_label(value: str, labels: tuple[str, ...]) -> str | None:
    return closest(value, labels)[0]


def listing(names: tuple[str, ...] | list[str], limit: int = 8) -> str:
    """`a`, `b`, `c` (and N more): what exists, when no single name is close."""
    shown = ", ".join(f"`{n}`" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
