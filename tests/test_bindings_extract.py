"""extract(): SQLAlchemy enum columns in one file -> BindingSites, as written."""

from __future__ import annotations

import textwrap

import libcst as cst

from enumguard.python.binding_sites import BindingSite
from enumguard.python.bindings import extract

HEAD = """\
import enum
from typing import Optional
import sqlalchemy as sa
from sqlalchemy import Column, MetaData, Table, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

"""


def sites(body: str, head: str = HEAD) -> list[BindingSite]:
    source = head + textwrap.dedent(body)
    found = extract(cst.parse_module(source), source, "app/models.py")
    return [s for s in found if s.kind not in ("class", "helper")]


def one(body: str, head: str = HEAD) -> BindingSite:
    found = sites(body, head)
    assert len(found) == 1, found
    return found[0]


def test_sa_enum_with_name_stores_member_names_in_public_type() -> None:
    site = one(
        """
        class Job(Base):
            __tablename__ = "jobs"
            status: Mapped[Status] = mapped_column(sa.Enum(Status, name="job_status"))
        """
    )
    assert (site.enum_expr, site.db_type, site.stores, site.native) == ("Status", "public.job_status", "names", True)
    assert (site.table, site.column, site.kind) == ("public.jobs", "status", "call")
    assert (site.location.line, site.location.column) == (13, 44)


def test_values_callable_lambda_comprehension_stores_values() -> None:
    for callable_text in (
        "lambda x: [e.value for e in x]",
        "lambda e: [i.value for i in e]",
        "lambda c: list(m.value for m in c)",
    ):
        site = one(f'x = sa.Enum(Status, name="s", values_callable={callable_text})\n')
        assert site.stores == "values", callable_text


def test_values_callable_helper_function_in_same_file_is_read() -> None:
    body = '''
    def enum_values(cls):
        """Member values."""
        return [member.value for member in cls]

    x = sa.Enum(Status, name="s", values_callable=enum_values)
    '''
    assert one(body).stores == "values"


def test_unrecognised_values_callable_is_unknown_not_guessed() -> None:
    assert one('x = sa.Enum(Status, name="s", values_callable=lambda e: sorted(e))\n').stores == "unknown"
    imported = one('x = sa.Enum(Status, name="s", values_callable=helpers.values)\n')
    assert (imported.stores, imported.values_helper) == ("unknown", "values")


def test_native_enum_false_has_no_db_type_to_compare() -> None:
    site = one('x = sa.Enum(Status, name="s", native_enum=False)\n')
    assert site.native is False


def test_mixed_case_name_keeps_its_case_as_sqlalchemy_quotes_it() -> None:
    assert one('x = sa.Enum(Status, name="SitemapStatus")\n').db_type == "public.SitemapStatus"


def test_schema_keyword_qualifies_the_type() -> None:
    assert one('x = sa.Enum(Status, name="s", schema="jobs")\n').db_type == "jobs.s"


def test_aliased_import_of_sqlalchemy_enum() -> None:
    head = "from sqlalchemy import Enum as SQLAlchemyEnum\nfrom enum import Enum\n"
    site = one('x = SQLAlchemyEnum(Status, name="s")\n', head)
    assert site.db_type == "public.s"
    # enum.Enum itself is not SQLAlchemy's Enum
    assert sites('class Status(Enum):\n    a = "a"\ny = Enum("Color", "red green")\n', head) == []


def test_postgresql_enum_forms() -> None:
    head = "from sqlalchemy.dialects import postgresql\nfrom sqlalchemy.dialects.postgresql import ENUM as PgEnum\n"
    found = sites('a = postgresql.ENUM(Status, name="a", create_type=False)\nb = PgEnum(Status, name="b")\n', head)
    assert [s.db_type for s in found] == ["public.a", "public.b"]


def test_string_labels_are_compared_directly() -> None:
    site = one('x = sa.Enum("draft", "published", name="post_state")\n')
    assert (site.enum_expr, site.labels, site.db_type) == (None, ("draft", "published"), "public.post_state")


def test_starred_comprehension_of_values_binds_the_enum_storing_values() -> None:
    site = one('x = sa.Enum(*[s.value for s in Status], name="st")\n')
    assert (site.enum_expr, site.stores, site.db_type) == ("Status", "values", "public.st")


def test_enum_without_name_is_named_after_the_class_later() -> None:
    site = one("x = sa.Enum(Status)\n")
    assert site.db_type is None and site.default_name


def test_computed_name_is_not_guessed() -> None:
    assert sites("x = sa.Enum(Status, name=PREFIX + 'x')\n") == []


def test_mapped_annotation_without_type_uses_default_enum() -> None:
    found = sites(
        """
        class Job(Base):
            __tablename__ = "jobs"
            id: Mapped[int] = mapped_column(primary_key=True)
            a: Mapped[Status]
            b: Mapped[Optional[Status]] = mapped_column(nullable=True)
            c: Mapped["Status | None"]
            d: Mapped[str] = mapped_column(sa.String(20))
            e: Mapped[Status] = mapped_column(sa.String(20))
            f: Mapped[models.Kind] = mapped_column(sa.ForeignKey("k.id"))
        """
    )
    assert [(s.column, s.enum_expr, s.kind, s.default_name) for s in found] == [
        ("a", "Status", "annotation", True),
        ("b", "Status", "annotation", True),
        ("c", "Status", "annotation", True),
        ("f", "models.Kind", "annotation", True),
    ]


def test_type_annotation_map_entries_specific_and_generic() -> None:
    found = sites(
        """
        class Base2(DeclarativeBase):
            type_annotation_map = {
                Status: sa.Enum(Status, name="status_t", values_callable=lambda e: [m.value for m in e]),
                enum.Enum: sa.Enum(enum.Enum, native_enum=False),
            }
        """
    )
    assert [(s.kind, s.enum_expr, s.db_type, s.stores, s.native) for s in found] == [
        ("map", "Status", "public.status_t", "values", True),
        ("map_generic", None, None, "names", False),
    ]


def test_core_table_column_names_table_and_column() -> None:
    site = one('t = Table("jobs", MetaData(), Column("state", sa.Enum(Status, name="s")))\n')
    assert (site.table, site.column) == ("public.jobs", "state")


def test_server_default_literal_text_and_member_value() -> None:
    found = sites(
        """
        class Job(Base):
            __tablename__ = "jobs"
            a: Mapped[Status] = mapped_column(sa.Enum(Status, name="s"), server_default="queued")
            b: Mapped[Status] = mapped_column(sa.Enum(Status, name="s"), server_default=text("'done'::s"))
            c: Mapped[Status] = mapped_column(sa.Enum(Status, name="s"), server_default=Status.queued.value)
        """
    )
    assert [(s.server_default, s.server_default_member) for s in found] == [
        ("queued", None),
        ("done", None),
        (None, ("queued", "value")),
    ]
    assert found[0].server_default_location is not None
    assert (found[0].server_default_location.line, found[0].server_default_location.column) == (13, 81)


def test_multiline_call_is_located_at_its_start() -> None:
    found = sites(
        """
        # sa.Enum(Status, name="s") in a comment is not a site
        x = sa.Enum(
            Status,
            name="s",
        )
        y = sa.Enum(
            Status,
            name="s",
        )
        """
    )
    assert [(s.location.line, s.location.column) for s in found] == [(12, 5), (16, 5)]


def test_file_without_sqlalchemy_import_has_no_sites() -> None:
    assert sites('x = Enum(Status, name="s")\n', head="from mylib import Enum\n") == []


def test_sqlmodel_table_field_with_enum_annotation() -> None:
    head = "from sqlmodel import Field, SQLModel\n"
    found = sites(
        """
        class Job(SQLModel, table=True):
            id: int = Field(primary_key=True)
            status: Status
            other: Status = Field(sa_column=Column(sa.Enum(Status, name="x")))
        """,
        head + "import sqlalchemy as sa\nfrom sqlalchemy import Column\n",
    )
    assert [(s.column, s.enum_expr, s.kind) for s in found][0] == ("status", "Status", "annotation")


def test_classes_and_map_owners_are_recorded_for_map_scoping() -> None:
    source = HEAD + textwrap.dedent(
        """
        class MapBase(DeclarativeBase):
            type_annotation_map = {Status: sa.Enum(Status, name="s")}

        class Model(MapBase):
            __abstract__ = True

        class Job(Model):
            __tablename__ = "jobs"
            status: Mapped[Status]
        """
    )
    found = extract(cst.parse_module(source), source, "app/models.py")
    classes = {s.owner: s.bases for s in found if s.kind == "class"}
    assert classes == {
        "Base": ("DeclarativeBase",),
        "MapBase": ("DeclarativeBase",),
        "Model": ("MapBase",),
        "Job": ("Model",),
    }
    assert [(s.kind, s.owner) for s in found if s.kind != "class"] == [("map", "MapBase"), ("annotation", "Job")]


def test_multiline_column_in_class_body_is_located_despite_regenerated_indentation() -> None:
    found = sites(
        """
        class Query(Base):
            __tablename__ = "queries"

            # Status using the query_status enum
            status: Mapped[Status | None] = mapped_column(
                sa.Enum(Status, name="query_status", values_callable=lambda x: [e.value for e in x]),
                nullable=True,
                server_default="pending",
            )
        """
    )
    assert [(s.location.line, s.location.column, s.column) for s in found] == [(16, 9, "status")]
    assert found[0].server_default_location is not None and found[0].server_default_location.line == 18


def test_module_level_values_helper_is_recorded_for_other_files() -> None:
    source = "def enum_values(cls):\n    return [e.value for e in cls]\n\ndef other(x):\n    return x\n"
    found = extract(cst.parse_module(source), source, "app/db/base.py")
    assert [(s.kind, s.owner, s.stores) for s in found] == [("helper", "enum_values", "values")]


def test_table_names_are_schema_qualified_like_the_migrations() -> None:
    found = sites(
        """
        class Invoice(Base):
            __tablename__ = "invoices"
            __table_args__ = (sa.Index("ix", "state"), {"schema": "billing"})
            state: Mapped[Status] = mapped_column(sa.Enum(Status, name="s"))

        t = Table("audit", MetaData(), Column("kind", sa.Enum(Status, name="k")), schema="ops")
        """
    )
    assert [(s.table, s.column) for s in found] == [("billing.invoices", "state"), ("ops.audit", "kind")]
