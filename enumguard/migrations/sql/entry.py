"""SourceTree in, the SQL files a project hands to PostgreSQL by other means than a migration
tool, each list in the order it runs them: the folder the postgres image runs at its first start
(`docker-entrypoint-initdb.d`: a folder of the repository, a compose volume, a Dockerfile COPY),
and the shell scripts that give files to psql (`psql -f a.sql`, `psql < a.sql`,
`cat a.sql b.sql | psql`, `for f in a.sql b.sql; do psql -f $f; done`)."""

from __future__ import annotations

import fnmatch
import posixpath
import re
import shlex
from dataclasses import dataclass

from enumguard.collect import SourceTree
from enumguard.migrations.sql.psql import by_suffix

INITDB = "/docker-entrypoint-initdb.d"
_INITDB_DIR = "docker-entrypoint-initdb.d"
# The postgres image runs these from its initdb folder (the .sh ones as shell scripts).
_INITDB_RUNS = (".sql", ".sql.gz", ".sql.xz", ".sql.zst", ".sh")
_COMPOSE = re.compile(r"(?:docker-)?compose(?:[.\-_][\w.\-]*)?\.ya?ml\Z")
_DOCKERFILE = re.compile(r"(?:Dockerfile(?:[.\-_][\w.\-]*)?|[\w.\-]+\.[Dd]ockerfile)\Z")
_SCRIPT = re.compile(r"(?:[\w.\-]+\.(?:sh|bash)|Makefile|makefile|GNUmakefile|[Jj]ustfile)\Z")
_SHORT_MOUNT = re.compile(r"""(?P<src>[^\s'"\[\],]+):/docker-entrypoint-initdb\.d(?P<sub>/[^\s'":\],]*)?""")
_LONG_SOURCE = re.compile(r"""^\s*-?\s*source:\s*['"]?([^\s'"]+)""")
_LONG_TARGET = re.compile(r"""^\s*-?\s*target:\s*['"]?/docker-entrypoint-initdb\.d(/[^\s'"]*)?""")
_COPY = re.compile(r"^\s*(?:COPY|ADD)\s+(.+)$", re.IGNORECASE)
_WORKDIR = re.compile(r"^\s*WORKDIR\s+(\S+)", re.IGNORECASE)
_FOR = re.compile(r"^\s*for\s+(\w+)\s+in\s+(.*?)\s*(?:;\s*do\b|\s+do\b|$)(.*)$")
_ASSIGN = re.compile(r"""^\s*(?:export\s+|local\s+|readonly\s+)?(\w+)=(['"]?)([^\s'"$`;|&]*)\2\s*$""")
_VAR = re.compile(r"\$\{?(\w+)\}?")
# The script's own folder, as scripts spell it: $(dirname "$0"), ${0%/*}, $(cd "$(dirname "$0")" && pwd)
_SELF = r"""\$(?:0|\{0\}|\{BASH_SOURCE(?:\[0\])?\}|BASH_SOURCE(?:\[0\])?)"""
_HERE = re.compile(
    r"""^["']?(?:\$\(\s*(?:realpath|readlink\s+-f)\s+)?(?:\$\(\s*dirname\s+(?:--\s+)?["']?"""
    + _SELF
    + r"""["']?\s*\)|\$\{0%/\*\}|\$\(\s*cd\s+["']?\$\(\s*dirname\s+(?:--\s+)?["']?"""
    + _SELF
    + r"""["']?\s*\)["']?\s*(?:&&|;)\s*pwd(?:\s+-P)?\s*\))\)?["']?"""
)
_ROOTED = "@repo/"  # marks a path already relative to the repository root (from the script's folder)


@dataclass(frozen=True)
class Sequence:
    """SQL files run one after the other, in this order, by `source` (a folder, compose file,
    Dockerfile or script). `kind`: initdb | script. `single_transaction`: psql -1."""

    kind: str
    source: str
    paths: tuple[str, ...]
    single_transaction: bool = False


def sequences(tree: SourceTree) -> list[Sequence]:
    """Every initdb folder and script that runs repository SQL files, in a stable order."""
    sql = {f.path for f in tree.sql_files()}
    found: list[Sequence] = []
    for folder in sorted({p.rsplit("/", 1)[0] for p in tree.paths if f"/{_INITDB_DIR}/" in f"/{p}"}):
        if posixpath.basename(folder) != _INITDB_DIR:
            continue
        named = sorted(p for p in tree.paths if posixpath.dirname(p) == folder and p.endswith(_INITDB_RUNS))
        paths = tuple(p for p in named if p in sql)
        if paths:
            found.append(Sequence("initdb", folder, paths))
    for f in tree.files:
        name = f.path.rsplit("/", 1)[-1]
        if _COMPOSE.match(name):
            mounts = _compose_mounts(f.path, f.text, tree)
        elif _DOCKERFILE.match(name):
            mounts = _dockerfile_copies(f.path, f.text, tree)
        else:
            continue
        paths = tuple(dict.fromkeys(path for _, path in sorted(mounts) if path in sql))
        if paths:
            found.append(Sequence("initdb", f.path, paths))
    for f in tree.files:
        if _SCRIPT.match(f.path.rsplit("/", 1)[-1]):
            found.extend(_script_runs(f.path, f.text, tree, sql))
    return found


# ---------------------------------------------------------------------- initdb


def _dir_files(tree: SourceTree, folder: str) -> list[str]:
    prefix = folder.rstrip("/") + "/" if folder not in ("", ".") else ""
    return sorted(p for p in tree.paths if p.startswith(prefix) and "/" not in p[len(prefix) :])


def _is_dir(tree: SourceTree, path: str) -> bool:
    prefix = path.rstrip("/") + "/"
    return any(p.startswith(prefix) for p in tree.paths)


def _mounted(tree: SourceTree, src: str, sub: str) -> list[tuple[str, str]]:
    """(name in the initdb folder, repository path) for one mount of `src` at `INITDB + sub`."""
    sub = sub.strip("/")
    if _is_dir(tree, src):
        if sub:
            return []  # a subfolder of the initdb folder: the image does not run it (\i may)
        return [(posixpath.basename(p), p) for p in _dir_files(tree, src) if p.endswith(_INITDB_RUNS)]
    if src in tree.paths:
        return [(posixpath.basename(sub) if sub else posixpath.basename(src), src)]
    return []


def _host_path(base: str, src: str) -> str | None:
    src = re.sub(r"^\$\{?PWD\}?/", "./", src.strip("'\""))
    if "$" in src or src.startswith(("/", "~")):
        return None
    path = posixpath.normpath(posixpath.join(base, src))
    return None if path.startswith("..") else ("" if path == "." else path)


def _compose_mounts(path: str, text: str, tree: SourceTree) -> list[tuple[str, str]]:
    base = posixpath.dirname(path)
    found: list[tuple[str, str]] = []
    for m in _SHORT_MOUNT.finditer(text):
        src = _host_path(base, m.group("src"))
        if src is not None:
            found.extend(_mounted(tree, src, m.group("sub") or ""))
    lines = text.splitlines()
    for i, line in enumerate(lines):
        target = _LONG_TARGET.match(line)
        if not target:
            continue
        for near in lines[max(0, i - 3) : i + 4]:
            source = _LONG_SOURCE.match(near)
            if source:
                src = _host_path(base, source.group(1))
                if src is not None:
                    found.extend(_mounted(tree, src, target.group(1) or ""))
                break
    return found


def _dockerfile_copies(path: str, text: str, tree: SourceTree) -> list[tuple[str, str]]:
    base = posixpath.dirname(path)
    workdir = ""
    found: list[tuple[str, str]] = []
    for line in _joined(text):
        wd = _WORKDIR.match(line)
        if wd:
            workdir = wd.group(1)
            continue
        copy = _COPY.match(line)
        if not copy:
            continue
        words = [w for w in _split(copy.group(1)) if not w.startswith("--")]
        if len(words) < 2:
            continue
        dest = words[-1]
        if not dest.startswith("/"):
            dest = posixpath.normpath(posixpath.join(workdir or "/", dest))
        if dest.rstrip("/") != INITDB and not dest.startswith(INITDB + "/"):
            continue
        sub = dest[len(INITDB) :]
        for src in words[:-1]:
            for context in dict.fromkeys((base, "")):
                paths = _glob(tree, context, src)
                if paths:
                    for p in paths:
                        found.extend(_mounted(tree, p, sub if not sub.endswith("/") and len(paths) == 1 else ""))
                    break
    return found


def _glob(tree: SourceTree, base: str, word: str) -> list[str]:
    """Repository paths a (relative) shell or Docker word names, globs expanded and sorted."""
    if "$" in word or word.startswith(("/", "~")):
        return []
    path = posixpath.normpath(posixpath.join(base, word))
    if path.startswith(".."):
        return []
    if path == ".":
        return [""]
    if any(c in path for c in "*?["):
        return sorted(p for p in tree.paths if fnmatch.fnmatchcase(p, path) and p.count("/") == path.count("/"))
    return [path] if path in tree.paths or _is_dir(tree, path) else []


# ---------------------------------------------------------------------- scripts


def _joined(text: str) -> list[str]:
    """Lines with backslash-newline continuations joined."""
    return text.replace("\\\r\n", " ").replace("\\\n", " ").splitlines()


def _split(command: str) -> list[str]:
    try:
        return shlex.split(command, comments=True, posix=True)
    except ValueError:
        return command.split()


def _script_runs(path: str, text: str, tree: SourceTree, sql: set[str]) -> list[Sequence]:
    """The repository SQL files a script gives to psql, in the order of its lines."""
    if "psql" not in text:
        return []
    here = posixpath.dirname(path)
    cwd: str | None = None  # after `cd X`: X (absolute, or relative to the script's folder)
    names: dict[str, list[str]] = {}  # loop variables and simple assignments
    loops: list[str] = []
    runs: list[str] = []
    single = False
    for raw in _joined(text):
        line = raw.split(" #", 1)[0] if not raw.lstrip().startswith("#") else ""
        head = _FOR.match(line)
        if head:
            var, words, body = head.group(1), head.group(2), head.group(3)
            names[var] = [w for word in _split(words) for w in _expand(word, names)]
            loops.append(var)
            line = body
        if re.match(r"^\s*done\b", line) and loops:
            names.pop(loops.pop(), None)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            names[assign.group(1)] = [assign.group(3)]
            continue
        selfdir = re.match(r"^\s*(?:export\s+|local\s+|readonly\s+)?(\w+)=(.+)$", line)
        if selfdir and _HERE.match(selfdir.group(2).strip()):
            names[selfdir.group(1)] = [_here_path(selfdir.group(2).strip(), here)]
            continue
        cd = re.match(r"^\s*cd\s+(.+?)\s*(?:&&|;|\|\||$)", line)
        if cd:
            target = _here_path(cd.group(1), here)
            words = [w for word in _split(target)[:1] for w in _expand(word, names)]
            target = words[0] if len(words) == 1 else "$"
            if "$" in target:
                cwd = None
            elif target.startswith(_ROOTED):
                cwd = posixpath.normpath(target[len(_ROOTED) :])
            else:
                cwd = target if target.startswith("/") else posixpath.normpath(posixpath.join(cwd or here, target))
        if "psql" not in line:
            continue
        for words, sources in _psql_calls(line):
            single = single or any(w in ("-1", "--single-transaction") for w in words)
            for word in sources:
                for value in _expand(word, names):
                    found = _resolve(tree, value, here, cwd, sql)
                    runs.extend(found)
    runs = [p for p in dict.fromkeys(runs) if p in sql]
    return [Sequence("script", path, tuple(runs), single)] if runs else []


def _here_path(word: str, here: str) -> str:
    """`$(dirname "$0")/../sql` -> `<the script's folder>/../sql` (repository-relative)."""
    found = _HERE.match(word.strip())
    if not found:
        return word
    rest = word.strip()[found.end() :].strip("'\"")
    return _ROOTED + posixpath.normpath(posixpath.join(here, rest.lstrip("/")))


def _psql_calls(line: str) -> list[tuple[list[str], list[str]]]:
    """(psql's words, the file words it reads) for each psql command of a line: `-f X`,
    `--file[=]X`, `< X`, or the files of `cat X Y |` / `cmd < X |` piped into it."""
    out: list[tuple[list[str], list[str]]] = []
    parts = re.split(r"(\|\|?|&&|;)", line)
    previous: list[str] = []
    piped = False
    for part in parts:
        if part in ("|", "||", "&&", ";"):
            piped = part == "|"
            continue
        words = _split(part.replace("<", " < "))
        if any(posixpath.basename(w) == "psql" for w in words[:3]):
            at = next(i for i, w in enumerate(words) if posixpath.basename(w) == "psql")
            args = words[at + 1 :]
            files: list[str] = []
            if piped:
                files.extend(_reads(previous))
            for i, w in enumerate(args):
                if w in ("-f", "--file") and i + 1 < len(args):
                    files.append(args[i + 1])
                elif w.startswith("--file="):
                    files.append(w[len("--file=") :])
                elif w.startswith("-f") and len(w) > 2 and not w.startswith("--"):
                    files.append(w[2:])
                elif w == "<" and i + 1 < len(args):
                    files.append(args[i + 1])
            out.append((args, files))
        previous = words
    return out


def _reads(words: list[str]) -> list[str]:
    """The files a command in front of `| psql` prints: `cat a b`, else its `< file`."""
    if words and posixpath.basename(words[0]) == "cat":
        return [w for w in words[1:] if not w.startswith("-")]
    return [words[i + 1] for i, w in enumerate(words[:-1]) if w == "<"]


def _expand(word: str, names: dict[str, list[str]]) -> list[str]:
    """A word with known variables substituted (a loop variable gives one word per value)."""
    found = _VAR.search(word)
    if not found or found.group(1) not in names:
        return [word]
    out: list[str] = []
    for value in names[found.group(1)]:
        out.extend(_expand(word[: found.start()] + value + word[found.end() :], names))
    return out


def _resolve(tree: SourceTree, word: str, here: str, cwd: str | None, sql: set[str]) -> list[str]:
    """The repository SQL files one file word names, relative to the script's `cd` folder, its
    own folder or the repository root; an absolute or variable-prefixed path by its tail."""
    if not word or word.startswith("-"):
        return []
    if word.startswith(_ROOTED):
        word, cwd, here = posixpath.normpath(word[len(_ROOTED) :]), None, ""
    if "$" in word:
        tail = _VAR.sub("", word).lstrip("/")
        found = by_suffix(tail, tuple(sql), minimum=1) if tail and "$" not in tail else None
        return [found] if found else []
    if word.startswith("/") or (cwd or "").startswith("/"):
        full = word if word.startswith("/") else posixpath.join(cwd or "", word)
        if any(c in full for c in "*?["):
            return []
        found = by_suffix(full, tuple(sql))
        return [found] if found else []
    for base in dict.fromkeys(b for b in (cwd, here, "") if b is not None):
        paths = [p for p in _glob(tree, base, word) if p in sql]
        if paths:
            return paths
    return []
