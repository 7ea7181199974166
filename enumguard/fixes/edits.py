"""Findings with an edit fix in, changed Python sources out: a libcst codemod that replaces only
the token at each finding's location, after checking it still holds the text the finding
named (a name, or a string literal with that value); anything else is skipped with a notice."""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from enumguard.finding import Finding

# Rules whose edit fixes `enumguard fix` applies: a reference in Python code.
EDIT_RULES = ("unknown-member", "unknown-value", "orm-unknown-value")


@dataclass(frozen=True)
class Edit:
    """Replace the token at path:line:column (1-based) when it is the name `expected`, or a
    string literal whose value is one of `expected`."""

    path: str
    line: int
    column: int
    expected: tuple[str, ...]
    replacement: str
    rule: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass
class Outcome:
    """Per file: (old text, new text) of the files that change; one-line notices for the rest."""

    changed: dict[str, tuple[str, str]] = field(default_factory=dict)
    applied: int = 0
    skipped: list[str] = field(default_factory=list)


def edits_from(findings: Iterable[Finding]) -> list[Edit]:
    """The edit fixes of the rules that reference Python code, with the token each expects."""
    out = []
    for f in findings:
        if f.rule not in EDIT_RULES or f.fix is None or f.fix.kind != "edit" or not f.fix.replacement:
            continue
        expected = tuple(t for t in (f.member, f.value) if t is not None)
        if expected and f.path.endswith(".py"):
            out.append(Edit(f.path, f.line, f.location.column, expected, f.fix.replacement, f.rule))
    return out


def _string_value(node: cst.SimpleString) -> str | None:
    try:
        value = ast.literal_eval(node.value)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def _requote(old: cst.SimpleString, replacement: str) -> str:
    """The replacement literal in the old literal's prefix and quotes, when that spells the same
    value; otherwise the replacement as given."""
    try:
        value = ast.literal_eval(replacement)
    except (ValueError, SyntaxError):
        return replacement
    if not isinstance(value, str) or old.quote in value or "\\" in value or "\n" in value:
        return replacement
    return f"{old.prefix}{old.quote}{value}{old.quote}"


class _Replace(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, edits: dict[tuple[int, int], Edit]) -> None:
        super().__init__()
        self.edits = edits
        self.done: set[tuple[int, int]] = set()
        self.problems: list[str] = []

    def _edit(self, node: cst.CSTNode) -> tuple[tuple[int, int], Edit] | None:
        start = self.get_metadata(PositionProvider, node).start
        key = (start.line, start.column + 1)
        edit = self.edits.get(key)
        return (key, edit) if edit is not None and key not in self.done else None

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        found = self._edit(original)
        if found is None:
            return updated
        key, edit = found
        self.done.add(key)
        if original.value not in edit.expected or not edit.replacement.isidentifier():
            self.problems.append(f"{edit.where}: skipped: expected `{edit.expected[0]}`, found `{original.value}`")
            return updated
        return updated.with_changes(value=edit.replacement)

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.BaseExpression:
        found = self._edit(original)
        if found is None:
            return self._inside(original, updated)
        key, edit = found
        self.done.add(key)
        new = _requote(original, edit.replacement)
        try:
            ok = _string_value(original) in edit.expected and isinstance(cst.parse_expression(new), cst.SimpleString)
        except cst.ParserSyntaxError:
            ok = False
        if not ok:
            self.problems.append(f"{edit.where}: skipped: expected `{edit.expected[-1]}`, found {original.value}")
            return updated
        return updated.with_changes(value=new)

    def _inside(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.SimpleString:
        """A SQL literal inside a Python string (`text("... = 'Queued'")`, orm-unknown-value): the
        source at the position must be the quoted old value, in the quotes of the replacement."""
        pos = self.get_metadata(PositionProvider, original)
        value = updated.value
        for key, edit in self.edits.items():
            if key in self.done or edit.rule != "orm-unknown-value" or not pos.start.line <= key[0] <= pos.end.line:
                continue
            offset = _offset(original.value, pos.start.line, pos.start.column, key)
            q = edit.replacement[:1]
            if offset is None or q not in ("'", '"') or not edit.replacement.endswith(q):
                continue
            old = next((f"{q}{e}{q}" for e in edit.expected if value[offset:].startswith(f"{q}{e}{q}")), None)
            if old is None:
                continue
            self.done.add(key)
            value = value[:offset] + edit.replacement + value[offset + len(old) :]
        return updated.with_changes(value=value) if value != updated.value else updated


def _offset(source: str, line: int, column: int, key: tuple[int, int]) -> int | None:
    """Index into a string token's source of a 1-based (line, column) inside it; None outside
    the quotes (the token's own start is handled as a whole-literal edit)."""
    lines = source.split("\n")
    row = key[0] - line
    if row >= len(lines):
        return None
    base = sum(len(x) + 1 for x in lines[:row])
    col = key[1] - 1 - (column if row == 0 else 0)
    if not 0 < col < len(lines[row]) or base + col >= len(source) - 1:
        return None
    return base + col


def apply_to_text(path: str, text: str, edits: list[Edit]) -> tuple[str, int, list[str]]:
    """(new text, edits applied, notices) for one file's source."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        return text, 0, [f"{path}:{exc.raw_line}: skipped: the file does not parse ({exc.message})"]
    by_position = {(e.line, e.column): e for e in edits}
    transformer = _Replace(by_position)
    new = MetadataWrapper(module, unsafe_skip_copy=True).visit(transformer)
    notices = list(transformer.problems)
    for key, edit in sorted(by_position.items()):
        if key not in transformer.done:
            notices.append(f"{edit.where}: skipped: no name or string literal starts there any more")
    return new.code, len(transformer.done) - len(transformer.problems), notices


def apply(root: Path, edits: list[Edit]) -> Outcome:
    """Compute every file's new text; nothing is written here."""
    out = Outcome()
    by_file: dict[str, list[Edit]] = {}
    for e in edits:
        by_file.setdefault(e.path, []).append(e)
    top = root.resolve()
    for path, file_edits in sorted(by_file.items()):
        target = (root / path).resolve()
        if not target.is_relative_to(top):  # a symlink out of the repository: never written
            out.skipped.append(f"{path}: skipped: it resolves outside {root}")
            continue
        try:
            raw = target.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            out.skipped.append(f"{path}: skipped: cannot read it ({getattr(exc, 'strerror', None) or exc})")
            continue
        new, applied, notices = apply_to_text(path, text, file_edits)
        out.skipped += notices
        out.applied += applied
        if new != text:
            out.changed[path] = (text, new)
    return out


def unified(path: str, old: str, new: str) -> str:
    return "".join(
        difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}")
    )


def write(root: Path, outcome: Outcome) -> None:
    for path, (_, new) in outcome.changed.items():
        # newline="" keeps the file's own line endings (libcst round-trips them)
        with open(root / path, "w", encoding="utf-8", newline="") as fh:
            fh.write(new)
