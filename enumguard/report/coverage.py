"""Coverage in, its phrasing out: the one line every report carries ("checked 23 of 27 enum types
and 40 of 41 linked enums; not checked: ...") and the JSON object, so a user knows what no
finding can be expected about."""

from __future__ import annotations

from typing import Any

from enumguard.model import Coverage, NotChecked, display_type

MAX_LISTED = 10


def subject(entry: NotChecked) -> str:
    """`podcast_status` (a DB type) or `Status` (an enum): what was not checked."""
    if entry.enum:
        return entry.enum.rpartition(".")[2]
    if entry.enum == "" and entry.db_type:
        return f"sa.Enum labels of {display_type(entry.db_type)}"
    return display_type(entry.db_type or "?")


def shown_entries(coverage: Coverage) -> list[NotChecked]:
    """The entries worth a line: an enum left out because its type is in doubt is said by the type."""
    doubtful = {(e.db_type, e.reason, e.location) for e in coverage.not_checked if e.enum is None}
    return [
        e for e in coverage.not_checked if not (e.enum is not None and (e.db_type, e.reason, e.location) in doubtful)
    ]


def line(coverage: Coverage) -> str | None:
    """The one line, or None when there is nothing to check (no DB type, no linked enum)."""
    (types_ok, types), (enums_ok, enums) = coverage.db_types, coverage.enums
    if not types and not enums:
        return None
    text = f"checked {types_ok} of {types} enum type{'s' if types != 1 else ''} and {enums_ok} of {enums} linked enum{'s' if enums != 1 else ''}"
    entries = shown_entries(coverage)
    if entries:
        listed = ", ".join(f"{subject(e)} ({e})" for e in entries[:MAX_LISTED])
        more = (
            f", and {len(entries) - MAX_LISTED} more (`enumguard show` lists them)" if len(entries) > MAX_LISTED else ""
        )
        text += f"; not checked: {listed}{more}"
    return text


def as_dict(coverage: Coverage) -> dict[str, Any]:
    """`{"db_types": {"checked", "total"}, "enums": {...}, "not_checked": [{"db_type"?, "enum"?, "reason", "path", "line"}]}`."""
    out: list[dict[str, Any]] = []
    for e in coverage.not_checked:
        item: dict[str, Any] = {}
        if e.db_type:
            item["db_type"] = display_type(e.db_type)
        if e.enum is not None:
            item["enum"] = e.enum
        item.update(reason=e.reason, path=e.location.path, line=e.location.line)
        out.append(item)
    return {
        "db_types": {"checked": coverage.db_types[0], "total": coverage.db_types[1]},
        "enums": {"checked": coverage.enums[0], "total": coverage.enums[1]},
        "not_checked": out,
    }
