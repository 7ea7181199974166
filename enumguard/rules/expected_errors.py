"""A reference in, whether it is written to fail out: the error its form raises is expected
where it sits (`pytest.raises`, a `try` that handles it). Shared by unknown-member and
unknown-value; the parser records what each enclosing block expects (python/guards.py)."""

from __future__ import annotations

from enumguard.model import Reference

# The error each form of reference raises, and the handler names that catch it; "*" is a
# `pytest.raises`/`assertRaises` block, which expects whatever it raises.
CAUGHT_BY = {
    "call": {"ValueError"},
    "subscript": {"KeyError", "LookupError"},
    "attribute": {"AttributeError"},
    "getattr": {"AttributeError"},
}


def deliberate(ref: Reference) -> bool:
    """Written to raise: inside `pytest.raises(...)`, or a `try` that handles this very error."""
    return "*" in ref.handled or bool(CAUGHT_BY.get(ref.form, set()) & set(ref.handled))
