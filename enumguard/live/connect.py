"""A database URL in, a bounded read-only session out; errors become one-line notices with the
password masked (psycopg's messages may echo the conninfo)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

CONNECT_TIMEOUT_SECONDS = 10
STATEMENT_TIMEOUT_MS = 10_000
LOCK_TIMEOUT_MS = 2_000
APPLICATION_NAME = "enumguard"
MASK = "***"

_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
_URL_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*):([^@\s]*)@", re.IGNORECASE)


class LiveError(Exception):
    """A failure to read the live database, already phrased as one line without secrets."""


def normalize(url: str) -> str:
    """Accept SQLAlchemy spellings: `postgresql+psycopg://` -> `postgresql://`."""
    return re.sub(r"\A(postgres(?:ql)?)\+[a-z0-9_]+://", r"\1://", url.strip(), flags=re.IGNORECASE)


def password_of(url: str) -> str | None:
    """The password a URL or key=value conninfo carries, if any."""
    url = normalize(url)
    if "://" in url:
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. an unclosed `[` of an IPv6 host: read the userinfo by hand
            found = _URL_USERINFO.search(url)
            return unquote(found.group(2)) if found and found.group(2) else None
        if parts.password:
            return unquote(parts.password)
        for key, value in parse_qsl(parts.query):
            if key == "password":
                return value
        return None
    found = _KEYWORD_PASSWORD.search(url)
    return found.group(2).strip("'") if found else None


def mask_url(url: str) -> str:
    """The URL for display: `postgresql://user:***@host:5432/db`; conninfo `password=***`."""
    url = normalize(url)
    if "://" not in url:
        return _KEYWORD_PASSWORD.sub(lambda m: m.group(1) + MASK, url)
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            if ":" in userinfo:
                userinfo = userinfo.split(":", 1)[0] + ":" + MASK
            netloc = f"{userinfo}@{hostport}"
        query = urlencode(
            [(k, MASK if k == "password" else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)],
            safe="*",
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:
        return _URL_USERINFO.sub(lambda m: f"{m.group(1)}:{MASK}@", url)


def scrub(text: str, url: str) -> str:
    """Remove every trace of the password from a message (URL forms, key=value, the raw text)."""
    text = _URL_USERINFO.sub(lambda m: f"{m.group(1)}:{MASK}@", text)
    text = _KEYWORD_PASSWORD.sub(lambda m: m.group(1) + MASK, text)
    secret = password_of(url)
    if secret:
        for form in {secret, quote(secret, safe=""), unquote(secret)}:
            if len(form) >= 3:
                text = text.replace(form, MASK)
    return text


def describe(exc: BaseException, url: str, connect_timeout: int = CONNECT_TIMEOUT_SECONDS) -> str:
    """One line for a psycopg error: the server's own words without `connection failed:` noise."""
    sqlstate = getattr(exc, "sqlstate", None)
    text = str(exc).strip()
    if sqlstate == "57014" or "statement timeout" in text:
        return "query cancelled by the statement timeout"
    if sqlstate == "42501" or "permission denied" in text:
        first = text.splitlines()[0] if text else "permission denied"
        return scrub(f"missing permission: {first}", url)
    lowered = text.lower()
    if "connection refused" in lowered:
        return "connection refused"
    if "timeout expired" in lowered or "timed out" in lowered:
        return f"connection timed out after {connect_timeout} s"
    fatal = re.search(r"FATAL:\s*(.+)", text)
    if fatal:
        text = fatal.group(1)
    else:
        text = re.sub(r"\Aconnection failed:\s*", "", text)
        text = re.sub(r'\Aconnection to server at "[^"]*"(?:\s*\([^)]*\))?, port \d+ failed:\s*', "", text)
    line = " ".join(text.split()) or type(exc).__name__
    return scrub(line, url)


@contextmanager
def read_only_session(url: str, connect_timeout: int = CONNECT_TIMEOUT_SECONDS) -> Iterator[object]:
    """A psycopg cursor inside one READ ONLY transaction with statement and lock timeouts; the
    transaction is rolled back at the end. Raises LiveError with a scrubbed one-line message."""
    try:
        import psycopg
    except ImportError:
        raise LiveError("psycopg is not installed: pip install 'enumguard[db]'") from None
    try:
        conn = psycopg.connect(
            normalize(url), connect_timeout=connect_timeout, application_name=APPLICATION_NAME, autocommit=False
        )
    except psycopg.Error as exc:
        raise LiveError(describe(exc, url, connect_timeout)) from None
    except Exception as exc:  # invalid URL syntax and the like: psycopg raises ProgrammingError or ValueError
        raise LiveError(scrub(" ".join(str(exc).split()) or type(exc).__name__, url)) from None
    try:
        with conn.cursor() as cur:
            try:
                # SET LOCAL keeps the settings inside this transaction: safe behind transaction poolers.
                cur.execute("SET TRANSACTION READ ONLY")
                cur.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
                cur.execute(f"SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}")
                yield cur
            except psycopg.Error as exc:
                raise LiveError(describe(exc, url)) from None
    finally:
        try:
            conn.rollback()
        except Exception:  # a broken connection: nothing left to roll back
            pass
        conn.close()
