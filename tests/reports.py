"""Hand-built Reports for renderer and publisher tests: the incident PR, a clean PR and a
migration-only PR, made from Finding/EnumChange/EnumOp objects so they depend on no parser."""

from __future__ import annotations

from enumguard.finding import Finding, Location, Related, Severity
from enumguard.link import link
from enumguard.model import Binding, DbEnum, EnumClass, EnumOp, Label, Member, Model, Reference
from enumguard.report import EnumChange, Report
from enumguard.rules import RULE_NAMES

ALL = tuple(sorted(RULE_NAMES))
ENUM = "app.models.SitemapAnalysisStatusEnum"
TYPE = "public.sitemap_analysis_status"
LABELS = ("pending", "queued", "processing", "submitted", "failed")
MIGRATION = "supabase/migrations/20250301120000_create_sitemap_analysis.sql"
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
BASE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"


def incident_model() -> Model:
    members = tuple(Member(v, v, True, Location("app/models.py", 17 + i, 5)) for i, v in enumerate(LABELS))
    refs = tuple(
        Reference(ENUM, m, "attribute", Location("app/services/scheduler.py", line, 9))
        for m, line in (("submitted", 9), ("Completed", 10), ("failed", 11), ("Error", 12), ("queued", 19))
    )
    return link(
        Model(
            enums=(
                EnumClass(ENUM, "app.models", "SitemapAnalysisStatusEnum", Location("app/models.py", 14, 1), members),
            ),
            references=refs,
            bindings=(
                Binding(
                    ENUM,
                    TYPE,
                    "values",
                    Location("app/models.py", 30, 9),
                    table="sitemap_analysis_jobs",
                    column="status",
                ),
            ),
            db_enums=(
                DbEnum(
                    TYPE,
                    tuple(Label(v, Location(MIGRATION, 3 + i, 5)) for i, v in enumerate(LABELS)),
                    Location(MIGRATION, 2, 1),
                ),
            ),
        )
    )


def unknown_member(member: str, line: int, suggestion: str, new: bool = True) -> Finding:
    return Finding(
        location=Location("app/services/scheduler.py", line, 35),
        rule="unknown-member",
        message=f"`SitemapAnalysisStatusEnum.{member}` is not a member of `SitemapAnalysisStatusEnum`",
        severity=Severity.ERROR,
        help=f"did you mean `{suggestion}`?",
        suggestion=suggestion,
        related=(Related(Location("app/models.py", 14, 1), "`SitemapAnalysisStatusEnum` is defined here"),),
        enum=ENUM,
        member=member,
        new=new,
    )


def incident_pr() -> Report:
    """The incident: the enum was renamed to lower case, the scheduler still uses two old names;
    one pre-existing warning elsewhere in scope."""
    pre = Finding(
        location=Location("app/models.py", 33, 24),
        rule="case-mismatch",
        message="server default `Pending` differs from label `pending` of `sitemap_analysis_status` only in case",
        severity=Severity.WARNING,
        help="write `pending`",
        db_type=TYPE,
        value="Pending",
        new=False,
    )
    findings = tuple(sorted((unknown_member("Completed", 10, "submitted"), unknown_member("Error", 12, "failed"), pre)))
    return Report(
        root=".",
        findings=findings,
        model=incident_model(),
        files=5,
        mode="diff",
        base=BASE,
        head=HEAD,
        preexisting=(pre,),
        rules=ALL,
    )


def clean_pr() -> Report:
    return Report(root=".", findings=(), model=incident_model(), files=5, mode="diff", base=BASE, head=HEAD, rules=ALL)


def migration_only_pr() -> Report:
    """A PR that only adds migrations: ADD VALUE, RENAME VALUE, and a DROP + CREATE."""
    m1 = "migrations/versions/0007_order_status.sql"
    m2 = "migrations/versions/0008_priority.sql"
    order_ops = (
        EnumOp("add_value", "public.order_status", Location(m1, 1, 1), m1, label="archived", after="shipped"),
        EnumOp("rename_value", "public.order_status", Location(m1, 2, 1), m1, label="canceled", new_label="cancelled"),
    )
    prio_ops = (
        EnumOp("drop", "public.priority", Location(m2, 1, 1), m2, cascade=True),
        EnumOp("create", "public.priority", Location(m2, 2, 1), m2, labels=("low", "high")),
    )
    finding = Finding(
        location=Location(m1, 1, 1),
        rule="add-value-in-transaction",
        message="`ALTER TYPE order_status ADD VALUE` runs inside a transaction with a statement that uses `archived`",
        severity=Severity.ERROR,
        help="move the statement that uses `archived` into a later migration",
        db_type="public.order_status",
        value="archived",
        new=True,
    )
    return Report(
        root=".",
        findings=(finding,),
        model=Model(ops=order_ops + prio_ops),
        files=2,
        mode="diff",
        base=BASE,
        head=HEAD,
        rules=ALL,
        changes=(EnumChange("public.order_status", order_ops), EnumChange("public.priority", prio_ops)),
    )


def audit_report(n: int = 3) -> Report:
    """An audit with `n` unknown-member errors (for annotation caps and size limits)."""
    findings = tuple(sorted(unknown_member(f"M{i}", i + 1, "failed", new=None) for i in range(n)))
    return Report(root=".", findings=findings, model=incident_model(), files=5, rules=ALL)
