"""SQL text in, statements out: one pass of sqlglot's PostgreSQL tokenizer, split on semicolons,
with helpers that read PostgreSQL names and string literals from tokens."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from sqlglot.dialects.postgres import Postgres
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

_DIALECT = Postgres()
STRINGS = frozenset({TokenType.STRING, TokenType.BYTE_STRING, TokenType.NATIONAL_STRING})
# Tokens that can never be (part of) a name.
NOT_NAMES = frozenset(
    {
        TokenType.SEMICOLON,
        TokenType.COMMA,
        TokenType.DOT,
        TokenType.L_PAREN,
        TokenType.R_PAREN,
        TokenType.DCOLON,
        TokenType.HEREDOC_STRING,
        TokenType.NUMBER,
        TokenType.EQ,
        TokenType.L_BRACKET,
        TokenType.R_BRACKET,
    }
    | STRINGS
)


class Lines:
    """Offsets in a text -> 1-based (line, column); `base_line`/`base_col` shift SQL embedded in
    a Python string to where it sits in the file."""

    def __init__(self, text: str, base_line: int = 1, base_col: int = 1) -> None:
        self.starts = [0]
        at = text.find("\n")
        while at >= 0:
            self.starts.append(at + 1)
            at = text.find("\n", at + 1)
        self.base_line = base_line
        self.base_col = base_col

    def at(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        column = offset - self.starts[index] + 1
        if index == 0:
            column += self.base_col - 1
        return self.base_line + index, column


@dataclass(frozen=True)
class Statement:
    """The tokens of one statement (without the semicolon). Token offsets are relative to `sql`,
    which starts at `offset` in the text the Lines index covers."""

    tokens: tuple[Token, ...]
    sql: str
    offset: int = 0

    def start(self, token: Token | None = None) -> int:
        return self.offset + (token or self.tokens[0]).start


def tokenize(sql: str) -> tuple[list[Token], TokenError | None, int]:
    """All tokens, or those before a tokenizer error plus the error and its offset."""
    try:
        return list(_DIALECT.tokenize(sql)), None, 0
    except TokenError as exc:
        return [], exc, _error_offset(exc)


_OPENERS = re.compile(r"--[^\n]*|/\*|\$([A-Za-z_][A-Za-z_0-9]*)?\$|[eE]'|'|\"")


def unterminated(sql: str) -> tuple[int, str] | None:
    """(offset, what) of a comment, string or dollar quote still open at the end of `sql`, found
    in one pass (PostgreSQL nests /* */ comments)."""
    i = 0
    while True:
        m = _OPENERS.search(sql, i)
        if m is None:
            return None
        start, opener = m.start(), m.group()
        if opener.startswith("--"):
            i = m.end()
            continue
        if opener == "/*":
            depth, j = 1, m.end()
            while depth:
                nxt = re.compile(r"/\*|\*/").search(sql, j)
                if nxt is None:
                    return start, "`/*` comment"
                depth += 1 if nxt.group() == "/*" else -1
                j = nxt.end()
            i = j
        elif opener.startswith("$"):
            end = sql.find(opener, m.end())
            if end < 0:
                return start, f"`{opener}` dollar quote"
            i = end + len(opener)
        else:
            quote, escapes = opener[-1], opener[0] in "eE"
            pattern = (
                r"(?:\\.|[^\\'])*'" if escapes else (r"(?:[^']|'')*'(?!')" if quote == "'" else r'(?:[^"]|"")*"(?!")')
            )
            close = re.compile(pattern, re.DOTALL).match(sql, m.end())
            if close is None:
                return start, "string" if quote == "'" else "quoted identifier"
            i = close.end()


def _error_offset(exc: TokenError) -> int:
    start = getattr(exc, "start", None)
    return start if isinstance(start, int) else 0


def split(tokens: list[Token], sql: str, offset: int = 0) -> list[Statement]:
    """Statements separated by semicolon tokens (semicolons inside strings and dollar quotes are
    already part of their string token)."""
    out: list[Statement] = []
    current: list[Token] = []
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if current:
                out.append(Statement(tuple(current), sql, offset))
            current = []
        else:
            current.append(token)
    if current:
        out.append(Statement(tuple(current), sql, offset))
    return out


def fold(token: Token) -> str:
    """An identifier as PostgreSQL stores it: quoted keeps case, unquoted folds ASCII to lower."""
    if token.token_type == TokenType.IDENTIFIER:
        return token.text
    return fold_text(token.text)


def fold_text(text: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def word(token: Token | None) -> str:
    """The upper-case keyword a token spells ('' for strings and quoted identifiers)."""
    if token is None or token.token_type in STRINGS or token.token_type == TokenType.IDENTIFIER:
        return ""
    return token.text.upper()


def read_name(tokens: tuple[Token, ...] | list[Token], i: int, default: str = "public") -> tuple[str | None, int]:
    """A possibly schema-qualified name starting at tokens[i] -> (qualified name, next index).
    An unqualified name gets `default`: `public`, or `?a|b` after `SET search_path TO a, b`
    (resolved during replay, as PostgreSQL resolves it then)."""
    parts: list[str] = []
    while i < len(tokens) and tokens[i].token_type not in NOT_NAMES:
        parts.append(fold(tokens[i]))
        i += 1
        if i < len(tokens) and tokens[i].token_type == TokenType.DOT:
            i += 1
            continue
        break
    if not parts or len(parts) > 3:
        return None, i
    if len(parts) == 3:  # database.schema.name
        parts = parts[1:]
    return (f"{parts[0]}.{parts[1]}" if len(parts) == 2 else f"{default}.{parts[0]}"), i


def string_value(token: Token) -> str | None:
    """The value of a string literal token. sqlglot's tokenizer already decodes E'..' escapes
    (`E'a\\nb'` arrives as a, newline, b) and doubled quotes."""
    if token.token_type in (
        TokenType.STRING,
        TokenType.NATIONAL_STRING,
        TokenType.HEREDOC_STRING,
        TokenType.BYTE_STRING,
    ):
        return token.text
    return None


def heredoc_body(token: Token, sql: str) -> tuple[str, int]:
    """A dollar-quoted string token -> (its body, the body's offset in `sql`)."""
    span = token.end - token.start + 1
    delimiter = max(0, (span - len(token.text)) // 2)
    start = token.start + delimiter
    return sql[start : start + len(token.text)], start
