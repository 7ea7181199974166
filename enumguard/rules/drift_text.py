"""What the drift rules (missing-in-db, missing-in-code, case-mismatch) say about a BoundPair:
its subject, its enum id, and the values_callable hint (and which labels it explains)."""

from __future__ import annotations

from enumguard.link.pairs import compare, values_of
from enumguard.model import BoundPair, Persisted


def subject(pair: BoundPair, p: Persisted | None) -> str:
    if pair.enum is None:
        return f"`sa.Enum(...)` for `{pair.db_name}`"
    return f"`{pair.enum.name}`"


def enum_id(pair: BoundPair) -> str | None:
    return pair.enum.qualname if pair.enum is not None else None


VALUES_HINT = (
    "SQLAlchemy stores member names and the DB holds the values: pass `values_callable=lambda e: [m.value for m in e]`"
)


def values_would_fit(pair: BoundPair) -> bool:
    """Names are stored, but the member values are exactly the DB labels."""
    if pair.binding.stores != "names" or pair.enum is None:
        return False
    values = {v.label for v in values_of(pair.enum) or ()}
    return bool(values) and values <= set(pair.db.label_values)


def values_behind_names(pair: BoundPair) -> frozenset[str]:
    """DB labels that are the VALUES of members whose NAMES the binding stores (no
    `values_callable`, `Not_a_Fit = "Not a Fit"`): one problem per member, reported there by
    missing-in-db with the values_callable hint, not again as a label the code lacks."""
    if pair.binding.stores != "names" or pair.enum is None:
        return frozenset()
    missing = {p.member for p in compare(pair).missing_in_db}
    return frozenset(
        m.value
        for m in pair.enum.members
        if m.name in missing and isinstance(m.value, str) and pair.db.label(m.value) is not None
    )


def value_hint_fits(pair: BoundPair, member: str | None) -> bool:
    """The values_callable hint explains this member: all values fit, or this member's does."""
    if values_would_fit(pair):
        return True
    found = pair.enum.member(member) if pair.enum is not None and member is not None else None
    return pair.binding.stores == "names" and found is not None and found.value in values_behind_names(pair)
