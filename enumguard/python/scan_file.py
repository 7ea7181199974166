"""One Python file's text + the enum-ish names it mentions -> FileFacts (runs in worker processes).

Positions: a file that defines candidate enum classes or uses subscript/call/getattr references
gets libcst's PositionProvider; every other file locates its dotted chains with one regex pass
over the text, and falls back to PositionProvider when the text and the tree disagree (a chain
inside a string or comment).
"""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from typing import cast

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from enumguard.finding import Finding, Location, Severity
from enumguard.python import bindings, column_values, complexity
from enumguard.python.file_facts import ClassFact, FileFacts, ImportFact, MemberFact, RefFact
from enumguard.python.literals import literal_value
from enumguard.python.module_names import module_names
from enumguard.python.reference_chains import Walker, chain_of

SPECIAL = frozenset({"__new__", "_missing_", "_generate_next_value_", "__init__", "__getattr__"})
_DESCRIPTORS = frozenset(
    {"property", "classmethod", "staticmethod", "DynamicClassAttribute", "nonmember", "cached_property"}
)
_CHAIN = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)+")
_SPLIT = re.compile(r"[ \t]*\.[ \t]*")
_LITERAL_ARG = re.compile(
    r"(?<![\w.])([A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*)[ \t]*([\[(])\s*(?=[\'\"\d.-]|[rRbBuU]{1,2}[\'\"])"
)
_GETATTR = re.compile(
    r"(?<![\w.])getattr[ \t]*\(\s*([A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)*)\s*,\s*(?=[\'\"]|[rRbBuU]{1,2}[\'\"])"
)
_NEWLINE = re.compile("\n")
# Text that makes a file worth parsing even without a candidate name (bindings, star imports).
BINDING_HINTS = ("Enum", "ENUM", "Mapped", "table=True", ".value for ", ".name for ", "import *")


def syntax_problem(path: str, line: int, message: str) -> Finding:
    return Finding(
        location=Location(path, max(line, 1), 1),
        rule="syntax-error",
        message=f"cannot parse `{path}`: {message}",
        severity=Severity.WARNING,
        help="enumguard skipped this file; fix the syntax or exclude the file",
    )


_TEMPLATE_SYNTAX = re.compile(r"\{%|\{\{|\{#")


def is_template(path: str, text: str, line: int) -> bool:
    """A .py file that is a template, not Python: it fails to parse on a line with Jinja syntax
    (`{% for %}`, `{{ name }}`), or sits in a cookiecutter folder (`{{cookiecutter.name}}/`)."""
    if "{{" in path:
        return True
    lines = text.splitlines()
    return 0 < line <= len(lines) and _TEMPLATE_SYNTAX.search(lines[line - 1]) is not None


def extract(
    path: str, text: str, relevant: tuple[str, ...], candidates: tuple[str, ...], models: tuple[str, ...] = ()
) -> FileFacts:
    """The facts of one file. `relevant`: enum-ish names that occur in the text; `candidates`:
    the class names among them that may be enums (their members are read); `models`: names of
    mapped classes that occur in it (for the values it sends to their columns)."""
    if not relevant and not any(hint in text for hint in BINDING_HINTS):
        # Nothing enum-related can be here: a cheap syntax check instead of a libcst parse, and
        # the `ast` tree serves the values the file may send to table columns.
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            tree = None  # libcst decides: it also reads syntax newer than this interpreter
        if tree is not None:
            columns = column_values.extract(tree, text, path, models)
            if columns is None and not models:
                return FileFacts(path)
            imports, others, class_names = module_names(tree)
            return FileFacts(path, imports, others, class_names, column_facts=columns)
    try:
        module = complexity.parse_module(text)
    except complexity.TooComplex as exc:
        return FileFacts(path, problems=(syntax_problem(path, *exc.args),))
    except cst.ParserSyntaxError as exc:
        line, message = _python_error(text) or (exc.raw_line, f"{exc.message} (line {exc.raw_line})")
        if is_template(path, text, line):
            return FileFacts(path, template=True)
        return FileFacts(path, problems=(syntax_problem(path, line, message),))
    except (RecursionError, ValueError) as exc:
        return FileFacts(path, problems=(syntax_problem(path, 1, str(exc) or type(exc).__name__),))
    sites = bindings.extract(module, text, path)
    columns = _column_facts(text, path, models)
    walker = Walker(set(relevant))
    walker.module(module)
    cand = set(candidates)
    enum_classes = [(q, n) for q, n in walker.classes if n.name.value in cand]
    where = _text_positions(walker.refs, text, path)
    defs = _text_definitions(walker, module, text, path, cand) if where is not None else None
    if defs is not None:
        fallback = Location(path, 1, 1)

        def loc(node: cst.CSTNode) -> Location:
            return defs.get(id(node), fallback)

    elif walker.refs or enum_classes or walker.functional:
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)

        def loc(node: cst.CSTNode) -> Location:
            start = positions[node].start
            return Location(path, start.line, start.column + 1)

        where = [tuple(loc(n) for n in ref.nodes) for ref in walker.refs]
    else:
        loc = lambda node: Location(path, 1, 1)  # noqa: E731  (nothing here to locate)
    classes = []
    for qual, node in walker.classes:
        classes.append(class_fact(qual, node, loc, node.name.value in cand))
    for qual, call, target in walker.functional:
        functional = functional_fact(qual, call, target, loc)
        if functional is not None:
            classes.append(functional)
    refs = tuple(
        RefFact(r.chain, r.form, w, r.literal, tuple(sorted(r.handled))) for r, w in zip(walker.refs, where or ())
    )
    return FileFacts(
        path=path,
        imports=tuple(ImportFact(*i) for i in walker.imports),
        other_names=tuple(sorted(set(walker.other_names))),
        class_names=tuple(walker.class_names),
        classes=tuple(classes),
        references=refs,
        assigned=tuple(walker.assigned),
        binding_sites=tuple(sites),
        column_facts=columns,
    )


def _column_facts(text: str, path: str, models: tuple[str, ...]):
    if not column_values.worth_parsing(text, models):
        return None
    tree = column_values.parse(text)  # None: syntax newer than this interpreter
    return column_values.extract(tree, text, path, models) if tree is not None else None


def _python_error(text: str) -> tuple[int, str] | None:
    """Python's own line and message for a syntax error: usually nearer the cause than libcst's."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as exc:
        return (exc.lineno or 1), f"{exc.msg} (line {exc.lineno})"
    except (ValueError, RecursionError):
        return None
    return None


def _text_positions(refs, text: str, path: str) -> list[tuple[Location, ...]] | None:
    """Segment (or literal) locations of each reference from regex passes over the text; None
    when text and tree disagree, e.g. a chain quoted in a docstring."""
    if not refs:
        return []
    wanted: dict[tuple, list[int]] = {}
    for i, ref in enumerate(refs):
        wanted.setdefault((ref.form, ref.chain), []).append(i)
    forms = {form for form, _ in wanted}
    found: dict[tuple, list[tuple[int, ...]]] = {}

    def add(key: tuple, offsets: tuple[int, ...]) -> None:
        if key in wanted:
            found.setdefault(key, []).append(offsets)

    if "attribute" in forms:
        for match in _CHAIN.finditer(text):
            chain = tuple(_SPLIT.split(match.group()))
            key = ("attribute", chain)
            if key in wanted:
                add(key, _segment_offsets(text, chain, match.start()))
    if "subscript" in forms or "call" in forms:
        for match in _LITERAL_ARG.finditer(text):
            form = "subscript" if match.group(2) == "[" else "call"
            add((form, tuple(_SPLIT.split(match.group(1)))), (match.end(),))
    if "getattr" in forms:
        for match in _GETATTR.finditer(text):
            add(("getattr", tuple(_SPLIT.split(match.group(1)))), (match.end(),))
    starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
    out: list[tuple[Location, ...] | None] = [None] * len(refs)
    for key, indexes in wanted.items():
        spots = found.get(key, [])
        if len(spots) != len(indexes):
            return None
        for i, offsets in zip(indexes, spots):
            out[i] = tuple(_location(path, starts, o) for o in offsets)
    return cast(list[tuple[Location, ...]], out)  # every index was filled, or None returned


_CLASS_AT = re.compile(r"(?<![\w.])class[ \t]+(\w+)")


def _text_definitions(walker, module: cst.Module, text: str, path: str, cand: set[str]) -> dict[int, Location] | None:
    """Locations of class names, enum member targets and functional-API targets by node id,
    from the text; None when the text does not match the tree one to one."""
    starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
    out: dict[int, Location] = {}
    if not walker.classes and not walker.functional:
        return out
    found: dict[str, list[int]] = {}
    match: re.Match[str] | None
    for match in _CLASS_AT.finditer(text):
        found.setdefault(match.group(1), []).append(match.start(1))
    seen: dict[str, int] = {}
    for _, node in walker.classes:
        name = node.name.value
        k = seen.get(name, 0)
        seen[name] = k + 1
        spots = found.get(name, [])
        if k >= len(spots):
            return None
        offset = spots[k]
        out[id(node.name)] = _location(path, starts, offset)
        if name not in cand or not isinstance(node.body, cst.IndentedBlock):
            continue
        line_start = starts[bisect.bisect_right(starts, offset) - 1]
        outer = text[line_start:offset]
        outer = outer[: len(outer) - len(outer.lstrip())]
        indent = outer + (node.body.indent if node.body.indent is not None else module.default_indent)
        for stmt in node.body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                targets = (
                    [t.target for t in small.targets]
                    if isinstance(small, cst.Assign)
                    else ([small.target] if isinstance(small, cst.AnnAssign) else [])
                )
                for target in targets:
                    if isinstance(target, cst.Name):
                        pattern = rf"^{re.escape(indent)}({re.escape(target.value)})[ \t]*(?::[^=\n]*)?=(?!=)"
                        match = re.compile(pattern, re.M).search(text, offset)
                        if match is None:
                            return None
                        out[id(target)] = _location(path, starts, match.start(1))
    for _, _, target in walker.functional:
        match = re.compile(rf"^[ \t]*({re.escape(target.value)})[ \t]*(?::[^=\n]*)?=", re.M).search(text)
        if match is None:
            return None
        out[id(target)] = _location(path, starts, match.start(1))
    return out


def _segment_offsets(text: str, chain: tuple[str, ...], at: int) -> tuple[int, ...]:
    offsets = []
    for segment in chain:
        at = text.index(segment, at)
        offsets.append(at)
        at += len(segment)
    return tuple(offsets)


def _location(path: str, starts: list[int], offset: int) -> Location:
    line = bisect.bisect_right(starts, offset)
    return Location(path, line, offset - starts[line - 1] + 1)


def _last(node: cst.BaseExpression) -> str | None:
    names = chain_of(node)
    return names[-1].value if names else None


def class_fact(qual: str, node: cst.ClassDef, loc, candidate: bool) -> ClassFact:
    bases = []
    for arg in node.bases:
        names = chain_of(arg.value)
        bases.append(".".join(n.value for n in names) if names else "?")
    metaclass = any(k.keyword is not None and k.keyword.value == "metaclass" for k in node.keywords)
    api: list[str] = []
    defines: list[str] = []
    members: list[MemberFact] = []
    ignore: set[str] = set()
    is_open = False
    new_value_arg = None
    for stmt in node.body.body:
        if isinstance(stmt, cst.FunctionDef):
            api.append(stmt.name.value)
            if stmt.name.value in SPECIAL:
                defines.append(stmt.name.value)
            if stmt.name.value == "__new__":
                new_value_arg = value_argument(stmt)
        elif isinstance(stmt, cst.ClassDef):
            api.append(stmt.name.value)
        elif isinstance(stmt, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in stmt.body:
                if candidate:
                    is_open |= _member(small, members, api, ignore, loc)
                elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                    # a mixin's class attributes are attributes of the enums that inherit it
                    targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                    api.extend(n for t in targets for n in _target_names(t))
        elif candidate and not isinstance(stmt, cst.EmptyLine):
            is_open = True  # members under if/try/for: not all known
    if ignore:
        members = [m for m in members if m.name not in ignore]
        api.extend(sorted(ignore))
    return ClassFact(
        qual=qual,
        bases=tuple(bases),
        location=loc(node.name),
        members=tuple(members),
        api=tuple(api),
        defines=tuple(defines),
        open=is_open,
        metaclass=metaclass,
        new_value_arg=new_value_arg,
    )


def value_argument(func: cst.FunctionDef) -> int | None:
    """The positional argument an enum's `__new__` makes the member's value: `def __new__(cls,
    value, label)` with a top-level `obj._value_ = value` (or `args[0]` of `*args`) -> 0. None for
    anything else: a value computed, assigned twice or under a condition, a parameter rebound."""
    params = [p.name.value for p in func.params.params][1:]  # after cls
    star = func.params.star_arg.name.value if isinstance(func.params.star_arg, cst.Param) else None
    found: list[int | None] = []
    rebound: set[str] = set()
    for stmt in func.body.body if isinstance(func.body, cst.IndentedBlock) else ():
        if not isinstance(stmt, cst.SimpleStatementLine):
            if _assigns_value(stmt):
                return None  # `_value_` set inside a branch or loop
            continue
        for small in stmt.body:
            if not isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
                continue
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
            for target in targets:
                rebound.update(_target_names(target))
                if isinstance(target, cst.Attribute) and target.attr.value == "_value_":
                    found.append(_argument_index(small.value, params, star) if small.value is not None else None)
    if len(found) != 1 or found[0] is None:
        return None
    index = found[0]
    if index < len(params) and params[index] in rebound:
        return None
    return index


def _argument_index(value: cst.BaseExpression, params: list[str], star: str | None) -> int | None:
    if isinstance(value, cst.Name) and value.value in params:
        return params.index(value.value)
    if (
        star is not None
        and not params
        and isinstance(value, cst.Subscript)
        and isinstance(value.value, cst.Name)
        and value.value.value == star
        and len(value.slice) == 1
        and isinstance(value.slice[0].slice, cst.Index)
    ):
        ok, index = literal_value(value.slice[0].slice.value)
        return index if ok and isinstance(index, int) and not isinstance(index, bool) and index >= 0 else None
    return None


def _assigns_value(node: cst.CSTNode) -> bool:
    """Does a compound statement assign `_value_` anywhere inside it?"""

    class Finder(cst.CSTVisitor):
        hit = False

        def visit_Attribute(self, attr: cst.Attribute) -> None:
            if attr.attr.value == "_value_":
                self.hit = True

    finder = Finder()
    node.visit(finder)
    return finder.hit


def _member(small, members: list[MemberFact], api: list[str], ignore: set[str], loc) -> bool:
    """Adds the member (or API name) one class-body statement defines; True when unreadable."""
    if isinstance(small, cst.Assign):
        targets = [t.target for t in small.targets]
        value = small.value
    elif isinstance(small, cst.AnnAssign):
        if small.value is None:  # `IMPLIED: ClassVar[...]`: declared, set later, never a member
            api.extend(_target_names(small.target))
            return False
        targets, value = [small.target], small.value
    elif isinstance(small, (cst.Expr, cst.Pass, cst.Import, cst.ImportFrom)):
        return False
    else:
        return isinstance(small, (cst.AugAssign, cst.Del))
    if len(targets) != 1 or not isinstance(targets[0], cst.Name):
        for target in targets:
            for name in _target_names(target):
                members.append(MemberFact(name, "unknown", None, loc(target)))
        return False
    target = targets[0]
    name = target.value
    if name == "_ignore_":
        ignore.update(_ignore_names(value))
        return False
    if name.startswith("__") or (name.startswith("_") and name.endswith("_") and len(name) > 2):
        api.append(name)
        return False
    if isinstance(value, cst.Lambda):
        api.append(name)
        return False
    if isinstance(value, cst.Call):
        func = _last(value.func)
        if func in _DESCRIPTORS:
            api.append(name)
            return False
        if func == "auto" and not value.args:
            members.append(MemberFact(name, "auto", None, loc(target)))
            return False
        if func == "member" and len(value.args) == 1:
            value = value.args[0].value
    ok, literal = literal_value(value)
    if not ok and isinstance(value, cst.Tuple) and not any(isinstance(e, cst.StarredElement) for e in value.elements):
        parts = [literal_value(e.value) for e in value.elements]
        items = tuple(v if known else None for known, v in parts)
        members.append(MemberFact(name, "args", items, loc(target), tuple(known for known, _ in parts)))
        return False
    members.append(MemberFact(name, "literal" if ok else "unknown", literal if ok else None, loc(target)))
    return False


def _target_names(node: cst.CSTNode) -> list[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for e in node.elements for n in _target_names(e.value)]
    return []


def _ignore_names(value: cst.BaseExpression) -> list[str]:
    ok, literal = literal_value(value)
    if ok and isinstance(literal, str):
        return literal.replace(",", " ").split()
    if isinstance(value, (cst.List, cst.Tuple)):
        out = []
        for element in value.elements:
            ok, item = literal_value(element.value)
            if ok and isinstance(item, str):
                out.append(item)
        return out
    return []


def functional_fact(qual: str, call: cst.Call, target: cst.Name, loc) -> ClassFact | None:
    """`Enum("Name", "a b c")` and its list / tuple / dict forms; open when not all literal."""
    func = chain_of(call.func)
    names_arg = None
    start: int | None = 1
    for i, arg in enumerate(call.args):
        if arg.keyword is None and i == 1:
            names_arg = arg.value
        elif arg.keyword is not None and arg.keyword.value == "names":
            names_arg = arg.value
        elif arg.keyword is not None and arg.keyword.value == "start":
            ok, value = literal_value(arg.value)
            start = value if ok and isinstance(value, int) else None
    if names_arg is None:
        return None
    where = loc(target)
    members: list[MemberFact] = []
    is_open = False

    def auto(name: str) -> None:
        members.append(MemberFact(name, "auto", start, where))

    element: cst.BaseElement | cst.BaseDictElement
    ok, literal = literal_value(names_arg)
    if ok and isinstance(literal, str):
        for name in literal.replace(",", " ").split():
            auto(name)
    elif isinstance(names_arg, (cst.List, cst.Tuple)):
        for element in names_arg.elements:
            ok, item = literal_value(element.value)
            if ok and isinstance(item, str):
                auto(item)
            elif ok and isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                members.append(MemberFact(item[0], "literal", item[1], where))
            elif isinstance(element.value, cst.Tuple) and element.value.elements:
                ok, first = literal_value(element.value.elements[0].value)
                if ok and isinstance(first, str):
                    members.append(MemberFact(first, "unknown", None, where))
                else:
                    is_open = True
            else:
                is_open = True
    elif isinstance(names_arg, cst.Dict):
        for element in names_arg.elements:
            if not isinstance(element, cst.DictElement):
                is_open = True
                continue
            ok, key = literal_value(element.key)
            if not (ok and isinstance(key, str)):
                is_open = True
                continue
            ok, value = literal_value(element.value)
            members.append(MemberFact(key, "literal" if ok else "unknown", value if ok else None, where))
    else:
        is_open = True
    if start is None:
        members = [MemberFact(m.name, "unknown", None, m.location) if m.kind == "auto" else m for m in members]
    return ClassFact(
        qual=qual,
        bases=(".".join(n.value for n in func),) if func else ("?",),
        location=where,
        members=tuple(members),
        functional=True,
        open=is_open,
    )
