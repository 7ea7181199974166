"""One parsed module in, ColumnFacts out: mapped classes (table and attribute -> column), string
literals application code sends as a column's value through SQLAlchemy (`Model.col == "x"`,
`.in_`, `Model(col=..)`, `obj.col = ..`, `update(Model).values`, `filter_by`), and literals in raw
SQL strings it runs (`text()`, `.execute()`, asyncpg's `fetch*`). Names stay as written; `resolve`
links them across modules once every file is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from enumguard.finding import Location
from enumguard.model import ColumnValue, qualify
from enumguard.python import app_strings
from enumguard.python.binding_syntax import dotted, import_table, kwarg, optional_inner, str_value, table_args_schema

COLUMN_CALLS = frozenset({"Column", "mapped_column"})
# Query methods that keep the entity filter_by() applies to (a join or select_from changes it).
KEEP_ENTITY = frozenset(
    {"filter", "filter_by", "where", "order_by", "limit", "offset", "options", "distinct", "with_for_update",
     "execution_options", "group_by", "having", "populate_existing", "yield_per", "returning", "values"}
)
SQLA = ("sqlalchemy", "sqlmodel")
IN_METHODS = frozenset({"in_", "notin_", "not_in"})
_MODEL_CLASS = re.compile(r"^class[ \t]+(\w+)[ \t]*\(", re.M)


@dataclass(frozen=True)
class TableClass:
    """A mapped class at module level: its table and its attribute -> column names."""

    qual: str
    table: str
    columns: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class OrmValue:
    """A literal sent as `entity.attr`'s value; `entity` is the class's dotted name as written."""

    entity: str
    attr: str
    value: str
    context: str
    location: Location
    quotes: tuple[str, str] | None


@dataclass(frozen=True)
class ColumnFacts:
    tables: tuple[TableClass, ...] = ()
    values: tuple[OrmValue, ...] = ()
    sql: tuple[ColumnValue, ...] = ()  # already complete: raw SQL names its tables itself


def model_names(texts: list[str]) -> frozenset[str]:
    """Class names defined in files that map tables: a text pass deciding what is worth parsing."""
    found: set[str] = set()
    for text in texts:
        if "__tablename__" in text or "table=True" in text:
            found.update(_MODEL_CLASS.findall(text))
    return frozenset(found)


def worth_parsing(text: str, models: tuple[str, ...]) -> bool:
    return bool(models) or "__tablename__" in text or "table=True" in text or app_strings.has_sql(text)


def extract(module: cst.Module, text: str, path: str, models: tuple[str, ...]) -> ColumnFacts | None:
    if not worth_parsing(text, models):
        return None
    visitor = _Visitor(import_table(module), set(models))
    module.visit(visitor)
    if not (visitor.values or visitor.sql):
        return ColumnFacts(tables=tuple(visitor.tables)) if visitor.tables else None
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)

    def loc(node: cst.CSTNode) -> Location:
        start = positions[node].start
        return Location(path, start.line, start.column + 1)

    values = []
    for entity, attr, node, context in visitor.values:
        value = str_value(node)
        if value is not None:
            values.append(OrmValue(entity, attr, value, context, loc(node), app_strings.quotes(node, value)))
    sql: list[ColumnValue] = []
    for node in visitor.sql:
        sql.extend(app_strings.sql_values(node, loc))
    return ColumnFacts(tuple(visitor.tables), tuple(values), tuple(sql))


class _Visitor(cst.CSTVisitor):
    def __init__(self, imports: dict[str, str], models: set[str]) -> None:
        self.imports = imports
        self.models = models
        self.tables: list[TableClass] = []
        self.values: list[tuple[str, str, cst.BaseExpression, str]] = []
        self.sql: list[cst.BaseExpression] = []
        self.scopes: list[dict[str, str | None]] = []  # name -> class dotted (None: bound otherwise)
        self.depth = 0  # class nesting

    # ------------------------------------------------------------------ scopes
    def visit_Module(self, node: cst.Module) -> None:
        self.scopes.append(_instances(node.body, ()))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(_instances(_body(node.body), node.params.params + node.params.kwonly_params + node.params.posonly_params, node.params))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.scopes.append({p.name.value: None for p in node.params.params})

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.scopes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self.depth == 0 and len(self.scopes) == 1:
            table = _table_class(node)
            if table is not None:
                self.tables.append(table)
        self.depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.depth -= 1

    def entity(self, node: cst.BaseExpression) -> str | None:
        """The dotted name of a mapped class in an expression, unless a local name shadows it."""
        name = dotted(node)
        if name is None or name.split(".")[0] not in self.models and name.split(".")[0] not in self.imports:
            return None
        head = name.split(".")[0]
        if len(self.scopes) > 1 and head in self.scopes[-1]:
            return None
        return name

    def instance(self, node: cst.BaseExpression) -> str | None:
        """The class of a local variable known to hold one instance (constructed or annotated)."""
        if isinstance(node, cst.Name) and self.scopes:
            return self.scopes[-1].get(node.value)
        return None

    def qualified(self, node: cst.BaseExpression) -> str:
        name = dotted(node) or ""
        head, _, rest = name.partition(".")
        base = self.imports.get(head)
        return (f"{base}.{rest}" if rest else base) if base else name

    # ------------------------------------------------------------------ forms
    def visit_Comparison(self, node: cst.Comparison) -> None:
        if len(node.comparisons) != 1 or not isinstance(node.comparisons[0].operator, (cst.Equal, cst.NotEqual)):
            return
        left, right = node.left, node.comparisons[0].comparator
        if str_value(left) is not None:
            left, right = right, left
        if isinstance(left, cst.Attribute) and str_value(right) is not None:
            entity = self.entity(left.value)
            if entity is not None:
                self.values.append((entity, left.attr.value, right, "compare"))

    def visit_Assign(self, node: cst.Assign) -> None:
        if str_value(node.value) is None:
            return
        for target in node.targets:
            t = target.target
            if isinstance(t, cst.Attribute):
                cls = self.instance(t.value)
                if cls is not None:
                    self.values.append((cls, t.attr.value, node.value, "assign"))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in IN_METHODS and isinstance(func.value, cst.Attribute) and node.args:
                entity = self.entity(func.value.value)
                items = node.args[0].value
                if entity is not None and isinstance(items, (cst.List, cst.Tuple, cst.Set)):
                    for element in items.elements:
                        if str_value(element.value) is not None:
                            self.values.append((entity, func.value.attr.value, element.value, "in"))
                return
            if method == "filter_by":
                self.keywords(self.query_entity(func.value), node, "filter_by")
                return
            if method == "values":
                entity = self.statement_entity(func.value)
                self.keywords(entity, node, "values")
                if entity is not None and node.args and isinstance(node.args[0].value, cst.Dict):
                    for element in node.args[0].value.elements:
                        key = str_value(element.key) if isinstance(element, cst.DictElement) else None
                        if key is not None and str_value(element.value) is not None:
                            self.values.append((entity, key, element.value, "values"))
                return
        if app_strings.runs_sql(node, self.qualified(func)) and node.args and node.args[0].keyword is None:
            if isinstance(node.args[0].value, (cst.SimpleString, cst.ConcatenatedString)):
                self.sql.append(node.args[0].value)
            return
        entity = self.entity(func)
        if entity is not None and entity.split(".")[-1] in self.models:
            self.keywords(entity, node, "constructor")

    def keywords(self, entity: str | None, call: cst.Call, context: str) -> None:
        if entity is None:
            return
        for arg in call.args:
            if arg.keyword is not None and str_value(arg.value) is not None:
                self.values.append((entity, arg.keyword.value, arg.value, context))

    def query_entity(self, node: cst.BaseExpression) -> str | None:
        """`session.query(M)` / `select(M)` / `M.query`, through methods that keep the entity."""
        while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            if node.func.attr.value == "query":
                return self._single(node)
            if node.func.attr.value not in KEEP_ENTITY:
                return None
            node = node.func.value
        if isinstance(node, cst.Call) and self.qualified(node.func) in ("sqlalchemy.select", "sqlmodel.select", "sqlalchemy.future.select"):
            return self._single(node)
        if isinstance(node, cst.Attribute) and node.attr.value == "query":
            return self.entity(node.value)  # Flask-SQLAlchemy's Model.query
        return None

    def statement_entity(self, node: cst.BaseExpression) -> str | None:
        """`update(M)` / `insert(M)` (SQLAlchemy's, or PostgreSQL's insert), through `.where`..."""
        while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            if node.func.attr.value not in KEEP_ENTITY:
                return None
            node = node.func.value
        if isinstance(node, cst.Call):
            name = self.qualified(node.func)
            if name.startswith(SQLA) and name.rpartition(".")[2] in ("update", "insert"):
                return self._single(node)
        return None

    def _single(self, call: cst.Call) -> str | None:
        args = [a for a in call.args if a.keyword is None]
        if len(args) != 1 or len(call.args) != 1 or args[0].star:
            return None
        return self.entity(args[0].value)


def _body(suite: cst.BaseSuite) -> list:
    return list(suite.body) if isinstance(suite, cst.IndentedBlock) else [suite]


def _instances(body, params, all_params: cst.Parameters | None = None) -> dict[str, str | None]:
    """Names bound in one scope -> the class dotted name when every binding says the same class
    (`x = Model(...)`, `x: Model`, a parameter `x: Model`), else None. Loops, `with`, unpacking,
    nested scopes' names and anything else make the name unknown."""
    out: dict[str, str | None] = {}

    def bind(name: str, cls: str | None) -> None:
        if name in out and out[name] != cls:
            out[name] = None
        else:
            out.setdefault(name, cls)

    for param in params:
        annotation = param.annotation.annotation if param.annotation is not None else None
        bind(param.name.value, _annotated(annotation))
    if all_params is not None:
        for star in (all_params.star_arg, all_params.star_kwarg):
            if isinstance(star, cst.Param):
                bind(star.name.value, None)
    _Binder(bind).walk(body)
    return out


def _annotated(annotation: cst.BaseExpression | None) -> str | None:
    if annotation is None:
        return None
    if isinstance(annotation, cst.SimpleString):
        text = str_value(annotation)
        try:
            annotation = cst.parse_expression(text) if text else annotation
        except cst.ParserSyntaxError:
            return None
    return optional_inner(annotation)


class _Binder(cst.CSTVisitor):
    """Every name one scope binds (not descending into nested functions, classes, lambdas)."""

    def __init__(self, bind) -> None:
        self.bind = bind

    def walk(self, body) -> None:
        for stmt in body:
            stmt.visit(self)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.bind(node.name.value, None)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.bind(node.name.value, None)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        cls = None
        if isinstance(node.value, cst.Call):
            cls = dotted(node.value.func)
        for target in node.targets:
            if isinstance(target.target, cst.Name) and len(node.targets) == 1:
                self.bind(target.target.value, cls)
            else:
                self._all(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name):
            cls = _annotated(node.annotation.annotation)
            if node.value is not None and not (isinstance(node.value, cst.Call) and dotted(node.value.func) == cls):
                cls = None
            self.bind(node.target.value, cls)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._all(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._all(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._all(node.asname.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._all(node.target)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._all(node.name.name)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.bind(item.name.value, None)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self.bind(item.name.value, None)

    def visit_Del(self, node: cst.Del) -> None:
        self._all(node.target)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        name = node.asname.name if node.asname is not None else node.name
        if isinstance(name, cst.Name):
            self.bind(name.value, None)

    def _all(self, target: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            self.bind(target.value, None)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._all(element.value)
        elif isinstance(target, cst.StarredElement):
            self._all(target.value)


def _table_class(node: cst.ClassDef) -> TableClass | None:
    """A class with `__tablename__ = "t"` (or SQLModel's `table=True`): table and columns."""
    table = schema = None
    sqlmodel = any(a.keyword is not None and a.keyword.value == "table" and dotted(a.value) == "True" for a in node.keywords)
    columns: list[tuple[str, str]] = []
    for stmt in _body(node.body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = dotted(small.targets[0].target)
                if target == "__tablename__":
                    table = str_value(small.value)
                elif target == "__table_args__":
                    schema = table_args_schema(small.value)
                elif target is not None and "." not in target:
                    column = _column_name(small.value, target)
                    if column is not None:
                        columns.append((target, column))
            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                target = small.target.value
                column = _column_name(small.value, target) if small.value is not None else None
                head = (dotted(small.annotation.annotation.value) if isinstance(small.annotation.annotation, cst.Subscript) else None) or ""
                if column is None and (head.endswith("Mapped") or sqlmodel) and not target.startswith("_"):
                    plain = small.value is None or (isinstance(small.value, cst.Call) and (dotted(small.value.func) or "").endswith("Field") and kwarg(small.value, "sa_column") is None)
                    column = target if plain else None
                if column is not None:
                    columns.append((target, column))
    if table is None and sqlmodel:
        table = node.name.value.lower()
    if table is None:
        return None
    return TableClass(node.name.value, qualify(table, schema), tuple(columns))


def _column_name(value: cst.BaseExpression, attr: str) -> str | None:
    """`Column("db_name", ...)` -> db_name; `Column(Type)` / `mapped_column()` -> attr."""
    if not isinstance(value, cst.Call) or (dotted(value.func) or "").rpartition(".")[2] not in COLUMN_CALLS:
        return None
    if value.args and value.args[0].keyword is None:
        name = str_value(value.args[0].value)
        if name is not None:
            return name
    name_kw = kwarg(value, "name")
    if name_kw is not None:
        return str_value(name_kw.value)
    return attr


def resolve(facts: dict, resolver, migration_paths: frozenset[str]) -> tuple[ColumnValue, ...]:
    """ColumnValues of application code: each OrmValue whose entity resolves to a mapped class
    with that attribute, and the raw-SQL values (migration scripts are not application code)."""
    tables: dict[tuple[str, str], TableClass] = {}
    for path, fact in facts.items():
        cf = getattr(fact, "column_facts", None)
        for table in cf.tables if cf else ():
            tables[(path, table.qual)] = table
    out: list[ColumnValue] = []
    for path in sorted(facts):
        cf = getattr(facts[path], "column_facts", None)
        if cf is None or path in migration_paths:
            continue
        out.extend(cf.sql)
        for value in cf.values:
            target, i = resolver.walk(path, tuple(value.entity.split(".")), stop_at_enum=False)
            if target is None or target[0] != "class" or i != len(value.entity.split(".")):
                continue
            table = tables.get((target[1], target[2]))
            column = dict(table.columns).get(value.attr) if table else None
            if table is None or column is None:
                continue
            entity = resolver.qualname(target[1], target[2])
            out.append(ColumnValue(table.table, column, value.value, value.context, value.location, "orm", entity, None, value.quotes))
    return tuple(out)
