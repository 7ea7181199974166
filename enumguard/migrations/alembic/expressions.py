"""libcst expressions of an Alembic script -> plain facts: dotted names through the file's imports,
literal strings, and SQLAlchemy Enum types (name, labels, create_type) as a migration declares them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import libcst as cst

from enumguard.collect import SourceTree
from enumguard.libcst_helpers import arg, dotted, string
from enumguard.python import complexity
from enumguard.sqlalchemy_names import ENUM_BASES, ENUM_TYPES


def imports(module: cst.Module) -> dict[str, str]:
    """Local name -> qualified name from the module's top-level imports."""
    table: dict[str, str] = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    full = dotted(alias.name) or ""
                    local = (
                        alias.asname.name.value
                        if alias.asname and isinstance(alias.asname.name, cst.Name)
                        else full.split(".")[0]
                    )
                    table[local] = full if alias.asname else local
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                base = "." * len(small.relative) + (dotted(small.module) or "")
                for alias in small.names:
                    name = dotted(alias.name) or ""
                    local = (
                        alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
                    )
                    table[local] = f"{base}.{name}" if base else name
    return table


def qualified(node: cst.BaseExpression | None, table: dict[str, str]) -> str | None:
    name = dotted(node)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    full = table.get(head, head)
    return f"{full}.{rest}" if rest else full


def boolean(node: cst.BaseExpression | None) -> bool | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def strings(node: cst.BaseExpression | None) -> list[str] | None:
    """A list/tuple literal of strings."""
    if isinstance(node, (cst.List, cst.Tuple)):
        out = [string(e.value) for e in node.elements]
        return [v for v in out if v is not None] if all(v is not None for v in out) else None
    return None


@dataclass(frozen=True)
class EnumType:
    """`sa.Enum(...)` / `postgresql.ENUM(...)` as written."""

    name: str | None  # qualified DB type name
    labels: tuple[str, ...]
    labels_known: bool
    create_type: bool
    native: bool
    node: cst.Call


class Scope:
    """What a script's expressions mean: imports, module constants, enum classes, Enum variables."""

    def __init__(self, module: cst.Module, path: str, tree: SourceTree | None) -> None:
        self.module = module
        self.path = path
        self.tree = tree
        self.table = imports(module)
        self.values: dict[str, cst.BaseExpression | None] = {}  # names assigned once; None if more
        self.reassigned: set[str] = set()  # names assigned more than once (see Walker.bind)
        self.assigned: dict[str, list[cst.BaseExpression]] = {}  # every value each name is given
        self.classes: dict[str, cst.ClassDef] = {}
        self.functions: dict[str, cst.FunctionDef] = {}  # functions the script defines, upgrade() aside
        self._collect(module.body)

    def _collect(self, body) -> None:
        for stmt in body:
            if isinstance(stmt, cst.ClassDef):
                self.classes[stmt.name.value] = stmt
            elif isinstance(stmt, cst.FunctionDef) and stmt.name.value not in ("upgrade", "downgrade"):
                self.functions[stmt.name.value] = stmt
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self.assign(small)

    def _collect_function(self, func: cst.FunctionDef) -> None:
        """Names assigned inside upgrade() (any depth) join the module's, still once-only."""
        scope = self

        class Visit(cst.CSTVisitor):
            def visit_Assign(self, node: cst.Assign) -> None:
                scope.assign(node)

            def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
                scope.assign(node)

        func.body.visit(Visit())

    def assign(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
            self._once(small.targets[0].target.value, small.value)
        elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
            self._once(small.target.value, small.value)

    def _once(self, name: str, value: cst.BaseExpression) -> None:
        self.assigned.setdefault(name, []).append(value)
        if name in self.values:
            self.reassigned.add(name)
        self.values[name] = value if name not in self.values else None

    def resolve(self, node: cst.BaseExpression | None) -> cst.BaseExpression | None:
        """A Name assigned exactly once -> its value (one level deep)."""
        for _ in range(3):
            if isinstance(node, cst.Name) and self.values.get(node.value) is not None:
                node = self.values[node.value]
            else:
                break
        return node

    def in_project(self, qualified_name: str) -> bool:
        """Whether a dotted name comes from the repository's own code (a relative import, or a
        module whose file is in the tree), not from a library."""
        module = qualified_name.rpartition(".")[0]
        if not module:
            return False
        if module.startswith("."):
            return True
        if self.tree is None:
            return False
        stem = module.replace(".", "/")
        candidates = (f"{stem}.py", f"{stem}/__init__.py", f"src/{stem}.py", f"src/{stem}/__init__.py")
        return any(self.tree.get(c) is not None for c in candidates)

    def strings(self, node: cst.BaseExpression | None) -> list[str] | None:
        """A list/tuple of strings, also through names of such constants and `*OTHER` spreads of
        them (`VALUES = [*OLD_VALUES, "new"]`, how label lists grow from revision to revision)."""
        node = self.resolve(node)
        if not isinstance(node, (cst.List, cst.Tuple)):
            return None
        out: list[str] = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                inner = self.strings(element.value) if element.value is not node else None
                if inner is None:
                    return None
                out.extend(inner)
                continue
            value = string(self.resolve(element.value))
            if value is None:
                return None
            out.append(value)
        return out

    def enum_type(self, node: cst.BaseExpression | None, table_schema: str | None = None) -> EnumType | None:
        node = self.resolve(node)
        if not isinstance(node, cst.Call) or qualified(node.func, self.table) not in ENUM_TYPES:
            return None
        positional: list[cst.BaseExpression] = []
        labels: list[str | None] = []
        for a in node.args:
            if a.keyword is not None:
                continue
            if a.star == "*":  # sa.Enum(*STATUSES, name=...): a literal list or tuple constant
                spread = strings(self.resolve(a.value))
                labels.extend(spread if spread is not None else [None])
                positional.extend(cst.SimpleString(repr(v)) for v in spread or ())
            elif not a.star:
                positional.append(a.value)
                labels.append(string(a.value))
        known = True
        name = string(self.resolve(arg(node, "name")))
        if positional and labels[0] is None and not node.args[0].star:
            found = self.enum_class_labels(positional[0], arg(node, "values_callable") is not None)
            class_name = dotted(positional[0])
            if name is None and class_name:
                name = class_name.rsplit(".", 1)[-1].lower()
            labels, known = (list(found) if found is not None else []), found is not None
        elif any(v is None for v in labels):
            labels, known = [], False
        schema = string(self.resolve(arg(node, "schema")))
        if schema is None and boolean(arg(node, "inherit_schema")):
            schema = table_schema
        native = boolean(arg(node, "native_enum")) is not False
        create = boolean(arg(node, "create_type")) is not False
        # SQLAlchemy quotes a name that is not all lower case, so PostgreSQL keeps it as written.
        qualified_name = f"{schema or 'public'}.{name}" if name else None
        return EnumType(qualified_name, tuple(v for v in labels if v is not None), known, create, native, node)

    def enum_class_labels(self, node: cst.BaseExpression, by_value: bool) -> tuple[str, ...] | None:
        """Labels SQLAlchemy stores for a Python enum class: member names, or values with
        values_callable (only the usual `[e.value for e in x]` is certain)."""
        name = dotted(node)
        if name is None:
            return None
        cls = self.classes.get(name) if "." not in name else None
        if cls is None:
            cls = self._imported_class(name)
        if cls is None:
            return None
        members = _members(cls)
        if members is None:
            return None
        if by_value:
            values = [v for _, v in members]
            return tuple(cast(list[str], values)) if all(isinstance(v, str) for v in values) else None
        return tuple(n for n, _ in members)

    def _imported_class(self, name: str) -> cst.ClassDef | None:
        if self.tree is None:
            return None
        full = qualified(cst.parse_expression(name), self.table) or name
        module, _, cls = full.rpartition(".")
        if not module or module.startswith("."):
            return None
        stem = module.replace(".", "/")
        for candidate in (f"{stem}.py", f"{stem}/__init__.py", f"src/{stem}.py", f"src/{stem}/__init__.py"):
            source = self.tree.get(candidate)
            if source is None:
                continue
            try:
                parsed = complexity.parse_module(source.text)
            except (cst.ParserSyntaxError, complexity.TooComplex, RecursionError):
                return None
            for stmt in parsed.body:
                if isinstance(stmt, cst.ClassDef) and stmt.name.value == cls:
                    return stmt
        return None


def _members(cls: cst.ClassDef) -> list[tuple[str, str | int]] | None:
    """(name, value) of an enum class whose members are all literal assignments."""
    if not any((dotted(b.value) or "") in ENUM_BASES or (dotted(b.value) or "").endswith("Enum") for b in cls.bases):
        return None
    out: list[tuple[str, str | int]] = []
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            if isinstance(stmt, cst.FunctionDef):
                continue
            return None
        for small in stmt.body:
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
            ):
                target = small.targets[0].target.value
                if target.startswith("_"):
                    continue
                value: str | int | None = string(small.value)
                if value is None:
                    if isinstance(small.value, cst.Integer):
                        value = small.value.evaluated_value
                    elif isinstance(small.value, cst.Call) and dotted(small.value.func) in ("auto", "enum.auto"):
                        return None
                    else:
                        return None
                out.append((target, value))
    return out or None
