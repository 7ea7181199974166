"""The libcst visitor behind bindings.extract(): one file's Enum(...) calls, Mapped[E] columns,
type_annotation_map entries and class bases -> BindingSites."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence, TypeGuard, cast

import libcst as cst

from enumguard.finding import Location
from enumguard.libcst_helpers import dotted, kwarg
from enumguard.libcst_helpers import string as str_value
from enumguard.model import qualify
from enumguard.python import complexity
from enumguard.python.binding_sites import BindingSite
from enumguard.python.binding_syntax import (
    Locator,
    comprehension_attr,
    function_stores,
    optional_inner,
    sql_literal,
    table_args_schema,
    table_name,
)
from enumguard.sqlalchemy_names import COLUMNS, ENUM_TYPES, GENERIC_ENUM, MAPPED, TABLES, TEXT

# Positional arguments of Column/mapped_column that are not its type.
NOT_A_TYPE = frozenset(
    {"ForeignKey", "Sequence", "Identity", "Computed", "FetchedValue", "DefaultClause", "CheckConstraint"}
)

_BUILTIN_TYPES = frozenset({"int", "str", "bool", "float", "bytes", "dict", "list", "set", "tuple", "object", "Any"})
# Packages whose names are never a re-export of SQLAlchemy's Enum.
_LIBRARIES = ("sqlalchemy", "sqlmodel", "sqlalchemy_utils", "geoalchemy2", "pgvector", "typing", "datetime", "uuid")
_NON_ENUM_MODULES = ("datetime", "uuid", "decimal", "typing", "sqlalchemy", "pydantic", "collections", "ipaddress")


class SiteVisitor:
    """Collects the BindingSites of one module; `walk` drives the visit_/leave_ handlers."""

    def __init__(self, module: cst.Module, source: str, path: str, imports: dict[str, str]) -> None:
        self.imports = imports
        self.loc = Locator(module, source, path)
        self.sites: list[BindingSite] = []
        self.done: set[int] = set()  # Enum calls already recorded as part of a larger construct
        self.classes: list[tuple[str, str | None, str | None, bool]] = []  # (name, table, schema, sqlmodel)
        self.tables: list[cst.Call] = []
        self.functions = {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)}

    # ------------------------------------------------------------------ resolution
    def qualify_expr(self, node: cst.BaseExpression) -> str | None:
        text = dotted(node)
        if text is None:
            return None
        head, _, rest = text.partition(".")
        base = self.imports.get(head)
        if base is None:
            return None
        return f"{base}.{rest}" if rest else base

    def not_an_enum(self, expr: str) -> bool:
        """Annotations that are surely not enum classes: builtins and well-known library types."""
        head = expr.split(".")[0]
        if head in _BUILTIN_TYPES and head not in self.imports:
            return True
        return self.imports.get(head, "").startswith(_NON_ENUM_MODULES)

    def is_enum_call(self, node: cst.BaseExpression) -> TypeGuard[cst.Call]:
        return isinstance(node, cst.Call) and self.qualify_expr(node.func) in ENUM_TYPES

    def maybe_enum_call(self, node: cst.BaseExpression) -> TypeGuard[cst.Call]:
        """`EnumColumn(Status, ...)` in a column: a call of a name that is not a library's, which
        may be SQLAlchemy's Enum under another name (a project module re-exporting it)."""
        if not isinstance(node, cst.Call) or dotted(node.func) is None:
            return False
        qualified = self.qualify_expr(node.func)
        return qualified is None or not qualified.startswith(_LIBRARIES)

    # ------------------------------------------------------------------ traversal
    def walk(self, module: cst.Module) -> None:
        """Visit statements and the expressions where an Enum type can appear, in source order,
        calling the visit_/leave_ handlers as a full CSTVisitor pass would, at a fraction of
        its cost (no whitespace, tokens, comprehensions or lambdas)."""
        self.walk_block(module.body)

    def walk_block(self, body: Sequence[cst.BaseStatement] | Sequence[cst.BaseSmallStatement]) -> None:
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                self.walk_block(stmt.body)
            elif isinstance(stmt, cst.Assign):
                self.visit_Assign(stmt)
                self.walk_expr(stmt.value)
            elif isinstance(stmt, cst.AnnAssign):
                self.visit_AnnAssign(stmt)
                if stmt.value is not None:
                    self.walk_expr(stmt.value)
            elif isinstance(stmt, (cst.Expr, cst.Return)) and stmt.value is not None:
                self.walk_expr(stmt.value)
            elif isinstance(stmt, cst.ClassDef):
                self.visit_ClassDef(stmt)
                for arg in stmt.keywords:
                    self.walk_expr(arg.value)
                self.walk_suite(stmt.body)
                self.leave_ClassDef(stmt)
            elif isinstance(stmt, cst.FunctionDef):
                if self.classes:
                    self.declared_attr(stmt)
                self.walk_suite(stmt.body)
            elif isinstance(stmt, (cst.With, cst.For, cst.While)):
                self.walk_suite(stmt.body)
            elif isinstance(stmt, cst.If):
                self.walk_suite(stmt.body)
                orelse = stmt.orelse
                while orelse is not None:
                    self.walk_suite(orelse.body)
                    orelse = orelse.orelse if isinstance(orelse, cst.If) else None
            elif isinstance(stmt, cst.Try):
                self.walk_suite(stmt.body)
                for handler in stmt.handlers:
                    self.walk_suite(handler.body)
                for extra in (stmt.orelse, stmt.finalbody):
                    if extra is not None:
                        self.walk_suite(extra.body)

    def walk_suite(self, suite: cst.BaseSuite) -> None:
        self.walk_block(suite.body)

    def walk_expr(self, node: cst.BaseExpression) -> None:
        if isinstance(node, cst.Call):
            self.visit_Call(node)
            for arg in node.args:
                self.walk_expr(arg.value)
            self.leave_Call(node)
        elif isinstance(node, cst.Dict):
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    self.walk_expr(element.key)
                self.walk_expr(element.value)
        elif isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            for item in node.elements:
                self.walk_expr(item.value)
        elif isinstance(node, cst.BinaryOperation):
            self.walk_expr(node.left)
            self.walk_expr(node.right)
        elif isinstance(node, cst.IfExp):
            self.walk_expr(node.body)
            self.walk_expr(node.orelse)
        elif isinstance(node, cst.Await):
            self.walk_expr(node.expression)

    # ------------------------------------------------------------------ context
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        table = schema = None
        for stmt in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__tablename__":
                table = _returned_constant(stmt)  # @declared_attr def __tablename__(cls): return "t"
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = dotted(small.targets[0].target)
                    if target == "__tablename__":
                        table = str_value(small.value)
                    elif target == "__table_args__":
                        schema = table_args_schema(small.value)
        is_sqlmodel = any(
            a.keyword is not None and a.keyword.value == "table" and dotted(a.value) == "True" for a in node.keywords
        )
        if table is not None:
            table = qualify(table, schema)  # as the migrations name it: public.jobs
        self.classes.append((node.name.value, table, schema, is_sqlmodel))
        bases = tuple((dotted(a.value) or "").rpartition(".")[2] for a in node.bases if a.keyword is None)
        self.sites.append(
            BindingSite(
                enum_expr=None,
                db_type=None,
                stores="names",
                native=True,
                location=Location(self.loc.path, 1, 1),
                kind="class",
                owner=node.name.value,
                bases=tuple(b for b in bases if b),
            )
        )

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_Call(self, node: cst.Call) -> None:
        qual = self.qualify_expr(node.func)
        if qual in TABLES:
            self.tables.append(node)
            return
        if id(node) in self.done:
            return
        if qual in COLUMNS and not self.classes:
            self.column(node, None, None)
        elif qual in ENUM_TYPES:
            self.done.add(id(node))
            offset = self.loc.find(node)
            self.loc.cursor = offset + 1
            site = self.enum_site(node, self.loc.location(offset))
            if site is not None:
                self.sites.append(site)
        kw = kwarg(node, "type_annotation_map")
        if kw is not None:
            self.annotation_map(kw.value)

    def leave_Call(self, original_node: cst.Call) -> None:
        if self.tables and self.tables[-1] is original_node:
            self.tables.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) != 1:
            return
        target = dotted(node.targets[0].target)
        if target == "type_annotation_map":
            self.annotation_map(node.value)
        elif (
            self.classes
            and isinstance(node.targets[0].target, cst.Name)
            and isinstance(node.value, cst.Call)
            and self.qualify_expr(node.value.func) in COLUMNS
        ):
            self.column(node.value, target, None)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        target = dotted(node.target)
        if target == "type_annotation_map" and node.value is not None:
            self.annotation_map(node.value)
            return
        if not self.classes or not isinstance(node.target, cst.Name):
            return
        inner = self.mapped_inner(node.annotation.annotation)
        if inner is None:
            return
        enum_expr = optional_inner(inner)
        if enum_expr is not None and self.not_an_enum(enum_expr):
            enum_expr = None
        value = node.value
        if isinstance(value, cst.Call) and self.qualify_expr(value.func) in COLUMNS:
            self.column(value, target, enum_expr)
            return
        if value is not None and not self.classes[-1][3]:
            return  # relationship(), column_property(), ...: not a plain column of this annotation
        if enum_expr is None:
            return
        if self.classes[-1][3] and value is not None:
            # SQLModel: Field(sa_column=...) / Field(sa_type=...) choose their own type.
            if isinstance(value, cst.Call) and (kwarg(value, "sa_column") or kwarg(value, "sa_type")):
                return
        offset = self.loc.find(node)
        self.loc.cursor = offset + 1
        _, table, schema, _ = self.classes[-1]
        self.sites.append(
            BindingSite(
                enum_expr=enum_expr,
                db_type=None,
                stores="names",
                native=True,
                location=self.loc.location(offset),
                table=table,
                column=target,
                kind="annotation",
                default_name=True,
                owner=self.classes[-1][0],
            )
        )

    def mapped_inner(self, annotation: cst.BaseExpression) -> cst.BaseExpression | None:
        """`Mapped[X]` -> X; for SQLModel table classes any plain annotation is the column type."""
        if isinstance(annotation, cst.SimpleString):
            text = str_value(annotation)
            try:
                annotation = complexity.parse_expression(text) if text else annotation
            except (cst.ParserSyntaxError, complexity.TooComplex, RecursionError):
                return None
        if isinstance(annotation, cst.Subscript) and self.qualify_expr(annotation.value) in MAPPED:
            if len(annotation.slice) == 1 and isinstance(annotation.slice[0].slice, cst.Index):
                inner = annotation.slice[0].slice.value
                if isinstance(inner, cst.SimpleString):
                    text = str_value(inner)
                    try:
                        inner = complexity.parse_expression(text) if text else inner
                    except (cst.ParserSyntaxError, complexity.TooComplex, RecursionError):
                        return None
                return inner
            return None
        if self.classes and self.classes[-1][3]:
            return annotation
        return None

    def declared_attr(self, func: cst.FunctionDef) -> None:
        """`@declared_attr def status(cls) -> Mapped[E]: return mapped_column(...)`: the column
        `status` of the class (of every model that inherits it, when it is a mixin)."""
        names = [
            dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or ""
            for d in func.decorators
        ]
        if func.name.value.startswith("__") or not any(
            n.split(".")[-1] == "declared_attr" or n.endswith(("declared_attr.directive", "declared_attr.cascading"))
            for n in names
        ):
            return
        body = func.body.body if isinstance(func.body, cst.IndentedBlock) else ()
        returns = [
            small
            for stmt in body
            if isinstance(stmt, cst.SimpleStatementLine)
            for small in stmt.body
            if isinstance(small, cst.Return)
        ]
        if len(returns) != 1 or not isinstance(returns[0].value, cst.Call):
            return
        call = returns[0].value
        if self.qualify_expr(call.func) not in COLUMNS:
            return
        annotated = None
        if func.returns is not None:
            inner = self.mapped_inner(func.returns.annotation)
            annotated = optional_inner(inner) if inner is not None else None
            if annotated is not None and self.not_an_enum(annotated):
                annotated = None
        self.column(call, func.name.value, annotated)

    # ------------------------------------------------------------------ constructs
    def column(self, call: cst.Call, attr: str | None, annotated: str | None) -> None:
        """Column(...) / mapped_column(...): its Enum type (or the annotation's), name, default."""
        self.done.add(id(call))
        positional = [a for a in call.args if a.keyword is None and a.star == ""]
        name = str_value(positional[0].value) if positional else None
        if name is not None:
            positional = positional[1:]
        type_kw = kwarg(call, "type_")
        candidates = [a.value for a in positional] + ([type_kw.value] if type_kw else [])
        enum_call = next((c for c in candidates if self.is_enum_call(c)), None)
        via = None
        if enum_call is None:
            enum_call = next((c for c in candidates if self.maybe_enum_call(c)), None)
            via = dotted(enum_call.func) if enum_call is not None else None
        typed = any(
            not (isinstance(c, cst.Call) and (dotted(c.func) or "").split(".")[-1] in NOT_A_TYPE) for c in candidates
        )
        if enum_call is None and (typed or annotated is None):
            return
        offset = self.loc.find(call)
        self.loc.cursor = offset + 1
        table = self.classes[-1][1] if self.classes else table_name(self.tables)
        schema = self.classes[-1][2] if self.classes else None
        column = name or attr
        default, default_member, default_loc = self.server_default(call, offset)
        if enum_call is not None:
            self.done.add(id(enum_call))
            at = self.loc.find(enum_call, offset)
            site = self.enum_site(enum_call, self.loc.location(at), table_schema=schema)
            if site is None:
                return
            site = _replace_site(site, via=via)
        else:
            site = BindingSite(
                enum_expr=annotated,
                db_type=None,
                stores="names",
                native=True,
                location=self.loc.location(offset),
                kind="annotation",
                default_name=True,
                owner=self.classes[-1][0] if self.classes else None,
            )
        self.sites.append(
            _replace_site(
                site,
                table=table,
                column=column,
                server_default=default,
                server_default_member=default_member,
                server_default_location=default_loc,
                owner=self.classes[-1][0] if self.classes else None,
            )
        )

    def server_default(self, call: cst.Call, offset: int) -> tuple[str | None, tuple[str, str] | None, Location | None]:
        arg = kwarg(call, "server_default")
        if arg is None:
            return None, None, None
        value = arg.value
        text, member = str_value(value), None
        if text is None and isinstance(value, cst.Call) and self.qualify_expr(value.func) in TEXT and value.args:
            text = sql_literal(str_value(value.args[0].value))
        if text is None and isinstance(value, cst.Attribute) and value.attr.value in ("value", "name"):
            inner = value.value
            if isinstance(inner, cst.Attribute):
                member = (inner.attr.value, value.attr.value)
        if text is None and member is None:
            return None, None, None
        key = self.loc.source.find("server_default", offset)
        return text, member, self.loc.location(self.loc.find(value, max(key, offset)))

    def enum_site(self, call: cst.Call, location: Location, table_schema: str | None = None) -> BindingSite | None:
        """The facts of one Enum(...) call; None when its first argument is not understood."""
        positional = [a for a in call.args if a.keyword is None]
        labels: tuple[str, ...]
        enum_expr, labels, stores, helper = None, (), "names", None
        if len(positional) == 1 and positional[0].star == "*":
            comp = comprehension_attr(positional[0].value, None)
            if comp is not None:
                enum_expr, stores = comp[0], ("values" if comp[1] == "value" else "names")
            else:
                text = dotted(positional[0].value) or ""
                if text.endswith(("._member_names_", ".__members__")):
                    enum_expr = text.rsplit(".", 1)[0]
                else:
                    return None
            if kwarg(call, "values_callable") is not None:
                return None
            # The labels are listed as strings: the type is named only by name=.
            labels_mode = True
        elif positional and all(a.star == "" and str_value(a.value) is not None for a in positional):
            labels = tuple(cast(str, str_value(a.value)) for a in positional)  # all strings, as tested
            labels_mode = True
        elif len(positional) == 1 and positional[0].star == "" and dotted(positional[0].value) is not None:
            enum_expr = dotted(positional[0].value)
            labels_mode = False
            callable_arg = kwarg(call, "values_callable")
            if callable_arg is not None:
                stores, helper = self.values_callable(callable_arg.value)
        else:
            return None
        native_arg = kwarg(call, "native_enum")
        native = not (native_arg is not None and dotted(native_arg.value) == "False")
        if native_arg is not None and dotted(native_arg.value) not in ("True", "False"):
            return None
        name_arg, schema_arg = kwarg(call, "name"), kwarg(call, "schema")
        name = str_value(name_arg.value) if name_arg else None
        schema = str_value(schema_arg.value) if schema_arg else None
        inherit = kwarg(call, "inherit_schema")
        if inherit is not None and dotted(inherit.value) == "True":
            if schema_arg is not None:
                return None
            schema = table_schema
            if table_schema is None and self.classes:
                return None
        if (name_arg is not None and name is None) or (schema_arg is not None and schema is None):
            return None  # computed name or schema: the DB type is unknown
        default_name = name is None and not labels_mode
        return BindingSite(
            enum_expr=enum_expr,
            db_type=qualify(name, schema) if name else None,
            stores=stores,
            native=native,
            location=location,
            labels=labels,
            default_name=default_name,
            schema=schema if default_name else None,
            values_helper=helper,
        )

    def values_callable(self, node: cst.BaseExpression) -> tuple[str, str | None]:
        """What a values_callable returns, when it is the common comprehension, else "unknown";
        and the name of a helper function defined elsewhere, matched by bind() across files."""
        if isinstance(node, cst.Lambda) and len(node.params.params) == 1:
            comp = comprehension_attr(node.body, node.params.params[0].name.value)
            return ("unknown" if comp is None else ("values" if comp[1] == "value" else "names")), None
        if isinstance(node, cst.Name) and node.value in self.functions:
            return function_stores(self.functions[node.value]), None
        name = dotted(node)
        return "unknown", (name.rpartition(".")[2] if name else None)

    def annotation_map(self, node: cst.BaseExpression) -> None:
        if not isinstance(node, cst.Dict):
            return
        for element in node.elements:
            if not isinstance(element, cst.DictElement) or not self.is_enum_call(element.value):
                continue
            call = element.value
            assert isinstance(call, cst.Call)
            self.done.add(id(call))
            key = dotted(element.key)
            if key is None:
                continue
            offset = self.loc.find(call)
            self.loc.cursor = offset + 1
            site = self.enum_site(call, self.loc.location(offset))
            if site is None:
                continue
            generic = self.qualify_expr(element.key) in GENERIC_ENUM
            self.sites.append(
                _replace_site(
                    site,
                    kind="map_generic" if generic else "map",
                    enum_expr=None if generic else key,
                    owner=self.classes[-1][0] if self.classes else None,
                )
            )


def _replace_site(site: BindingSite, **changes: Any) -> BindingSite:
    return replace(site, **changes)


def _returned_constant(func: cst.FunctionDef) -> str | None:
    """The string a method returns when its whole body is `return "literal"` (docstring aside)."""
    body = (
        [
            stmt
            for stmt in func.body.body
            if not (isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Expr))
        ]
        if isinstance(func.body, cst.IndentedBlock)
        else [func.body]
    )
    if len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1:
        ret = body[0].body[0]
        if isinstance(ret, cst.Return) and ret.value is not None:
            return str_value(ret.value)
    return None
