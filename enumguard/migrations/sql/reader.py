"""SQL text in, events out: enum DDL read from tokens, tables/columns/literals from sqlglot trees
(parsed statement by statement), DDL inside DO blocks from the tokens of the dollar-quoted body."""

from __future__ import annotations

import logging
import re
from typing import Any, cast

from sqlglot.errors import ErrorLevel, ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from enumguard.finding import Finding, Location, Severity
from enumguard.migrations import unread
from enumguard.migrations.events import ColumnEvent, Event, TxEvent, Unread
from enumguard.migrations.sql import statements as sql_statements
from enumguard.migrations.sql.statements import Lines, Statement, read_name, string_value, word
from enumguard.migrations.sql.tree_events import TreeReader
from enumguard.migrations.unread import unread_sql
from enumguard.model import EnumOp

# sqlglot logs a warning for every statement it keeps as a Command; those are expected here.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

_TX_START = {"BEGIN", "START"}
_TX_END = {"COMMIT", "END", "ROLLBACK", "ABORT"}
# Statements whose trees can hold columns or literals of enum types.
_PARSED_FIRST = {"CREATE", "ALTER", "INSERT", "UPDATE", "WITH", "SELECT"}


class Reader:
    """Reads one SQL text (a file, or the SQL of one Alembic op.execute)."""

    def __init__(self, path: str, migration: str, lines: Lines, in_body: bool = False) -> None:
        self.path = path
        self.migration = migration
        self.lines = lines
        self.in_body = in_body  # inside a DO block: DDL is conditional, literals are not tracked
        self.events: list[Event] = []
        self.statements = 0
        # Set by a runner's directive comments: dbmate (`-- migrate:up [transaction:false]`) and
        # goose (`-- +goose Up`, `-- +goose NO TRANSACTION`) run a file in one transaction unless told not to.
        self.file_transaction: bool | None = None
        self.templated = False  # a `{{ ... }}` placeholder was reported once
        # The schema unqualified names get: `public`, or `?a|b` after `SET search_path TO a, b`
        # (replay resolves it as PostgreSQL would: create in a, look up in a then b).
        self.schema = "public"

    # ------------------------------------------------------------------ helpers
    def loc(self, offset: int) -> Location:
        line, column = self.lines.at(offset)
        return Location(self.path, line, column)

    def problem(self, offset: int, message: str) -> None:
        self.events.append(
            Finding(
                location=self.loc(offset),
                rule="unsupported-sql",
                message=message,
                severity=Severity.INFO,
                help="enumguard reads the rest of the file; an enum change in this statement is not replayed",
            )
        )

    def unread(self, offset: int, reason: str, text: str | None, names: frozenset[str] = frozenset()) -> None:
        """A statement not read: the types/tables it may touch are uncertain from here on."""
        self.events.append(unread_sql(text, reason, self.loc(offset), names))

    def op(self, kind: str, type_name: str, offset: int, **kw: Any) -> None:
        if self.in_body:
            if kind in ("create", "add_value"):
                kw["if_not_exists"] = True
            else:
                kw["if_exists"] = True
        self.events.append(
            EnumOp(kind=kind, type_name=type_name, location=self.loc(offset), migration=self.migration, **kw)
        )

    # ------------------------------------------------------------------ entry
    def read(self, sql: str, offset: int = 0) -> list[Event]:
        tokens, error, error_at = sql_statements.tokenize(sql)
        if error is not None:
            opened = sql_statements.unterminated(sql)
            if opened is None:
                self.problem(offset + error_at, f"SQL could not be tokenized: {_first_line(str(error))}")
                self.unread(offset + error_at, "in SQL enumguard could not tokenize", None)
                return self.events
            # What precedes the open quote or comment runs; the rest never does.
            at, what = opened
            self.read(sql[:at], offset)
            self.problem(offset + at, f"unterminated {what}: the rest of the file is not read")
            return self.events
        skip_rest = False
        for stmt in sql_statements.split(tokens, sql, offset):
            for comment in stmt.tokens[0].comments or ():
                directive = comment.replace(" ", "").lower()
                if "migrate:up" in directive or "+gooseup" in directive:
                    if self.file_transaction is None:
                        self.file_transaction = True
                    if "transaction:false" in directive:
                        self.file_transaction = False
                if "+goosenotransaction" in directive:
                    self.file_transaction = False
                if "migrate:down" in directive or "+goosedown" in directive:
                    skip_rest = True  # everything after the down marker is the rollback
            if skip_rest:
                continue
            self.statements += 1
            self.statement(stmt)
        return self.events

    @property
    def adds_value(self) -> bool:
        return any(isinstance(e, EnumOp) and e.kind == "add_value" for e in self.events)

    def statement(self, stmt: Statement) -> None:
        toks = stmt.tokens
        first, second = word(toks[0]), word(toks[1]) if len(toks) > 1 else ""
        if first in _TX_START and (len(toks) == 1 or second in ("TRANSACTION", "WORK", "ISOLATION", "READ")):
            if not self.in_body:
                self.events.append(TxEvent("begin", self.loc(stmt.start())))
            return
        if first in _TX_END and (len(toks) == 1 or second in ("TRANSACTION", "WORK", "AND")):
            if not self.in_body:
                self.events.append(TxEvent("commit", self.loc(stmt.start())))
            return
        if first in ("SET", "RESET") or (first == "SELECT" and any(word(t) == "SET_CONFIG" for t in toks)):
            self.search_path(toks, first)
            return
        if second == "TYPE" and first in ("CREATE", "ALTER", "DROP"):
            getattr(self, f"{first.lower()}_type")(stmt)
            return
        if first == "DO" or (toks[0].token_type == TokenType.COMMAND and first == "DO"):
            self.do_block(stmt)
            return
        if self.in_body:
            return
        if first == "DROP" and second == "TABLE":
            self.drop_table(stmt)
            return
        if first in _PARSED_FIRST and (first != "SELECT" or _has_cast(toks)):
            if first == "CREATE" and second not in ("TABLE", "TEMP", "TEMPORARY", "UNLOGGED", "VIEW", "MATERIALIZED"):
                return
            self.parsed(stmt, first)

    def search_path(self, toks, first: str) -> None:
        """`SET [SESSION|LOCAL] search_path TO|= a, b`, `RESET search_path`, and pg_dump's
        `SELECT pg_catalog.set_config('search_path', 'a, b', false)`."""
        words = [word(t) for t in toks]
        if "SEARCH_PATH" not in words and not any(string_value(t) == "search_path" for t in toks):
            return
        schemas: list[str] = []
        if first == "SET":
            at = words.index("SEARCH_PATH") + 1 if "SEARCH_PATH" in words else len(toks)
            for token in toks[at:]:
                if token.token_type in (TokenType.COMMA, TokenType.EQ) or word(token) in ("TO", "DEFAULT"):
                    continue
                value = string_value(token)
                schemas.append(value if value is not None else sql_statements.fold(token))
        elif first == "SELECT":
            values = [string_value(t) for t in toks if string_value(t) is not None]
            if len(values) >= 2:
                schemas = [part.strip() for part in cast(str, values[1]).split(",")]  # not None, as tested
        kept = [s.strip('"') for s in schemas if s and s.strip('"') not in ("$user", "pg_catalog", "pg_temp")]
        kept = [s for s in kept if "." not in s and "|" not in s]
        self.schema = "public" if not kept or kept == ["public"] else "?" + "|".join(kept)

    # ------------------------------------------------------------------ enum DDL from tokens
    def create_type(self, stmt: Statement) -> None:
        toks = stmt.tokens
        name, i = read_name(toks, 2, self.schema)
        if name is None:
            if _templated(toks):
                if not self.templated:
                    self.templated = True
                    self.problem(
                        stmt.start(),
                        "the file uses template placeholders (`{{ ... }}`); statements that contain them are not read",
                    )
                return self.unread(stmt.start(), "created by a templated statement", _text(stmt))
            self.unread(stmt.start(), "changed by a CREATE TYPE enumguard could not read", _text(stmt))
            return self.problem(stmt.start(), "CREATE TYPE without a readable name")
        if not (word(_at(toks, i)) == "AS" and word(_at(toks, i + 1)) == "ENUM"):
            return  # composite, range, base or shell type: not an enum
        labels, ok = _string_list(toks, i + 2)
        if not ok:
            self.op("create", name, stmt.start(), labels_known=False)
            return self.problem(stmt.start(), f"labels of enum type `{name}` could not be read")
        self.op(
            "create",
            name,
            stmt.start(),
            labels=tuple(value for value, _ in labels),
            label_locations=tuple(self.loc(stmt.start(token)) for _, token in labels),
        )

    def alter_type(self, stmt: Statement) -> None:
        toks = stmt.tokens
        name, i = read_name(toks, 2, self.schema)
        if name is None:
            return
        verb, nxt = word(_at(toks, i)), word(_at(toks, i + 1))
        if verb == "ADD" and nxt == "VALUE":
            i += 2
            if_not_exists = word(_at(toks, i)) == "IF" and word(_at(toks, i + 1)) == "NOT"
            if if_not_exists:
                i += 3
            label = _string(toks, i)
            if label is None:
                self.unread(stmt.start(), "changed by an ADD VALUE enumguard could not read", None, _named(name))
                return self.problem(stmt.start(), f"ALTER TYPE `{name}` ADD VALUE without a literal label")
            where, anchor = word(_at(toks, i + 1)), _string(toks, i + 2)
            self.op(
                "add_value",
                name,
                stmt.start(),
                label=label,
                before=anchor if where == "BEFORE" else None,
                after=anchor if where == "AFTER" else None,
                if_not_exists=if_not_exists,
            )
        elif verb == "RENAME" and nxt == "VALUE":
            old, new = _string(toks, i + 2), _string(toks, i + 4)
            if old is None or new is None or word(_at(toks, i + 3)) != "TO":
                self.unread(stmt.start(), "changed by a RENAME VALUE enumguard could not read", None, _named(name))
                return self.problem(stmt.start(), f"ALTER TYPE `{name}` RENAME VALUE could not be read")
            self.op("rename_value", name, stmt.start(), label=old, new_label=new)
        elif verb == "RENAME" and nxt == "TO":
            new_name, _ = read_name(toks, i + 2, self.schema)
            if new_name is not None:
                schema = name.rpartition(".")[0]
                self.op("rename_type", name, stmt.start(), new_name=f"{schema}.{new_name.rpartition('.')[2]}")
        elif verb == "SET" and nxt == "SCHEMA" and i + 2 < len(toks):
            schema = sql_statements.fold(toks[i + 2])
            self.op("set_schema", name, stmt.start(), new_name=f"{schema}.{name.rpartition('.')[2]}")

    def drop_type(self, stmt: Statement) -> None:
        toks = stmt.tokens
        i = 2
        if_exists = word(_at(toks, i)) == "IF" and word(_at(toks, i + 1)) == "EXISTS"
        if if_exists:
            i += 2
        names: list[str] = []
        while i < len(toks):
            name, i = read_name(toks, i, self.schema)
            if name is None:
                break
            names.append(name)
            if _at(toks, i) is not None and toks[i].token_type == TokenType.COMMA:
                i += 1
                continue
            break
        cascade = word(_at(toks, i)) == "CASCADE"
        for name in names:
            self.op("drop", name, stmt.start(), if_exists=if_exists, cascade=cascade)

    def drop_table(self, stmt: Statement) -> None:
        """`DROP TABLE [IF EXISTS] a, b [CASCADE]`: read from tokens like DROP TYPE."""
        toks = stmt.tokens
        i = 2
        if word(_at(toks, i)) == "IF" and word(_at(toks, i + 1)) == "EXISTS":
            i += 2
        while i < len(toks):
            name, i = read_name(toks, i, self.schema)
            if name is None:
                break
            self.events.append(ColumnEvent("drop_table", name, self.loc(stmt.start())))
            if _at(toks, i) is not None and toks[i].token_type == TokenType.COMMA:
                i += 1
                continue
            break

    # ------------------------------------------------------------------ DO blocks
    def do_block(self, stmt: Statement) -> None:
        """`DO [LANGUAGE x] $$ body $$`: the tokenizer hands the rest of a DO command over as one
        string token; tokenize it, take the dollar-quoted body, and find the DDL in its tokens."""
        for token in stmt.tokens[1:]:
            if token.token_type == TokenType.HEREDOC_STRING:
                body, at = sql_statements.heredoc_body(token, stmt.sql)
                return self.body(body, stmt.offset + at)
            if token.token_type in sql_statements.STRINGS:
                raw_start = token.start
                raw = stmt.sql[raw_start : token.end + 1]
                inner, error, _ = sql_statements.tokenize(raw)
                if error is None:
                    for sub in inner:
                        if sub.token_type == TokenType.HEREDOC_STRING:
                            body, at = sql_statements.heredoc_body(sub, raw)
                            return self.body(body, stmt.offset + raw_start + at)
        # A DO block with a single-quoted body is rare; its DDL is not replayed.
        if _TYPE_WORDS.search(_text(stmt)):
            self.unread(stmt.start(), "changed by a DO block enumguard could not read", _text(stmt))

    def body(self, body: str, offset: int) -> None:
        tokens, error, error_at = sql_statements.tokenize(body)
        if error is not None:
            self.unread(offset + error_at, "changed by a DO block enumguard could not read", body)
            return self.problem(offset + error_at, "the body of a DO block could not be tokenized")
        inner = Reader(self.path, self.migration, self.lines, in_body=True)
        inner.schema = self.schema
        for i, token in enumerate(tokens):
            w, nxt = word(token), word(_at(tokens, i + 1))
            if w in ("CREATE", "ALTER", "DROP") and nxt == "TYPE":
                end = i
                while end < len(tokens) and tokens[end].token_type != TokenType.SEMICOLON:
                    end += 1
                inner.statement(Statement(tuple(tokens[i:end]), body, offset))
            elif w == "EXECUTE" and _at(tokens, i + 1) is not None:
                self.execute_string(tokens[i + 1], body, offset, inner)
        self.events.extend(inner.events)

    def execute_string(self, token: Token, body: str, offset: int, inner: Reader) -> None:
        """`EXECUTE 'ALTER TYPE ...'` with one constant string: the tokenizer hands the rest of
        the EXECUTE over raw; tokenize it, and read the DDL in the string's value."""
        raw_start = token.start
        raw = body[raw_start : token.end + 1]
        parts, error, _ = sql_statements.tokenize(raw)
        if error is not None or len(parts) != 1 or string_value(parts[0]) is None:
            # EXECUTE format(...) or concatenation: built at run time
            # (the tokenizer's offsets of such a raw token are not its start: name its line by its text)
            at = body.find(token.text)
            # the statement is the text of the strings `format()` or `||` put together
            pieces, _, _ = sql_statements.tokenize(token.text)
            text = " ".join(v for p in pieces if (v := string_value(p)) is not None)
            if _TYPE_WORDS.search(text):
                where = self.loc(offset + (at if at >= 0 else raw_start))
                reason = "changed by EXECUTE of SQL built at run time"
                inner.events.append(Unread(reason, where, unread.touches(text), unread.names(text)))
            return
        sub = Reader(self.path, self.migration, self.lines, in_body=True)
        sub.schema = self.schema
        # offsets inside the value are approximate when it contains doubled quotes
        sub.read(string_value(parts[0]) or "", offset + raw_start + parts[0].start + 1)
        inner.events.extend(e for e in sub.events if isinstance(e, EnumOp))

    # ------------------------------------------------------------------ parsed statements
    def parsed(self, stmt: Statement, first: str) -> None:
        try:
            trees = sql_statements._DIALECT.parser(error_level=ErrorLevel.IMMEDIATE).parse(list(stmt.tokens), stmt.sql)
        except RecursionError:  # sqlglot recurses per nesting level
            self.problem(stmt.start(), f"{first} statement is nested too deeply to parse")
            if first in ("CREATE", "ALTER"):
                self.unread(stmt.start(), f"changed by a {first} statement enumguard could not parse", _text(stmt))
            return
        except (ParseError, TokenError) as exc:
            if _templated(stmt.tokens):
                if not self.templated:
                    self.templated = True
                    self.problem(
                        stmt.start(),
                        "the file uses template placeholders (`{{ ... }}`); statements that contain them are not read",
                    )
                if first in ("CREATE", "ALTER"):
                    self.unread(stmt.start(), "changed by a templated statement", _text(stmt))
                return
            if first in ("CREATE", "ALTER", "INSERT", "UPDATE"):
                self.problem(stmt.start(), f"{first} statement could not be parsed: {_first_line(str(exc))}")
            if first in ("CREATE", "ALTER"):
                self.unread(stmt.start(), f"changed by a {first} statement enumguard could not parse", _text(stmt))
            return
        for tree in trees:
            if tree is not None:
                try:
                    TreeReader(self, stmt).visit(tree)
                except RecursionError:
                    self.problem(stmt.start(), f"{first} statement is nested too deeply to read")


# ---------------------------------------------------------------------- token helpers


def _at(tokens, i: int) -> Token | None:
    return tokens[i] if 0 <= i < len(tokens) else None


def _string(tokens, i: int) -> str | None:
    token = _at(tokens, i)
    return string_value(token) if token is not None else None


def _string_list(tokens, i: int) -> tuple[list[tuple[str, Token]], bool]:
    """`( 'a', 'b' )` starting at tokens[i] -> [(value, token)], complete?"""
    if _at(tokens, i) is None or tokens[i].token_type != TokenType.L_PAREN:
        return [], False
    labels: list[tuple[str, Token]] = []
    i += 1
    while i < len(tokens):
        token = tokens[i]
        if token.token_type == TokenType.R_PAREN:
            return labels, True
        value = string_value(token)
        if value is None:
            return labels, False
        labels.append((value, token))
        i += 1
        if _at(tokens, i) is not None and tokens[i].token_type == TokenType.COMMA:
            i += 1
    return labels, False


def _has_cast(tokens) -> bool:
    return any(t.token_type == TokenType.DCOLON or word(t) == "CAST" for t in tokens)


def _templated(tokens) -> bool:
    """Go/Jinja-style `{{ ... }}` placeholders, filled in by the runner before PostgreSQL sees them."""
    return any(
        a.token_type == TokenType.L_BRACE and b.token_type == TokenType.L_BRACE for a, b in zip(tokens, tokens[1:])
    )


def _text(stmt: Statement) -> str:
    return stmt.sql[stmt.tokens[0].start : stmt.tokens[-1].end + 1]


def _named(qualified: str) -> frozenset[str]:
    return frozenset({qualified.rpartition(".")[2]})


# SQL that may change an enum type or a column's type, by its words
_TYPE_WORDS = re.compile(r"\b(TYPE|ENUM|TABLE)\b", re.I)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
