"""What the revision evaluator computes for an expression: Python constants as themselves, and
small classes for what it knows only in part (text with run-time holes, unknown values) or what
stands for the migration's world (op, a connection, an Enum type, a column, a helper function)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst


class Unknown:
    """A value known only at run time. `catalog`: it was read from the catalog (pg_enum,
    information_schema, an inspector), so an `if` on it guards an idempotent statement rather
    than choosing between two schemas. `how` says where it came from, for messages."""

    __slots__ = ("catalog", "how")

    def __init__(self, catalog: bool = False, how: str = "a value known only at run time") -> None:
        self.catalog = catalog
        self.how = how

    def __repr__(self) -> str:
        return f"Unknown(catalog={self.catalog})"


UNKNOWN = Unknown()
CATALOG = Unknown(catalog=True)


class Choice(Unknown):
    """One of several SQL texts the run time picks between (`action = update if found else
    insert`): unknown for any other use, but running it runs one of them."""

    __slots__ = ("options",)

    def __init__(self, options: tuple[object, ...]) -> None:
        super().__init__(False, "a value chosen at run time")
        self.options = options


def unknown(*inputs: object) -> Unknown:
    """The unknown result of an operation on `inputs`: read from the catalog if any input was."""
    return CATALOG if any(isinstance(v, Unknown) and v.catalog for v in inputs) else UNKNOWN


@dataclass(frozen=True)
class Text:
    """A string with holes: known parts and run-time holes (None) in order, and how it was built
    ("an f-string", "string operations", "string formatting")."""

    parts: tuple[str | None, ...]
    how: str

    def visible(self) -> str | None:
        """The text parts joined by NUL (a hole), or None when no part of it is known."""
        known = [p for p in self.parts if p]
        return "\0".join(known) if known else None


def text_parts(value: object) -> tuple[str | None, ...] | None:
    """A string-like value as parts; None for a value that is no string at all."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Text):
        return value.parts
    if isinstance(value, Unknown):
        return (None,)
    return None


def joined(parts: list[str | None], how: str) -> str | Text:
    """Parts -> a plain string when they have no hole, else a Text (adjacent parts merged)."""
    out: list[str | None] = []
    for part in parts:
        if part is None and out and out[-1] is None:
            continue
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
            continue
        out.append(part)
    if all(isinstance(p, str) for p in out):
        return "".join(p for p in out if p is not None)
    return Text(tuple(out), how)


@dataclass(frozen=True)
class Db:
    """What reaches the database: `op`, a connection (`op.get_bind()`, a parameter it was passed
    as), the migration context, an ORM session, an inspector, or the dialect."""

    kind: str  # op | bind | context | session | inspector | dialect


OP, BIND, CONTEXT, SESSION, INSPECTOR, DIALECT = (
    Db(k) for k in ("op", "bind", "context", "session", "inspector", "dialect")
)


@dataclass(frozen=True)
class Library:
    """A name from a module enumguard does not read (SQLAlchemy, the standard library, a package
    that is not in the repository), by its qualified name."""

    qualified: str


@dataclass(frozen=True)
class Opaque:
    """What a library call returns when it is nothing enumguard models (a Core `update()`, a
    logger, a UUID): known not to be SQL text, and harmless to call methods on."""

    qualified: str


@dataclass(frozen=True)
class ArrayType(Opaque):
    """`sa.ARRAY(item)`: a column of it stores no enum, but creating its table creates the item's
    enum type (as SQLAlchemy does)."""

    item: object = None


@dataclass(frozen=True)
class Sql:
    """`sa.text(...)` / `sa.DDL(...)`: SQL text to run as written, with the parameters
    `.bindparams(...)` gave it."""

    text: object
    params: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class AutocommitBlock:
    """`op.get_context().autocommit_block()`."""


@dataclass(frozen=True)
class Batch:
    """`op.batch_alter_table(table, schema=...)`: its operations act on that table."""

    table: object
    schema: object


@dataclass(frozen=True, eq=False)
class EnumType:
    """`sa.Enum(...)` / `postgresql.ENUM(...)` as built. `name` unqualified; the schema comes from
    `schema=` or, with inherit_schema, from the table it is used in."""

    name: str | None
    labels: tuple[str, ...]
    labels_known: bool
    create_type: bool
    native: bool
    node: cst.CSTNode
    schema: str | None = None
    inherit_schema: bool = False

    def qualified(self, table_schema: str | None = None) -> str | None:
        if not self.name:
            return None
        schema = self.schema or (table_schema if self.inherit_schema else None)
        return f"{schema or 'public'}.{self.name}"


@dataclass(frozen=True, eq=False)
class Column:
    """`sa.Column(name, type, server_default=...)`."""

    name: object
    type: object
    server_default: object
    node: cst.CSTNode


@dataclass(frozen=True, eq=False)
class Table:
    """`sa.Table(name, metadata, *columns, schema=...)`."""

    name: object
    columns: tuple[object, ...]
    schema: object
    node: cst.CSTNode


@dataclass(eq=False)
class Function:
    """A `def` or `lambda` the evaluator may follow: its node, the module it is written in, the
    frame it closes over, and whether enumguard follows it (code of the migrations)."""

    node: cst.FunctionDef | cst.Lambda
    module: Any  # modules.ModuleEnv
    closure: Any = None  # evaluate.Frame
    follow: bool = True
    bound: tuple[object, ...] = ()  # `self` or `cls` of a method taken from an object or class

    @property
    def name(self) -> str:
        return self.node.name.value if isinstance(self.node, cst.FunctionDef) else "<lambda>"


@dataclass(eq=False)
class ClassValue:
    """A class defined in code enumguard reads (an enum class: its members are iterable)."""

    node: cst.ClassDef
    module: Any  # modules.ModuleEnv


@dataclass(eq=False)
class Instance:
    """An object of a class enumguard reads: its methods can be followed, its state is unknown."""

    cls: ClassValue


@dataclass(frozen=True)
class Member:
    """A member of a readable enum class: `.name`, `.value`."""

    owner: str
    name: str
    value: object
    str_is_value: bool = False  # `str(member)` is its value: a StrEnum without its own __str__


@dataclass(frozen=True)
class Attr:
    """`obj.name` not called yet: a bound method of a known object (`", ".join`, `conn.execute`)."""

    obj: object
    name: str


@dataclass
class Args:
    """A call's arguments, evaluated. `open_star`: a `*x` / `**x` whose content is unknown."""

    positional: list[object] = field(default_factory=list)
    keywords: dict[str, object] = field(default_factory=dict)
    open_star: bool = False

    def get(self, keyword: str, position: int | None = None, default: object = None) -> object:
        if keyword in self.keywords:
            return self.keywords[keyword]
        if position is not None and position < len(self.positional):
            return self.positional[position]
        return default

    def all(self) -> list[object]:
        return [*self.positional, *self.keywords.values()]


def strings_in(values: list[object], limit: int = 20) -> frozenset[str]:
    """The string values among call arguments (also inside tuples and lists), lower case and
    unqualified: what an unfollowed call visibly names."""
    out: set[str] = set()
    stack = list(values)
    while stack and len(out) < limit:
        value = stack.pop()
        if isinstance(value, str) and 0 < len(value) <= 63:
            out.add(value.rsplit(".", 1)[-1].strip('"').lower())
        elif isinstance(value, (tuple, list)):
            stack.extend(value[:limit])
    return frozenset(out)


def reaches_db(values: list[object]) -> bool:
    """True when one of the values gives a callee access to the database."""
    return any(isinstance(v, Db) and v.kind != "dialect" for v in values)


def same(values: list[object]) -> object:
    """The one value all branches agree on, else an unknown one (a Choice when they are all SQL
    texts, so that running it still reads each)."""
    first = values[0]
    for other in values[1:]:
        try:
            if other is not first and not (type(other) is type(first) and other == first):
                return _choice(values)
        except Exception:  # noqa: BLE001 - a comparison of odd values: not the same
            return unknown(*values)
    return first


def _choice(values: list[object]) -> Unknown:
    options: list[object] = []
    for value in values:
        for option in value.options if isinstance(value, Choice) else (value,):
            if not isinstance(option, (str, Sql, Text)) or len(options) >= 8:
                return unknown(*values)
            if not any(option is o or option == o for o in options):
                options.append(option)
    return Choice(tuple(options))
