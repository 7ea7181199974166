"""`ast` nodes in, SQLAlchemy mapped-class facts out: a class's table and attribute -> column
names, and which local names of a function hold an instance of some class."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TypeGuard

from enumguard.model import qualify

COLUMN_CALLS = frozenset({"Column", "mapped_column"})
# Class attributes that are not the column of their name.
NOT_COLUMNS = frozenset(
    {
        "relationship",
        "relation",
        "column_property",
        "synonym",
        "association_proxy",
        "deferred",
        "composite",
        "backref",
        "query_expression",
        "hybrid_property",
        "dynamic_loader",
        "Relationship",
        "declared_attr",
        "",
    }
)


@dataclass(frozen=True)
class TableClass:
    """A mapped class at module level: its table and its attribute -> column names; `table` is ""
    for a mixin (a class without a table whose columns every model inheriting it gets)."""

    qual: str
    table: str
    columns: tuple[tuple[str, str], ...]
    bases: tuple[str, ...] = ()  # dotted names as written


class StringConstant(ast.Constant):
    """For the type checker only: an ast.Constant that is_string() accepted."""

    value: str


def is_string(node: ast.AST | None) -> TypeGuard[StringConstant]:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def dotted(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def instances(body: list, args: ast.arguments | None) -> dict[str, str | None]:
    """Names bound in one scope -> the class dotted name when every binding says the same class
    (`x = Model(...)`, `x: Model = Model(...)`, a parameter `x: Model`), else None. Loops, `with`,
    unpacking, nested definitions and any other binding make the name unknown."""
    out: dict[str, str | None] = {}

    def bind(name: str, cls: str | None) -> None:
        if name in out and out[name] != cls:
            out[name] = None
        else:
            out.setdefault(name, cls)

    if args is not None:
        for arg in args.posonlyargs + args.args + args.kwonlyargs:
            bind(arg.arg, _annotated(arg.annotation))
        for star in (args.vararg, args.kwarg):
            if star is not None:
                bind(star.arg, None)
    handled: set[int] = set()
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(node.name, None)
            stack.extend(node.decorator_list)
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            func = dotted(node.value.func) if isinstance(node.value, ast.Call) else None
            bind(node.targets[0].id, func)
            handled.add(id(node.targets[0]))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            cls = _annotated(node.annotation)
            if node.value is not None and not (isinstance(node.value, ast.Call) and dotted(node.value.func) == cls):
                cls = None
            bind(node.target.id, cls)
            handled.add(id(node.target))
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load) and id(node) not in handled:
            bind(node.id, None)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                bind(name, None)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bind((alias.asname or alias.name).split(".")[0], None)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bind(node.name, None)
        stack.extend(ast.iter_child_nodes(node))
    return out


def _annotated(annotation: ast.AST | None) -> str | None:
    """E, Optional[E], E | None, Union[E, None], "E" -> "E"; anything else -> None."""
    if is_string(annotation):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        named = [s for s in (annotation.left, annotation.right) if not _none(s)]
        return dotted(named[0]) if len(named) == 1 else None
    if isinstance(annotation, ast.Subscript):
        head = (dotted(annotation.value) or "").rpartition(".")[2]
        items = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        named = [s for s in items if not _none(s)]
        if (head == "Optional" and len(items) == 1) or (head == "Union" and len(items) == 2 and len(named) == 1):
            return dotted(named[0])
        return None
    return dotted(annotation)


def _none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def declared_attr_column(stmt: ast.stmt) -> str | None:
    """`@declared_attr def status(cls): return Column(...)` -> "status" (the column it declares)."""
    if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) or stmt.name.startswith("__"):
        return None
    if not any((dotted(d.func if isinstance(d, ast.Call) else d) or "").split(".")[-1] == "declared_attr"
               or (dotted(d) or "").endswith(("declared_attr.directive", "declared_attr.cascading"))
               for d in stmt.decorator_list):  # fmt: skip
        return None
    returns = [s for s in stmt.body if isinstance(s, ast.Return)]
    if len(returns) != 1:
        return None
    return _column_name(returns[0].value, stmt.name)


def table_class(node: ast.ClassDef, mixins: bool = False) -> TableClass | None:
    """A class with `__tablename__ = "t"` (or SQLModel's `table=True`): table and columns; with
    `mixins`, also a class without a table that declares columns (table "")."""
    table = schema = None
    sqlmodel = any(
        k.arg == "table" and isinstance(k.value, ast.Constant) and k.value.value is True for k in node.keywords
    )
    columns: list[tuple[str, str]] = []
    for stmt in node.body:
        declared = declared_attr_column(stmt)
        if declared is not None and isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            columns.append((stmt.name, declared))
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == "__tablename__":
            returns = [s for s in stmt.body if not (isinstance(s, ast.Expr) and is_string(s.value))]
            if len(returns) == 1 and isinstance(returns[0], ast.Return) and is_string(returns[0].value):
                table = returns[0].value.value
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            target = stmt.targets[0].id
            if target == "__tablename__":
                table = stmt.value.value if is_string(stmt.value) else None
            elif target == "__table_args__":
                schema = _table_args_schema(stmt.value)
            else:
                column = _column_name(stmt.value, target)
                if column is not None:
                    columns.append((target, column))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            target = stmt.target.id
            column = _column_name(stmt.value, target)
            annotation = stmt.annotation
            head = (dotted(annotation.value) if isinstance(annotation, ast.Subscript) else None) or ""
            if column is None and (head.endswith("Mapped") or sqlmodel) and not target.startswith("_"):
                value = stmt.value
                plain = value is None or (
                    isinstance(value, ast.Call)
                    and (dotted(value.func) or "").endswith("Field")
                    and not any(k.arg == "sa_column" for k in value.keywords)
                )
                column = target if plain else None
            if column is not None:
                columns.append((target, column))
    if table is None and sqlmodel:
        table = node.name.lower()
    bases = tuple(b for b in (dotted(base) for base in node.bases) if b)
    if table is None:
        return TableClass(node.name, "", tuple(columns), bases) if mixins and columns else None
    return TableClass(node.name, qualify(table, schema), tuple(columns), bases)


def _table_args_schema(node: ast.AST) -> str | None:
    if isinstance(node, ast.Tuple) and node.elts:
        node = node.elts[-1]
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if is_string(key) and key.value == "schema" and is_string(value):
                return value.value
    return None


def _column_name(value: ast.AST | None, attr: str) -> str | None:
    """`Column("db_name", ...)` -> db_name; `Column(Type)` / `mapped_column()` -> attr; another
    call (a project helper returning a Column) -> attr, used only where the migrations or a
    binding say the table has that column."""
    if not isinstance(value, ast.Call):
        return None
    func = (dotted(value.func) or "").rpartition(".")[2]
    if func in NOT_COLUMNS:
        return None
    if func not in COLUMN_CALLS:
        return attr
    if value.args and is_string(value.args[0]):
        return value.args[0].value
    for kw in value.keywords:
        if kw.arg == "name":
            return kw.value.value if is_string(kw.value) else None
    return attr
