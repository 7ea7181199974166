"""Python source text in, a reason not to hand it to libcst out (or None): a linear scan that
bounds how deeply an expression nests before libcst sees it.

libcst's parser recurses once per nesting level: 800 chained operators cost it a RecursionError
after time and memory quadratic in the chain, and a few thousand nested brackets or `and`s
overflow its native stack (a segfault, which no `except` can catch). CPython itself refuses
brackets nested more than 200 deep, so a limit well above that costs real code nothing.
"""

from __future__ import annotations

import re

MAX_DEPTH = 400  # nesting levels + chained operators, attributes and calls in one expression

# Strings first (so brackets and `#` inside them are not counted), then comments, then what
# deepens an expression: brackets, separators, operators, dots, and the chaining keywords.
_TOKEN = re.compile(
    r"""(?P<str>[rRbBuUfF]{0,2}(?:'''(?:\\.|[^\\])*?(?:'''|\Z)|\"\"\"(?:\\.|[^\\])*?(?:\"\"\"|\Z)"""
    r"""|'(?:\\.|[^\\'\n])*(?:'|$)|"(?:\\.|[^\\"\n])*(?:"|$)))"""
    r"|(?P<comment>\#[^\n]*)"
    r"|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<sep>[,;\n])"
    r"|(?P<op>\b(?:and|or|not|if|else|lambda|await|in|is)\b|[-+*/%&|^~<>@.=!]+)",
    re.MULTILINE | re.DOTALL,  # a backslash-newline inside a string is part of it
)
_BRACKET = re.compile(r"[(\[{]|[)\]}]")


def _fstring_depth(literal: str) -> int:
    """How deeply the replacement fields of an f-string nest (`{{`/`}}` are literal braces)."""
    depth = worst = 0
    for m in _BRACKET.finditer(literal.replace("{{", "").replace("}}", "")):
        depth = depth + 1 if m.group() in "([{" else max(depth - 1, 0)
        worst = max(worst, depth)
    return worst


def too_complex(text: str, limit: int = MAX_DEPTH) -> tuple[int, str] | None:
    """(line, message) when some expression is nested deeper than `limit`, else None."""
    stack = [0]  # chain length per open bracket level
    depth = 0  # running sum of the stack plus its height
    worst, worst_at = 0, 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "comment":
            continue
        if kind == "op":
            # `- - -x` and `---x` nest alike: each symbol of an operator run counts
            weight = len(m.group()) if not m.group()[0].isalpha() else 1
        elif kind == "str":
            # implicit concatenation fails fast in libcst (a caught RecursionError), but the
            # replacement fields of an f-string are expressions that nest like any other
            weight = _fstring_depth(m.group()) if m.group()[:3].lower().lstrip("rbu").startswith("f") else 0
        if kind in ("op", "str"):
            stack[-1] += weight
            depth += weight
        elif kind == "open":
            stack[-1] += 1  # a call or subscript trailer deepens the chain it follows
            stack.append(0)
            depth += 2
        elif kind == "close":
            if len(stack) > 1:
                depth -= stack.pop() + 1
        elif m.group() != "\n" or len(stack) == 1:  # a newline inside brackets continues the line
            depth -= stack[-1]
            stack[-1] = 0
        if depth > worst:
            worst, worst_at = depth, m.start()
            if worst > limit:
                line = text.count("\n", 0, worst_at) + 1
                return line, (
                    f"an expression at line {line} is nested or chained more than {limit} levels deep; "
                    "enumguard does not parse it"
                )
    return None


class TooComplex(ValueError):
    """Raised by parse_module for text too_complex() refuses; args: (line, message)."""


def parse_module(text: str):
    """libcst.parse_module behind the too_complex() gate (raises TooComplex first)."""
    import libcst as cst

    problem = too_complex(text)
    if problem is not None:
        raise TooComplex(*problem)
    return cst.parse_module(text)


def parse_expression(text: str):
    """libcst.parse_expression behind the same gate: a string annotation is repository text too."""
    import libcst as cst

    problem = too_complex(text)
    if problem is not None:
        raise TooComplex(*problem)
    return cst.parse_expression(text)
