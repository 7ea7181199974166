"""A project's script.py.mako and the new revision's values in, the revision text out: the Mako
forms Alembic's templates use (`${name}`, `${repr(name)}`, `${a if a else "b"}`, filters
`| comma,n`, `##` comments), evaluated here without running the template; anything else
(`<% %>` blocks, `% for` lines, calls) is refused with the construct named."""

from __future__ import annotations

import ast
from collections.abc import Iterable


class Refused(Exception):
    """The template uses something enumguard does not evaluate (it never runs template code)."""


def _comma(value: object) -> str:
    """Alembic's `comma` filter: None -> "", a string as is, a sequence joined by ", "."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        return ", ".join(str(v) for v in value)
    return str(value)


_FILTERS = {"n": None, "comma": _comma, "trim": lambda v: str(v).strip(), "str": str}


def render(template: str, values: dict[str, object]) -> str:
    """The template with every `${...}` replaced; Refused for any construct outside the subset."""
    out: list[str] = []
    text = template.replace("\\\r\n", "").replace("\\\n", "")  # Mako: a trailing backslash joins lines
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        if stripped.startswith("##"):
            continue  # a Mako comment line
        if stripped.startswith("%") and not stripped.startswith("%%"):
            raise Refused(f"the control line `{stripped.strip()[:40]}`")
        if stripped.startswith("%%"):
            line = line.replace("%%", "%", 1)
        if "<%" in line:
            raise Refused(f"the block `{line.strip()[:40]}`")
        out.append(_expand(line, values))
    return "".join(out)


def _expand(line: str, values: dict[str, object]) -> str:
    parts: list[str] = []
    i = 0
    while True:
        start = line.find("${", i)
        if start < 0:
            parts.append(line[i:])
            return "".join(parts)
        parts.append(line[i:start])
        end = _closing(line, start + 2)
        parts.append(_evaluate(line[start + 2 : end], values))
        i = end + 1


def _closing(line: str, i: int) -> int:
    """The index of the `}` that ends an expression starting at i (quotes respected)."""
    quote = ""
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "}":
            return i
        i += 1
    raise Refused("an unterminated `${`")


def _split_filters(source: str) -> tuple[str, list[str]]:
    quote = ""
    for i, c in enumerate(source):
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "|":
            return source[:i], [f.strip() for f in source[i + 1 :].split(",") if f.strip()]
    return source, []


def _evaluate(source: str, values: dict[str, object]) -> str:
    expression, filters = _split_filters(source)
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        raise Refused(f"the expression `{expression.strip()[:40]}`") from None
    value = _value(tree.body, values, expression)
    default = True
    for name in filters:
        if name not in _FILTERS:
            raise Refused(f"the filter `{name}`")
        fn = _FILTERS[name]
        if fn is None:
            default = False
            continue
        value = fn(value)
    return str(value) if default or not isinstance(value, str) else value


def _value(node: ast.expr, values: dict[str, object], source: str) -> object:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, type(None))):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise Refused(f"the name `{node.id}`")
        return values[node.id]
    if isinstance(node, ast.IfExp):
        test = _value(node.test, values, source)
        return _value(node.body if test else node.orelse, values, source)
    if isinstance(node, ast.BoolOp):
        result = None
        for operand in node.values:
            result = _value(operand, values, source)
            if isinstance(node.op, ast.Or) == bool(result):
                return result
        return result
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _value(node.operand, values, source)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("repr", "str")
        and len(node.args) == 1
        and not node.keywords
    ):
        inner = _value(node.args[0], values, source)
        return repr(inner) if node.func.id == "repr" else str(inner)
    raise Refused(f"the expression `{source.strip()[:40]}`")
