"""One module's `ast` tree in, ColumnFacts out: mapped classes (table and attribute -> column),
string literals application code sends as a column's value through SQLAlchemy (`Model.col == "x"`,
`.in_`, `Model(col=..)`, `obj.col = ..`, `update(Model).values`, `filter_by`), and literals in raw
SQL strings it runs (`text()`, `.execute()`, asyncpg's `fetch*`). Names stay as written; `resolve`
links them across modules once every file is read.

The standard `ast` module, not libcst: these facts need every file that mentions a mapped class
or runs SQL, and a libcst visit of all of them more than doubled the time of an audit
(pypi/warehouse: 42 s -> 107 s); `ast` gives the same nodes with positions at a fraction of that.
"""

from __future__ import annotations

import ast
import bisect
import itertools
import re
import warnings
from dataclasses import dataclass

from enumguard.finding import Location
from enumguard.model import ColumnValue
from enumguard.python import app_strings, mixins
from enumguard.python.app_strings import Source
from enumguard.python.mapped_classes import StringConstant, TableClass, dotted, instances, is_string, table_class
from enumguard.python.mapped_classes import is_string as _string

# Query methods that keep the entity filter_by() applies to (a join or select_from changes it).
KEEP_ENTITY = frozenset(
    {
        "filter",
        "filter_by",
        "where",
        "order_by",
        "limit",
        "offset",
        "options",
        "distinct",
        "with_for_update",
        "execution_options",
        "group_by",
        "having",
        "populate_existing",
        "yield_per",
        "returning",
        "values",
    }
)
SQLA = ("sqlalchemy", "sqlmodel")
IN_METHODS = frozenset({"in_", "notin_", "not_in"})
SELECT = frozenset({"sqlalchemy.select", "sqlmodel.select", "sqlalchemy.future.select", "sqlalchemy.sql.select"})
_COMPOUND = (
    (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)
    + ((ast.Match,) if hasattr(ast, "Match") else ())
    + ((ast.TryStar,) if hasattr(ast, "TryStar") else ())
)
_MODEL_CLASS = re.compile(r"^class[ \t]+(\w+)[ \t]*\(", re.M)
_CLASS = re.compile(r"^class[ \t]", re.M)


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
    return (
        bool(models)
        or "__tablename__" in text
        or "table=True" in text
        or app_strings.has_sql(text)
        # a mixin's columns belong to the models that inherit it
        or (("Column(" in text or "declared_attr" in text) and _CLASS.search(text) is not None)
    )


# Python 3.14's `except A, B:` (PEP 758), for interpreters before it: the same line parenthesized.
_BARE_EXCEPT_TUPLE = re.compile(r"^([ \t]*except\*?[ \t]+)([^()\n:#]+,[^()\n:#]+?)[ \t]*:", re.M)


def parse(text: str) -> ast.Module | None:
    """The `ast` tree of a file, also of one that uses PEP 758 on an older Python; else None."""
    for attempt in (text, _BARE_EXCEPT_TUPLE.sub(r"\1(\2):", text)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ast.parse(attempt)
        except (SyntaxError, ValueError, RecursionError):
            continue
    return None


def extract(tree: ast.Module, text: str, path: str, models: tuple[str, ...]) -> ColumnFacts | None:
    if not worth_parsing(text, models):
        return None
    source = Source(text, path)
    visitor = _Visitor(_Lines(text, models), set(models))
    try:
        visitor.module(tree)
    except RecursionError:
        return None  # an expression nested beyond Python's stack: its values are not read
    values = tuple(
        OrmValue(
            entity,
            attr,
            node.value,
            context,
            source.location(node),
            app_strings.quotes(source.segment(node), node.value),
        )
        for entity, attr, node, context in visitor.values
    )
    sql = tuple(v for node in visitor.sql for v in app_strings.sql_values(node, source))
    if not (visitor.tables or values or sql):
        return None
    return ColumnFacts(tuple(visitor.tables), values, sql)


# A quote, or a call that runs SQL held in a name (`execute(query)`): what a value needs.
# (Two patterns: one alternation of both is tried at every character and costs several times more.)
_QUOTE = re.compile(r"['\"]")
_HELD_CALL = re.compile(r"\b(?:execute|executemany|exec_driver_sql|fetch|fetchrow|fetchval|text)\s*\(\s*\w+\s*[,)]")
_FORMS = r"filter_by|\.values\s*\(|\.(?:in_|notin_|not_in)\s*\(|\.\w+\s*=\s*[rRuU]?['\"]|execute|fetch|\btext\s*\("


class _Lines:
    """Which line ranges can hold a value: a quote and a model name (or a form's keyword) in
    them. Only statements over such ranges are visited: most code is skipped unvisited."""

    def __init__(self, text: str, models: tuple[str, ...]) -> None:
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        names = "|".join(re.escape(m) for m in models)
        keys = re.compile(rf"\b(?:{names})\b|{_FORMS}" if names else _FORMS)
        self.quotes = self._prefix(starts, itertools.chain(_QUOTE.finditer(text), _HELD_CALL.finditer(text)))
        self.keys = self._prefix(starts, keys.finditer(text))

    @staticmethod
    def _prefix(starts: list[int], matches) -> list[int]:
        hit = [0] * (len(starts) + 1)
        for match in matches:
            hit[bisect.bisect_right(starts, match.start())] = 1
        return list(itertools.accumulate(hit))

    def hold(self, first: int, last: int) -> bool:
        last = min(last, len(self.quotes) - 1)
        return self.quotes[last] > self.quotes[first - 1] and self.keys[last] > self.keys[first - 1]


class _Scope:
    """The names one function (or the module) binds, read only when a value needs them."""

    __slots__ = ("body", "args", "_names", "held")
    _names: dict[str, str | None] | None

    def __init__(self, body: list, args: ast.arguments | None) -> None:
        self.body, self.args, self._names = body, args, None
        # name -> app_strings.bound_string of it in this scope (on the scope itself: an id() of a
        # scope that ended can be a later scope's, and its answers are not that one's)
        self.held: dict[str, ast.Constant | None | bool] = {}

    @property
    def names(self) -> dict[str, str | None]:
        if self._names is None:
            self._names = instances(self.body, self.args)
        return self._names


def _first_line(stmt: ast.stmt) -> int:
    """Where a statement starts in the text: its decorators come before its own line."""
    return min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])


class _Visitor(ast.NodeVisitor):
    def __init__(self, lines: _Lines, models: set[str]) -> None:
        self.lines = lines
        self.imports: dict[str, str] = {}
        self.models = models
        self.tables: list[TableClass] = []
        self.values: list[tuple[str, str, StringConstant, str]] = []
        self.sql: list[StringConstant] = []
        # per scope: name -> class dotted (None: bound otherwise), computed when first needed
        self.scopes: list[_Scope] = []
        self.classes: list[str] = []  # enclosing class statements

    # ------------------------------------------------------------------ statements
    def module(self, tree: ast.Module) -> None:
        todo = list(tree.body)  # module-level imports, also under `if` / `try`, come first
        while todo:
            stmt = todo.pop()
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self.imported(stmt)
            elif isinstance(stmt, _COMPOUND):
                for name in ("body", "orelse", "finalbody"):
                    todo.extend(getattr(stmt, name, ()) or ())
                todo.extend(s for h in getattr(stmt, "handlers", ()) for s in h.body)
        self.scopes.append(_Scope(tree.body, None))
        self.block(tree.body)
        self.scopes.pop()

    def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self.imported(stmt)
            elif isinstance(stmt, ast.ClassDef):
                self.classdef(stmt)
            elif not self.lines.hold(_first_line(stmt), stmt.end_lineno or stmt.lineno):
                continue
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                outer = [*stmt.decorator_list, *stmt.args.defaults, *(d for d in stmt.args.kw_defaults if d)]
                for node in outer:
                    self.visit(node)
                self.scopes.append(_Scope(stmt.body, stmt.args))
                self.block(stmt.body)
                self.scopes.pop()
            elif isinstance(stmt, _COMPOUND):
                for name, value in ast.iter_fields(stmt):
                    if name in ("body", "orelse", "finalbody"):
                        self.block(value)
                    elif name in ("handlers", "cases"):
                        for item in value:
                            self.block(item.body)
                    elif isinstance(value, ast.AST):
                        self.visit(value)
                    elif isinstance(value, list):
                        for item in value:
                            if isinstance(item, ast.AST):
                                self.visit(item)
            else:
                self.visit(stmt)

    def classdef(self, node: ast.ClassDef) -> None:
        if len(self.scopes) == 1 and not self.classes:
            table = table_class(node, mixins=True)
            if table is not None:
                self.tables.append(table)
        if self.lines.hold(_first_line(node), node.end_lineno or node.lineno):
            for outer in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
                self.visit(outer)
            self.classes.append(node.name)
            self.block(node.body)
            self.classes.pop()

    def imported(self, node: ast.Import | ast.ImportFrom) -> None:
        """Local name -> imported dotted name (a relative import: the project's own module)."""
        for alias in node.names:
            if isinstance(node, ast.Import):
                local = alias.asname or alias.name.split(".")[0]
                self.imports[local] = alias.name if alias.asname else local
            elif node.module and not node.level:
                self.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            else:
                self.imports[alias.asname or alias.name] = "." + alias.name

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.scopes.append(_Scope([ast.Expr(node.body)], node.args))
        self.generic_visit(node)
        self.scopes.pop()

    def entity(self, node: ast.AST) -> str | None:
        """The dotted name of a possibly mapped class, unless a local name shadows it."""
        name = dotted(node)
        if name is None:
            return None
        head = name.split(".")[0]
        if head not in self.models and head not in self.imports:
            return None
        if len(self.scopes) > 1 and head in self.scopes[-1].names:
            return None
        return name

    def instance(self, node: ast.AST) -> str | None:
        """The class of a local variable known to hold one instance (constructed or annotated)."""
        if isinstance(node, ast.Name) and self.scopes:
            return self.scopes[-1].names.get(node.id)
        return None

    def held_string(self, name: str) -> StringConstant | None:
        """The string a name holds where it is used: bound once in the innermost scope that
        binds it (the function, an enclosing one, the module) to a literal; else None."""
        for scope in reversed(self.scopes):
            if name not in scope.held:
                scope.held[name] = app_strings.bound_string(name, scope.body, scope.args)
            found = scope.held[name]
            if found is not False:
                return found if isinstance(found, ast.Constant) and is_string(found) else None
        return None

    def qualified(self, node: ast.AST) -> str:
        name = dotted(node) or ""
        head, _, rest = name.partition(".")
        base = self.imports.get(head)
        return (f"{base}.{rest}" if rest else base) if base else name

    # ------------------------------------------------------------------ forms
    def visit_Compare(self, node: ast.Compare) -> None:
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            left, right = node.left, node.comparators[0]
            if _string(left):
                left, right = right, left
            if isinstance(left, ast.Attribute) and _string(right):
                entity = self.entity(left.value)
                if entity is not None:
                    self.values.append((entity, left.attr, right, "compare"))
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        if _string(node.value):
            for target in node.targets:
                if isinstance(target, ast.Attribute):
                    cls = self.instance(target.value)
                    if cls is not None:
                        self.values.append((cls, target.attr, node.value, "assign"))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        self.call(node)
        self.generic_visit(node)

    def call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            method = func.attr
            if method in IN_METHODS and isinstance(func.value, ast.Attribute) and node.args:
                entity = self.entity(func.value.value)
                items = node.args[0]
                if entity is not None and isinstance(items, (ast.List, ast.Tuple, ast.Set)):
                    for element in items.elts:
                        if _string(element):
                            self.values.append((entity, func.value.attr, element, "in"))
                return
            if method == "filter_by":
                self.keywords(self.query_entity(func.value), node, "filter_by")
                return
            if method == "values":
                entity = self.statement_entity(func.value)
                self.keywords(entity, node, "values")
                if entity is not None and node.args and isinstance(node.args[0], ast.Dict):
                    for key, value in zip(node.args[0].keys, node.args[0].values):
                        if _string(key) and _string(value):
                            self.values.append((entity, key.value, value, "values"))
                return
        if app_strings.runs_sql(func, self.qualified(func)):
            if node.args and _string(node.args[0]):
                self.sql.append(node.args[0])
            elif node.args and isinstance(node.args[0], ast.Name):
                held = self.held_string(node.args[0].id)
                if held is not None and all(held is not seen for seen in self.sql):
                    self.sql.append(held)  # the SQL sits in a variable or a module constant
            return
        entity = self.entity(func)
        if entity is not None and entity.split(".")[-1] in self.models:
            self.keywords(entity, node, "constructor")

    def keywords(self, entity: str | None, call: ast.Call, context: str) -> None:
        if entity is None:
            return
        for kw in call.keywords:
            if kw.arg is not None and _string(kw.value):
                self.values.append((entity, kw.arg, kw.value, context))

    def query_entity(self, node: ast.AST) -> str | None:
        """`session.query(M)` / `select(M)` / `M.query`, through methods that keep the entity."""
        while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "query":
                return self._single(node)
            if node.func.attr not in KEEP_ENTITY:
                return None
            node = node.func.value
        if isinstance(node, ast.Call) and self.qualified(node.func) in SELECT:
            return self._single(node)
        if isinstance(node, ast.Attribute) and node.attr == "query":
            return self.entity(node.value)  # Flask-SQLAlchemy's Model.query
        return None

    def statement_entity(self, node: ast.AST) -> str | None:
        """`update(M)` / `insert(M)` (SQLAlchemy's, or PostgreSQL's insert), through `.where`..."""
        while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr not in KEEP_ENTITY:
                return None
            node = node.func.value
        if isinstance(node, ast.Call):
            name = self.qualified(node.func)
            if name.startswith(SQLA) and name.rpartition(".")[2] in ("update", "insert"):
                return self._single(node)
        return None

    def _single(self, call: ast.Call) -> str | None:
        if len(call.args) != 1 or call.keywords or isinstance(call.args[0], ast.Starred):
            return None
        return self.entity(call.args[0])


def table_classes(facts: dict) -> dict[tuple[str, str], TableClass]:
    """(path, class) -> the mapped class or mixin read from that module."""
    tables: dict[tuple[str, str], TableClass] = {}
    for path, fact in facts.items():
        cf = getattr(fact, "column_facts", None)
        for table in cf.tables if cf else ():
            tables[(path, table.qual)] = table
    return tables


def resolve(facts: dict, resolver, migration_paths: frozenset[str]) -> tuple[ColumnValue, ...]:
    """ColumnValues of application code: each OrmValue whose entity resolves to a mapped class
    with that attribute, and the raw-SQL values (migration scripts are not application code)."""
    tables = mixins.with_inherited(table_classes(facts), resolver)
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
            out.append(
                ColumnValue(
                    table.table, column, value.value, value.context, value.location, "orm", entity, None, value.quotes
                )
            )
    return tuple(out)
