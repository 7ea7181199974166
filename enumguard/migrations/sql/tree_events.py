"""One parsed sqlglot tree in, events out: enum-typed columns (CREATE TABLE, ALTER TABLE ADD /
ALTER COLUMN TYPE / SET DEFAULT / DROP / RENAME) and the literals PostgreSQL coerces to an enum
(casts, defaults, INSERT values, UPDATE assignments and WHERE comparisons)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from enumguard.finding import Location
from enumguard.migrations.events import ColumnEvent, Event, LiteralEvent
from enumguard.migrations.sql.statements import Statement, fold_text

if TYPE_CHECKING:
    from enumguard.migrations.sql.reader import Reader


class TreeReader:
    """Columns and literals from one sqlglot tree."""

    def __init__(self, reader: Reader, stmt: Statement) -> None:
        self.r = reader
        self.stmt = stmt

    def at(self, node: exp.Expression | None) -> Location:
        start = (node.meta or {}).get("start") if node is not None else None
        if start is None and node is not None:
            for child in node.walk():
                start = (child.meta or {}).get("start")
                if start is not None:
                    break
        return self.r.loc(self.stmt.offset + start if start is not None else self.stmt.start())

    def emit(self, event: Event) -> None:
        self.r.events.append(event)

    def visit(self, tree: exp.Expr) -> None:
        if (
            isinstance(tree, exp.Create)
            and isinstance(tree.this, exp.Schema)
            and str(tree.args.get("kind")).upper() == "TABLE"
        ):
            self.create_table(tree)
        elif isinstance(tree, exp.Alter) and str(tree.args.get("kind")).upper() == "TABLE":
            self.alter_table(tree)
        elif isinstance(tree, exp.Insert):
            self.insert(tree)
        elif isinstance(tree, exp.Update):
            self.update(tree)
        self.casts(tree)

    def casts(self, tree: exp.Expr) -> None:
        for cast in tree.find_all(exp.Cast):
            literal, type_name = cast.this, user_type(cast.args.get("to"), self.r.schema)
            if type_name and isinstance(literal, exp.Literal) and literal.is_string:
                self.emit(LiteralEvent(literal.this, "cast", self.at(literal), type_name=type_name))

    def create_table(self, tree: exp.Create) -> None:
        table = table_name(tree.this.this, self.r.schema)
        if table is None:
            return
        self.emit(ColumnEvent("create_table", table, self.at(tree), if_not_exists=bool(tree.args.get("exists"))))
        for col in tree.this.expressions:
            if isinstance(col, exp.ColumnDef):
                self.column_def(table, col, "add", self.at(col))

    def column_def(self, table: str, col: exp.ColumnDef, kind: str, where: Location) -> None:
        type_name = user_type(col.args.get("kind"), self.r.schema)
        if type_name is None:
            # a built-in type: the column stores no enum (what a model says of it is not so)
            if col.args.get("kind") is not None:
                self.emit(ColumnEvent(kind, table, where, ident(col.this)))
            return
        default, default_at = None, None
        for constraint in col.args.get("constraints") or ():
            value = constraint.args.get("kind")
            if isinstance(value, exp.DefaultColumnConstraint):
                literal = value.this
                if isinstance(literal, exp.Literal) and literal.is_string:
                    default, default_at = literal.this, self.at(literal)
        self.emit(ColumnEvent(kind, table, where, ident(col.this), type_name, default, default_at))

    def alter_table(self, tree: exp.Alter) -> None:
        table = table_name(tree.this, self.r.schema)
        if table is None:
            return
        for action in tree.args.get("actions") or ():
            where = self.at(action)
            if isinstance(action, exp.ColumnDef):
                self.column_def(table, action, "add", where)
            elif isinstance(action, exp.AlterColumn):
                column = ident(action.this)
                dtype = action.args.get("dtype")
                if dtype is not None:
                    self.emit(
                        ColumnEvent(
                            "retype", table, where, column, user_type(dtype, self.r.schema), context="alter_column"
                        )
                    )
                default = action.args.get("default")
                if isinstance(default, exp.Literal) and default.is_string:
                    self.emit(
                        ColumnEvent(
                            "default", table, where, column, default=default.this, default_location=self.at(default)
                        )
                    )
                elif action.args.get("drop") and dtype is None and default is None:
                    self.emit(ColumnEvent("drop_default", table, where, column))
            elif isinstance(action, exp.Drop) and str(action.args.get("kind")).upper() == "COLUMN":
                for col in action.args.get("tables") or ():
                    self.emit(
                        ColumnEvent("drop", table, where, ident(col.this if isinstance(col, exp.Column) else col))
                    )
            elif isinstance(action, exp.RenameColumn):
                old, new = action.this, action.args.get("to")
                self.emit(
                    ColumnEvent("rename_column", table, where, ident(_col_ident(old)), new_name=ident(_col_ident(new)))
                )
            elif isinstance(action, exp.AlterRename):
                new = table_name(action.this, self.r.schema)
                if new is not None:
                    schema = table.rpartition(".")[0]
                    self.emit(ColumnEvent("rename_table", table, where, new_name=f"{schema}.{new.rpartition('.')[2]}"))

    def insert(self, tree: exp.Insert) -> None:
        target = tree.this
        if not isinstance(target, exp.Schema):
            return
        table = table_name(target.this, self.r.schema)
        columns = [ident(c) for c in target.expressions]
        values = tree.expression
        if table is None or not isinstance(values, exp.Values):
            return
        for row in values.expressions:
            if not isinstance(row, exp.Tuple):
                continue
            for column, value in zip(columns, row.expressions):
                if isinstance(value, exp.Literal) and value.is_string and column:
                    self.emit(LiteralEvent(value.this, "insert", self.at(value), table=table, column=column))

    def update(self, tree: exp.Update) -> None:
        table = table_name(tree.this, self.r.schema)
        if table is None:
            return
        for assignment in tree.expressions:
            if isinstance(assignment, exp.EQ):
                self.compare(table, assignment, "update")
        where = tree.args.get("where")
        # With `FROM other`, an unqualified column in WHERE may belong to the other table.
        if where is not None and tree.args.get("from_") is None and tree.args.get("from") is None:
            for node in where.find_all(exp.EQ, exp.NEQ, exp.In):
                self.compare(table, node, "where")

    def compare(self, table: str, node: exp.Expression, context: str) -> None:
        column = node.this
        if not isinstance(column, exp.Column) or column.table:
            return
        values = node.expressions if isinstance(node, exp.In) else [node.expression]
        for value in values:
            if isinstance(value, exp.Literal) and value.is_string:
                self.emit(LiteralEvent(value.this, context, self.at(value), table=table, column=ident(column.this)))


# ---------------------------------------------------------------------- tree helpers


def ident(node: exp.Expression | None) -> str | None:
    if isinstance(node, exp.Identifier):
        return node.this if node.quoted else fold_text(node.this)
    if isinstance(node, exp.Column):
        return ident(node.this)
    return None


def _col_ident(node: exp.Expression | None) -> exp.Expression | None:
    return node.this if isinstance(node, exp.Column) else node


def table_name(node: exp.Expression | None, default: str = "public") -> str | None:
    if not isinstance(node, exp.Table):
        return None
    name = ident(node.this)
    schema = ident(node.args.get("db")) or default
    return f"{schema}.{name}" if name else None


def user_type(dtype: exp.Expression | None, default: str = "public") -> str | None:
    """The qualified name of a user-defined type (None for built-in types and arrays)."""
    if not isinstance(dtype, exp.DataType) or dtype.this != exp.DataType.Type.USERDEFINED:
        return None
    kind = dtype.args.get("kind")
    if isinstance(kind, exp.Identifier):
        return f"{default}.{ident(kind)}"
    if (
        isinstance(kind, exp.Dot)
        and isinstance(kind.this, exp.Identifier)
        and isinstance(kind.expression, exp.Identifier)
    ):
        return f"{ident(kind.this)}.{ident(kind.expression)}"
    return None
