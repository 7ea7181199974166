"""A module the revision evaluator reads (the revision, a helper module it imports) -> its
top-level names, each evaluated on first use; where an import points in the repository (or that
it names a library enumguard does not read); and the frames names are looked up in."""

from __future__ import annotations

import posixpath
import re
import sys
from typing import Any

import libcst as cst

from enumguard.libcst_helpers import dotted
from enumguard.migrations.alembic.values import (
    CONTEXT,
    OP,
    UNKNOWN,
    ClassValue,
    Function,
    Library,
    Unknown,
)
from enumguard.python import complexity

MISSING = object()  # a name with no binding (yet)
# Modules never looked up in the repository: what they export is modelled, or harmless.
_KNOWN_ROOTS = frozenset(sys.stdlib_module_names) | {"sqlalchemy", "alembic", "sqlmodel", "__future__"}
_IMPORTS_ALEMBIC = re.compile(r"^\s*(?:from\s+alembic\b|import\s+alembic\b)", re.MULTILINE)
_MUTATORS = frozenset({"append", "extend", "insert", "update", "add", "setdefault"})
_PARSED: dict[str, object] = {}  # text -> parsed module (or the exception), shared by every revision


def parse(text: str) -> cst.Module | None:
    """A module's libcst tree, parsed once per run; None when it does not parse."""
    found = _PARSED.get(text)
    if found is None:
        try:
            found = complexity.parse_module(text)
        except (cst.ParserSyntaxError, complexity.TooComplex, RecursionError) as exc:
            found = exc
        if len(_PARSED) > 512:
            _PARSED.clear()
        _PARSED[text] = found
    return found if isinstance(found, cst.Module) else None


def library(qualified: str) -> object:
    """A library name as a value: `alembic.op` is the migration's op, the rest stay names."""
    if qualified == "alembic.op":
        return OP
    if qualified == "alembic.context":
        return CONTEXT
    return Library(qualified)


class ModuleEnv:
    """One module's top-level names: imports (resolved on use), and assignments, functions and
    classes evaluated on first lookup (in order, when a name is bound more than once)."""

    def __init__(self, path: str, module: cst.Module, loader: Loader, follow: bool) -> None:
        self.path = path
        self.module = module
        self.loader = loader
        self.follow = follow
        self.imports: dict[str, tuple[int, str, str | None]] = {}  # local -> (level, module, name)
        self.stars: list[tuple[int, str]] = []
        self.bindings: dict[str, list[cst.CSTNode]] = {}
        self.values: dict[str, object] = {}
        self._collect(module.body)

    def _collect(self, body) -> None:
        for stmt in body:
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                self.bindings.setdefault(stmt.name.value, []).append(stmt)
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self._small(small)
            elif isinstance(stmt, (cst.If, cst.Try, cst.With)):  # `if TYPE_CHECKING:`, `try: import`
                inner = stmt.body
                self._collect(inner.body if isinstance(inner, cst.IndentedBlock) else [])
            elif isinstance(stmt, (cst.For, cst.While)):
                for name in _bound_names(stmt):
                    self.bindings.setdefault(name, []).append(stmt)

    def _small(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
            self.stars.append((len(small.relative), dotted(small.module) or "" if small.module is not None else ""))
        elif isinstance(small, (cst.Import, cst.ImportFrom)):
            self.imports.update(import_specs(small))
        elif isinstance(small, cst.Assign):
            for target in small.targets:
                for name in _target_names(target.target):
                    self.bindings.setdefault(name, []).append(small)
        elif isinstance(small, (cst.AnnAssign, cst.AugAssign)) and isinstance(small.target, cst.Name):
            if not isinstance(small, cst.AnnAssign) or small.value is not None:
                self.bindings.setdefault(small.target.value, []).append(small)
        elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            func = small.value.func  # `LABELS.append("x")` at module level changes LABELS
            if (
                isinstance(func, cst.Attribute)
                and isinstance(func.value, cst.Name)
                and func.attr.value in _MUTATORS
                and func.value.value in self.bindings
            ):
                self.bindings[func.value.value].append(small)

    def lookup(self, name: str, ev: Any) -> object:
        """The value of a top-level name, MISSING when the module does not bind it."""
        if name in self.values:
            known = self.values[name]
            return UNKNOWN if known is MISSING else known  # MISSING: being evaluated (a cycle)
        if name in self.bindings:
            self.values[name] = MISSING
            value: object = MISSING
            for stmt in self.bindings[name]:
                value = ev.module_binding(self, stmt, name)
                self.values[name] = value
            return UNKNOWN if value is MISSING else value
        if name in self.imports:
            self.values[name] = MISSING  # an import cycle that binds nothing ends here
            value = self.loader.imported(self, *self.imports[name])
            self.values[name] = value
            return value
        for level, base in self.stars:
            target = self.loader.module(self, level, base)
            if isinstance(target, ModuleEnv) and target is not self:
                value = target.lookup(name, ev)
                if value is not MISSING:
                    return value
            elif isinstance(target, Library):
                return library(f"{target.qualified}.{name}")
        return MISSING

    def definition(self, node: cst.CSTNode) -> object:
        """A def or class statement as a value."""
        if isinstance(node, cst.FunctionDef):
            return Function(node, self, None, self.follow)
        if isinstance(node, cst.ClassDef):
            return ClassValue(node, self)
        return UNKNOWN


def import_specs(small: cst.Import | cst.ImportFrom) -> dict[str, tuple[int, str, str | None]]:
    """Local name -> (relative level, module, imported name or None for the module itself)."""
    out: dict[str, tuple[int, str, str | None]] = {}
    if isinstance(small, cst.Import):
        for alias in small.names:
            full = dotted(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                out[alias.asname.name.value] = (0, full, None)
            else:
                out[full.split(".")[0]] = (0, full.split(".")[0], None)
    elif not isinstance(small.names, cst.ImportStar):
        base = (dotted(small.module) or "") if small.module is not None else ""
        for alias in small.names:
            name = dotted(alias.name) or ""
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            out[local] = (len(small.relative), base, name)
    return out


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _target_names(e.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


def _bound_names(stmt: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class Visit(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            names.update(_target_names(node.target))

        def visit_For(self, node: cst.For) -> None:
            names.update(_target_names(node.target))

    stmt.visit(Visit())
    return names


def class_member(ev: Any, owner: Any, name: str, depth: int = 0) -> object:
    """A method (bound as Python binds it) or a constant of a class written in code enumguard
    reads, looked up through its readable bases; MISSING when it has none of that name."""
    from enumguard.migrations.alembic.values import ClassValue, Instance

    cls = owner.cls if isinstance(owner, Instance) else owner
    body = cls.node.body.body if isinstance(cls.node.body, cst.IndentedBlock) else ()
    for stmt in reversed(body):
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == name:
            decorators = {dotted(d.decorator) for d in stmt.decorators}
            if "staticmethod" in decorators:
                bound: tuple[object, ...] = ()
            elif "classmethod" in decorators:
                bound = (cls,)
            else:
                bound = (owner,) if isinstance(owner, Instance) else ()
            return Function(stmt, cls.module, None, cls.module.follow, bound)
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets
                ):
                    return ev.expr(small.value, Frame(cls.module))
    for base in cls.node.bases if depth < 5 else ():
        parent = ev.expr(base.value, Frame(cls.module))
        if isinstance(parent, ClassValue):
            found = class_member(ev, Instance(parent) if isinstance(owner, Instance) else parent, name, depth + 1)
            if found is not MISSING:
                if (
                    isinstance(owner, Instance)
                    and isinstance(found, Function)
                    and found.bound
                    and found.bound[0] is not parent
                ):
                    found.bound = (owner,)
                return found
    return MISSING


def method_candidates(module: ModuleEnv, name: str) -> list[cst.FunctionDef]:
    """The methods called `name` of the classes a module defines (what `obj.name()` may run when
    enumguard cannot tell the class of `obj`)."""
    found: list[cst.FunctionDef] = []
    for stmt in module.module.body:
        if isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
            found.extend(s for s in stmt.body.body if isinstance(s, cst.FunctionDef) and s.name.value == name)
    return found


class Frame:
    """The names of one running function (a closure's frame chains to the one it was made in);
    a module's own frame has no locals and looks names up in the module."""

    def __init__(self, module: ModuleEnv, parent: Frame | None = None, name: str = "") -> None:
        self.module = module
        self.parent = parent
        self.name = name
        self.locals: dict[str, object] | None = {} if name else None
        self.global_names: set[str] = set()
        self.returns: list[tuple[object, bool]] = []  # (value, under a guard only) where a run-time test decided
        self.cond_base = 0  # how many conditions were open when the function was entered
        self.tail: list[Any] = []  # conditions the rest of the function runs under (flow.Cond)
        self.loops: list[list[Any]] = []  # per open loop: conditions the rest of the loop runs under
        self.soft_exits = 0  # return/break/continue met where only the run time decides

    def lookup(self, name: str, ev: Any) -> object:
        frame: Frame | None = self
        while frame is not None:
            if frame.locals is not None and name in frame.locals and name not in frame.global_names:
                return frame.locals[name]
            frame = frame.parent
        return self.module.lookup(name, ev)

    def store(self, name: str, value: object) -> None:
        if self.locals is None or name in self.global_names:
            self.module.values[name] = value
        else:
            self.locals[name] = value


class Loader:
    """Finds and reads the modules a revision imports, through `tree` (which records each file it
    reads, so that the revision's cached facts are dropped when one of them changes)."""

    def __init__(self, tree: Any, revision: str) -> None:
        self.tree = tree
        self.revision = revision
        self.root = _migrations_root(tree, revision)
        self.envs: dict[str, ModuleEnv | None] = {}

    def env(self, path: str, module: cst.Module | None = None) -> ModuleEnv | None:
        if path not in self.envs:
            text = None
            if module is None:
                source = self.tree.get(path)
                text = source.text if source is not None else None
                module = parse(text) if text is not None else None
            follow = path == self.revision or (self.root != "" and path.startswith(self.root + "/"))
            if not follow and text is not None:
                follow = _IMPORTS_ALEMBIC.search(text) is not None  # a migration helper kept elsewhere
            self.envs[path] = ModuleEnv(path, module, self, follow) if module is not None else None
        return self.envs[path]

    def module(self, importer: ModuleEnv, level: int, name: str) -> ModuleEnv | Library | None:
        """The module `from <level dots><name> import ...` names: read from the repository, a
        Library when it is not there (None for a relative import that leads nowhere)."""
        if level == 0 and name.split(".")[0] in _KNOWN_ROOTS:
            return Library(name)
        found = self._find(importer, level, name)
        return found if found is not None or level else Library(name)

    def _find(self, importer: ModuleEnv, level: int, name: str) -> ModuleEnv | None:
        rel = name.replace(".", "/")
        if level:
            base = posixpath.dirname(importer.path)
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            bases = [base]
        else:
            bases, here = [], posixpath.dirname(importer.path)
            while True:
                bases.append(here)
                if not here:
                    break
                here = posixpath.dirname(here)
            bases.append("src")
        for base in bases:
            stem = posixpath.join(base, rel) if rel else base
            for candidate in (f"{stem}.py", posixpath.join(stem, "__init__.py")) if stem else ("__init__.py",):
                # `from slugify import slugify` in app/utils/slugify.py imports the package, not itself
                if candidate != importer.path and self.tree.get(candidate) is not None:
                    return self.env(candidate)
        return None

    def imported(self, importer: ModuleEnv, level: int, name: str, attr: str | None) -> object:
        """What an imported name is bound to."""
        target = self.module(importer, level, name)
        if attr is None:
            return library(target.qualified) if isinstance(target, Library) else (target or UNKNOWN)
        if isinstance(target, ModuleEnv):
            value = target.lookup(attr, importer.loader.evaluator)
            if value is not MISSING:
                return value
        if not (level == 0 and name.split(".")[0] in _KNOWN_ROOTS):
            sub = self._find(importer, level, f"{name}.{attr}" if name else attr)  # `from pkg import module`
            if sub is not None:
                return sub
        if isinstance(target, Library):
            return library(f"{target.qualified}.{attr}")
        return Unknown(how=f"`{attr}`, imported from code enumguard cannot find")

    evaluator: Any = None  # set by the evaluator that owns this loader


def _migrations_root(tree: Any, revision: str) -> str:
    """The folder of the migration environment: the nearest folder above the revision that holds
    env.py (helpers kept there are followed), else the parent of its versions folder."""
    here = posixpath.dirname(revision)
    for _ in range(3):
        if tree.get(posixpath.join(here, "env.py")) is not None:
            return here
        if not here:
            break
        here = posixpath.dirname(here)
    return posixpath.dirname(posixpath.dirname(revision))
