"""The dialect-neutral picture that rules read: Python enums, DB enum types, and what links them.

Parsers (enumguard.python, enumguard.migrations) build these; rules never see libcst or sqlglot
nodes. Every class here is a frozen dataclass so stages can be cached, compared and pickled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from enumguard.finding import Finding, Location, Related

if TYPE_CHECKING:
    from enumguard.type_history import TypeHistory

# A member value as far as it is statically known.
Value = str | int | float | bool | bytes | None | tuple


@dataclass(frozen=True, order=True)
class Doubt:
    """Why a fact is not certain, and the line that made it so. `reason` completes
    "not checked: <what> (<reason>, at <location>)"."""

    reason: str
    location: Location

    def __str__(self) -> str:
        return f"{self.reason}, at {self.location.path}:{self.location.line}"


# --------------------------------------------------------------------------- Python side


@dataclass(frozen=True)
class Member:
    """One enum member. `value_known` is False for computed values (custom __new__, lookups)."""

    name: str
    value: Value
    value_known: bool
    location: Location
    alias_of: str | None = None  # canonical member name when the value repeats an earlier one


@dataclass(frozen=True)
class EnumClass:
    """A Python enum class, identified by its module-qualified name (`app.models.Event.Kind`)."""

    qualname: str
    module: str
    name: str
    location: Location
    members: tuple[Member, ...]
    kind: str = "Enum"  # Enum, StrEnum, IntEnum, Flag, IntFlag, or the mixin ("str") + Enum
    bases: tuple[str, ...] = ()  # resolved qualnames of the enum bases, e.g. ("enum.Enum",)
    api_names: frozenset[str] = frozenset()  # methods, properties, non-member attributes (own + bases)
    open: bool = False  # members not all known (functional API with non-literals): never flag
    in_migration: bool = False  # a frozen copy inside a migration script, not the application enum
    # Attributes beyond members and api_names may exist (a base or metaclass enumguard cannot read).
    api_open: bool = False

    @property
    def member_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.members)

    def member(self, name: str) -> Member | None:
        for m in self.members:
            if m.name == name:
                return m
        return None

    @property
    def values_known(self) -> bool:
        return all(m.value_known for m in self.members)


@dataclass(frozen=True)
class Reference:
    """A use of an enum member in code. `form` is attribute | subscript | call | getattr.

    For attribute, subscript and getattr the `member` is the member name; for call
    (`E("v")`) it is the literal value, kept as text in `value` and original type in `literal`.
    """

    enum: str  # EnumClass.qualname
    member: str
    form: str
    location: Location
    literal: Value = None
    handled: tuple[str, ...] = ()  # exceptions expected where it is written ("*": any, pytest.raises)


@dataclass(frozen=True)
class Binding:
    """A Python enum persisted in a DB enum type (from SQLAlchemy code or configuration).

    `stores` is "names" (SQLAlchemy's default) or "values" (with values_callable); "labels" when
    the SQLAlchemy Enum lists string labels (`enum` is "" and `labels` holds them); "unknown" when
    the link is by config or by name only, or values_callable is not the common comprehension
    (rules then compare whichever of names or values matches the DB labels better).
    `db_type` is None for native_enum=False (a VARCHAR + CHECK, no DB type).
    """

    enum: str
    db_type: str | None
    stores: str
    location: Location
    explicit: bool = False  # declared in [tool.enumguard.bindings]
    by_fallback: bool = False  # linked by normalised name, not by code
    table: str | None = None
    column: str | None = None
    labels: tuple[str, ...] = ()  # stores == "labels": sa.Enum("a", "b", name="t")


# --------------------------------------------------------------------------- database side


@dataclass(frozen=True)
class Migration:
    """One migration unit in apply order: a SQL file or an Alembic revision."""

    path: str
    order: int
    kind: str  # "sql" or "alembic"
    revision: str | None = None
    down_revisions: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()  # Alembic: revisions or branch labels
    branch_labels: tuple[str, ...] = ()  # Alembic: the labels this revision declares
    environment: str = ""  # Alembic: the environment (its alembic.ini or env.py) whose graph holds it


@dataclass(frozen=True)
class EnumOp:
    """One enum DDL statement, in replay order.

    kind: create | add_value | rename_value | rename_type | set_schema | drop | unknown (a
    statement enumguard could not read: from here on `type_name` is uncertain, "*" every type;
    `reason` says why).
    Type names are qualified PostgreSQL names: `public.status`, `public."MixedCase"` keeps case
    inside quotes only in display; here the exact folded name is stored (`public.MixedCase`).
    """

    kind: str
    type_name: str
    location: Location
    migration: str  # Migration.path
    labels: tuple[str, ...] = ()  # create
    label: str | None = None  # add_value: the new label; rename_value: the old one
    new_label: str | None = None  # rename_value
    new_name: str | None = None  # rename_type / set_schema: the new qualified name
    before: str | None = None
    after: str | None = None
    if_not_exists: bool = False
    if_exists: bool = False
    cascade: bool = False
    transaction: str | None = None  # ops and literals sharing this id run in one transaction
    label_locations: tuple[Location, ...] = ()  # create: where each label is written, if known
    labels_known: bool = True  # create: False when the labels come from code enumguard cannot read
    # drop: the columns typed with this type when it was dropped (CASCADE drops them too)
    in_use: tuple[ColumnUse, ...] = ()
    reason: str | None = None  # unknown: why the type is uncertain from here on


@dataclass(frozen=True)
class Label:
    """A DB enum label and the statement that introduced it (or last renamed it)."""

    value: str
    location: Location


@dataclass(frozen=True)
class DbEnum:
    """A DB enum type's final state after replaying all migrations (or read from a live DB)."""

    name: str  # qualified: public.status
    labels: tuple[Label, ...]
    location: Location  # the CREATE TYPE
    source: str = "migrations"  # or "database"
    # Set when a statement that may change the type was not read (or its labels are computed):
    # rules then report nothing that rests on its labels.
    doubt: Doubt | None = None

    @property
    def certain(self) -> bool:
        return self.doubt is None

    @property
    def label_values(self) -> tuple[str, ...]:
        return tuple(label.value for label in self.labels)

    def label(self, value: str) -> Label | None:
        for label in self.labels:
            if label.value == value:
                return label
        return None


@dataclass(frozen=True)
class ColumnUse:
    """A table column typed with a DB enum type (final state after migrations). `doubt` is set
    when a later statement that may change the table's columns was not read."""

    table: str
    column: str
    type_name: str
    location: Location
    default: str | None = None
    doubt: Doubt | None = None


@dataclass(frozen=True)
class LiteralUse:
    """A string literal used as a value of an enum type.

    context: default | cast | insert | update | server_default | where.
    """

    type_name: str
    value: str
    context: str
    location: Location
    transaction: str | None = None
    # Migration literals: how many of Model.ops ran before this use (the type's state then);
    # None (Python server_default) means the final state.
    after_op: int | None = None
    # Written to a column of a table no migration creates: `type_name` is "" until the model's
    # binding of that column gives it (enumguard.link); then these say which column it was.
    table: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class TypeUse:
    """A migration statement that needs an enum type to exist: a column typed with it.

    `surely_enum` when the statement itself declares an enum (Alembic's sa.Enum); otherwise the
    name is known as an enum type from some other migration. context: column | add_column |
    alter_column | create_table."""

    type_name: str
    location: Location
    migration: str
    after_op: int  # how many of Model.ops ran before this statement
    context: str = "column"
    surely_enum: bool = False
    table: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class ColumnValue:
    """A string literal application code sends as the value of a table column.

    via "orm": through a SQLAlchemy mapped class attribute (`Job.status == "x"`, `Job(status="x")`),
    so the column's binding decides what is accepted (member names, values or labels); `entity`
    is the class's qualname. via "sql": written in raw SQL, sent as is; `type_name` is set for a
    `'x'::type` cast. context: compare | in | constructor | assign | values | filter_by (orm);
    where | insert | update | cast (sql). `quotes` are the literal's opening and closing text
    when its source is exactly the value between them (so a replacement can be written).
    """

    table: str | None
    column: str | None
    value: str
    context: str
    location: Location
    via: str = "orm"
    entity: str | None = None
    type_name: str | None = None
    quotes: tuple[str, str] | None = None


# --------------------------------------------------------------------------- live database


@dataclass(frozen=True)
class IdleSession:
    """A session `idle in transaction`: how long it has been idle and what it last ran."""

    pid: int
    user: str | None
    application_name: str
    idle_seconds: float
    transaction_seconds: float | None
    query: str
    aborted: bool = False


@dataclass(frozen=True)
class LiveDatabase:
    """What enumguard read from a live database (shown without the password)."""

    url: str  # masked
    user: str
    database: str
    server_version: int
    enums: tuple[DbEnum, ...]
    columns: tuple[ColumnUse, ...]
    extension_types: frozenset[str]  # qualified names of types an extension owns
    idle_sessions: tuple[IdleSession, ...]
    hidden_sessions: int  # sessions of other roles whose state this role may not see
    activity_error: str | None = None  # pg_stat_activity could not be read at all


# --------------------------------------------------------------------------- linked (enumguard.link)


@dataclass(frozen=True)
class Persisted:
    """A label the Python side writes, and the member (and its line) that writes it."""

    label: str
    location: Location
    member: str | None


@dataclass(frozen=True)
class BoundPair:
    enum: EnumClass | None  # None for sa.Enum("a", "b", name="t")
    db: DbEnum
    binding: Binding  # the first binding of this pair, for `related`
    persisted: tuple[Persisted, ...]

    @property
    def enum_name(self) -> str:
        return self.enum.name if self.enum is not None else f"Enum({', '.join(p.label for p in self.persisted)})"

    @property
    def db_name(self) -> str:
        return display_type(self.db.name)

    @property
    def db_side(self) -> str:
        """`status` (from migrations) / (in the live database): where the DB labels come from."""
        where = "in the live database" if self.db.source == "database" else "from migrations"
        return f"DB type `{self.db_name}` ({where})"

    def related_db(self) -> Related:
        return Related(self.db.location, f"DB type `{self.db_name}` is created here")

    def related_binding(self) -> Related:
        how = "linked by name" if self.binding.by_fallback else "bound"
        if self.binding.explicit:
            how = "bound by [tool.enumguard.bindings]"
        return Related(self.binding.location, f"`{self.enum_name}` is {how} to `{self.db_name}` here")


@dataclass(frozen=True, order=True)
class NotChecked:
    """A DB type or linked enum the rules could not check, why, and the line that says so."""

    reason: str
    location: Location
    db_type: str | None = None  # qualified
    enum: str | None = None  # qualname; "" for a string-label Enum

    def __str__(self) -> str:
        return f"{self.reason}, at {self.location.path}:{self.location.line}"


@dataclass(frozen=True)
class Coverage:
    """How much of the model the rules could check: DB types whose labels are certain, linked
    enums whose link, type and stored labels are certain; and what was not, with why."""

    db_types: tuple[int, int] = (0, 0)  # (checked, total)
    enums: tuple[int, int] = (0, 0)
    not_checked: tuple[NotChecked, ...] = ()


# --------------------------------------------------------------------------- the whole picture


@dataclass(frozen=True)
class Settings:
    """Rule options from the configuration that rules may read."""

    postgres_version: int = 16
    idle_threshold_seconds: int = 300


@dataclass(frozen=True)
class Model:
    """Everything the rules see."""

    enums: tuple[EnumClass, ...] = ()
    references: tuple[Reference, ...] = ()
    bindings: tuple[Binding, ...] = ()
    migrations: tuple[Migration, ...] = ()
    ops: tuple[EnumOp, ...] = ()
    db_enums: tuple[DbEnum, ...] = ()
    columns: tuple[ColumnUse, ...] = ()
    literals: tuple[LiteralUse, ...] = ()
    type_uses: tuple[TypeUse, ...] = ()  # for missing-type
    column_values: tuple[ColumnValue, ...] = ()  # literals application code sends to columns
    # Parse problems found while building the model (syntax-error, unsupported-sql): already
    # findings, passed through by their rules so select/ignore/suppression treat them alike.
    problems: tuple[Finding, ...] = ()
    notices: tuple[str, ...] = ()  # one-line notices of the Python stage (template files not read)
    settings: Settings = field(default_factory=Settings)
    # Enum types read from a live database (`audit --database-url`), source "database"; their
    # label locations are pseudo-paths `database:<schema>.<type>` (line = label position).
    live_enums: tuple[DbEnum, ...] = ()
    # What the live database holds besides its enum types (`audit --database-url`).
    live: LiveDatabase | None = None
    # (table, column) pairs a migration last gave a non-enum type (a VARCHAR, or an enum before).
    plain_columns: frozenset[tuple[str, str]] = frozenset()
    # Tables some migration creates (and none drops): their columns are what the migrations say.
    # A model's table outside this set was made elsewhere (a dashboard, create_all): its model
    # bindings are the evidence for its columns.
    tables: frozenset[str] = frozenset()
    # Tables an unread statement may have changed ("*": any table): their column types are not
    # certain, so no literal sent to them is judged.
    table_doubts: tuple[tuple[str, Doubt], ...] = ()
    # Each Python enum (or string-label Enum) next to the DB type it is persisted in: set by the
    # linking stage (enumguard.link) once every DB type is known, live ones included. Only links
    # whose every fact is certain; the others are in `coverage.not_checked`.
    pairs: tuple[BoundPair, ...] = ()
    coverage: Coverage = field(default_factory=Coverage)
    # Database packages the application imports (sqlalchemy, psycopg, psycopg2, asyncpg, ...):
    # without SQLAlchemy, the driver decides what an enum member is sent as.
    drivers: frozenset[str] = frozenset()

    def enum(self, qualname: str) -> EnumClass | None:
        return self._enum_index().get(qualname)

    def db_enum(self, name: str) -> DbEnum | None:
        for db in self.db_enums:
            if db.name == name:
                return db
        return None

    def table_doubt(self, table: str) -> Doubt | None:
        """Why the columns of `table` are not certain (an unread statement may have changed them)."""
        for name, doubt in self.table_doubts:
            if name in (table, "*"):
                return doubt
        return None

    def live_enum(self, name: str) -> DbEnum | None:
        for db in self.live_enums:
            if db.name == name:
                return db
        return None

    @property
    def history(self) -> TypeHistory:
        """The enum types through the ops: state before op i, final name of an op's type.
        Built on each access (one linear pass); read it once per rule."""
        from enumguard.type_history import (
            TypeHistory,  # it builds on this module's dataclasses
        )

        return TypeHistory.of(self.ops)

    def _enum_index(self) -> dict[str, EnumClass]:
        index = self.__dict__.get("_index")
        if index is None:
            index = {e.qualname: e for e in self.enums}
            object.__setattr__(self, "_index", index)
        return index


def qualify(name: str, schema: str | None = None) -> str:
    """`status` -> `public.status`; names arrive already folded as PostgreSQL folds them."""
    if "." in name and schema is None:
        return name
    return f"{schema or 'public'}.{name}"


def display_type(qualified: str) -> str:
    """`public.status` -> `status`; `public.MixedCase` -> `"MixedCase"`; `s.x` -> `s.x`."""
    schema, _, name = qualified.rpartition(".")
    shown = name if name == name.lower() and name.replace("_", "").isalnum() else f'"{name}"'
    return shown if schema in ("", "public") else f"{schema}.{shown}"
