"""A call in a revision (libcst) -> its value, and how a helper call is followed: a function of
the revision or of a migration helper module runs with its arguments bound (positional, keyword,
defaults, *args/**kwargs) up to a depth bound; SQLAlchemy, `op` and the builtins are modelled;
any other call that gets the connection and cannot be followed leaves an Unread event."""

from __future__ import annotations

import re
import sys
import textwrap
from typing import TYPE_CHECKING, Any

import libcst as cst

from enumguard.libcst_helpers import dotted
from enumguard.migrations.alembic import enum_types
from enumguard.migrations.alembic.modules import Frame, ModuleEnv, method_candidates
from enumguard.migrations.alembic.values import (
    INSPECTOR,
    SESSION,
    UNKNOWN,
    Args,
    ArrayType,
    Attr,
    Batch,
    ClassValue,
    Column,
    Db,
    EnumType,
    Function,
    Instance,
    Library,
    Member,
    Opaque,
    Sql,
    Table,
    Text,
    Unknown,
    reaches_db,
    same,
    strings_in,
    unknown,
)
from enumguard.sqlalchemy_names import ARRAYS, CORE_COLUMNS, DDL, ENUM_TYPES, TABLES, TEXT

MAX_DEPTH = 10  # nested calls followed; a deeper call is not followed (an Unread event)
_MODELLED_ROOTS = ("sqlalchemy", "sqlmodel", "alembic")
_SESSIONS = frozenset({"sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session", "sqlmodel.Session"})


class Calls:
    """The call half of the evaluator (mixed into evaluate.Evaluator)."""

    depth: int
    site: cst.CSTNode | None
    ops: Any
    conds: list[Any]
    frames: list[Frame]

    if TYPE_CHECKING:  # provided by evaluate.Evaluator and its other halves

        def expr(self, node: cst.BaseExpression | None, frame: Frame) -> object: ...

        def iterate(self, value: object) -> list[object] | None: ...

        def members(self, cls: ClassValue) -> list[Member] | None: ...

        def attribute(self, obj: object, name: str) -> object: ...

        def string_method(self, obj: str | Text, name: str, args: Args) -> object: ...

        def container_method(self, obj: Any, name: str, args: Args) -> object: ...

        def builtin(self, name: str, args: Args, node: cst.Call, frame: Frame) -> object: ...

        def unread(self, reason: str, node: cst.CSTNode | None, touches: str, names: frozenset[str]) -> None: ...

        def is_generator(self, node: cst.CSTNode) -> bool: ...

        def run_body(self, function: cst.FunctionDef, frame: Frame) -> object: ...

        def flush(self, cond: Any) -> None: ...

    def call(self, node: cst.Call, frame: Frame) -> object:
        at_top = self.depth == 0
        before = self.site
        if at_top:
            self.site = node  # where events of code followed from here are reported
        try:
            if (dotted(node.func) or "").endswith("TableReference"):  # alembic-postgresql-enum
                args = self.arguments(node, frame)
                keys = ("table_name", "column_name", "table_schema")
                return {k: args.get(k, i) for i, k in enumerate(keys)}
            if isinstance(node.func, cst.Attribute):
                obj = self.expr(node.func.value, frame)
                return self.method(obj, node.func.attr.value, self.arguments(node, frame), node, frame)
            return self.call_value(self.expr(node.func, frame), self.arguments(node, frame), node, frame)
        finally:
            if at_top:
                self.site = before

    def arguments(self, node: cst.Call, frame: Frame) -> Args:
        args = Args()
        for a in node.args:
            value = self.expr(a.value, frame)
            if a.star == "*":
                items = self.iterate(value)
                if items is None:
                    args.open_star = True
                else:
                    args.positional.extend(items)
            elif a.star == "**":
                if isinstance(value, dict) and all(isinstance(k, str) for k in value):
                    args.keywords.update(value)
                else:
                    args.open_star = True
            elif a.keyword is not None:
                args.keywords[a.keyword.value] = value
            else:
                args.positional.append(value)
        return args

    def call_value(self, callee: object, args: Args, node: cst.Call, frame: Frame) -> object:
        if isinstance(callee, Function):
            return self.follow(callee, args, node)
        if isinstance(callee, Library):
            return self.library_call(callee.qualified, args, node, frame)
        if isinstance(callee, Attr):
            return self.method(callee.obj, callee.name, args, node, frame)
        if isinstance(callee, ClassValue):
            found = self.members(callee)
            if found is None:
                return Instance(callee)  # an object of a class of the migrations: its methods are followed
            value = args.get("value", 0)  # Status("done"): the member of that value
            return next((m for m in found if m.value == value), UNKNOWN)
        return self.not_followed(dotted(node.func) or "…", args, node)

    def method(self, obj: object, name: str, args: Args, node: cst.Call, frame: Frame) -> object:
        if isinstance(obj, (Library, ModuleEnv)):
            return self.call_value(self.attribute(obj, name), args, node, frame)
        if isinstance(obj, (ClassValue, Instance, Member)):
            value = self.attribute(obj, name)  # a method of a class enumguard reads
            if isinstance(value, Attr):
                return self.not_followed(dotted(node.func) or name, args, node)
            return self.call_value(value, args, node, frame)
        if isinstance(obj, Db):
            return self.ops.db_method(obj, name, args, node)
        if isinstance(obj, (EnumType, Table)) and name in ("create", "drop"):
            return self.ops.create_or_drop(obj, name, args, node)
        if isinstance(obj, (EnumType, Table, Column)):
            return Opaque(f"sqlalchemy.{type(obj).__name__}.{name}")  # `table.update()`: a Core statement
        if isinstance(obj, Batch):
            return self.ops.batch_method(obj, name, args, node)
        if isinstance(obj, Sql):
            if name in ("bindparams", "params"):  # `.params({"id": 1})`: the same text, values bound
                given = dict(args.keywords)
                for value in args.positional:
                    given.update(value if isinstance(value, dict) else {})
                return Sql(obj.text, (*obj.params, *given.items()))
            return obj if name in ("execution_options", "columns", "compile") else UNKNOWN
        if isinstance(obj, (str, Text)):
            return self.string_method(obj, name, args)
        if isinstance(obj, (list, dict, set, tuple)):
            return self.container_method(obj, name, args)
        if name in ("create_all", "drop_all"):  # metadata.create_all(bind): the models' tables
            return self.ops.create_all(name, node)
        if isinstance(obj, Opaque):
            if reaches_db(args.all()) and obj.qualified.split(".")[0] not in ("sqlalchemy", "sqlmodel", "alembic"):
                # `importlib.import_module(x).run(conn)`: a library object given the connection
                return self.not_followed(dotted(node.func) or name, args, node)
            return Opaque(f"{obj.qualified}.{name}")
        if isinstance(obj, (Unknown, Attr)) and reaches_db(args.all()):  # `migrator.run(conn)`
            # `build.set_trigger(session, ...)` where a class of this module has such a method
            # that shows no DDL: data, not schema
            candidates = method_candidates(frame.module, name)
            if not candidates or any(may_change_schema(Function(c, frame.module)) for c in candidates):
                return self.not_followed(dotted(node.func) or name, args, node)
        return unknown(obj)

    def not_followed(self, name: str, args: Args, node: cst.Call) -> object:
        """A call enumguard does not follow: when it gets the connection (or op), whatever it
        does to the schema is unknown from here on."""
        if reaches_db(args.all()):
            self.unread(
                f"changed by a call to `{name}()` that enumguard does not follow", node, "any", strings_in(args.all())
            )
        return Unknown(how=f"a call to `{name}()`")

    def follow(self, function: Function, args: Args, node: cst.Call) -> object:
        """Run a function of the migrations with these arguments; its value (Unknown when the
        code decides it at run time, or when it is not followed)."""
        # Any function of the repository is followed (the application's too: a helper that
        # builds SQL text, or runs data statements on the connection it is given), within the
        # evaluator's bounds; a generator is not.
        if self.is_generator(function.node):
            return self.not_followed(function.name, args, node)
        if self.depth >= MAX_DEPTH:
            if may_change_schema(function):  # a recursion over data (a tree of rows) changes nothing
                self.unread(
                    f"changed by a call to `{function.name}()` that enumguard does not follow "
                    f"(more than {MAX_DEPTH} nested calls)",
                    node,
                    "any",
                    strings_in(args.all()),
                )
            return Unknown(how=f"a call to `{function.name}()`")
        if function.bound:
            args = Args([*function.bound, *args.positional], args.keywords, args.open_star)
        frame = Frame(function.module, function.closure, function.name)
        self.bind(function, args, frame)
        frame.cond_base = len(self.conds)
        self.depth += 1
        self.frames.append(frame)
        value: object = None
        try:
            if isinstance(function.node, cst.Lambda):
                value = self.expr(function.node.body, frame)
            else:
                value = self.run_body(function.node, frame)
        finally:
            self.depth -= 1
            self.frames.pop()
            for cond in frame.tail:
                self.flush(cond)
        if frame.returns:
            merged = same([*(v for v, _ in frame.returns), value])
            guarded = all(g for _, g in frame.returns)
            if isinstance(merged, Unknown) and guarded:
                return unknown(merged, Unknown(catalog=True))
            return merged
        return value

    def bind(self, function: Function, args: Args, frame: Frame) -> None:
        """Arguments to parameters, as Python binds them; defaults are evaluated where the
        function is written."""
        params = function.node.params
        outer = function.closure or Frame(function.module)
        positional = list(args.positional)
        keywords = dict(args.keywords)
        assert frame.locals is not None
        for param in [*params.posonly_params, *params.params]:
            name = param.name.value
            if positional:
                value = positional.pop(0)
            elif name in keywords:
                value = keywords.pop(name)
            elif param.default is not None and not args.open_star:
                value = self.expr(param.default, outer)
            else:
                value = UNKNOWN
            frame.locals[name] = value
        if isinstance(params.star_arg, cst.Param):
            frame.locals[params.star_arg.name.value] = UNKNOWN if args.open_star else tuple(positional)
        for param in params.kwonly_params:
            name = param.name.value
            if name in keywords:
                frame.locals[name] = keywords.pop(name)
            elif param.default is not None and not args.open_star:
                frame.locals[name] = self.expr(param.default, outer)
            else:
                frame.locals[name] = UNKNOWN
        if params.star_kwarg is not None:
            frame.locals[params.star_kwarg.name.value] = UNKNOWN if args.open_star else keywords

    def library_call(self, qualified: str, args: Args, node: cst.Call, frame: Frame) -> object:
        if qualified in TEXT or qualified in DDL:
            return Sql(args.get("text", 0, args.get("statement", 0, UNKNOWN)))
        if qualified in ENUM_TYPES:
            return enum_types.build(self, args, node)
        if qualified in ARRAYS:
            return ArrayType(qualified, args.get("item_type", 0, UNKNOWN))
        if qualified in CORE_COLUMNS or qualified.endswith(".Column"):
            return _column(args, node)
        if qualified in TABLES:
            columns = tuple(v for v in args.positional[2:] if isinstance(v, Column))
            return Table(args.get("name", 0), columns, args.keywords.get("schema"), node)
        if qualified.startswith("builtins."):
            return self.builtin(qualified[len("builtins.") :], args, node, frame)
        if qualified in ("textwrap.dedent", "inspect.cleandoc"):
            text = args.get("text", 0) if qualified == "textwrap.dedent" else args.get("doc", 0)
            return textwrap.dedent(text) if isinstance(text, str) else text
        if qualified == "typing.cast":
            return args.get("val", 1, UNKNOWN)
        if qualified == "sqlalchemy.inspect" and reaches_db(args.all()):
            return INSPECTOR
        if qualified in _SESSIONS and reaches_db(args.all()):
            return SESSION
        root = qualified.split(".")[0]
        if root in _MODELLED_ROOTS or root in _STDLIB:
            return Opaque(qualified)
        return self.not_followed(qualified.rsplit(".", 1)[-1], args, node)


def _column(args: Args, node: cst.Call) -> Column:
    values = args.positional
    name: object
    if values and isinstance(values[0], (str, Text, Unknown)) and not isinstance(values[0], EnumType):
        name, type_ = values[0], values[1] if len(values) > 1 else args.keywords.get("type_")
    else:
        name, type_ = args.keywords.get("name"), values[0] if values else args.keywords.get("type_")
    return Column(name, type_, args.keywords.get("server_default"), node)


_SCHEMA_WORDS = re.compile(
    r"\b(?:ALTER|CREATE|DROP)\s+(?:TYPE|TABLE)\b|\bRENAME\s+VALUE\b|\bADD\s+VALUE\b|\bAS\s+ENUM\b"
    r"|\bop\.(?:create_table|add_column|alter_column|drop_column|drop_table|rename_table|sync_enum_values|execute)\b"
    r"|\.(?:create|drop|create_all|drop_all)\(",
    re.IGNORECASE,
)


def may_change_schema(function: Function, seen: set[int] | None = None) -> bool:
    """Whether a function, or one of the module's functions it calls by name, shows DDL: what
    decides if stopping at the depth bound leaves something unread."""
    seen = seen if seen is not None else set()
    if id(function.node) in seen:
        return False
    seen.add(id(function.node))
    source = cst.Module([]).code_for_node(function.node)
    if _SCHEMA_WORDS.search(source):
        return True
    for name in set(re.findall(r"\b([A-Za-z_]\w*)\s*\(", source)):
        for stmt in function.module.bindings.get(name, ()):
            if isinstance(stmt, cst.FunctionDef) and may_change_schema(Function(stmt, function.module), seen):
                return True
    return False


def is_generator(node: cst.CSTNode) -> bool:
    """A function with `yield` returns a generator: not followed."""
    found = False

    class Visit(cst.CSTVisitor):
        def visit_Yield(self, _: cst.Yield) -> None:
            nonlocal found
            found = True

        def visit_FunctionDef(self, inner: cst.FunctionDef) -> bool:
            return inner is node

        def visit_Lambda(self, _: cst.Lambda) -> bool:
            return False

    node.visit(Visit())
    return found


_STDLIB: frozenset[str] = frozenset(sys.stdlib_module_names)
