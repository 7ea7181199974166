"""File paths and texts in, names out: module names from package roots, and the enum-ish class
names a cheap text pass finds (a superset of the enum classes; it decides what gets parsed)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

SEEDS = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "ReprEnum"})
_CLASS = re.compile(r"^[ \t]*class[ \t]+(\w+)[ \t]*\(([^)]*)\)", re.M)
_FUNCTIONAL = re.compile(r"^[ \t]*(\w+)[ \t]*(?::[^=\n]*)?=[ \t]*(?:\w+[ \t]*\.[ \t]*)*(\w+)\(", re.M)
_ALIAS = re.compile(r"\b(\w+)[ \t]+as[ \t]+(\w+)")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ModuleInfo:
    """How a file is known to imports: `name` (from the package root), the full path-based
    dotted name (for relative imports), and whether it is a package's __init__."""

    path: str
    name: str
    full: str
    is_package: bool


def module_infos(paths: list[str]) -> dict[str, ModuleInfo]:
    """Module names for Python files: walk up while `__init__.py` exists; `src/` is a root too."""
    inits = {p[: -len("/__init__.py")] for p in paths if p.endswith("/__init__.py")}
    out: dict[str, ModuleInfo] = {}
    for path in paths:
        parts = path[: path.rfind(".")].split("/")
        is_package = parts[-1] == "__init__"
        folder = parts[:-1]
        k = len(folder)
        while k > 0 and "/".join(folder[:k]) in inits:
            k -= 1
        name_parts = folder[k:] if is_package else folder[k:] + parts[-1:]
        full_parts = folder if is_package else parts
        if full_parts and full_parts[0] == "src":
            full_parts = full_parts[1:]
        name = ".".join(name_parts)
        out[path] = ModuleInfo(path, name, ".".join(full_parts), is_package)
    return out


@dataclass(frozen=True)
class TextNames:
    """What the text pass reads from one file (cached with its text): class statements with the
    words of their bases, `x as y` aliases, functional-API assignments, and every word."""

    classes: tuple[tuple[str, frozenset[str]], ...]
    aliases: tuple[tuple[str, str], ...]
    words: frozenset[str]
    models: frozenset[str] = frozenset()  # classes of table-mapping files (column_values.model_names)


def text_names(text: str) -> TextNames:
    classes: list[tuple[str, frozenset[str]]] = []
    aliases: list[tuple[str, str]] = []
    if "class" in text:
        for match in _CLASS.finditer(text):
            classes.append((match.group(1), frozenset(_WORD.findall(match.group(2)))))
    if " as " in text:
        aliases.extend(_ALIAS.findall(text))
    if "Enum(" in text or "Flag(" in text:
        for match in _FUNCTIONAL.finditer(text):
            classes.append((match.group(1), frozenset({match.group(2)})))
    # interned: the cache pickles each distinct word once, not once per file
    return TextNames(tuple(classes), tuple(aliases), frozenset(map(sys.intern, _WORD.findall(text))))


def candidates_of(files: list[TextNames]) -> frozenset[str]:
    """Names that may denote an enum class: the enum module's classes, classes whose bases
    mention a candidate, aliases of candidates, and functional-API assignments."""
    classes = [c for f in files for c in f.classes]
    aliases = [a for f in files for a in f.aliases]
    found = set(SEEDS)
    changed = True
    while changed:
        changed = False
        for name, bases in classes:
            if name not in found and bases & found:
                found.add(name)
                changed = True
        for source, local in aliases:
            if local not in found and source in found:
                found.add(local)
                changed = True
    return frozenset(found)


def candidate_names(texts: list[str]) -> frozenset[str]:
    return candidates_of([text_names(t) for t in texts])


def words(text: str) -> set[str]:
    return set(_WORD.findall(text))
