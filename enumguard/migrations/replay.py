"""Migrations with their events in apply order -> final DB enum types, columns, literal uses,
type uses and the enum ops that changed something, each with its transaction id.

The label replay itself (`TypeState`) lives in enumguard.type_history, shared with the model."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from enumguard.finding import Finding
from enumguard.migrations.events import ColumnEvent, Event, LiteralEvent, TxEvent, Unread
from enumguard.model import ColumnUse, DbEnum, Doubt, EnumOp, LiteralUse, Migration, TypeUse
from enumguard.type_history import EVERY_TYPE, TypeState


@dataclass
class Unit:
    """One migration and its events; `mode` says how it runs: file (one transaction per file,
    COMMIT starts a new one), autocommit (each statement alone unless inside BEGIN..COMMIT), or
    alembic (`scope` names the transaction the runner opened)."""

    migration: Migration
    events: list[Event]
    mode: str
    scope: str = ""


@dataclass
class Result:
    ops: list[EnumOp] = field(default_factory=list)
    db_enums: tuple[DbEnum, ...] = ()
    columns: tuple[ColumnUse, ...] = ()
    literals: list[LiteralUse] = field(default_factory=list)
    type_uses: list[TypeUse] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    # (table, column) pairs a migration last typed with something that is no enum (a VARCHAR)
    plain_columns: set[tuple[str, str]] = field(default_factory=set)
    tables: set[str] = field(default_factory=set)  # created by a migration and not dropped
    # tables an unread statement may have changed (EVERY_TYPE: any table), and why
    table_doubts: dict[str, Doubt] = field(default_factory=dict)


def enum_names(units: list[Unit]) -> set[str]:
    """Every name that is an enum type at some point (created, added to, or renamed to)."""
    names: set[str] = set()
    for unit in units:
        for event in unit.events:
            if isinstance(event, EnumOp):
                if event.kind in ("create", "add_value", "rename_value"):
                    names.add(event.type_name)
                    if event.type_name.startswith("?"):
                        schemas, _, base = event.type_name[1:].rpartition(".")
                        names.update(f"{schema}.{base}" for schema in schemas.split("|"))
                if event.new_name and event.type_name in names:
                    names.add(event.new_name)
    return names


class _Tx:
    def __init__(self) -> None:
        self.counter = 0
        self.current: str | None = None
        self.explicit = False

    def new(self, scope: str) -> str:
        self.counter += 1
        self.current = f"{scope}#{self.counter}"
        return self.current


def replay(units: list[Unit]) -> Result:
    out = Result()
    state = TypeState()
    columns: dict[tuple[str, str], ColumnUse] = {}
    enums = enum_names(units)
    tx = _Tx()
    scope_open = ""
    existing: list[str] = []  # a CREATE TABLE IF NOT EXISTS of a table that exists: its columns change nothing
    for unit in units:
        mode, path = unit.mode, unit.migration.path
        if mode == "file":
            tx.new(path)
        elif mode == "alembic":
            if unit.scope != scope_open:
                tx.new(unit.scope)
                scope_open = unit.scope
        else:
            tx.current = None
        tx.explicit = False
        for event in unit.events:
            if isinstance(event, TxEvent):
                _transaction(event, tx, mode, unit)
            elif isinstance(event, Finding):
                out.problems.append(event)
            elif isinstance(event, EnumOp):
                _op(event, state, columns, out, tx.current)
            elif isinstance(event, ColumnEvent):
                if event.kind == "create_table":
                    existing[:] = [event.table] if event.if_not_exists and event.table in out.tables else []
                elif event.kind == "add" and existing and event.table == existing[0]:
                    continue
                else:
                    existing.clear()
                _column(event, state, columns, enums, out, path, tx.current)
            elif isinstance(event, LiteralEvent):
                _literal(event, state, columns, out, tx.current)
            elif isinstance(event, Unread):
                _unread(event, state, columns, enums, out, path, tx.current)
            if mode == "autocommit" and not tx.explicit:
                tx.current = None
    out.db_enums = state.db_enums()
    out.columns = tuple(sorted(columns.values(), key=lambda c: (c.table, c.column)))
    return out


def _transaction(event: TxEvent, tx: _Tx, mode: str, unit: Unit) -> None:
    scope = unit.migration.path
    if event.kind == "begin":
        if mode == "autocommit" and not tx.explicit:
            tx.new(scope)
        tx.explicit = True
    elif event.kind == "commit":
        tx.explicit = False
        if mode == "autocommit":
            tx.current = None
        else:
            tx.new(unit.scope or scope)  # the runner's next statements run in a new transaction
    elif event.kind == "autocommit_on":
        tx.current = None
    elif event.kind == "autocommit_off":
        tx.new(unit.scope or scope)


def resolve(name: str | None, known, create: bool = False) -> str | None:
    """`?a|b.x` (an unqualified name after SET search_path TO a, b) -> the schema PostgreSQL
    picks: the first that has `x` (`known(name)`), or the first of the path for a CREATE."""
    if not name or not name.startswith("?"):
        return name
    schemas, _, base = name[1:].rpartition(".")
    options = schemas.split("|")
    if not create:
        for schema in options:
            if known(f"{schema}.{base}"):
                return f"{schema}.{base}"
    return f"{options[0]}.{base}"


def _resolved_op(op: EnumOp, state: TypeState) -> EnumOp:
    if not (op.type_name.startswith("?") or (op.new_name or "").startswith("?")):
        return op
    name = resolve(op.type_name, state.exists, create=op.kind == "create") or op.type_name
    new_name = op.new_name
    if op.kind == "rename_type" and new_name:
        new_name = f"{name.rpartition('.')[0]}.{new_name.rpartition('.')[2]}"
    return replace(op, type_name=name, new_name=new_name)


def _op(op: EnumOp, state: TypeState, columns: dict, out: Result, transaction: str | None) -> None:
    op = _resolved_op(op, state)
    in_use: tuple[ColumnUse, ...] = ()
    if op.kind == "drop" and state.exists(op.type_name):
        in_use = tuple(c for c in columns.values() if c.type_name == op.type_name)
    if not state.apply(op):
        return
    out.ops.append(replace(op, transaction=transaction, in_use=in_use))
    if op.kind in ("rename_type", "set_schema"):
        for key, col in list(columns.items()):
            if col.type_name == op.type_name:
                columns[key] = replace(col, type_name=op.new_name)
    elif op.kind == "drop" and op.cascade:
        for key, col in list(columns.items()):
            if col.type_name == op.type_name:
                del columns[key]


def _unread(
    event: Unread, state: TypeState, columns: dict, enums: set[str], out: Result, path: str, tx: str | None
) -> None:
    """A statement enumguard could not read: the enum types and tables among its visible names
    become uncertain from here on. When it names none of them, a call (or a statement of which
    nothing shows) puts every type and table in doubt; DDL of which only words show may create
    what it names (see events.Unread)."""
    names = {n.lower() for n in event.names}

    def named(qualified: str) -> bool:
        return qualified.lower() in names or qualified.rpartition(".")[2].lower() in names

    known_types = sorted(n for n in set(state.types) | enums if not n.startswith("?") and named(n))
    known_tables = sorted(t for t in {t for t, _ in columns} | out.tables if named(t))
    new = [n if "." in n else f"public.{n}" for n in sorted(event.names)]

    def targets(wanted: bool, known: list[str], other_known: list[str]) -> list[str]:
        if not wanted:
            return []
        if known:
            return known
        if event.touches == "any":
            # a call or a statement of which nothing shows: when it names no type or table
            # enumguard knows, it may touch any of them
            return [] if other_known else [EVERY_TYPE]
        # DDL whose visible words name nothing known yet: what it may create (`CREATE TABLE x`)
        return new if event.names else [EVERY_TYPE]

    types = targets(event.touches in ("types", "any"), known_types, known_tables)
    tables = targets(event.touches in ("tables", "any"), known_tables, known_types)
    for name in types:
        _op(EnumOp("unknown", name, event.location, path, reason=event.reason), state, columns, out, tx)
    doubt = Doubt(event.reason, event.location)
    for table in tables:
        out.table_doubts.setdefault(table, doubt)
        for key, col in list(columns.items()):
            if (table == EVERY_TYPE or col.table == table) and col.doubt is None:
                columns[key] = replace(col, doubt=doubt)


def _column(
    event: ColumnEvent, state: TypeState, columns: dict, enums: set[str], out: Result, path: str, tx: str | None
) -> None:
    if event.table.startswith("?") or (event.type_name or "").startswith("?") or (event.new_name or "").startswith("?"):
        tables = {table for table, _ in columns}
        table = resolve(event.table, tables.__contains__) or event.table
        new_name = event.new_name
        if event.kind == "rename_table" and new_name:
            new_name = f"{table.rpartition('.')[0]}.{new_name.rpartition('.')[2]}"
        type_name = resolve(event.type_name, state.exists)
        event = replace(event, table=table, type_name=type_name, new_name=new_name)
    key = (event.table, event.column or "")
    if event.kind == "create_table":
        out.tables.add(event.table)
        return
    if event.kind in ("add", "retype"):
        columns.pop(key, None)
        name = event.type_name
        if name is None:
            out.plain_columns.add(key)
            return
        out.plain_columns.discard(key)
        if event.surely_enum or name in enums:
            out.type_uses.append(
                TypeUse(
                    name,
                    event.location,
                    path,
                    len(out.ops),
                    event.context,
                    event.surely_enum,
                    event.table,
                    event.column,
                )
            )
        if not state.exists(name):
            return
        columns[key] = ColumnUse(event.table, event.column or "", name, event.location, event.default)
        if event.default is not None:
            out.literals.append(
                LiteralUse(name, event.default, "default", event.default_location or event.location, tx, len(out.ops))
            )
    elif event.kind == "default":
        col = columns.get(key)
        if col is not None and event.default is not None:
            columns[key] = replace(col, default=event.default)
            out.literals.append(
                LiteralUse(
                    col.type_name, event.default, "default", event.default_location or event.location, tx, len(out.ops)
                )
            )
    elif event.kind == "drop_default":
        if key in columns:
            columns[key] = replace(columns[key], default=None)
    elif event.kind == "drop":
        columns.pop(key, None)
        out.plain_columns.discard(key)
    elif event.kind == "drop_table":
        for k in [k for k in columns if k[0] == event.table]:
            del columns[k]
        out.plain_columns.difference_update([k for k in out.plain_columns if k[0] == event.table])
        out.tables.discard(event.table)
    elif event.kind == "rename_column" and event.new_name:
        col = columns.pop(key, None)
        if col is not None:
            columns[(event.table, event.new_name)] = replace(col, column=event.new_name)
        if key in out.plain_columns:
            out.plain_columns.discard(key)
            out.plain_columns.add((event.table, event.new_name))
    elif event.kind == "rename_table" and event.new_name:
        for k in [k for k in columns if k[0] == event.table]:
            col = columns.pop(k)
            columns[(event.new_name, k[1])] = replace(col, table=event.new_name)
        for k in [k for k in out.plain_columns if k[0] == event.table]:
            out.plain_columns.discard(k)
            out.plain_columns.add((event.new_name, k[1]))
        if event.table in out.tables:
            out.tables.discard(event.table)
            out.tables.add(event.new_name)


def _literal(event: LiteralEvent, state: TypeState, columns: dict, out: Result, tx: str | None) -> None:
    if (event.type_name or "").startswith("?") or (event.table or "").startswith("?"):
        tables = {table for table, _ in columns}
        event = replace(
            event, type_name=resolve(event.type_name, state.exists), table=resolve(event.table, tables.__contains__)
        )
    if event.type_name is not None:
        name = event.type_name if state.exists(event.type_name) else None
    else:
        col = columns.get((event.table or "", event.column or ""))
        # a column an unread statement may have retyped: its type is not certain
        name = col.type_name if col is not None and col.doubt is None else None
        table = event.table or ""
        if col is None and event.column and table not in out.tables and not _doubted(out, table):
            # a table made outside the migrations: the model's binding of the column types it
            out.literals.append(
                LiteralUse("", event.value, event.context, event.location, tx, len(out.ops), table, event.column)
            )
    if name is not None:
        out.literals.append(LiteralUse(name, event.value, event.context, event.location, tx, len(out.ops)))


def _doubted(out: Result, table: str) -> bool:
    return table in out.table_doubts or EVERY_TYPE in out.table_doubts
