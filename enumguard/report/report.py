"""Report: what a run found, the model it found it in, and notices that are not findings."""

from __future__ import annotations

from dataclasses import dataclass, field

from enumguard.finding import Finding, Severity
from enumguard.model import EnumOp, Model, NotChecked


@dataclass(frozen=True)
class EnumChange:
    """What a change does to one DB enum type: the enum DDL of the migrations it adds, in order.
    Renderers phrase it ("+ `archived` (after `shipped`), renamed `canceled` -> `cancelled`")."""

    type_name: str  # qualified, as in DbEnum.name
    ops: tuple[EnumOp, ...]

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(op.kind for op in self.ops)


@dataclass(frozen=True)
class Report:
    root: str
    findings: tuple[Finding, ...]  # sorted
    model: Model = field(default_factory=Model)
    notices: tuple[str, ...] = ()  # one-line warnings: an unreadable file, an unreachable DB
    files: int = 0
    mode: str = "audit"  # audit | diff
    base: str | None = None
    head: str | None = None
    # Diff mode: findings that existed at base and still exist, and enum changes of the change.
    preexisting: tuple[Finding, ...] = ()
    changes: tuple[EnumChange, ...] = ()
    # Names of the rules that ran; the PR checklist ticks only what a rule actually verified.
    rules: tuple[str, ...] = ()
    # Diff mode: the (enums, DB types) the change touches; None in an audit (everything).
    scope: tuple[frozenset[str], frozenset[str]] | None = None

    def not_checked_in_scope(self) -> list[NotChecked]:
        """What the rules could not check among what the report is about."""
        entries = self.model.coverage.not_checked
        if self.scope is None:
            return list(entries)
        enums, types = self.scope
        return [e for e in entries if (e.enum and e.enum in enums) or (e.db_type and e.db_type in types)]

    def counts(self) -> dict[str, int]:
        counts = {str(s): 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            counts[str(f.severity)] += 1
        return counts

    def at_or_above(self, threshold: Severity | None) -> list[Finding]:
        if threshold is None:
            return []
        return [f for f in self.findings if f.severity >= threshold]
