"""The linking stage, between parsing and rules: Python enums and SQLAlchemy binding sites next to
DB enum types.

`bind` turns resolved binding sites into Bindings (code, then [tool.enumguard.bindings], then the
name fallback) and server_default literals; `link(model)` pairs each bound enum with the DB type
it is persisted in (Model.pairs), once every DB type is known (live ones included)."""

from __future__ import annotations

from dataclasses import replace

from enumguard.link.bindings import bind, column_literals, server_default_literals
from enumguard.link.coverage import coverage
from enumguard.link.pairs import bound_pairs
from enumguard.model import Model

__all__ = ["bind", "column_literals", "link", "server_default_literals"]


def link(model: Model) -> Model:
    """The model with its enum/type pairs and what could not be checked."""
    pairs, unchecked = bound_pairs(model)
    return replace(model, pairs=pairs, coverage=coverage(model, pairs, unchecked))
