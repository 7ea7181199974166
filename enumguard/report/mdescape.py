"""Repository text in, inert GitHub Markdown out: prose, code spans, links and messages that
cannot inject Markdown, HTML, @-mentions or #-references, nor break a table row.

`Md` marks text that is already safe; the Markdown template environment escapes every other
string it prints (see markdown.py), so forgetting a filter cannot leak raw repository text.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from markupsafe import Markup

ZWJ = "\u200d"
Md = Markup  # "already Markdown-safe"; markupsafe gives us a str subclass jinja2 respects

# ASCII punctuation that starts Markdown syntax anywhere in a line (emphasis, code, links and
# images via `[`/`]`, tables, strikethrough, math); `<`, `>`, `&` become entities instead.
_PUNCT = re.compile(r"([\\`*_\[\]|~$])")
# ...and what starts a block only at the beginning of a line: headings, lists, quotes, rules.
_BLOCK_START = re.compile(r"^(\s*)([#+=-])")
_ORDERED = re.compile(r"^(\s*\d+)([.)])")
_AUTOLINK = re.compile(r"(://|www\.)", re.IGNORECASE)
_NEWLINES = re.compile(r"[\r\n\u2028\u2029\x85\x0b\x0c]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _flatten(text: str) -> str:
    return _CONTROL.sub("", _NEWLINES.sub(" ", str(text)))


def _defuse(text: str) -> str:
    # A zero-width joiner after @ and # stops mentions, team pings and issue references, and
    # inside `://` or `www.` stops bare-URL autolinks; it stays invisible to the reader.
    text = text.replace("@", "@" + ZWJ).replace("#", "#" + ZWJ)
    return _AUTOLINK.sub(lambda m: m.group(0)[:-1] + ZWJ + m.group(0)[-1], text)


def text(value: object) -> Md:
    """Plain prose: every Markdown/HTML-significant character escaped, one line."""
    s = _flatten(str(value))
    s = _PUNCT.sub(r"\\\1", s)
    s = _ORDERED.sub(r"\1\\\2", _BLOCK_START.sub(r"\1\\\2", s))
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Md(_defuse(s))


def code(value: object, table: bool = False) -> Md:
    """An inline code span that shows `value` verbatim (backticks and all).

    Backslash escapes do not work inside code spans, so the fence is one backtick longer than
    the longest run inside. In a table `|` still splits the cell unless written `\\|` (GFM
    unescapes it inside code spans there); outside tables `\\|` would show literally.
    """
    s = _flatten(str(value))
    if not s:
        return Md("*(empty)*")
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ") and s.strip()):
        s = f" {s} "
    if table:
        s = s.replace("|", "\\|")
    return Md(f"{fence}{s}{fence}")


def message(value: object, table: bool = False) -> Md:
    """A finding message: names the rules wrote in backticks become code spans, the rest prose.
    Whatever way a stray backtick in repository text splits it, every piece is escaped."""
    parts = str(value).split("`")
    if len(parts) % 2 == 0:  # unbalanced: treat the whole thing as prose
        return text(value)
    out = [code(p, table) if i % 2 else text(p) for i, p in enumerate(parts) if p or i % 2 == 0]
    return Md("".join(out))


def url_path(path: str) -> str:
    """A repo-relative path for a URL: every byte percent-encoded except `/`."""
    return quote(path, safe="/")


def link(label: object, url: str) -> Md:
    """A Markdown link with escaped text; the URL is expected to be built by url_path()."""
    safe_url = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")
    return Md(f"[{text(label)}]({safe_url})")
