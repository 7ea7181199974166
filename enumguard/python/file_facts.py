"""The per-file facts the Python scanner keeps (and caches): plain picklable data, no libcst nodes.

Names are as written in the file; resolving them across modules is enumguard.python.resolve's job.
"""

from __future__ import annotations

from dataclasses import dataclass

from enumguard.finding import Finding, Location
from enumguard.model import Value


@dataclass(frozen=True)
class ImportFact:
    """`import a.b as c` -> (local="c", module="a.b", attr=None, level=0);
    `from ..m import x as y` -> (local="y", module="m", attr="x", level=2); star: attr="*"."""

    local: str
    module: str
    attr: str | None
    level: int = 0


@dataclass(frozen=True)
class MemberFact:
    """A class-level assignment that becomes an enum member. kind: literal | auto | unknown |
    args (a tuple with some elements that are not literals: `"paused", _("Paused")`; `value`
    holds the elements, None where `known` is False; a custom `__new__` picks one of them)."""

    name: str
    kind: str
    value: Value
    location: Location
    known: tuple[bool, ...] = ()


@dataclass(frozen=True)
class ClassFact:
    """A class at module level or nested in such classes (`Outer.Kind`); functional enums too."""

    qual: str
    bases: tuple[str, ...]  # dotted names as written; "?" for anything else (calls, subscripts)
    location: Location
    members: tuple[MemberFact, ...] = ()
    api: tuple[str, ...] = ()  # methods, properties, nested classes, non-members, ignored names
    defines: tuple[str, ...] = ()  # special methods that change semantics: __new__, _missing_, ...
    # `__new__` sets `_value_` from this positional argument (`obj._value_ = value`); None when it
    # defines none or does something else (the members' values are then unknown).
    new_value_arg: int | None = None
    functional: bool = False
    open: bool = False  # members not all known
    metaclass: bool = False  # a metaclass= keyword: a custom metaclass may add members


@dataclass(frozen=True)
class RefFact:
    """A dotted chain used in code (`models.Status.done.value`), or a subscript/call/getattr on
    one with a literal. `where` holds the location of each chain segment (attribute form) or of
    the literal (other forms)."""

    chain: tuple[str, ...]
    form: str  # attribute | subscript | call | getattr
    where: tuple[Location, ...]
    literal: Value = None
    handled: tuple[str, ...] = ()  # exceptions the enclosing with/try expects (python/guards.py)


@dataclass(frozen=True)
class FileFacts:
    path: str
    imports: tuple[ImportFact, ...] = ()
    # Module-level names bound other than by a class or import (assignments, defs, loops):
    # a name bound both ways is ambiguous and never resolved.
    other_names: tuple[str, ...] = ()
    class_names: tuple[str, ...] = ()  # top-level class statements, in order (repeats kept)
    classes: tuple[ClassFact, ...] = ()
    references: tuple[RefFact, ...] = ()
    # dotted chains the file assigns to (`Permission.IMPLIED = ...`): a class attribute set after
    # the class statement, anywhere in the repository, is no unknown member
    assigned: tuple[tuple[str, ...], ...] = ()
    binding_sites: tuple = ()  # enumguard.python.binding_sites.BindingSite
    column_facts: object = None  # enumguard.python.column_values.ColumnFacts, when any
    problems: tuple[Finding, ...] = ()
    template: bool = False  # does not parse where it holds template syntax (Jinja, cookiecutter)
