"""libcst syntax helpers for the binding extractor: dotted names, import tables, literals,
comprehension patterns, and node offsets without a full-tree PositionProvider pass."""

from __future__ import annotations

import libcst as cst

from enumguard.finding import Location
from enumguard.libcst_helpers import dotted, kwarg
from enumguard.libcst_helpers import string as str_value
from enumguard.model import qualify


def import_table(module: cst.Module) -> dict[str, str]:
    """Local name -> imported qualified name, from import statements at any block level."""
    table: dict[str, str] = {}
    stack: list[cst.CSTNode] = list(module.body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        name = dotted(alias.name)
                        if name is None:
                            continue
                        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                            table[alias.asname.name.value] = name
                        else:
                            table[name.split(".")[0]] = name.split(".")[0]
                elif isinstance(small, cst.ImportFrom) and small.relative == () and small.module is not None:
                    base = dotted(small.module)
                    if base is None or isinstance(small.names, cst.ImportStar):
                        continue
                    for alias in small.names:
                        name = dotted(alias.name)
                        if name is None:
                            continue
                        local = name
                        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                            local = alias.asname.name.value
                        table[local] = f"{base}.{name}"
        elif isinstance(stmt, (cst.If, cst.Try, cst.With, cst.Else, cst.ExceptHandler, cst.Finally)):
            body = stmt.body
            stack.extend(body.body if isinstance(body, cst.IndentedBlock) else ())
            for extra in ("orelse", "handlers", "finalbody"):
                child = getattr(stmt, extra, None)
                if isinstance(child, (list, tuple)):
                    stack.extend(child)
                elif child is not None:
                    stack.append(child)
    return table


def comprehension_attr(node: cst.BaseExpression, collection: str | None) -> tuple[str, str] | None:
    """`[m.value for m in X]` (list/generator/tuple(...)/list(...)) -> (X as text, "value")."""
    if isinstance(node, cst.Call) and dotted(node.func) in ("list", "tuple") and len(node.args) == 1:
        node = node.args[0].value
    if not isinstance(node, (cst.ListComp, cst.GeneratorExp)):
        return None
    comp = node.for_in
    if comp.inner_for_in is not None or comp.ifs or not isinstance(comp.target, cst.Name):
        return None
    elt = node.elt
    if not (isinstance(elt, cst.Attribute) and isinstance(elt.value, cst.Name)):
        return None
    if elt.value.value != comp.target.value or elt.attr.value not in ("value", "name"):
        return None
    source = dotted(comp.iter)
    if source is None or (collection is not None and source != collection):
        return None
    return source, elt.attr.value


class Locator:
    """Offsets of node code in the source, without a full-tree PositionProvider pass.

    Nodes are searched in visiting (= source) order from a cursor. Only the node's first line
    is searched: libcst regenerates continuation lines of a nested node without the enclosing
    block's indentation, so the rest of the code does not match the file text.
    """

    def __init__(self, module: cst.Module, source: str, path: str) -> None:
        self.module, self.source, self.path = module, source, path
        self.cursor = 0

    def find(self, node: cst.CSTNode, start: int | None = None) -> int:
        code = self.module.code_for_node(node)
        first = code.split("\n", 1)[0].rstrip("\r")
        dense = "".join(code.split())
        for begin in (self.cursor if start is None else start, 0):
            at = self.source.find(first, begin)
            while at >= 0:
                if self._dense_at(at, len(dense)) == dense:
                    return at
                at = self.source.find(first, at + 1)
        return 0

    def _dense_at(self, at: int, size: int) -> str:
        """The next `size` non-whitespace characters of the source from `at`."""
        out: list[str] = []
        count = 0
        end = at
        while count < size and end < len(self.source):
            chunk = self.source[end : end + 2 * (size - count) + 64]
            dense = "".join(chunk.split())
            out.append(dense)
            count += len(dense)
            end += len(chunk)
        return "".join(out)[:size]

    def location(self, offset: int) -> Location:
        line_start = self.source.rfind("\n", 0, offset) + 1
        return Location(self.path, self.source.count("\n", 0, offset) + 1, offset - line_start + 1)


def optional_inner(node: cst.BaseExpression) -> str | None:
    """E, Optional[E], E | None, Union[E, None] -> "E"; anything else -> None."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        sides = [node.left, node.right]
        named = [s for s in sides if dotted(s) != "None"]
        return dotted(named[0]) if len(named) == 1 else None
    if isinstance(node, cst.Subscript):
        head = (dotted(node.value) or "").split(".")[-1]
        items = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
        if head == "Optional" and len(items) == 1:
            return dotted(items[0])
        if head == "Union":
            named = [s for s in items if dotted(s) != "None"]
            return dotted(named[0]) if len(named) == 1 and len(items) == 2 else None
        return None
    return dotted(node)


def table_args_schema(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Tuple) and node.elements:
        node = node.elements[-1].value
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement) and str_value(element.key) == "schema":
                return str_value(element.value)
    return None


def table_name(tables: list[cst.Call]) -> str | None:
    """The schema-qualified name of the innermost `Table("name", metadata, ..., schema=...)`."""
    if not tables or not tables[-1].args:
        return None
    name = str_value(tables[-1].args[0].value)
    schema_arg = kwarg(tables[-1], "schema")
    schema = str_value(schema_arg.value) if schema_arg is not None else None
    if name is None or (schema_arg is not None and schema is None):
        return None
    return qualify(name, schema)


def sql_literal(text: str | None) -> str | None:
    """`'pending'` or `'pending'::status` (a server_default text()) -> `pending`."""
    if text is None:
        return None
    text = text.strip()
    literal, _, cast = text.partition("::")
    literal = literal.strip()
    if len(literal) >= 2 and literal[0] == literal[-1] == "'" and "'" not in literal[1:-1]:
        if cast and not cast.replace("_", "").replace(".", "").replace('"', "").isalnum():
            return None
        return literal[1:-1]
    return None


def is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def function_stores(func: cst.FunctionDef) -> str:
    """`def f(cls): return [m.value for m in cls]` -> "values" (`.name` -> "names"), else "unknown"."""
    stmts = func.body.body if isinstance(func.body, cst.IndentedBlock) else ()
    real = [s for s in stmts if not is_docstring(s)]
    if len(func.params.params) != 1 or len(real) != 1 or not isinstance(real[0], cst.SimpleStatementLine):
        return "unknown"
    ret = real[0].body[0]
    if not isinstance(ret, cst.Return) or ret.value is None:
        return "unknown"
    comp = comprehension_attr(ret.value, func.params.params[0].name.value)
    if comp is None:
        return "unknown"
    return "values" if comp[1] == "value" else "names"
