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
