"""One SQL file psql runs, in, its events out: the file read as one psql session, every `\\i` /
`\\ir` / `\\include` read in place (search_path carries over), each statement reported at the
file and line it is written on. What psql would run but enumguard cannot see (a missing include,
a path from a variable, `\\gexec`, DDL inside `\\if`) becomes an Unread event."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from enumguard.collect import SourceTree
from enumguard.finding import Finding, Location, Severity
from enumguard.migrations.events import Event, Unread
from enumguard.migrations.sql import psql
from enumguard.migrations.sql.reader import Reader
from enumguard.migrations.sql.statements import Lines
from enumguard.model import EnumOp

MAX_DEPTH = 16  # psql itself stops at its stack limit; an include nested deeper is a loop


@dataclass
class Session:
    """The facts of one applied file and everything it includes."""

    events: list[Event] = field(default_factory=list)
    statements: int = 0
    file_transaction: bool | None = None
    included: list[str] = field(default_factory=list)  # in the order psql reads them
    notes: list[str] = field(default_factory=list)  # one line per include that was not followed

    @property
    def adds_value(self) -> bool:
        return any(isinstance(e, EnumOp) and e.kind == "add_value" for e in self.events)


@lru_cache(maxsize=512)
def scanned(text: str) -> psql.Script:
    return psql.scan(text)


def closure(tree: SourceTree, entry: str, skip: frozenset[str] = frozenset()) -> list[str]:
    """The files psql reads when it runs `entry` (the entry first), without reading SQL."""
    seen = [entry]
    todo = [entry]
    while todo:
        path = todo.pop()
        source = tree.get(path)
        if source is None:
            continue
        for include in scanned(source.text).includes:
            target = psql.resolve(include, path, entry, _exists(tree), tree.paths)
            if target is not None and target not in seen and target not in skip:
                seen.append(target)
                todo.append(target)
    return seen


def read(tree: SourceTree, entry: str, skip: frozenset[str] = frozenset()) -> Session:
    """Read `entry` as psql runs it. Files in `skip` are applied elsewhere (the configured
    order names them): an include of one is passed over, as the file is applied once."""
    session = Session()
    _Run(tree, entry, skip, session).file(entry, (entry,), "public")
    return session


def _exists(tree: SourceTree):
    return lambda path: tree.get(path) is not None or path in tree.paths


class _Run:
    def __init__(self, tree: SourceTree, entry: str, skip: frozenset[str], session: Session) -> None:
        self.tree = tree
        self.entry = entry
        self.skip = skip
        self.out = session

    def file(self, path: str, chain: tuple[str, ...], schema: str) -> str:
        """Read one file (recursing into its includes); returns the search_path it leaves."""
        source = self.tree.get(path)
        assert source is not None
        script = scanned(source.text)
        lines = Lines(script.sql)
        reader = Reader(path, path, lines)
        reader.schema = schema
        cuts = sorted([(i.start, i.end, i) for i in script.includes] + [(at, at, q) for at, q in script.generated])
        at = 0
        for start, end, what in cuts:
            self.segment(reader, script, script.sql[at:start], at)
            at = end
            where = Location(path, *lines.at(start))
            if isinstance(what, str):
                self.out.events.append(
                    Unread("runs SQL that a query generates (`\\gexec`)", where, "any", psql.names_in(what))
                )
                continue
            reader.schema = self.include(what, path, chain, where, reader.schema)
        self.segment(reader, script, script.sql[at:], at)
        if path == self.entry:
            self.out.file_transaction = reader.file_transaction
        return reader.schema

    def segment(self, reader: Reader, script: psql.Script, sql: str, offset: int) -> None:
        if not sql.strip():
            return
        before, count = len(reader.events), reader.statements
        reader.read(sql, offset)
        self.out.statements += reader.statements - count
        for event in reader.events[before:]:
            self.out.events.append(event)
            if isinstance(event, EnumOp) and _in_branch(script, reader.lines, event.location):
                name = event.type_name.rpartition(".")[2]
                self.out.events.append(
                    Unread(
                        "changed inside a psql `\\if` block that runs or not at run time",
                        event.location,
                        "types",
                        frozenset({name.lower()}),
                    )
                )

    def include(self, include: psql.Include, path: str, chain: tuple[str, ...], where: Location, schema: str) -> str:
        written = include.written or "?"
        if include.target is None:
            return self._unread(
                f"included file `{written}` is named by a psql variable enumguard does not know", where, schema
            )
        target = psql.resolve(include, path, self.entry, _exists(self.tree), self.tree.paths)
        if target is None:
            return self._unread(f"included file `{include.target}` is not in the repository", where, schema)
        if target in self.skip:
            return schema
        if self.tree.get(target) is None:
            return self._unread(f"included file `{include.target}` could not be read", where, schema)
        if target in chain or len(chain) >= MAX_DEPTH:
            self.out.events.append(
                Finding(where, "unsupported-sql", f"`{target}` includes itself; psql would loop", Severity.INFO)
            )
            return schema
        if target not in self.out.included:
            self.out.included.append(target)
        return self.file(target, chain + (target,), schema)

    def _unread(self, reason: str, where: Location, schema: str) -> str:
        self.out.events.append(Unread(reason, where, "any", frozenset()))
        self.out.notes.append(f"{where.path}:{where.line}: {reason}; the enum types it may change are not checked")
        return schema


def _in_branch(script: psql.Script, lines: Lines, location: Location) -> bool:
    if not script.branches:
        return False
    for start, end in script.branches:
        first, last = lines.at(start)[0], lines.at(max(start, end - 1))[0]
        if first <= location.line <= last:
            return True
    return False
