"""SQL text in, the SQL psql sends out: meta-commands (`\\i`, `\\ir`, `\\set`, `\\gexec`, `\\if`,
`\\q`, ...) found outside strings and comments and blanked, `COPY ... FROM stdin` data skipped, and
the include targets resolved against the repository. The blanked text keeps every offset and
line, so what the reader finds there is reported at the file's own line."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Callable

from enumguard.migrations import unread

INCLUDES = {"i": False, "include": False, "ir": True, "include_relative": True}  # -> relative to the file
_QUERY_ENDS = {"g", "gx", "gset", "gexec", "gdesc", "crosstabview"}
_DOLLAR = re.compile(r"\$([A-Za-z_\x80-\uffff][A-Za-z_0-9\x80-\uffff]*)?\$")
_COMMAND = re.compile(r"\\([A-Za-z_?!.]+|[^\sA-Za-z])")
_COPY_STDIN = re.compile(r"(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*COPY\b[^;]*?\bFROM\s+STDIN\b", re.IGNORECASE | re.DOTALL)
_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_NEXT = re.compile(r"--|/\*|['\";\\$]")  # where psql's lexer can change state
_E_STRING = re.compile(r"(?:\\.|[^\\'])*'", re.DOTALL)


@dataclass(frozen=True)
class Include:
    """`\\i target` at `start`..`end` (offsets of the meta-command). `target` is None when the path
    is built from a psql variable enumguard does not know or from a shell command."""

    written: str
    target: str | None
    relative: bool  # \ir: relative to the including file; \i: to psql's working directory
    start: int
    end: int


@dataclass(frozen=True)
class Script:
    """A SQL file as psql runs it: `sql` is the text with every meta-command and COPY data block
    replaced by spaces (a `\\g` by a semicolon), so offsets and lines are those of the file."""

    sql: str
    includes: tuple[Include, ...] = ()
    generated: tuple[tuple[int, str], ...] = ()  # (offset of \gexec, the query whose result rows psql runs)
    branches: tuple[tuple[int, int], ...] = ()  # \if .. \endif spans: run or not at run time
    meta: bool = False  # any meta-command at all


def scan(text: str) -> Script:
    """Walk the text as psql's lexer does: strings, quoted names, dollar quotes and comments hide
    backslashes; a backslash elsewhere starts a meta-command that runs to the end of the line."""
    if "\\" not in text:
        return Script(text)  # no meta-command, no COPY data terminator: psql sends it as it is
    out = list(text)
    includes: list[Include] = []
    generated: list[tuple[int, str]] = []
    branches: list[tuple[int, int]] = []
    opened: list[int] = []
    variables: dict[str, str] = {}
    meta = False
    n = len(text)
    i = 0
    start = 0  # of the current statement
    while i < n:
        found_next = _NEXT.search(text, i)
        if found_next is None:
            break
        i = found_next.start()
        c = text[i]
        if c == "-" and text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c == "/" and text.startswith("/*", i):
            i = _comment_end(text, i)
        elif c == "'":
            i = _string_end(text, i, escapes=i > 0 and text[i - 1] in "eE" and not _ident_char(text, i - 2))
        elif c == '"':
            i = _quoted_end(text, i)
        elif c == "$" and not _ident_char(text, i - 1) and (found := _DOLLAR.match(text, i)):
            j = text.find(found.group(), found.end())
            i = n if j < 0 else j + len(found.group())
        elif c == ";":
            i += 1
            if "stdin" in text[start:i].lower():
                statement = "".join(out[start:i])
                if _COPY_STDIN.match(statement):
                    i = _blank_copy_data(text, out, i)
            start = i
        elif c == "\\":
            meta = True
            end = text.find("\n", i)
            end = n if end < 0 else end
            line = text[i:end]
            found = _COMMAND.match(line)
            name = found.group(1) if found else ""
            args = _args(line[found.end() :] if found else "", variables)
            for k in range(i, end):
                out[k] = " "
            if name in INCLUDES:
                written = line[found.end() :].strip() if found else ""
                target = args[0] if args else None
                includes.append(Include(written, target, INCLUDES[name], i, end))
            elif name == "set" and args and args[0]:
                variables[args[0]] = "".join(a or "" for a in args[1:])
            elif name == "unset" and args and args[0]:
                variables.pop(args[0], None)
            elif name in _QUERY_ENDS:
                out[i] = ";"
                if name == "gexec":
                    generated.append((i, "".join(out[start:i])))
                start = end
            elif name == "if":
                opened.append(i)
            elif name == "endif" and opened:
                branches.append((opened.pop(), end))
            elif name == "q" or name == "quit":
                for k in range(end, n):
                    if out[k] != "\n":
                        out[k] = " "
                break
            elif name == "copy" and re.search(r"\bfrom\s+p?stdin\b", line, re.IGNORECASE):
                end = _blank_copy_data(text, out, end)
            i = end
        else:
            i += 1
    branches.extend((at, n) for at in opened)  # an \if never closed runs to the end
    return Script("".join(out), tuple(includes), tuple(generated), tuple(sorted(branches)), meta)


def names_in(sql: str) -> frozenset[str]:
    """The names a query shows (identifiers and the words inside its strings): what an unread
    statement it generates may touch."""
    return unread.names(sql, strings=True)


# ---------------------------------------------------------------------- include targets


def resolve(
    include: Include, including: str, entry: str, exists: Callable[[str], bool], paths: tuple[str, ...]
) -> str | None:
    """The repository path psql reads for an include, or None when it is not in the repository.
    `\\ir` is relative to the including file; `\\i` to psql's working directory, which scripts
    set to the folder of the file they run (so: the including file's folder, the entry file's,
    then the repository root). An absolute path is matched by its trailing folders."""
    target = include.target
    if not target:
        return None
    if target.startswith("/"):
        return by_suffix(target, paths)
    if target.startswith("~"):
        return None
    bases = [posixpath.dirname(including)]
    if not include.relative:
        bases += [posixpath.dirname(entry), ""]
    for base in dict.fromkeys(bases):
        path = posixpath.normpath(posixpath.join(base, target))
        if not path.startswith("../") and path != ".." and exists(path):
            return path
    return None


def by_suffix(target: str, paths: tuple[str, ...], minimum: int = 2) -> str | None:
    """The one repository path that ends with the longest tail of `target` (at least `minimum`
    parts, or the whole target when shorter), e.g. `/opt/app/migrations/init/x.sql` ->
    `src/migrations/init/x.sql`; None when no tail names exactly one file."""
    parts = [p for p in posixpath.normpath(target).split("/") if p and p != "."]
    for size in range(len(parts), min(minimum, len(parts)) - 1, -1):
        tail = "/".join(parts[-size:])
        found = [p for p in paths if p == tail or p.endswith("/" + tail)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return None
    return None


# ---------------------------------------------------------------------- lexer helpers


def _ident_char(text: str, i: int) -> bool:
    return 0 <= i < len(text) and (text[i].isalnum() or text[i] == "_")


def _comment_end(text: str, i: int) -> int:
    """The end of a `/* */` comment starting at i (PostgreSQL nests them)."""
    depth, j = 1, i + 2
    while depth:
        opening, closing = text.find("/*", j), text.find("*/", j)
        if closing < 0:
            return len(text)
        if 0 <= opening < closing:
            depth, j = depth + 1, opening + 2
        else:
            depth, j = depth - 1, closing + 2
    return j


def _string_end(text: str, i: int, escapes: bool) -> int:
    if escapes:
        found = _E_STRING.match(text, i + 1)
        return found.end() if found else len(text)
    return _quoted_end(text, i, "'")


def _quoted_end(text: str, i: int, quote: str = '"') -> int:
    """After the closing quote of a string or name (a doubled quote stands for itself)."""
    j = i + 1
    while True:
        j = text.find(quote, j)
        if j < 0:
            return len(text)
        if text.startswith(quote * 2, j):
            j += 2
            continue
        return j + 1


def _blank_copy_data(text: str, out: list[str], i: int) -> int:
    """COPY ... FROM stdin: the data lines after the statement, up to a line `\\.`, are no SQL."""
    line_end = text.find("\n", i)
    if line_end < 0:
        return len(text)
    j = line_end + 1
    while j < len(text):
        end = text.find("\n", j)
        end = len(text) if end < 0 else end
        for k in range(j, end):
            out[k] = " "
        if text[j:end].rstrip("\r") == "\\.":
            return end
        j = end + 1
    return len(text)


def _args(rest: str, variables: dict[str, str]) -> list[str | None]:
    """The arguments of a meta-command as psql reads them: quoted with '...' (doubled quotes and
    backslash escapes), interpolated from `:name` / `:'name'`; None for an argument enumguard
    cannot know (an unknown variable, a `backtick` command)."""
    args: list[str | None] = []
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i].isspace():
            i += 1
        if i >= n or rest.startswith("\\\\", i):
            break
        value: str | None = ""
        while i < n and not rest[i].isspace():
            c = rest[i]
            if c == "'":
                j, part = i + 1, []
                while j < n and not (rest[j] == "'" and not rest.startswith("''", j)):
                    if rest.startswith("''", j):
                        part.append("'")
                        j += 2
                    elif rest[j] == "\\" and j + 1 < n:
                        part.append({"n": "\n", "t": "\t"}.get(rest[j + 1], rest[j + 1]))
                        j += 2
                    else:
                        part.append(rest[j])
                        j += 1
                value = None if value is None else value + "".join(part)
                i = j + 1
            elif c == "`":
                j = rest.find("`", i + 1)
                value, i = None, (n if j < 0 else j + 1)
            elif c == ":" and i + 1 < n and (rest[i + 1] in "'\"" or rest[i + 1].isalpha() or rest[i + 1] == "_"):
                quote = rest[i + 1] if rest[i + 1] in "'\"" else ""
                found = _WORD.match(rest, i + 1 + len(quote))
                name = found.group() if found else ""
                i = (found.end() if found else i + 1) + len(quote)
                known = variables.get(name)
                value = None if value is None or known is None else value + known
            else:
                value = None if value is None else value + c
                i += 1
        args.append(value)
    return args
