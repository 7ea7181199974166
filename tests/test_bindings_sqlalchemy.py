"""extract() + bind() agree with SQLAlchemy itself: the same models are executed with the real
library and the type name, schema, stored labels and native flag it builds are compared."""

from __future__ import annotations

import enum
import sys
import textwrap
import types
from pathlib import Path

import libcst as cst
import pytest

sa = pytest.importorskip("sqlalchemy")

from enumguard.config import Config  # noqa: E402
from enumguard.finding import Location  # noqa: E402
from enumguard.link import bind  # noqa: E402
from enumguard.link.pairs import names_of, values_of  # noqa: E402
from enumguard.model import EnumClass, Member, qualify  # noqa: E402
from enumguard.python.binding_sites import RawBinding  # noqa: E402
from enumguard.python.bindings import extract  # noqa: E402

SOURCE = textwrap.dedent(
    """
    import enum
    from typing import Optional

    import sqlalchemy as sa
    from sqlalchemy import Enum as SQLAlchemyEnum
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Status(str, enum.Enum):
        Queued = "queued"
        Done = "done"
        Finished = "done"


    class Level(enum.Enum):
        low = 1
        high = 2


    def enum_values(cls):
        return [m.value for m in cls]


    class Base(DeclarativeBase):
        pass


    class Job(Base):
        __tablename__ = "jobs"

        id: Mapped[int] = mapped_column(primary_key=True)
        a: Mapped[Status] = mapped_column(sa.Enum(Status, name="job_status"))
        b: Mapped[Status] = mapped_column(
            SQLAlchemyEnum(Status, name="job_status_v", values_callable=lambda x: [e.value for e in x])
        )
        c: Mapped[Status]
        d: Mapped[Optional[Level]]
        e: Mapped[Status] = mapped_column(postgresql.ENUM(Status, name="MixedCase", create_type=False))
        f: Mapped[Status] = mapped_column(sa.Enum(Status, name="st", schema="other", values_callable=enum_values))
        g: Mapped[Status] = mapped_column(sa.Enum(Status, native_enum=False))
        h: Mapped[Level] = mapped_column(sa.Enum(Level))
        i: Mapped[str] = mapped_column(sa.Enum("x", "y", name="xy"))
        j: Mapped[Status] = mapped_column(sa.Enum(*[s.value for s in Status], name="sv"))


    class MapBase(DeclarativeBase):
        type_annotation_map = {
            Status: sa.Enum(Status, name="mapped_status", values_callable=lambda e: [m.value for m in e]),
            enum.Enum: sa.Enum(enum.Enum, native_enum=False),
        }


    class Other(MapBase):
        __tablename__ = "other"

        id: Mapped[int] = mapped_column(primary_key=True)
        s: Mapped[Status]
        lv: Mapped[Level]
    """
)


def _enum_class(cls: type[enum.Enum]) -> EnumClass:
    where = Location("app/models.py", 1, 1)
    members = []
    for name, member in cls.__members__.items():
        alias = member.name if member.name != name else None
        members.append(Member(name, member.value, True, where, alias_of=alias))
    return EnumClass(f"app.models.{cls.__name__}", "app.models", cls.__name__, where, tuple(members))


def _load(name: str) -> dict[str, object]:
    """Execute SOURCE as a real module: SQLAlchemy resolves annotations through sys.modules."""
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        exec(compile(SOURCE, "app/models.py", "exec"), module.__dict__)  # noqa: S102 - our own test source
    finally:
        del sys.modules[name]
    return module.__dict__


def _truth() -> dict[tuple[str, str], tuple[str | None, tuple[str, ...] | None]]:
    namespace = _load("enumguard_test_truth_models")
    out = {}
    for model in (namespace["Job"], namespace["Other"]):
        for column in model.__table__.columns:  # type: ignore[attr-defined]
            if isinstance(column.type, sa.Enum):
                t = column.type
                db_type = qualify(t.name, t.schema) if t.native_enum and t.name else None
                table = qualify(model.__table__.name, model.__table__.schema)  # type: ignore[attr-defined]
                out[(table, column.name)] = (db_type, tuple(t.enums))
    return out


def _ours() -> dict[tuple[str, str], tuple[str | None, tuple[str, ...] | None]]:
    namespace = _load("enumguard_test_our_models")
    classes = {n: _enum_class(namespace[n]) for n in ("Status", "Level")}  # type: ignore[arg-type]
    sites = extract(cst.parse_module(SOURCE), SOURCE, "app/models.py")
    raw = tuple(RawBinding(classes[s.enum_expr].qualname if s.enum_expr in classes else None, s) for s in sites)
    enums = tuple(classes.values())
    out = {}
    for b in bind(raw, enums, (), Config(root=Path("."), name_fallback=False)):
        if b.table is None:
            continue  # the type_annotation_map entry itself
        if b.stores == "labels":
            labels: tuple[str, ...] | None = b.labels
        else:
            e = next(x for x in enums if x.qualname == b.enum)
            persisted = names_of(e) if b.stores == "names" else values_of(e)
            labels = tuple(p.label for p in persisted) if persisted is not None else None
        out[(b.table, b.column)] = (b.db_type, labels)
    return out


def test_every_enum_column_matches_sqlalchemy_type_name_schema_and_labels() -> None:
    truth, ours = _truth(), _ours()
    # Level stores int values by name; its values are not labels, which SQLAlchemy agrees with.
    assert ours == truth
