"""One module's `ast` tree in, the names its top level binds out (imports, classes, everything
else), as enumguard.python.reference_chains records them: for files read only for the values they send to
table columns, which the resolver must still follow through imports and re-exports."""

from __future__ import annotations

import ast

from enumguard.python.file_facts import ImportFact

_BLOCKS = (ast.If, ast.Try, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)


def module_names(tree: ast.Module) -> tuple[tuple[ImportFact, ...], tuple[str, ...], tuple[str, ...]]:
    """(imports, other names, class names in order) bound at module level."""
    imports: list[ImportFact] = []
    others: set[str] = set()
    classes: list[str] = []
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        stmt = todo.pop(0)
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    imports.append(ImportFact(alias.asname, alias.name, None, 0))
                else:
                    head = alias.name.split(".")[0]
                    imports.append(ImportFact(head, head, None, 0))
        elif isinstance(stmt, ast.ImportFrom):
            base = stmt.module or ""
            for alias in stmt.names:
                if alias.name == "*":
                    imports.append(ImportFact("*", base, "*", stmt.level))
                else:
                    imports.append(ImportFact(alias.asname or alias.name, base, alias.name, stmt.level))
        elif isinstance(stmt, ast.ClassDef):
            classes.append(stmt.name)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            others.add(stmt.name)
        elif isinstance(stmt, ast.If) and _type_checking(stmt):
            # a name both branches bind is bound at run time by the else branch only
            run_time = module_names(ast.Module(body=stmt.orelse, type_ignores=[]))
            checking = module_names(ast.Module(body=stmt.body, type_ignores=[]))
            names = {i.local for i in run_time[0]} | set(run_time[1]) | set(run_time[2])
            imports += [i for i in checking[0] if i.local not in names] + list(run_time[0])
            others.update(n for n in checking[1] if n not in names)
            others.update(run_time[1])
            classes += [n for n in checking[2] if n not in names] + list(run_time[2])
        else:
            for node in _own_nodes(stmt):
                if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                    others.add(node.id)
            if isinstance(stmt, _BLOCKS):
                for field in ("body", "orelse", "finalbody"):
                    todo.extend(getattr(stmt, field, ()) or ())
                for handler in getattr(stmt, "handlers", ()) or ():
                    if handler.name:
                        others.add(handler.name)
                    todo.extend(handler.body)
    return tuple(imports), tuple(sorted(others)), tuple(classes)


def _type_checking(stmt: ast.stmt) -> bool:
    """`if TYPE_CHECKING: ... else: ...` (an `elif` is no plain else)."""
    if (
        not isinstance(stmt, ast.If)
        or not stmt.orelse
        or (len(stmt.orelse) == 1 and isinstance(stmt.orelse[0], ast.If))
    ):
        return False
    test = stmt.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING" and isinstance(test.value, ast.Name)
    )


def _own_nodes(stmt: ast.stmt):
    """The nodes of a statement outside its nested blocks and scopes (those are visited apart)."""
    stack: list[ast.AST] = []
    for name, value in ast.iter_fields(stmt):
        if name in ("body", "orelse", "finalbody", "handlers"):
            continue
        stack.extend(value if isinstance(value, list) else [value])
    while stack:
        node = stack.pop()
        if not isinstance(node, ast.AST):
            continue
        yield node
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        stack.extend(ast.iter_child_nodes(node))
