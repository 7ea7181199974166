"""Finding, Location and Severity: the plain data every rule yields and every report reads."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace


class Severity(enum.IntEnum):
    """Ordered so that `severity >= Severity.WARNING` reads naturally."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


@dataclass(frozen=True, order=True)
class Location:
    """A repo-relative POSIX path with a 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Related:
    """Another place that explains a finding, e.g. where the DB type gets its labels."""

    location: Location
    message: str


@dataclass(frozen=True, order=True)
class Fix:
    """The certain fix of a finding, as data.

    kind "edit": `replacement` is the exact text for the token at the finding's location
    (`end_column`, exclusive and on the same line, when the rule knows where the token ends).
    kind "migration": `text` is the body of a new migration in the project's own `style`
    ("sql": a SQL file; "alembic": a revision's upgrade/downgrade functions); `path` the file
    `enumguard fix --write` creates for it ("" when it cannot write one)."""

    kind: str
    text: str = ""
    replacement: str = ""
    style: str = ""
    end_column: int | None = None
    path: str = ""


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place. Field order is the sort order of every report."""

    location: Location
    rule: str
    message: str
    severity: Severity = Severity.ERROR
    help: str = ""
    # Replacement text for the exact token at `location` when the fix is certain
    # (e.g. a member rename); the PR review turns it into a suggestion block.
    suggestion: str | None = None
    related: tuple[Related, ...] = ()
    enum: str | None = None
    member: str | None = None
    value: str | None = None
    db_type: str | None = None
    # Derived from `suggestion` when not given, so every certain replacement is an edit fix.
    fix: Fix | None = field(default=None, compare=False)
    # Set by `enumguard diff`: True when the finding did not exist at the base ref.
    new: bool | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.fix is None and self.suggestion is not None:
            object.__setattr__(self, "fix", Fix("edit", replacement=self.suggestion))

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def line(self) -> int:
        return self.location.line

    def fingerprint(self) -> tuple[str, ...]:
        """Identity that survives line shifts: rule, file, enum/type, member/label/value."""
        return (
            self.rule,
            self.location.path,
            self.enum or "",
            self.db_type or "",
            self.member or "",
            self.value or "",
            "" if (self.enum or self.db_type or self.member or self.value) else self.message,
        )

    def with_new(self, new: bool) -> Finding:
        return replace(self, new=new)
