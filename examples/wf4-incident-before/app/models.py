"""SQLAlchemy models of the sitemap analysis service, as they were before the incident fix."""

import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class SitemapAnalysisStatusEnum(str, enum.Enum):
    """Title-case values, stored as values (values_callable) in a lower-case DB type."""

    Queued = "Queued"
    Completed = "Completed"
    Error = "Error"


class SitemapAnalysisJob(Base):
    __tablename__ = "sitemap_analysis_jobs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    domain: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[SitemapAnalysisStatusEnum] = mapped_column(
        sa.Enum(
            SitemapAnalysisStatusEnum,
            name="sitemap_analysis_status",
            create_type=False,
            values_callable=lambda e: [m.value for m in e],
        ),
    )
