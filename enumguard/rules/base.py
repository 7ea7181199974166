"""The rule unit: a name, a severity, documented examples, and check(model) -> findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Iterator

import enumguard
from enumguard.finding import Finding, Fix, Location, Related, Severity
from enumguard.model import Model

DOCS_URL_PAGES = "docs/rules"  # where enumguard.docs writes the pages, in enumguard's repository


def rule_url(name: str) -> str | None:
    """The page of the rule `name` in enumguard's home at the installed version's release tag
    (the release workflow makes the tag); None while the home is unknown (enumguard.HOME_URL)."""
    home = enumguard.HOME_URL
    if not home:
        return None
    return f"{home.rstrip('/')}/blob/v{enumguard.__version__}/{DOCS_URL_PAGES}/{name}.md"


@dataclass(frozen=True)
class Example:
    """A tiny repository: path -> text. Lines that cause a finding carry `expect: rule-name`
    in a comment (`# expect: unknown-member` in Python, `-- expect: missing-in-code` in SQL).
    `config` holds [tool.enumguard] settings the example needs."""

    files: dict[str, str]
    config: dict[str, object] = field(default_factory=dict)
    # What the example shows, in a few words: the test id and the heading on the rule's page.
    title: str = ""


class Rule:
    """Subclasses set name, severity, a docstring (the user documentation) and examples."""

    name: ClassVar[str]
    severity: ClassVar[Severity]
    VALID: ClassVar[tuple[Example, ...]] = ()
    INVALID: ClassVar[tuple[Example, ...]] = ()
    # What it finds, in a few words: the README's rule table.
    finds: ClassVar[str] = ""
    # The PR comment's checklist: the item this rule verifies (it must run, and find nothing, for
    # the item to be ticked: "references", "drift", or "parsing" for files that were not read),
    # and an item its findings untick without verifying it.
    verifies: ClassVar[str | None] = None
    unticks: ClassVar[str | None] = None

    def check(self, model: Model) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(
        self,
        location: Location,
        message: str,
        *,
        help: str = "",
        suggestion: str | None = None,
        related: tuple[Related, ...] = (),
        enum: str | None = None,
        member: str | None = None,
        value: str | None = None,
        db_type: str | None = None,
        severity: Severity | None = None,
        fix: Fix | None = None,
    ) -> Finding:
        return Finding(
            location=location,
            rule=self.name,
            message=message,
            severity=self.severity if severity is None else severity,
            help=help,
            suggestion=suggestion,
            related=related,
            enum=enum,
            member=member,
            value=value,
            db_type=db_type,
            fix=fix,
        )

    @classmethod
    def summary(cls) -> str:
        """The docstring's first paragraph on one line."""
        return " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())


class ProblemRule(Rule):
    """Passes through the parse problems the model carries under this rule's name."""

    def check(self, model: Model) -> Iterator[Finding]:
        for problem in model.problems:
            if problem.rule == self.name:
                yield problem
