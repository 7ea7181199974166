"""What the drift rules (missing-in-db, missing-in-code, case-mismatch) say about a BoundPair:
its subject, its enum id, and the values_callable hint."""

from __future__ import annotations

from enumguard.link.pairs import values_of
from enumguard.model import BoundPair, Persisted


def subject(pair: BoundPair, p: Persisted | None) -> str:
    if pair.enum is None:
        return f"`sa.Enum(...)` for `{pair.db_name}`"
    return f"`{pair.enum.name}`"


def enum_id(pair: BoundPair) -> str | None:
    return pair.enum.qualname if pair.enum is not None else None


VALUES_HINT = (
    "SQLAlchemy stores member names and the DB holds the values: pass "
    "`values_callable=lambda e: [m.value for m in e]`"
)


def values_would_fit(pair: BoundPair) -> bool:
    """Names are stored, but the member values are exactly the DB labels."""
    if pair.binding.stores != "names" or pair.enum is None:
        return False
    values = {v.label for v in values_of(pair.enum) or ()}
    return bool(values) and values <= set(pair.db.label_values)
