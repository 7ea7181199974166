"""Calls on `op`, a connection, an Enum type or a Table, with evaluated arguments -> replay
events: SQL run by op.execute / conn.execute / exec_driver_sql (read by the SQL reader), sa.Enum
/ postgresql.ENUM in create_table/add_column/alter_column (and batch operations), explicit
.create()/.drop(), autocommit_block, alembic-postgresql-enum's sync_enum_values, and an Unread
event for what cannot be read (SQL with run-time holes, metadata.create_all)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import libcst as cst

from enumguard.finding import Finding, Location
from enumguard.libcst_helpers import dotted, kwarg
from enumguard.migrations.alembic import runtime_sql
from enumguard.migrations.alembic.values import (
    BIND,
    CATALOG,
    CONTEXT,
    UNKNOWN,
    Args,
    ArrayType,
    AutocommitBlock,
    Batch,
    Choice,
    Column,
    Db,
    EnumType,
    Library,
    Opaque,
    Sql,
    Table,
    Text,
    Unknown,
    strings_in,
)
from enumguard.migrations.events import ColumnEvent, LiteralEvent
from enumguard.migrations.sql.reader import Reader
from enumguard.migrations.sql.statements import Lines, string_value, tokenize
from enumguard.model import EnumOp
from enumguard.sqlalchemy_names import ENUM_TYPES

_EXECUTE = frozenset({"execute", "exec_driver_sql"})


class StringLines(Lines):
    """Lines of SQL inside a Python string, placed where the string starts (looked up only when
    an event needs a location)."""

    def __init__(self, sql: str, node: cst.CSTNode, positions) -> None:
        super().__init__(sql)
        self.node = node
        self.positions = positions
        self.placed = False

    def at(self, offset: int) -> tuple[int, int]:
        if not self.placed:
            start = self.positions[self.node].start
            node = self.node
            if isinstance(node, cst.SimpleString):
                opening = len(node.prefix) + len(node.quote)
            else:
                opening = len(node.start) if isinstance(node, cst.FormattedString) else 1
            self.base_line, self.base_col, self.placed = start.line, start.column + 1 + opening, True
        return super().at(offset)


class FixedLines(Lines):
    """SQL built by a helper: every statement is placed at the call in upgrade() that ran it."""

    def __init__(self, sql: str, where) -> None:
        super().__init__(sql)
        self.where = where
        self.location: Location | None = None

    def at(self, offset: int) -> tuple[int, int]:
        if self.location is None:
            self.location = self.where()
        return self.location.line or 1, self.location.column or 1


class Ops:
    """Turns calls the evaluator meets into events (`ev` is the evaluate.Evaluator)."""

    def __init__(self, ev: Any) -> None:
        self.ev = ev
        self.path = ev.path

    # ------------------------------------------------------------------ op, connections
    def db_method(self, db: Db, name: str, args: Args, node: cst.Call) -> object:
        if db.kind == "op":
            if name == "execute":
                return self.execute(args.get("sqltext", 0), node, None)
            if name == "get_bind":
                return BIND
            if name == "get_context":
                return CONTEXT
            if name == "batch_alter_table":
                return Batch(args.get("table_name", 0), args.get("schema"))
            if name in ("f", "inline_literal"):
                return args.get("name", 0) if name == "f" else args.get("value", 0)
            handler = getattr(self, f"op_{name}", None)
            if handler is not None:
                self.ev.statements += 1
                handler(args, node)
            if name == "create_table":  # Alembic returns the Table: `table.insert()` builds a Core statement
                columns = tuple(c for c in args.positional[1:] if isinstance(c, Column))
                return Table(args.get("table_name", 0), columns, args.keywords.get("schema"), node)
            return None  # indexes, constraints, bulk_insert: no enum type or column type changes
        if db.kind == "inspector":
            return CATALOG
        if name in _EXECUTE:
            return self.execute(args.get("statement", 0, args.get("sql", 0)), node, args.get("parameters", 1))
        if name == "autocommit_block":
            return AutocommitBlock()
        if name in ("begin", "connect", "begin_nested", "get_bind", "connection"):
            return BIND
        if name == "get_context":  # `from alembic import context; context.get_context()`
            return CONTEXT
        return UNKNOWN

    def batch_method(self, batch: Batch, name: str, args: Args, node: cst.Call) -> object:
        if name in ("add_column", "alter_column", "drop_column"):
            # batch_op.add_column(col) is op.add_column(table, col, schema=..) of the with's table
            rewritten = Args([batch.table, *args.positional], dict(args.keywords), args.open_star)
            rewritten.keywords.setdefault("schema", batch.schema)
            self.ev.statements += 1
            getattr(self, f"op_{name}")(rewritten, node)
        return None

    def create_or_drop(self, obj: EnumType | Table, name: str, args: Args, node: cst.Call) -> object:
        self.ev.statements += 1
        if isinstance(obj, Table):
            table = self._table(obj.name, obj.schema, node, args)
            if table is not None and name == "create":
                for column in obj.columns:
                    self._column(column, table, "add", "create_table", creates=True)
            elif table is not None:
                self.ev.emit(ColumnEvent("drop_table", table, Location(self.path)))
            return None
        full = obj.qualified()
        if not obj.native or full is None:
            return None
        checkfirst = args.get("checkfirst", 1)
        if name == "create":
            self.create(obj, full, if_not_exists=checkfirst is not False)
        else:
            self.ev.emit(EnumOp("drop", full, self.ev.loc(obj.node), self.path, if_exists=checkfirst is not False))
        return None

    def create_all(self, name: str, node: cst.Call) -> object:
        self.ev.unread(
            f"changed by `{dotted(node.func) or name}()`, which creates the tables of models enumguard does not "
            "read in migrations",
            node,
            "any",
            frozenset(),
        )
        return None

    # ------------------------------------------------------------------ SQL
    def execute(self, value: object, node: cst.Call, parameters: object = None) -> object:
        """Run SQL: a string is read as the SQL files are; text with run-time holes becomes a
        notice (when what can be seen of it could touch an enum) and an Unread event."""
        in_text = isinstance(value, Sql)
        if isinstance(value, Sql):
            params = dict(value.params)
            params.update(parameters if isinstance(parameters, dict) else {})
            value = runtime_sql.bound(value.text, params)
        if isinstance(value, Choice):  # one of several statements: each runs only sometimes
            cond = self.ev.runtime("changed by SQL chosen at run time", node)
            self.ev.conds.append(cond)
            try:
                for option in value.options:
                    self.execute(option, node, parameters)
            finally:
                self.ev.conds.remove(cond)
            self.ev.done(cond)
            return UNKNOWN
        self.ev.statements += 1
        if isinstance(value, Opaque) and value.qualified.split(".")[0] in ("sqlalchemy", "sqlmodel"):
            return UNKNOWN  # a Core statement (sa.update(t).values(...)): no DDL
        if isinstance(value, str):
            self._read(value)
            return CATALOG if runtime_sql.CATALOG.search(value) else UNKNOWN
        text = value if isinstance(value, Text) else None
        visible = text.visible() if text is not None else None
        if runtime_sql.may_change_enums(visible):
            self.ev.problem(
                node, f"`{dotted(node.func) or 'execute'}` runs SQL built from {self._how(value, in_text, node)}"
            )
            for name in runtime_sql.created_types(text.parts if text is not None else ()):
                self._created_with_unknown_labels(name, node)
            reason = "SQL built from a value known only at run time"
            self.ev.unread(reason, node, runtime_sql.touches(visible), runtime_sql.names(visible))
        return CATALOG if visible and runtime_sql.CATALOG.search(visible) else UNKNOWN

    def _how(self, value: object, in_text: bool, node: cst.Call) -> str:
        written = node.args[0].value if node.args else None
        if isinstance(value, Text):
            return value.how
        if in_text:
            return "a `text()` of a value known only at run time"
        if isinstance(written, (cst.Name, cst.Attribute, cst.Subscript)):
            return "a variable"
        return value.how if isinstance(value, Unknown) else "a value known only at run time"

    def _read(self, sql: str) -> None:
        """SQL text through the SQL reader, placed where it is written (in upgrade()) or at the
        call that ran it. The same data statement run again at the same place (a loop seeding
        rows) adds nothing: it is read once."""
        origin = self.ev.origins.get(id(sql))
        node = None
        if origin is not None and origin[0] is sql and origin[2] == self.path and origin[3] and self.ev.depth == 0:
            node = origin[1]
            while isinstance(node, cst.ConcatenatedString):
                node = node.left
        where = self.ev.where(None)
        key = (sql, id(node) if node is not None else tuple(id(n) for n in where))
        if self.ev.read_sql.get(key) is False:
            return
        lines = (
            StringLines(sql, node, self.ev.positions)
            if node is not None
            else FixedLines(sql, lambda: self.ev.located(where))
        )
        events = Reader(self.path, self.path, lines).read(sql)
        self.ev.read_sql[key] = any(not isinstance(e, (LiteralEvent, Finding)) for e in events)
        for event in events:
            self.ev.emit(event)

    def _created_with_unknown_labels(self, name: str, node: cst.Call) -> None:
        """`f"CREATE TYPE kind AS ENUM ({labels})"`: the type exists afterwards, its labels unknown."""
        statement = f"CREATE TYPE {name} AS ENUM ()"
        for event in Reader(self.path, self.path, Lines(statement)).read(statement):
            if isinstance(event, EnumOp) and event.kind == "create":
                self.ev.emit(replace(event, location=self.ev.loc(node), labels_known=False))

    # ------------------------------------------------------------------ types and columns
    def create(self, enum: EnumType, full: str, if_not_exists: bool = False) -> None:
        self.ev.emit(
            EnumOp(
                "create",
                full,
                self.ev.loc(enum.node),
                self.path,
                labels=enum.labels,
                if_not_exists=if_not_exists,
                labels_known=enum.labels_known,
            )
        )

    def _table(self, name: object, schema: object, node: cst.Call, args: Args) -> str | None:
        """`schema.table`, or None (and an Unread event) when the name is known only at run time."""
        if isinstance(name, str) and (schema is None or isinstance(schema, str)):
            return f"{schema or 'public'}.{name}"
        reason = f"changed by `{dotted(node.func) or 'op'}` on a table known only at run time"
        self.ev.unread(reason, node, "tables", strings_in(args.all()))
        return None

    def _column(self, column: object, table: str, kind: str, context: str, creates: bool) -> None:
        if not isinstance(column, Column):
            return
        enum = column.type
        item = enum.item if isinstance(enum, ArrayType) else None
        if creates and isinstance(item, EnumType) and item.native and item.create_type:
            full = item.qualified(table.partition(".")[0])
            if full is not None:
                self.create(item, full, if_not_exists=False)
        if isinstance(column.name, str) and _stores_no_enum(enum):
            # a VARCHAR (or native_enum=False): what a model declares of this column is not so.
            # (No finding points at it: the file is location enough, and positions cost time.)
            self.ev.emit(ColumnEvent(kind, table, Location(self.path), column.name, context=context))
        if not isinstance(enum, EnumType) or not enum.native:
            return
        full = enum.qualified(table.partition(".")[0])
        if not isinstance(column.name, str) or full is None:
            return
        if creates and enum.create_type:
            self.create(enum, full, if_not_exists=False)
        default, default_at = self._server_default(column.server_default, column.node)
        # the line that names the type: the Enum(...) when written in the column, else the column
        inline = any(a.value is enum.node for a in column.node.args) if isinstance(column.node, cst.Call) else False
        where = self.ev.loc(enum.node) if inline else self.ev.loc(column.node)
        self.ev.emit(
            ColumnEvent(kind, table, where, column.name, full, default, default_at, surely_enum=True, context=context)
        )

    def _server_default(self, value: object, call: cst.CSTNode) -> tuple[str | None, Location | None]:
        """A default written as a string or as `sa.text("'x'::kind")`, and where it is written."""
        written = kwarg(call, "server_default") if isinstance(call, cst.Call) else None
        at = self.ev.loc(written.value) if written is not None else self.ev.loc(call)
        if isinstance(value, str):
            return value, at
        if isinstance(value, Sql) and isinstance(value.text, str):
            tokens, error, _ = tokenize(value.text)
            if error is None and tokens:
                found = string_value(tokens[0])
                if found is not None and (len(tokens) == 1 or tokens[1].text == "::"):
                    return found, at
        return None, None

    def op_create_table(self, args: Args, node: cst.Call) -> None:
        name, schema = args.get("table_name", 0), args.keywords.get("schema")
        if any(isinstance(c, Column) and isinstance(c.type, EnumType) for c in args.positional[1:]):
            table = self._table(name, schema, node, args)
        else:  # no enum column: a name known only at run time changes nothing enumguard tracks
            table = f"{schema or 'public'}.{name}" if isinstance(name, str) and _plain(schema) else None
        if table is not None:
            # the migrations create this table: its columns are what they say
            self.ev.emit(ColumnEvent("create_table", table, Location(self.path)))
            for column in args.positional[1:]:
                self._column(column, table, "add", "create_table", creates=True)

    def op_add_column(self, args: Args, node: cst.Call) -> None:
        column = args.get("column", 1)
        name, schema = args.get("table_name", 0), args.keywords.get("schema")
        if isinstance(column, Column) and isinstance(column.type, EnumType):
            table = self._table(name, schema, node, args)
            if table is not None:
                self._column(column, table, "add", "add_column", creates=False)
        elif isinstance(column, Column) and isinstance(name, str) and _plain(schema):
            self._column(column, f"{schema or 'public'}.{name}", "add", "add_column", creates=False)

    def op_alter_column(self, args: Args, node: cst.Call) -> None:
        table = self._table(args.get("table_name", 0), args.keywords.get("schema"), node, args)
        column = args.get("column_name", 1)
        if table is None:
            return
        if not isinstance(column, str):
            if "type_" in args.keywords or "new_column_name" in args.keywords:
                self.ev.unread(
                    "changed by `op.alter_column` on a column known only at run time",
                    node,
                    "tables",
                    frozenset({table.rsplit(".", 1)[-1]}),
                )
            return
        loc = self.ev.loc(node)
        if "type_" in args.keywords:
            enum = args.keywords["type_"]
            full = enum.qualified(table.partition(".")[0]) if isinstance(enum, EnumType) and enum.native else None
            if full is not None and isinstance(enum, EnumType):
                where = self.ev.loc(enum.node) if any(a.value is enum.node for a in node.args) else loc
                self.ev.emit(
                    ColumnEvent("retype", table, where, column, full, surely_enum=True, context="alter_column")
                )
            else:
                self.ev.emit(ColumnEvent("retype", table, loc, column, None))
        default = args.keywords.get("server_default", UNKNOWN)
        if isinstance(default, (str, Sql)):
            value, at = self._server_default(default, node)
            if value is not None:
                self.ev.emit(ColumnEvent("default", table, loc, column, default=value, default_location=at))
        elif default is None and "server_default" in args.keywords:
            self.ev.emit(ColumnEvent("drop_default", table, loc, column))
        new_name = args.keywords.get("new_column_name")
        if isinstance(new_name, str) and new_name:
            self.ev.emit(ColumnEvent("rename_column", table, loc, column, new_name=new_name))

    def op_drop_column(self, args: Args, node: cst.Call) -> None:
        table, column = (
            self._table(args.get("table_name", 0), args.keywords.get("schema"), node, args),
            args.get("column_name", 1),
        )
        if table and isinstance(column, str):
            self.ev.emit(ColumnEvent("drop", table, Location(self.path), column))

    def op_drop_table(self, args: Args, node: cst.Call) -> None:
        table = self._table(args.get("table_name", 0), args.keywords.get("schema"), node, args)
        if table:
            self.ev.emit(ColumnEvent("drop_table", table, Location(self.path)))

    def op_rename_table(self, args: Args, node: cst.Call) -> None:
        old, new = (
            self._table(args.get("old_table_name", 0), args.keywords.get("schema"), node, args),
            args.get("new_table_name", 1),
        )
        if old and isinstance(new, str):
            self.ev.emit(
                ColumnEvent("rename_table", old, Location(self.path), new_name=f"{old.partition('.')[0]}.{new}")
            )

    def op_sync_enum_values(self, args: Args, node: cst.Call) -> None:
        """alembic-postgresql-enum: renames the type aside, creates it with the new values, moves
        the affected columns over and drops the old type."""
        schema = args.get("enum_schema", 0)
        schema = schema if isinstance(schema, str) else "public"
        name = args.get("enum_name", 1)
        values = args.get("new_values", 2)
        if not isinstance(name, str):
            self.ev.problem(node, "`op.sync_enum_values` with values enumguard cannot read")
            self.ev.unread(
                "changed by `op.sync_enum_values` of a type known only at run time", node, "types", frozenset()
            )
            return
        readable = isinstance(values, (list, tuple)) and all(isinstance(v, str) for v in values)
        full, old, where = f"{schema}.{name}", f"{schema}.{name}_old", self.ev.loc(node)
        if not readable:
            # The type still exists afterwards, with labels enumguard does not know: comparing
            # the old labels would report every label the revision added as missing.
            self.ev.problem(node, "`op.sync_enum_values` with values enumguard cannot read")
        self.ev.emit(EnumOp("rename_type", full, where, self.path, new_name=old))
        labels = tuple(str(v) for v in values) if readable and isinstance(values, (list, tuple)) else ()
        self.ev.emit(EnumOp("create", full, where, self.path, labels=labels, labels_known=readable))
        columns = args.get("affected_columns", 3)
        for ref in columns if isinstance(columns, (list, tuple)) else ():
            table: object = None
            column: object = None
            table_schema: object = schema
            if isinstance(ref, dict):  # TableReference(table_name, column_name, table_schema=...)
                table, column = ref.get("table_name"), ref.get("column_name")
                table_schema = ref.get("table_schema") if isinstance(ref.get("table_schema"), str) else schema
            elif isinstance(ref, (tuple, list)) and len(ref) == 2:  # older releases: (table, column)
                table, column = ref
            if isinstance(table, str) and isinstance(column, str):
                self.ev.emit(ColumnEvent("retype", f"{table_schema}.{table}", where, column, full, surely_enum=True))
        self.ev.emit(EnumOp("drop", old, where, self.path))


def _plain(schema: object) -> bool:
    return schema is None or isinstance(schema, str)


def _stores_no_enum(type_: object) -> bool:
    """`sa.String(20)`, `postgresql.UUID`, `sa.Integer`, an Enum with native_enum=False: a column
    type of SQLAlchemy's that is no PostgreSQL enum type."""
    if isinstance(type_, EnumType):
        return not type_.native
    name = type_.qualified if isinstance(type_, (Opaque, Library)) else ""
    return name.startswith("sqlalchemy.") and name not in ENUM_TYPES
