"""What runs only sometimes, evaluated: `if` on a known value takes its side, on the dialect
PostgreSQL's, on the catalog (an existence check) the guarded statement; any other `if`, a loop
over data, an `except` block or a `while` of unknown length runs once as a part that runs only
sometimes: its events are kept and an Unread event names the types and tables it touched."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from enumguard.finding import Location
from enumguard.migrations.alembic.branches import block_statements, runs_on_postgres
from enumguard.migrations.alembic.expressions import MAX_ITEMS
from enumguard.migrations.alembic.modules import Frame
from enumguard.migrations.alembic.values import UNKNOWN, AutocommitBlock, Unknown, same, unknown
from enumguard.migrations.events import Event, TxEvent, Unread


class Exit(BaseException):
    """return / break / continue / raise, where the code decides it without a run-time test."""

    def __init__(self, kind: str, value: object = None) -> None:
        self.kind = kind
        self.value = value


@dataclass(eq=False)
class Cond:
    """A part of the code that runs only sometimes (`runtime`) or only when the catalog says so
    (`guard`); what a runtime part touches is named by an Unread event when it ends. `where`:
    the nodes its location is found from, resolved only when an Unread needs it."""

    kind: str
    reason: str
    where: tuple
    types: set[str] = field(default_factory=set)
    tables: set[str] = field(default_factory=set)


class Flow:
    """The control-flow half of the evaluator (mixed into evaluate.Evaluator)."""

    conds: list[Cond]
    frames: list[Frame]
    silent: int
    events: list[Event]

    if TYPE_CHECKING:  # provided by evaluate.Evaluator and its other halves

        def block(self, statements, frame: Frame) -> None: ...

        def expr(self, node: cst.BaseExpression | None, frame: Frame) -> object: ...

        def assign(self, target: cst.BaseExpression, value: object, frame: Frame) -> None: ...

        def iterate(self, value: object) -> list[object] | None: ...

        def truth(self, value: object) -> bool | None: ...

        def where(self, node: cst.CSTNode | None) -> tuple: ...

        def located(self, where: tuple) -> Location: ...

        def loc(self, node: cst.CSTNode | None) -> Location: ...

        def emit(self, event: Event) -> None: ...

        def unread(self, reason: str, node: cst.CSTNode | None, touches: str, names: frozenset[str]) -> None: ...

    def flush(self, cond: Cond) -> None:
        """What a part that runs only sometimes touched is uncertain from here on."""
        if cond.types and not self.silent:
            self.events.append(Unread(cond.reason, self.located(cond.where), "types", frozenset(cond.types)))
        if cond.tables and not self.silent:
            self.events.append(Unread(cond.reason, self.located(cond.where), "tables", frozenset(cond.tables)))
        cond.types, cond.tables = set(), set()

    def region(self, cond: Cond, statements, frame: Frame) -> dict[str, object] | None:
        """Run statements under a condition; the frame's locals afterwards (the caller merges)."""
        self.conds.append(cond)
        try:
            self.block(statements, frame)
        except Exit as exit_:
            self.soft_exit(exit_, frame)
        finally:
            del self.conds[next(i for i, c in enumerate(self.conds) if c is cond)]
        return dict(frame.locals) if frame.locals is not None else None

    def done(self, cond: Cond) -> None:
        """A part that runs only sometimes ended: name what it touched, unless an outer one will."""
        if not any(c.kind == "runtime" for c in self.conds):
            self.flush(cond)

    def soft_exit(self, exit_: Exit, frame: Frame) -> None:
        """A return/break/continue inside code that runs only sometimes: what follows it in the
        function (return) or loop (break, continue) runs only sometimes too; after a guard the
        guarded statement runs. A raise ends the migration: what follows runs whenever it succeeds."""
        runtime = [c for c in self.conds[frame.cond_base :] if c.kind == "runtime"]
        frame.soft_exits += 1
        if exit_.kind == "return":
            frame.returns.append((exit_.value, not runtime))
            target = frame.tail
        elif exit_.kind in ("break", "continue") and frame.loops:
            target = frame.loops[-1]
        else:
            return
        if runtime and all(c is not runtime[0] for c in target):
            target.append(runtime[0])

    def active(self) -> Cond | None:
        """The part that runs only sometimes an event is in, if any."""
        for cond in self.conds:
            if cond.kind == "runtime":
                return cond
        for frame in self.frames:
            for cond in [*frame.tail, *(c for tail in frame.loops for c in tail)]:
                return cond
        return None

    def runtime(self, reason: str, node: cst.CSTNode) -> Cond:
        return Cond("runtime", reason, self.where(node))

    def if_statement(self, stmt: cst.If, frame: Frame) -> None:
        test = self.expr(stmt.test, frame)
        truth = self.truth(test)
        orelse = stmt.orelse
        other = [] if orelse is None else ([orelse] if isinstance(orelse, cst.If) else block_statements(orelse.body))
        if truth is None and not (isinstance(test, Unknown) and test.catalog):
            postgres = runs_on_postgres(stmt.test)  # `if is_postgres():` of a helper enumguard cannot see
            truth = postgres
        if truth is not None:
            self.block(block_statements(stmt.body) if truth else other, frame)
            return
        before = dict(frame.locals) if frame.locals is not None else None
        guard = isinstance(test, Unknown) and test.catalog
        if guard:
            # An existence check (pg_enum, information_schema, an inspector): the statement it
            # guards runs as the replay runs it, idempotently; its `else` only sometimes.
            first = self.region(Cond("guard", "", ()), block_statements(stmt.body), frame)
            cond = self.runtime(f"changed in the `else` of an existence check (`if {code(stmt.test)}`)", stmt)
        else:
            cond = self.runtime(f"changed in a run-time branch (`if {code(stmt.test)}`)", stmt)
            first = self.region(cond, block_statements(stmt.body), frame)
        if frame.locals is not None and before is not None:
            frame.locals.clear()
            frame.locals.update(before)
        second = self.region(cond, other, frame) if other else before
        self.done(cond)
        self.merge(frame, first, second, guard=guard)

    def merge(self, frame: Frame, first: dict | None, second: dict | None, guard: bool = False) -> None:
        """After a branch, a name either side set holds one value or an unknown one."""
        if frame.locals is None or first is None or second is None:
            return
        for name in set(first) | set(second):
            values = [first.get(name, UNKNOWN), second.get(name, UNKNOWN)]
            merged = same(values)
            if guard and isinstance(merged, Unknown):
                merged = Unknown(catalog=True)
            frame.locals[name] = merged

    def for_statement(self, stmt: cst.For, frame: Frame) -> None:
        iterable = self.expr(stmt.iter, frame)
        items = self.iterate(iterable)
        frame.loops.append([])
        try:
            if items is None:
                what = f"`for {code(stmt.target)} in {code(stmt.iter)}`"
                many = isinstance(iterable, (list, tuple, dict, set, range, str))
                reason = (
                    f"changed in a loop of more than {MAX_ITEMS} rounds that enumguard does not unroll ({what})"
                    if many
                    else f"changed in a loop over values known only at run time ({what})"
                )
                self.assign(stmt.target, unknown(iterable), frame)
                self.sometimes(reason, stmt, [*block_statements(stmt.body), *self.orelse(stmt)], frame)
                return
            for item in items:
                self.assign(stmt.target, item, frame)
                if self.round(stmt, frame) == "break":
                    return
            self.block(self.orelse(stmt), frame)
        finally:
            for cond in frame.loops.pop():
                self.done(cond)

    def while_statement(self, stmt: cst.While, frame: Frame) -> None:
        frame.loops.append([])
        try:
            for _ in range(MAX_ITEMS):
                truth = self.truth(self.expr(stmt.test, frame))
                if truth is False:
                    self.block(self.orelse(stmt), frame)
                    return
                if truth is None:
                    reason = f"changed in a loop that runs a number of times known only at run time (`while {code(stmt.test)}`)"
                    self.sometimes(reason, stmt, block_statements(stmt.body), frame)
                    return
                exits = frame.soft_exits
                if self.round(stmt, frame) == "break" or frame.soft_exits != exits:
                    return  # a break (or return) that only the run time decides: the rounds are unknown
            self.unread(
                f"code after a loop of more than {MAX_ITEMS} rounds that enumguard does not run to the end",
                stmt,
                "any",
                frozenset(),
            )
        finally:
            for cond in frame.loops.pop():
                self.done(cond)

    def round(self, stmt: cst.For | cst.While, frame: Frame) -> str | None:
        """One round of a loop's body: "break" when it breaks out."""
        try:
            self.block(block_statements(stmt.body), frame)
        except Exit as exit_:
            if exit_.kind == "break":
                return "break"
            if exit_.kind != "continue":
                raise
        return None

    def sometimes(self, reason: str, node: cst.CSTNode, statements, frame: Frame) -> None:
        """Statements that run an unknown number of times: once, as a part that runs only sometimes."""
        before = dict(frame.locals) if frame.locals is not None else None
        cond = self.runtime(reason, node)
        after = self.region(cond, statements, frame)
        self.done(cond)
        self.merge(frame, after, before)

    @staticmethod
    def orelse(stmt: cst.For | cst.While) -> list:
        return block_statements(stmt.orelse.body) if stmt.orelse is not None else []

    def with_statement(self, stmt: cst.With, frame: Frame) -> None:
        autocommit = False
        for item in stmt.items:
            value = self.expr(item.item, frame)
            autocommit = autocommit or isinstance(value, AutocommitBlock)
            if item.asname is not None:
                self.assign(item.asname.name, value, frame)
        if autocommit:
            self.emit(TxEvent("autocommit_on", self.loc(stmt)))
        self.block(block_statements(stmt.body), frame)
        if autocommit:
            self.emit(TxEvent("autocommit_off", self.loc(stmt)))

    def try_statement(self, stmt: cst.Try | cst.TryStar, frame: Frame) -> None:
        try:
            try:
                self.block(block_statements(stmt.body), frame)
            except Exit as exit_:
                if exit_.kind != "raise" or not stmt.handlers:
                    raise
                self.block(block_statements(stmt.handlers[0].body), frame)  # the body surely failed
            else:
                for handler in stmt.handlers:  # run only when the statement before fails
                    reason = "changed in an `except` block (it runs only when the `try` part fails)"
                    cond = self.runtime(reason, handler)
                    self.region(cond, block_statements(handler.body), frame)
                    self.done(cond)
                if stmt.orelse is not None:
                    self.block(block_statements(stmt.orelse.body), frame)
        finally:
            if stmt.finalbody is not None:
                self.block(block_statements(stmt.finalbody.body), frame)


def code(node: cst.CSTNode) -> str:
    """A condition as the user wrote it, on one line and short, for a reason."""
    text = " ".join(cst.Module([]).code_for_node(node).split())
    return text if len(text) <= 60 else text[:57] + "..."
