"""A revision's upgrade() (libcst) -> replay events, by evaluating it: statements in order, `if`
on known values, the dialect (PostgreSQL's side) or the catalog (an existence guard: its body),
loops over known values unrolled, helpers followed (calls.py), op calls to events (ops.py).
What runs only sometimes (a run-time branch, a loop over data, an `except` block) still emits
its events, and an Unread event names what it touched. Bounded: depth, rounds, steps, time."""

from __future__ import annotations

import time
from typing import Any, cast

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from enumguard.finding import Finding, Location, Severity
from enumguard.migrations.alembic.branches import block_statements
from enumguard.migrations.alembic.builtin_calls import BuiltinCalls
from enumguard.migrations.alembic.calls import Calls, is_generator, may_change_schema
from enumguard.migrations.alembic.expressions import Expressions
from enumguard.migrations.alembic.flow import Cond, Exit, Flow, code
from enumguard.migrations.alembic.modules import MISSING, Frame, Loader, ModuleEnv, import_specs
from enumguard.migrations.alembic.operators import Operators
from enumguard.migrations.alembic.ops import Ops
from enumguard.migrations.alembic.values import UNKNOWN, Args, Function, Unknown, reaches_db, unknown
from enumguard.migrations.events import ColumnEvent, Event, Unread
from enumguard.model import EnumOp

MAX_STEPS = 200_000  # expressions and statements evaluated per revision
MAX_SECONDS = 30.0  # wall time per revision (a safety net: the step bound comes first)


class LazyPositions:
    """Positions cost more than parsing; most revisions never need one (no enum in sight)."""

    def __init__(self, wrapper: MetadataWrapper) -> None:
        self.wrapper = wrapper
        self.resolved: Any = None

    def __getitem__(self, node: cst.CSTNode):
        if self.resolved is None:
            self.resolved = self.wrapper.resolve(PositionProvider)
        return self.resolved[node]


class _Exhausted(BaseException):
    def __init__(self, reason: str) -> None:
        self.reason = reason


class Evaluator(Flow, Calls, BuiltinCalls, Operators, Expressions):
    """Evaluates one revision; `events` and `statements` are what revisions.py keeps."""

    def __init__(self, path: str, module: cst.Module, tree, positions) -> None:
        self.path = path
        self.positions = positions
        self.loader = Loader(tree, path)
        self.loader.evaluator = self
        env = self.loader.env(path, module)
        assert env is not None
        self.env: ModuleEnv = env
        self.ops = Ops(self)
        self.events: list[Event] = []
        self.statements = 0
        self.steps = 0
        self.deadline = time.monotonic() + MAX_SECONDS
        self.depth = 0
        self.site: cst.CSTNode | None = None
        self.stmt: cst.CSTNode | None = None
        self.conds: list[Cond] = []
        self.frames: list[Frame] = []
        self.silent = 0  # evaluating a module's top-level names: no events
        # id(str) -> (str, the expression that built it, module path, built in upgrade() or the module)
        self.origins: dict[int, tuple[str, cst.CSTNode, str, bool]] = {}
        self.read_sql: dict[tuple, bool] = {}  # (sql, placement) -> whether it changed the schema
        self._generators: dict[int, tuple[cst.CSTNode, bool]] = {}

    def global_value(self, name: str) -> object:
        try:
            value = self.env.lookup(name, self)
        except (_Exhausted, Exit, RecursionError):
            return UNKNOWN
        return None if value is MISSING else value

    def run(self, upgrade: cst.FunctionDef) -> None:
        frame = Frame(self.env, None, "upgrade")
        assert frame.locals is not None
        for param in upgrade.params.params:  # the multidb template's upgrade(engine_name)
            frame.locals[param.name.value] = UNKNOWN
        self.frames.append(frame)
        try:
            self.run_body(upgrade, frame)
        except _Exhausted as exc:
            self.unread(exc.reason, self.stmt or upgrade, "any", frozenset())
        except RecursionError:
            self.unread("code nested deeper than enumguard follows", self.stmt or upgrade, "any", frozenset())
        finally:
            for cond in [*self.conds, *frame.tail]:
                self.flush(cond)
        self.events = _deduplicated(self.events)

    def run_body(self, function: cst.FunctionDef, frame: Frame) -> object:
        try:
            self.block(block_statements(function.body), frame)
        except Exit as exit_:
            if exit_.kind == "return":
                return exit_.value
        return None

    def tick(self) -> None:
        self.steps += 1
        if self.steps & 1023 == 0:
            if self.steps > MAX_STEPS:
                raise _Exhausted(f"code enumguard stopped evaluating after {MAX_STEPS} steps")
            if time.monotonic() > self.deadline:
                raise _Exhausted(f"code enumguard stopped evaluating after {MAX_SECONDS:g} seconds")

    def loc(self, node: cst.CSTNode | None) -> Location:
        """Where an event is reported: the node itself in upgrade(), else the statement of
        upgrade() that led to it (the call of a helper)."""
        return self.located(self.where(node))

    def where(self, node: cst.CSTNode | None) -> tuple:
        return (node if self.depth == 0 else None, self.site, self.stmt)

    def located(self, where: tuple) -> Location:
        for candidate in where:
            if candidate is None:
                continue
            try:
                start = self.positions[candidate].start
            except KeyError:
                continue
            return Location(self.path, start.line, start.column + 1)
        return Location(self.path)

    def emit(self, event: Event) -> None:
        if self.silent:
            return
        self.events.append(event)
        cond = self.active()
        if cond is None:
            return
        if isinstance(event, EnumOp):
            cond.types.update(_bare(n) for n in (event.type_name, event.new_name) if n)
        elif isinstance(event, ColumnEvent):
            cond.tables.update(
                _bare(n) for n in (event.table, event.new_name if event.kind == "rename_table" else None) if n
            )
            if event.type_name:
                cond.types.add(_bare(event.type_name))

    def unread(self, reason: str, node: cst.CSTNode | None, touches: str, names: frozenset[str]) -> None:
        if not self.silent:
            self.events.append(Unread(reason, self.loc(node), touches, names))

    def problem(self, node: cst.CSTNode, message: str) -> None:
        self.emit(
            Finding(
                self.loc(node),
                "unsupported-sql",
                message,
                Severity.INFO,
                help="write the SQL as a literal string so enumguard can replay it",
            )
        )

    def block(self, statements, frame: Frame) -> None:
        for stmt in statements:
            if self.depth == 0:
                self.stmt = stmt
            self.statement(stmt, frame)

    def statement(self, stmt: cst.CSTNode, frame: Frame) -> None:
        self.tick()
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.small(small, frame)
        elif isinstance(stmt, cst.If):
            self.if_statement(stmt, frame)
        elif isinstance(stmt, cst.For):
            self.for_statement(stmt, frame)
        elif isinstance(stmt, cst.While):
            self.while_statement(stmt, frame)
        elif isinstance(stmt, cst.With):
            self.with_statement(stmt, frame)
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            self.try_statement(stmt, frame)
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            value = frame.module.definition(stmt)
            if hasattr(value, "closure") and frame.locals is not None:
                value.closure = frame
            frame.store(stmt.name.value, value)
        elif isinstance(stmt, cst.Match):
            cond = self.runtime(f"changed in a run-time branch (`match {code(stmt.subject)}`)", stmt)
            for case in stmt.cases:
                self.region(cond, block_statements(case.body), frame)
            self.done(cond)

    def small(self, small: cst.BaseSmallStatement, frame: Frame) -> None:
        if isinstance(small, cst.Expr):
            self.expr(small.value, frame)
        elif isinstance(small, cst.Assign):
            value = self.expr(small.value, frame)
            for target in small.targets:
                self.assign(target.target, value, frame)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self.assign(small.target, self.expr(small.value, frame), frame)
        elif isinstance(small, cst.AugAssign):
            current = self.expr(small.target, frame)
            self.assign(small.target, self.binop(small.operator, current, self.expr(small.value, frame)), frame)
        elif isinstance(small, cst.Return):
            raise Exit("return", self.expr(small.value, frame) if small.value is not None else None)
        elif isinstance(small, cst.Raise):
            raise Exit("raise")
        elif isinstance(small, cst.Break):
            raise Exit("break")
        elif isinstance(small, cst.Continue):
            raise Exit("continue")
        elif isinstance(small, cst.Global):
            frame.global_names.update(n.name.value for n in small.names)
        elif isinstance(small, (cst.Import, cst.ImportFrom)):
            for name, spec in import_specs(small).items():
                frame.store(name, self.loader.imported(frame.module, *spec))

    def assign(self, target: cst.BaseExpression, value: object, frame: Frame) -> None:
        if isinstance(target, cst.Name):
            frame.store(target.value, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            items = self.iterate(value)
            starred = [i for i, e in enumerate(elements) if isinstance(e, cst.StarredElement)]
            if items is None or (not starred and len(items) != len(elements)):
                items = [unknown(value)] * len(elements)
            elif starred:
                at, tail = starred[0], len(elements) - starred[0] - 1
                if len(items) < len(elements) - 1:
                    items = [unknown(value)] * len(elements)
                else:
                    items = [*items[:at], list(items[at : len(items) - tail]), *items[len(items) - tail :]]
            for element, item in zip(elements, items):
                inner = element.value
                self.assign(inner, item, frame)
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, value, frame)
        elif isinstance(target, cst.Subscript) and len(target.slice) == 1:
            container = self.expr(target.value, frame)
            index = target.slice[0].slice
            if isinstance(container, (dict, list)) and isinstance(index, cst.Index):
                try:
                    cast(Any, container)[self.expr(index.value, frame)] = value
                except (TypeError, IndexError):
                    pass

    def module_binding(self, env: ModuleEnv, stmt: cst.CSTNode, name: str) -> object:
        """The value a top-level statement of a module gives `name` (read on first use)."""
        frame = Frame(env)
        self.silent += 1
        depth, self.depth = self.depth, max(self.depth, 1)
        try:
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                return env.definition(stmt)
            if isinstance(stmt, cst.Assign):
                value = self.expr(stmt.value, frame)
                scratch = Frame(env, None, "<module>")
                for target in stmt.targets:
                    self.assign(target.target, value, scratch)
                assert scratch.locals is not None
                return scratch.locals.get(name, UNKNOWN)
            if isinstance(stmt, cst.AnnAssign):
                return self.expr(stmt.value, frame)
            if isinstance(stmt, cst.AugAssign):
                current = env.values.get(name, UNKNOWN)
                return self.binop(stmt.operator, current, self.expr(stmt.value, frame))
            if isinstance(stmt, cst.Expr):
                self.expr(stmt.value, frame)
                return env.values.get(name, UNKNOWN)
            return UNKNOWN
        finally:
            self.silent -= 1
            self.depth = depth

    def follow(self, function: Function, args: Args, node: cst.Call) -> object:
        """A call made from upgrade() itself that uses up the step or time bound in code that
        shows no DDL and is not given the connection (a recursion over a JSON schema) is a value
        not known, not a doubt on every type; the rest of upgrade() gets its steps back."""
        if self.depth > 0:
            return super().follow(function, args, node)
        steps = self.steps
        try:
            return super().follow(function, args, node)
        except _Exhausted:
            if may_change_schema(function) or reaches_db(args.all()):
                raise
            self.steps = steps
            return Unknown(how=f"a call to `{function.name}()`")

    def is_generator(self, node: cst.CSTNode) -> bool:
        # keyed by id() with the node kept: an id is unique only while its node lives
        found = self._generators.get(id(node))
        if found is None or found[0] is not node:
            found = self._generators[id(node)] = (node, is_generator(node))
        return found[1]


def _bare(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower()


def _deduplicated(events: list[Event]) -> list[Event]:
    """A notice or an Unread event repeated by a loop or by several calls of one helper is one."""
    seen: set[object] = set()
    out: list[Event] = []
    for event in events:
        key: object = None
        if isinstance(event, Finding):
            key = ("finding", event.location, event.message)
        elif isinstance(event, Unread):
            key = event
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        out.append(event)
    return out
