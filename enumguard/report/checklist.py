"""Report in, the reviewer's checklist out: four fixed items plus one per kind of enum DDL the
change makes. An item is ticked only when a rule that ran verified it and found nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from enumguard.finding import Finding
from enumguard.model import display_type
from enumguard.report.changes import Segment, describe
from enumguard.report.coverage import subject
from enumguard.report.report import Report
from enumguard.rules import ALL_RULES


def _verifying(item: str) -> tuple[str, ...]:
    return tuple(r.name for r in ALL_RULES if r.verifies == item)


def _unticking(item: str) -> tuple[str, ...]:
    return _verifying(item) + tuple(r.name for r in ALL_RULES if r.unticks == item)


# The rule groups live on the rules (Rule.verifies / Rule.unticks), in ALL_RULES order.
REFERENCE_RULES = _verifying("references")
REFERENCE_FINDINGS = _unticking("references")
DRIFT_RULES = _verifying("drift")
DRIFT_FINDINGS = _unticking("drift")
PARSE_RULES = _verifying("parsing")
MAX_NAMES = 10


@dataclass(frozen=True)
class Item:
    text: tuple[Segment, ...]  # (text, is_name) pieces, as report.changes phrases them
    checked: bool
    note: str  # why it is (not) ticked; plain prose


def _plural(n: int, word: str) -> str:
    """`2 unknown member or label` -> `2 unknown members or labels`: every noun gets the s."""
    return f"{n} {word if n == 1 else ' or '.join(w + 's' for w in word.split(' or '))}"


def _count(report: Report, rules: tuple[str, ...]) -> int:
    return sum(1 for f in report.findings if f.rule in rules)


def _found(report: Report, listed: Sequence[Finding] | None, rules: tuple[str, ...], word: str) -> str:
    """ "enumguard found 3 differences (2 new, 1 pre-existing), listed in this comment": the
    numbers count what the comment lists; findings left out for size are said to be elsewhere."""
    total = _count(report, rules)
    if listed is None:
        return f"enumguard found {_plural(total, word)}, listed in this comment"
    mine = [f for f in listed if f.rule in rules]
    new = sum(1 for f in mine if f.new)
    pre = sum(1 for f in mine if f.new is False)
    split = ""
    if report.mode == "diff":
        split = f" ({new} new, {pre} pre-existing)" if new and pre else (" (pre-existing)" if pre else " (new)")
    # In diff mode report.findings holds the pre-existing ones too (new=False).
    left = total - len(mine)
    if not mine:
        return f"enumguard found {_plural(total, word)}, not listed here for size: see the job summary"
    more = f"; {left} more only in the job summary" if left > 0 else ""
    return f"enumguard found {_plural(len(mine), word)}{split}, listed in this comment{more}"


def _unparsed(report: Report) -> int:
    return len({f.path for f in report.findings if f.rule in PARSE_RULES})


def references_item(report: Report, listed: Sequence[Finding] | None = None) -> Item:
    text = (("All enum references use existing members", False),)
    missing = [r for r in REFERENCE_RULES if r not in report.rules]
    found = _count(report, REFERENCE_FINDINGS)
    unparsed = _unparsed(report)
    if missing:
        return Item(text, False, f"not verified: rule {', '.join(missing)} did not run")
    if found:
        return Item(text, False, _found(report, listed, REFERENCE_FINDINGS, "unknown member or label"))
    if unparsed:
        return Item(text, False, f"not verified: {_plural(unparsed, 'file')} could not be parsed")
    n = len(report.model.references)
    if not n:
        return Item(text, False, "nothing verified: enumguard found no enum member references")
    return Item(text, True, f"verified by enumguard: {_plural(n, 'reference')} checked, none unknown")


def checked_bindings(report: Report) -> int:
    """Bindings the drift rules compared: those of a pair whose every fact is certain."""
    pairs = {(p.binding.enum, p.binding.labels, p.db.name) for p in report.model.pairs}
    return sum(1 for b in report.model.bindings if (b.enum, b.labels if not b.enum else (), b.db_type) in pairs)


def sync_item(report: Report, listed: Sequence[Finding] | None = None) -> Item:
    text = (("Database and Python enum definitions are synchronised", False),)
    missing = [r for r in DRIFT_RULES if r not in report.rules]
    found = _count(report, DRIFT_FINDINGS)
    compared = checked_bindings(report)
    if missing:
        return Item(text, False, f"not verified: rule {', '.join(missing)} did not run")
    if found:
        return Item(text, False, _found(report, listed, DRIFT_FINDINGS, "difference"))
    if _unparsed(report):
        return Item(text, False, f"not verified: {_plural(_unparsed(report), 'file')} could not be parsed")
    unchecked = report.not_checked_in_scope()
    if unchecked:
        what = "the change touches" if report.mode == "diff" else "the repository has"
        names = ", ".join(subject(e) for e in unchecked[:3]) + (", ..." if len(unchecked) > 3 else "")
        return Item(
            text,
            False,
            f"not verified: {what} {_plural(len(unchecked), 'type or enum')} enumguard could not check ({names}; see below)",
        )
    if not compared:
        return Item(text, False, "not verified: no Python enum is bound to a known database enum type")
    return Item(text, True, f"verified by enumguard: {_plural(compared, 'binding')} compared, no drift")


HUMAN = "for the reviewer"


def _names(pairs: list[tuple[str, str]], joiner: str) -> tuple[Segment, ...]:
    """[(label, type)] -> `a` of `t`, `b` of `u` (at most MAX_NAMES, then "and N more")."""
    out: list[Segment] = []
    for i, (label, type_name) in enumerate(pairs[:MAX_NAMES]):
        if i:
            out.append((", ", False))
        if label:
            out += [(label, True), (joiner, False)]
        out.append((display_type(type_name), True))
    if len(pairs) > MAX_NAMES:
        out.append((f" and {len(pairs) - MAX_NAMES} more", False))
    return tuple(out)


def operation_items(report: Report) -> list[Item]:
    added: list[tuple[str, str]] = []
    renamed: list[tuple[str, str]] = []
    dropped: list[tuple[str, str]] = []
    for change in report.changes:
        kinds = [kind for kind, _ in describe(change)]
        for op in change.ops:
            if op.kind == "add_value" and op.label:
                added.append((op.label, change.type_name))
            elif op.kind == "rename_value" and op.label:
                renamed.append((op.label, change.type_name))
        if "drop" in kinds or "recreate" in kinds:
            dropped.append(("", change.type_name))
    items = []
    if added:
        items.append(
            Item(
                (
                    ("The migration is deployed before code that writes the new label (", False),
                    *_names(added, " in "),
                    (")", False),
                ),
                False,
                HUMAN,
            )
        )
    if renamed:
        items.append(
            Item(
                (("No running code writes the old label (", False), *_names(renamed, " of "), (")", False)),
                False,
                HUMAN,
            )
        )
    if dropped:
        items.append(
            Item(
                (
                    ("Table rewrite size, dependents and CASCADE reviewed for the dropped or recreated type (", False),
                    *_names(dropped, ""),
                    (")", False),
                ),
                False,
                HUMAN,
            )
        )
    return items


def checklist(report: Report, listed: Sequence[Finding] | None = None) -> list[Item]:
    """`listed`: the findings the comment shows (None: all of report.findings)."""
    return [
        references_item(report, listed),
        sync_item(report, listed),
        Item((("Tests cover the enum references in modified code", False),), False, HUMAN),
        Item((("Error handling exists for invalid enum access", False),), False, HUMAN),
        *operation_items(report),
    ]
