"""The binding facts one file yields: BindingSite (an SQLAlchemy enum column as written) and
RawBinding (a site whose enum expression the scanner resolved). Plain data, shared by the
visitor that finds sites and the linking stage that binds them."""

from __future__ import annotations

from dataclasses import dataclass

from enumguard.finding import Location


@dataclass(frozen=True)
class BindingSite:
    """One `sa.Enum(...)` / `postgresql.ENUM(...)` / `Mapped[PyEnum]` column in one file, as written.

    `enum_expr` is the dotted name of the Python enum as written in that file ("Status",
    "models.Status"), resolved later by the Python scanner's import table; None when the
    SQLAlchemy Enum lists string labels instead (`labels`).

    kind: "call" (an Enum(...) call anywhere), "annotation" (`Mapped[E]` without an explicit
    type: SQLAlchemy picks the type from type_annotation_map, by default Enum(E) named
    `e` lower-cased), "map" (a `type_annotation_map` entry for one enum), "map_generic"
    (an entry keyed on `enum.Enum` whose settings apply to every `Mapped[E]`), "class" (not a
    binding: a class and its bases, so that a map entry applies only below the class declaring it),
    "helper" (not a binding: a module-level function `owner` that returns the members' values or
    names, for a values_callable imported from this module).
    """

    enum_expr: str | None
    db_type: str | None  # from name=/schema=, folded as SQLAlchemy quotes it; None: default/unknown
    stores: str  # "names" | "values" (values_callable) | "unknown" (a values_callable we cannot read)
    native: bool  # False for native_enum=False
    location: Location
    labels: tuple[str, ...] = ()
    table: str | None = None
    column: str | None = None
    server_default: str | None = None
    server_default_location: Location | None = None
    kind: str = "call"
    default_name: bool = False  # no name=: SQLAlchemy names the type after the class, lower-cased
    schema: str | None = None  # schema= of a default-named type
    # server_default=E.member.value / .name: (member, "value" | "name"), resolved against the enum
    server_default_member: tuple[str, str] | None = None
    owner: str | None = None  # the class the site is written in (annotations, map entries)
    bases: tuple[str, ...] = ()  # kind "class": the owner's bases, last name segment as written
    values_helper: str | None = None  # values_callable=<function defined in another module>
    # The callee as written when it is not SQLAlchemy's own name (`EnumColumn(...)` imported from a
    # project module): a binding only if the linking stage resolves it to SQLAlchemy's Enum.
    via: str | None = None


@dataclass(frozen=True)
class RawBinding:
    """A BindingSite whose enum expression has been resolved to an EnumClass qualname (or None)."""

    enum: str | None
    site: BindingSite
