"""One parsed module + the enum-ish names worth following -> raw classes, imports and reference
chains with their libcst nodes (enumguard.python.scan_file turns them into FileFacts).

A selective walk: statements, then only the fields of expressions that can hold code (no
whitespace or tokens), with the scopes Python has, so a parameter or local variable that shadows
an enum name is never taken for the enum.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

import libcst as cst

from enumguard.libcst_helpers import dotted
from enumguard.model import Value
from enumguard.python import guards
from enumguard.python.literals import literal_value, string_value

_SKIP = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "dot",
        "colon",
        "equal",
        "operator",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "asynchronous",
        "star",
        "posonly_ind",
        "default_indent",
        "default_newline",
        "encoding",
        "has_trailing_newline",
        "indent",
        "newline",
        "trailing_whitespace",
        "conversion",
        "start",
        "end",
        "value_comma",
    }
)
_LEAVES = (cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(kind) if f.name not in _SKIP and "whitespace" not in f.name)
        _FIELDS[kind] = names
    return names


def chain_of(node: cst.BaseExpression) -> list[cst.Name] | None:
    """`a.b.c` -> [Name a, Name b, Name c]; None when the expression is not a plain dotted name."""
    names: list[cst.Name] = []
    while isinstance(node, cst.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    names.append(node)
    names.reverse()
    return names


class RawRef:
    __slots__ = ("chain", "form", "nodes", "literal", "handled")

    def __init__(self, chain: tuple[str, ...], form: str, nodes: Sequence[cst.CSTNode], literal: Value = None):
        self.chain, self.form, self.nodes, self.literal = chain, form, nodes, literal
        self.handled: frozenset[str] = frozenset()  # exceptions expected where it is written


class _Scope:
    __slots__ = ("kind", "bound", "refs")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.bound: set[str] = set()
        self.refs: list[tuple[RawRef, bool]] = []  # (ref, came from a nested function scope)


class Walker:
    """Collects imports, module-level names, classes (module level and nested in classes) and
    the dotted chains that mention a relevant name."""

    def __init__(self, relevant: set[str]) -> None:
        self.relevant = relevant
        self.imports: list[tuple[str, str, str | None, int]] = []
        self.other_names: list[str] = []
        self.class_names: list[str] = []
        self.classes: list[tuple[str, cst.ClassDef]] = []  # (qual, node)
        self.functional: list[tuple[str, cst.Call, cst.Name]] = []  # (qual, call, target)
        self.refs: list[RawRef] = []
        self.assigned: list[tuple[str, ...]] = []  # dotted chains assigned to (`E.extra = ...`)
        self.scopes: list[_Scope] = [_Scope("module")]
        self.class_path: list[str] | None = []  # None inside a function: classes not addressable
        self.handled: frozenset[str] = frozenset()  # what the enclosing with/try blocks expect

    # ------------------------------------------------------------------ scopes
    def bind(self, name: str) -> None:
        scope = self.scopes[-1]
        scope.bound.add(name)
        if scope.kind == "module":
            self.other_names.append(name)

    def push(self, kind: str) -> None:
        self.scopes.append(_Scope(kind))

    def pop(self) -> None:
        scope = self.scopes.pop()
        parent = self.scopes[-1]
        for ref, nested in scope.refs:
            if nested and scope.kind == "class":
                parent.refs.append((ref, True))
            elif ref.chain[0] not in scope.bound:
                parent.refs.append((ref, scope.kind == "function" or nested))

    def record(self, ref: RawRef) -> None:
        ref.handled = self.handled
        self.scopes[-1].refs.append((ref, False))

    def guarded(self, expected: frozenset[str], body: cst.BaseSuite) -> None:
        saved, self.handled = self.handled, self.handled | expected
        self.suite(body)
        self.handled = saved

    def relevant_chain(self, chain: tuple[str, ...], upto: int) -> bool:
        rel = self.relevant
        for i in range(upto):
            if chain[i] in rel:
                return True
        return False

    # ------------------------------------------------------------------ statements
    def module(self, module: cst.Module) -> list[RawRef]:
        self.block(module.body)
        self.refs = [ref for ref, _ in self.scopes[0].refs]
        return self.refs

    def block(self, body) -> None:
        for stmt in body:
            self.stmt(stmt)

    def suite(self, suite: cst.BaseSuite) -> None:
        self.block(suite.body)

    def stmt(self, node: Any) -> None:  # a libcst node, dispatched on its exact type
        kind = type(node)
        if kind is cst.SimpleStatementLine or kind is cst.SimpleStatementSuite:
            for small in node.body:
                self.small(small)
        elif kind is cst.FunctionDef:
            self.funcdef(node)
        elif kind is cst.ClassDef:
            self.classdef(node)
        elif kind is cst.If and type(node.orelse) is cst.Else and self._type_checking(node):
            self.type_checking(node)
        elif kind is cst.If:
            self.expr(node.test)
            self.suite(node.body)
            if node.orelse is not None:
                self.stmt(node.orelse)
        elif kind is cst.Else or kind is cst.Finally:
            self.suite(node.body)
        elif kind is cst.For:
            self.expr(node.iter)
            self.target(node.target)
            self.suite(node.body)
            if node.orelse is not None:
                self.suite(node.orelse.body)
        elif kind is cst.While:
            self.expr(node.test)
            self.suite(node.body)
            if node.orelse is not None:
                self.suite(node.orelse.body)
        elif kind is cst.With:
            expected: frozenset[str] = frozenset()
            for item in node.items:
                self.expr(item.item)
                expected |= guards.with_item(item.item)
                if item.asname is not None:
                    self.target(item.asname.name)
            self.guarded(expected, node.body)
        elif kind is cst.Try or kind is cst.TryStar:
            self.guarded(guards.try_handlers(node), node.body)
            for handler in node.handlers:
                if handler.type is not None:
                    self.expr(handler.type)
                if handler.name is not None:
                    self.target(handler.name.name)
                self.suite(handler.body)
            for extra in (node.orelse, node.finalbody):
                if extra is not None:
                    self.suite(extra.body)
        else:
            self.generic(node)

    def small(self, node: Any) -> None:  # a libcst node, dispatched on its exact type
        kind = type(node)
        if kind is cst.Assign:
            for target in node.targets:
                self.target(target.target)
            self.expr(node.value)
            if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                self.maybe_functional(node.targets[0].target, node.value)
        elif kind is cst.AnnAssign:
            self.target(node.target)
            self.expr(node.annotation.annotation)
            if node.value is not None:
                self.expr(node.value)
                if isinstance(node.target, cst.Name):
                    self.maybe_functional(node.target, node.value)
        elif kind is cst.AugAssign:
            self.target(node.target)
            self.expr(node.value)
        elif kind is cst.Expr or kind is cst.Return:
            if node.value is not None:
                self.expr(node.value)
        elif kind is cst.Import:
            for alias in node.names:
                full = chain_of(alias.name)
                if full is None:
                    continue
                dotted = ".".join(n.value for n in full)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.import_name(alias.asname.name.value, dotted, None, 0)
                else:
                    self.import_name(full[0].value, full[0].value, None, 0)
        elif kind is cst.ImportFrom:
            self.import_from(node)
        elif kind is cst.Del:
            self.target(node.target)
        elif kind is cst.Global or kind is cst.Nonlocal:
            return
        else:
            self.generic(node)

    def import_name(self, local: str, module: str, attr: str | None, level: int) -> None:
        scope = self.scopes[-1]
        if scope.kind == "module":
            self.imports.append((local, module, attr, level))
        else:
            scope.bound.add(local)
        if attr is not None and attr in self.relevant:
            self.relevant.add(local)

    def import_from(self, node: cst.ImportFrom) -> None:
        base = ""
        if node.module is not None:
            parts = chain_of(node.module)
            if parts is None:
                return
            base = ".".join(n.value for n in parts)
        level = len(node.relative)
        if isinstance(node.names, cst.ImportStar):
            if self.scopes[-1].kind == "module":
                self.imports.append(("*", base, "*", level))
            return
        for alias in node.names:
            if not isinstance(alias.name, cst.Name):
                continue
            name = alias.name.value
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.import_name(local, base, name, level)

    def target(self, node: Any) -> None:  # a libcst node, dispatched on its exact type
        kind = type(node)
        if kind is cst.Name:
            self.bind(node.value)
        elif kind is cst.Tuple or kind is cst.List:
            for element in node.elements:
                self.target(element.value)
        elif kind is cst.StarredElement:
            self.target(node.value)
        elif kind is cst.Attribute:
            names = chain_of(node)
            if names is None:  # `E.x = ...` is not a reference; `f().x = ...` may hold one
                self.expr(node.value)
            elif self.relevant_chain(tuple(n.value for n in names), len(names) - 1):
                self.assigned.append(tuple(n.value for n in names))  # `Permission.IMPLIED = ...`
        else:
            self.expr(node)

    def funcdef(self, node: cst.FunctionDef) -> None:
        for decorator in node.decorators:
            self.expr(decorator.decorator)
        self.params(node.params, outer=True)
        if node.returns is not None:
            self.expr(node.returns.annotation)
        self.bind(node.name.value)
        saved, self.class_path = self.class_path, None
        handled, self.handled = self.handled, frozenset()  # the body runs later, unguarded
        self.push("function")
        self.params(node.params, outer=False)
        self.suite(node.body)
        self.pop()
        self.class_path, self.handled = saved, handled

    def params(self, params: cst.Parameters, outer: bool) -> None:
        every = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        for param in every:
            if outer:
                if param.annotation is not None:
                    self.expr(param.annotation.annotation)
                if param.default is not None:
                    self.expr(param.default)
            else:
                self.scopes[-1].bound.add(param.name.value)

    def _type_checking(self, node: cst.If) -> bool:
        return self.scopes[-1].kind == "module" and dotted(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")

    def type_checking(self, node: cst.If) -> None:
        """`if TYPE_CHECKING: ... else: ...` at module level: a name both branches bind is bound at
        run time by the else branch only (the first is for type checkers)."""
        marks = self._marks()
        self.suite(node.body)
        middle = self._marks()
        self.stmt(node.orelse)
        run_time = {i[0] for i in self.imports[middle[0] :]} | set(self.other_names[middle[1] :])
        run_time |= set(self.class_names[middle[2] :])
        self.imports[marks[0] : middle[0]] = [i for i in self.imports[marks[0] : middle[0]] if i[0] not in run_time]
        self.other_names[marks[1] : middle[1]] = [
            n for n in self.other_names[marks[1] : middle[1]] if n not in run_time
        ]
        self.class_names[marks[2] : middle[2]] = [
            n for n in self.class_names[marks[2] : middle[2]] if n not in run_time
        ]

    def _marks(self) -> tuple[int, int, int]:
        return len(self.imports), len(self.other_names), len(self.class_names)

    def classdef(self, node: cst.ClassDef) -> None:
        for decorator in node.decorators:
            self.expr(decorator.decorator)
        for arg in node.bases:
            self.expr(arg.value)
        for arg in node.keywords:
            self.expr(arg.value)
        name = node.name.value
        if self.scopes[-1].kind == "module":
            self.class_names.append(name)
        else:
            self.scopes[-1].bound.add(name)
        saved = self.class_path
        if saved is not None:
            qual = ".".join([*saved, name])
            self.classes.append((qual, node))
            self.class_path = [*saved, name]
        self.push("class")
        self.suite(node.body)
        self.pop()
        self.class_path = saved

    def maybe_functional(self, target: cst.Name, value: cst.BaseExpression) -> None:
        """`Color = Enum("Color", ...)` at module or class level."""
        if self.class_path is None or not isinstance(value, cst.Call) or len(value.args) < 2:
            return
        func = chain_of(value.func)
        if func is None or func[-1].value not in self.relevant:  # Column("name", String) is no enum
            return
        if not isinstance(value.args[0].value, (cst.SimpleString, cst.ConcatenatedString)):
            return
        qual = ".".join([*self.class_path, target.value])
        self.functional.append((qual, value, target))

    # ------------------------------------------------------------------ expressions
    def expr(self, node: Any) -> None:  # a libcst node, dispatched on its exact type
        kind = type(node)
        if kind in _LEAVES:
            return
        if kind is cst.Attribute:
            names = chain_of(node)
            if names is None:
                self.expr(node.value)
                return
            chain = tuple(n.value for n in names)
            if self.relevant_chain(chain, len(chain) - 1):
                self.record(RawRef(chain, "attribute", names))
        elif kind is cst.Call:
            self.call(node)
        elif kind is cst.Subscript:
            self.subscript(node)
        elif kind is cst.Lambda:
            self.params(node.params, outer=True)
            self.push("function")
            self.params(node.params, outer=False)
            self.expr(node.body)
            self.pop()
        elif kind in (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp):
            self.push("function")
            if kind is cst.DictComp:
                self.expr(node.key)
                self.expr(node.value)
            else:
                self.expr(node.elt)
            comp = node.for_in
            while comp is not None:
                self.target(comp.target)
                self.expr(comp.iter)
                for cond in comp.ifs:
                    self.expr(cond.test)
                comp = comp.inner_for_in
            self.pop()
        elif kind is cst.NamedExpr:
            self.target(node.target)
            self.expr(node.value)
        elif kind is cst.IfExp:
            self.expr(node.body)
            self.expr(node.test)
            self.expr(node.orelse)
        else:
            self.generic(node)

    def generic(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.MatchAs) and node.name is not None:
            self.bind(node.name.value)
        for name in _fields(type(node)):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                self.expr(value) if isinstance(value, cst.BaseExpression) else self.stmt_or_generic(value)
            elif isinstance(value, (tuple, list)):
                for item in value:
                    if isinstance(item, cst.CSTNode):
                        self.expr(item) if isinstance(item, cst.BaseExpression) else self.stmt_or_generic(item)

    def stmt_or_generic(self, node: cst.CSTNode) -> None:
        if isinstance(node, (cst.BaseCompoundStatement, cst.SimpleStatementLine)):
            self.stmt(node)
        elif isinstance(node, cst.BaseSmallStatement):
            self.small(node)
        elif isinstance(node, cst.BaseSuite):
            self.suite(node)
        else:
            self.generic(node)

    def call(self, node: cst.Call) -> None:
        func = node.func
        names = chain_of(func)
        args = node.args
        if names is not None:
            chain = tuple(n.value for n in names)
            if chain == ("getattr",) and len(args) == 2 and not args[0].keyword and not args[1].keyword:
                target = chain_of(args[0].value)
                literal: Value = string_value(args[1].value)
                if target is not None and literal is not None:
                    tchain = tuple(n.value for n in target)
                    if self.relevant_chain(tchain, len(tchain)):
                        self.record(RawRef(tchain, "getattr", [args[1].value], literal))
            elif len(args) == 1 and not args[0].keyword and not args[0].star and self.relevant_chain(chain, len(chain)):
                ok, literal = literal_value(args[0].value)
                if ok:
                    self.record(RawRef(chain, "call", [args[0].value], literal))
        self.expr(func)
        for arg in args:
            self.expr(arg.value)

    def subscript(self, node: cst.Subscript) -> None:
        names = chain_of(node.value)
        if names is not None and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            literal = string_value(node.slice[0].slice.value)
            chain = tuple(n.value for n in names)
            if literal is not None and self.relevant_chain(chain, len(chain)):
                self.record(RawRef(chain, "subscript", [node.slice[0].slice.value], literal))
        self.expr(node.value)
        for element in node.slice:
            self.generic(element.slice)
