"""The upgrade() body of one Alembic revision (libcst) -> replay events in statement order:
op.execute SQL, sa.Enum/postgresql.ENUM in create_table/add_column/alter_column (and batch
operations), explicit .create()/.drop(), autocommit_block, and alembic-postgresql-enum's
sync_enum_values. Positions are resolved only when an event needs one."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Mapping, cast

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from enumguard.finding import Finding, Location, Severity
from enumguard.libcst_helpers import arg, dotted, string
from enumguard.migrations.alembic.branches import block_statements, runs_on_postgres
from enumguard.migrations.alembic.expressions import EnumType, Scope, boolean, qualified, strings
from enumguard.migrations.alembic.runtime_sql import (
    CREATE_TYPE,
    SQL_TEXT,
    dynamic_sql,
    literal_parts,
    may_change_enums,
    rendered,
    visible_text,
)
from enumguard.migrations.events import ColumnEvent, Event, TxEvent, Unread
from enumguard.migrations.sql.reader import Reader
from enumguard.migrations.sql.statements import Lines, string_value, tokenize
from enumguard.migrations.unread import unread_sql
from enumguard.model import EnumOp
from enumguard.sqlalchemy_names import CORE_COLUMNS, ENUM_TYPES, TEXT


class StringLines(Lines):
    """Lines of SQL inside a Python string, placed where the string starts (looked up only when
    an event needs a location)."""

    def __init__(self, sql: str, node: cst.CSTNode, positions: LazyPositions) -> None:
        super().__init__(sql)
        self.node = node
        self.positions = positions
        self.placed = False

    def at(self, offset: int) -> tuple[int, int]:
        if not self.placed:
            start = self.positions[self.node].start
            node = self.node
            opening = len(node.prefix) + len(node.quote) if isinstance(node, cst.SimpleString) else 1
            self.base_line, self.base_col, self.placed = start.line, start.column + 1 + opening, True
        return super().at(offset)


class LazyPositions:
    """Positions cost more than parsing; most revisions never need one (no enum in sight)."""

    def __init__(self, wrapper: MetadataWrapper) -> None:
        self.wrapper = wrapper
        self.resolved: Mapping[cst.CSTNode, CodeRange] | None = None

    def __getitem__(self, node: cst.CSTNode):
        if self.resolved is None:
            self.resolved = self.wrapper.resolve(PositionProvider)
        return self.resolved[node]


_SQL_WORDS = re.compile(
    r"\b(execute|exec_driver_sql|create_all|DDL|create|drop|alter_column|add_column|sync_enum_values)\b"
)


def _may_run_sql(function: cst.FunctionDef) -> bool:
    """Whether a helper's body could run SQL or DDL (its text names an execute, a create or an op)."""
    return bool(_SQL_WORDS.search(cst.Module([]).code_for_node(function)))


class Walker:
    """The statements of upgrade(), in order, as events."""

    def __init__(self, path: str, scope: Scope, positions) -> None:
        self.path = path
        self.scope = scope
        self.positions = positions
        self.events: list[Event] = []
        self.statements = 0
        self.batches: dict[str, cst.Call] = {}  # `with op.batch_alter_table(..) as name`
        self.synthetic: dict[cst.CSTNode, cst.CSTNode] = {}  # rewritten batch call -> as written

    def loc(self, node: cst.CSTNode) -> Location:
        start = self.positions[self.synthetic.get(node, node)].start
        return Location(self.path, start.line, start.column + 1)

    def problem(self, node: cst.CSTNode, message: str) -> None:
        self.events.append(
            Finding(
                self.loc(node),
                "unsupported-sql",
                message,
                Severity.INFO,
                help="write the SQL as a literal string so enumguard can replay it",
            )
        )

    def body(self, statements) -> None:
        for stmt in statements:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Expr):
                        self.expr(small.value, for_effect=True)
                    elif isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
                        self.expr(small.value)
                        self.bind(small)
            elif isinstance(stmt, cst.With):
                autocommit = any(
                    isinstance(item.item, cst.Call)
                    and isinstance(item.item.func, cst.Attribute)
                    and item.item.func.attr.value == "autocommit_block"
                    for item in stmt.items
                )
                for item in stmt.items:
                    call = item.item
                    if (
                        isinstance(call, cst.Call)
                        and isinstance(call.func, cst.Attribute)
                        and call.func.attr.value == "batch_alter_table"
                        and item.asname is not None
                        and isinstance(item.asname.name, cst.Name)
                    ):
                        self.batches[item.asname.name.value] = call
                if autocommit:
                    self.events.append(TxEvent("autocommit_on", self.loc(stmt)))
                self.body(block_statements(stmt.body))
                if autocommit:
                    self.events.append(TxEvent("autocommit_off", self.loc(stmt)))
            elif isinstance(stmt, cst.If) and runs_on_postgres(stmt.test) is not None:
                # `if is_postgres():` / `if dialect == "sqlite":` - only the PostgreSQL branch runs
                if runs_on_postgres(stmt.test):
                    self.body(block_statements(stmt.body))
                elif stmt.orelse is not None:
                    self.body(
                        block_statements(stmt.orelse.body) if not isinstance(stmt.orelse, cst.If) else [stmt.orelse]
                    )
            elif isinstance(stmt, cst.For) and self._unrolled(stmt):
                pass
            elif isinstance(stmt, (cst.If, cst.For, cst.While, cst.Try)):
                start = len(self.events)
                self.body(block_statements(stmt.body))
                orelse = getattr(stmt, "orelse", None)
                if orelse is not None:
                    self.body(block_statements(orelse.body) if not isinstance(orelse, cst.If) else [orelse])
                if not isinstance(stmt, cst.Try):
                    self._runtime_branch(stmt, start)
                self.forget(stmt)

    def bind(self, small: cst.Assign | cst.AnnAssign) -> None:
        """`query = "UPDATE ..."; op.execute(query); query = "ALTER ..."; op.execute(query)`:
        a name assigned more than once means, in straight-line code, its latest value."""
        target = (
            small.targets[0].target
            if isinstance(small, cst.Assign) and len(small.targets) == 1
            else getattr(small, "target", None)
        )
        if isinstance(target, cst.Name) and target.value in self.scope.reassigned:
            self.scope.values[target.value] = small.value

    def forget(self, block: cst.CSTNode) -> None:
        """After a branch or loop, a reassigned name set inside it may hold either value: unknown."""
        scope = self.scope

        class Visit(cst.CSTVisitor):
            def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
                self.unknown(node.target)

            def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
                self.unknown(node.target)

            def unknown(self, target: cst.BaseExpression) -> None:
                if isinstance(target, cst.Name) and target.value in scope.reassigned:
                    scope.values[target.value] = None

        block.visit(Visit())

    def _unrolled(self, loop: cst.For) -> bool:
        """`for value in ("a", "b"): op.execute(f"ALTER TYPE t ADD VALUE '{value}'")`: the body
        once per string of a literal list or tuple (a constant's too); False for any other loop."""
        values = strings(self.scope.resolve(loop.iter))
        if not isinstance(loop.target, cst.Name) or values is None or loop.orelse is not None or len(values) > 100:
            return False
        name, missing = loop.target.value, object()
        before, start = self.scope.values.get(name, cast(cst.BaseExpression, missing)), len(self.events)
        for value in values:
            self.scope.values[name] = cst.SimpleString(repr(value))
            self.body(block_statements(loop.body))
        if before is missing:
            self.scope.values.pop(name, None)  # a nested loop over the same name may have removed it
        else:
            self.scope.values[name] = before
        new, seen = [], set()
        for event in self.events[start:]:  # a problem in the body is one problem, not one per value
            key = (event.location, event.message) if isinstance(event, Finding) else event
            try:
                if key in seen:
                    continue
                seen.add(key)
            except TypeError:
                pass
            new.append(event)
        self.events[start:] = new
        return True

    def expr(self, node: cst.BaseExpression, for_effect: bool = False) -> None:
        if isinstance(node, cst.Await):
            node = node.expression
        if isinstance(node, cst.Call) and (for_effect or self._passes_connection(node)) and self._project_call(node):
            return
        if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
            return
        method = node.func.attr.value
        receiver = node.func.value
        is_op = dotted(receiver) == "op" or qualified(receiver, self.scope.table) == "alembic.op"
        batch = self.batches.get(dotted(receiver) or "")
        if batch is not None and method in ("add_column", "alter_column", "drop_column"):
            # batch_op.add_column(col) is op.add_column(table, col, schema=..) of the with's table
            extra = [a for a in batch.args if a.keyword is not None and a.keyword.value == "schema"]
            rewritten = node.with_changes(args=[batch.args[0], *node.args, *extra])
            self.synthetic[rewritten] = node
            node, is_op = rewritten, True
        if method == "execute" and (is_op or self._is_bind(receiver)):
            self.statements += 1
            return self.execute(node)
        if method in ("create", "drop") and not is_op:
            enum = self.scope.enum_type(receiver)
            if enum is not None and enum.name and enum.native:
                self.statements += 1
                checkfirst = boolean(arg(node, "checkfirst", 1))
                if method == "create":
                    self.create(enum, if_not_exists=checkfirst is not False)
                else:
                    self.events.append(
                        EnumOp("drop", enum.name, self.loc(node), self.path, if_exists=checkfirst is not False)
                    )
            return
        if not is_op:
            return
        handler = getattr(self, f"op_{method}", None)
        if handler is not None:
            self.statements += 1
            handler(node)

    def _project_call(self, call: cst.Call) -> bool:
        """A call into the project's own code (a function of this script, or imported from the
        repository) that is not followed: what it changes is unknown, the types it names in its
        string arguments (every type when it names none) are uncertain from here on."""
        name = dotted(call.func)
        if name is None:
            return False
        head = name.split(".")[0]
        local = head in self.scope.functions and "." not in name
        if local and not _may_run_sql(self.scope.functions[head]):
            return False  # a helper of this script that runs no SQL (an ORM data copy, a log line)
        if not local and not self.scope.in_project(qualified(call.func, self.scope.table) or ""):
            return False
        self.statements += 1
        strings_in = frozenset(v for a in call.args if (v := string(self.scope.resolve(a.value))) is not None)
        reason = f"changed by a call to `{name}()` that enumguard does not follow"
        self.events.append(Unread(reason, self.loc(call), "any", strings_in))
        return True

    def _passes_connection(self, call: cst.Call) -> bool:
        """A call given the connection (`helper(conn, ...)`, `helper(op.get_bind())`): it may run SQL
        even when its result is kept; other calls whose result is kept compute a value."""
        for a in call.args:
            value = self.scope.resolve(a.value)
            if isinstance(value, cst.Name) and value.value in ("conn", "connection", "bind", "op", "session"):
                return True
            if self._is_bind(value) or (
                isinstance(value, cst.Call) and (dotted(value.func) or "").endswith("get_bind")
            ):
                return True
        return False

    def _runtime_branch(self, stmt: cst.CSTNode, start: int) -> None:
        """DDL under a run-time condition or loop may or may not run: what it touches is uncertain."""
        types = {e.type_name.rpartition(".")[2] for e in self.events[start:] if isinstance(e, EnumOp)}
        tables = {e.table.rpartition(".")[2] for e in self.events[start:] if isinstance(e, ColumnEvent)}
        if not types and not tables:
            return
        head = stmt.test if isinstance(stmt, (cst.If, cst.While)) else getattr(stmt, "iter", None)
        keyword = {cst.If: "if", cst.While: "while", cst.For: "for .. in"}.get(type(stmt), "if")
        shown = cst.Module([]).code_for_node(head) if head is not None else ""
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        reason = f"changed in a run-time branch (`{keyword} {shown}`)"
        self.events.append(Unread(reason, self.loc(stmt), "any", frozenset(types | tables)))

    def _is_bind(self, receiver: cst.BaseExpression | None) -> bool:
        receiver = self.scope.resolve(receiver)
        return isinstance(receiver, cst.Call) and (dotted(receiver.func) or "").endswith("get_bind")

    # ------------------------------------------------------------------ SQL
    def execute(self, call: cst.Call) -> None:
        target = arg(call, "sqltext", 0) or arg(call, "statement", 0)
        literal = self.scope.resolve(target)
        in_text = isinstance(literal, cst.Call) and qualified(literal.func, self.scope.table) in SQL_TEXT
        if in_text:
            call_ = cast(cst.Call, literal)  # in_text: a text() call
            literal = self.scope.resolve(arg(call_, "text", 0) or arg(call_, "statement", 0))
        sql = string(literal)
        if sql is None:
            sql = rendered(literal, self.scope)
        if sql is None:
            kind = dynamic_sql(literal, self.scope)
            if in_text and kind in (None, "the result of a call"):
                kind = "a `text()` of a value known only at run time"
            visible = visible_text(literal, self.scope)
            if kind is not None and may_change_enums(visible):
                self.problem(call, f"`{dotted(call.func) or 'execute'}` runs SQL built from {kind}")
                self._created_with_unknown_labels(literal, call)
                self.events.append(unread_sql(visible, f"changed by SQL built from {kind}", self.loc(call)))
            return
        first = literal
        while isinstance(first, cst.ConcatenatedString):
            first = first.left
        reader = Reader(self.path, self.path, StringLines(sql, cast(cst.CSTNode, first), self.positions))
        self.events.extend(reader.read(sql))

    def _created_with_unknown_labels(self, node: cst.BaseExpression | None, call: cst.Call) -> None:
        """`f"CREATE TYPE kind AS ENUM ({labels})"`: the type exists afterwards, its labels unknown."""
        for part in literal_parts(node, self.scope):
            for match in CREATE_TYPE.finditer(part):
                statement = f"CREATE TYPE {match.group(1)} AS ENUM ()"
                for event in Reader(self.path, self.path, Lines(statement)).read(statement):
                    if isinstance(event, EnumOp) and event.kind == "create":
                        self.events.append(replace(event, location=self.loc(call), labels_known=False))

    # ------------------------------------------------------------------ types and columns
    def create(self, enum: EnumType, if_not_exists: bool = False) -> None:
        self.events.append(
            EnumOp(
                "create",
                cast(str, enum.name),  # called for named types only
                self.loc(enum.node),
                self.path,
                labels=enum.labels,
                if_not_exists=if_not_exists,
                labels_known=enum.labels_known,
            )
        )

    def _table(self, call: cst.Call, position: int = 0) -> str | None:
        name = string(self.scope.resolve(arg(call, "table_name", position)))
        schema = string(arg(call, "schema")) or "public"
        return f"{schema}.{name}" if name else None

    def _column(self, column: cst.BaseExpression | None, table: str, kind: str, context: str, creates: bool) -> None:
        column = self.scope.resolve(column)
        if not isinstance(column, cst.Call) or not (
            qualified(column.func, self.scope.table) in CORE_COLUMNS or (dotted(column.func) or "").endswith("Column")
        ):
            return
        name = string(arg(column, "name", 0))
        type_node = arg(column, "type_", 1)
        enum = self.scope.enum_type(type_node, table.partition(".")[0])
        if name is not None and (enum is not None and not enum.native or enum is None and self._builtin(type_node)):
            self.events.append(ColumnEvent(kind, table, self.loc(column), name, context=context))
        if name is None or enum is None or not enum.native or enum.name is None:
            return
        if creates and enum.create_type:
            self.create(enum, if_not_exists=False)
        default, default_at = self._server_default(arg(column, "server_default"))
        # the line that names the type: the Enum(...) when written in the column, else the column
        where = self.loc(enum.node) if type_node is enum.node else self.loc(column)
        self.events.append(
            ColumnEvent(kind, table, where, name, enum.name, default, default_at, surely_enum=True, context=context)
        )

    def _server_default(self, node: cst.BaseExpression | None) -> tuple[str | None, Location | None]:
        node = self.scope.resolve(node)
        if node is None:
            return None, None
        value = string(node)
        if value is not None:
            return value, self.loc(node)
        if isinstance(node, cst.Call) and qualified(node.func, self.scope.table) in TEXT | {"text"}:
            sql = string(arg(node, "text", 0))
            tokens, error, _ = tokenize(sql or "")
            if sql is not None and error is None and tokens:
                value = string_value(tokens[0])
                if value is not None and (len(tokens) == 1 or tokens[1].text == "::"):
                    return value, self.loc(node)
        return None, None

    def _builtin(self, type_node: cst.BaseExpression | None) -> bool:
        """`sa.String(20)`, `postgresql.UUID`, `sa.Integer`: a SQLAlchemy type that is no enum."""
        node = self.scope.resolve(type_node)
        if isinstance(node, cst.Call):
            node = node.func
        name = qualified(node, self.scope.table) if node is not None else None
        return name is not None and name.startswith("sqlalchemy.") and name not in ENUM_TYPES

    def op_create_table(self, call: cst.Call) -> None:
        table = self._table(call)
        if table is None:
            return
        self.events.append(ColumnEvent("create_table", table, self.loc(call)))
        for a in call.args[1:]:
            if a.keyword is None and not a.star:
                self._column(a.value, table, "add", "create_table", creates=True)

    def op_add_column(self, call: cst.Call) -> None:
        table = self._table(call)
        column = arg(call, "column", 1)
        if table is not None and column is not None:
            self._column(column, table, "add", "add_column", creates=False)

    def op_alter_column(self, call: cst.Call) -> None:
        table = self._table(call)
        column = string(arg(call, "column_name", 1))
        if table is None or column is None:
            return
        type_node = arg(call, "type_")
        if type_node is not None:
            enum = self.scope.enum_type(type_node, table.partition(".")[0])
            if enum is not None and enum.native and enum.name:
                where = self.loc(enum.node) if type_node is enum.node else self.loc(call)
                self.events.append(
                    ColumnEvent("retype", table, where, column, enum.name, surely_enum=True, context="alter_column")
                )
            else:
                self.events.append(ColumnEvent("retype", table, self.loc(call), column, None))
        default_node = arg(call, "server_default")
        default, default_at = self._server_default(default_node)
        if default is not None:
            self.events.append(
                ColumnEvent("default", table, self.loc(call), column, default=default, default_location=default_at)
            )
        elif isinstance(default_node, cst.Name) and default_node.value == "None":
            self.events.append(ColumnEvent("drop_default", table, self.loc(call), column))
        new_name = string(arg(call, "new_column_name"))
        if new_name:
            self.events.append(ColumnEvent("rename_column", table, self.loc(call), column, new_name=new_name))

    def op_drop_column(self, call: cst.Call) -> None:
        table, column = self._table(call), string(arg(call, "column_name", 1))
        if table and column:
            self.events.append(ColumnEvent("drop", table, Location(self.path), column))

    def op_drop_table(self, call: cst.Call) -> None:
        table = self._table(call)
        if table:
            self.events.append(ColumnEvent("drop_table", table, Location(self.path)))

    def op_rename_table(self, call: cst.Call) -> None:
        old, new = self._table(call), string(arg(call, "new_table_name", 1))
        if old and new:
            self.events.append(
                ColumnEvent("rename_table", old, Location(self.path), new_name=f"{old.partition('.')[0]}.{new}")
            )

    def op_sync_enum_values(self, call: cst.Call) -> None:
        """alembic-postgresql-enum: renames the type aside, creates it with the new values, moves
        the affected columns over and drops the old type."""
        schema = string(arg(call, "enum_schema", 0)) or "public"
        name = string(arg(call, "enum_name", 1))
        values = self.scope.strings(arg(call, "new_values", 2))
        if name is None:
            return self.problem(call, "`op.sync_enum_values` with values enumguard cannot read")
        full, old, where = f"{schema}.{name}", f"{schema}.{name}_old", self.loc(call)
        if values is None:
            # The type still exists afterwards, with labels enumguard does not know: comparing
            # the old labels would report every label the revision added as missing.
            self.problem(call, "`op.sync_enum_values` with values enumguard cannot read")
        self.events.append(EnumOp("rename_type", full, where, self.path, new_name=old))
        self.events.append(
            EnumOp("create", full, where, self.path, labels=tuple(values or ()), labels_known=values is not None)
        )
        columns = self.scope.resolve(arg(call, "affected_columns", 3))
        for element in columns.elements if isinstance(columns, (cst.List, cst.Tuple)) else ():
            ref = element.value
            table = column = None
            if isinstance(ref, cst.Call):  # TableReference(table_name, column_name, table_schema=...)
                table = string(arg(ref, "table_name", 0))
                column = string(arg(ref, "column_name", 1))
                table_schema = string(arg(ref, "table_schema")) or schema
            elif isinstance(ref, cst.Tuple) and len(ref.elements) == 2:  # older releases: (table, column)
                table, column = (string(e.value) for e in ref.elements)
                table_schema = schema
            if table and column:
                self.events.append(
                    ColumnEvent("retype", f"{table_schema}.{table}", where, column, full, surely_enum=True)
                )
        self.events.append(EnumOp("drop", old, where, self.path))
