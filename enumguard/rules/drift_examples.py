"""VALID/INVALID example repositories of the drift rules (missing-in-db, missing-in-code,
case-mismatch, enum-value-renamed): Python models next to Supabase-style SQL migrations."""

from __future__ import annotations

from enumguard.rules.base import Example

INIT = "supabase/migrations/20240101000000_init.sql"
LATER = "supabase/migrations/20240201000000_more.sql"

HEAD = """\
import enum

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass

"""


def _job(column: str) -> str:
    return f"""

class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[Status] = mapped_column({column})
"""


# Mapped[Status] without a type: SQLAlchemy's Enum(Status), a type named `status`.
ANNOTATED_JOB = _job("").replace("Mapped[Status] = mapped_column()", "Mapped[Status]")

JOBS_SQL = """\
CREATE TYPE job_status AS ENUM ('queued', 'done');
CREATE TABLE jobs (id serial PRIMARY KEY, status job_status NOT NULL);
"""

MISSING_IN_DB_VALID = (
    Example(
        {
            "app/models.py": HEAD
            + """
class Status(enum.Enum):
    QUEUED = "queued"
    DONE = "done"
"""
            + _job('sa.Enum(Status, name="job_status", values_callable=lambda e: [m.value for m in e])'),
            INIT: JOBS_SQL,
        }
    ),
    Example(
        {
            "app/models.py": HEAD
            + """
class Status(enum.Enum):
    queued = "queued"
    done = "done"
    cancelled = "cancelled"
"""
            + _job('sa.Enum(Status, name="job_status", native_enum=False)'),
            INIT: "CREATE TABLE jobs (id serial PRIMARY KEY, status varchar(9) NOT NULL);\n",
        }
    ),
)

MISSING_IN_DB_INVALID = (
    Example(
        {
            "app/models.py": HEAD
            + """
class Status(enum.Enum):
    queued = "queued"
    done = "done"
    cancelled = "cancelled"  # expect: missing-in-db
"""
            + _job('sa.Enum(Status, name="job_status")'),
            INIT: JOBS_SQL,
        }
    ),
    Example(
        {
            "app/models.py": HEAD
            + """
class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(sa.Enum("draft", "published", "archived", name="post_state"))  # expect: missing-in-db
""",
            INIT: """\
CREATE TYPE post_state AS ENUM ('draft', 'published');
CREATE TABLE posts (id serial PRIMARY KEY, state post_state NOT NULL);
""",
        }
    ),
    # Alembic project: the fix is a revision whose ADD VALUE runs in autocommit_block().
    Example(
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
            "migrations/env.py": "from alembic import context\n",
            "migrations/versions/0001_jobs.py": """\
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table("jobs", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("status", sa.Enum("queued", "done", name="job_status")))
""",
            "app/models.py": HEAD
            + """
class Status(enum.Enum):
    queued = "queued"
    running = "running"  # expect: missing-in-db
    done = "done"
"""
            + _job('sa.Enum(Status, name="job_status")'),
        }
    ),
)

MISSING_IN_CODE_VALID = (
    Example(
        {
            "app/models.py": HEAD
            + """
class Status(str, enum.Enum):
    queued = "queued"
    done = "done"
    archived = "archived"
"""
            + ANNOTATED_JOB,
            INIT: """\
CREATE TYPE status AS ENUM ('queued', 'done');
CREATE TABLE jobs (id serial PRIMARY KEY, status status NOT NULL);
""",
            LATER: "ALTER TYPE status ADD VALUE 'archived';\n",
        }
    ),
)

MISSING_IN_CODE_INVALID = (
    Example(
        {
            "app/models.py": HEAD
            + """
class Status(str, enum.Enum):
    queued = "queued"
    done = "done"
"""
            + ANNOTATED_JOB,
            INIT: """\
CREATE TYPE status AS ENUM ('queued', 'done');
CREATE TABLE jobs (id serial PRIMARY KEY, status status NOT NULL);
""",
            LATER: "ALTER TYPE status ADD VALUE 'archived';  -- expect: missing-in-code\n",
        }
    ),
)

CASE_MISMATCH_VALID = (
    Example(
        {
            "app/models.py": HEAD
            + """
class Status(enum.Enum):
    Queued = "queued"
    Done = "done"
"""
            + _job('sa.Enum(Status, name="job_status", values_callable=lambda e: [m.value for m in e])'),
            INIT: JOBS_SQL,
        }
    ),
)

CASE_MISMATCH_INVALID = (
    Example(
        {
            "app/models.py": HEAD
            + """
class Status(enum.Enum):
    queued = "Queued"  # expect: case-mismatch
    done = "Done"  # expect: case-mismatch
"""
            + _job('sa.Enum(Status, name="job_status", values_callable=lambda e: [m.value for m in e])'),
            INIT: JOBS_SQL,
        }
    ),
    Example(
        {
            "app/models.py": HEAD
            + """
class Status(enum.Enum):
    QUEUED = "queued"  # expect: case-mismatch
    DONE = "done"  # expect: case-mismatch
"""
            + _job('sa.Enum(Status, name="job_status")'),
            INIT: JOBS_SQL,
        }
    ),
)

RENAMED_VALID = (
    Example(
        {
            "app/models.py": HEAD
            + """
class Status(enum.Enum):
    queued = "queued"
    cancelled = "cancelled"
"""
            + _job('sa.Enum(Status, name="job_status")'),
            "app/jobs.py": """\
from app.models import Status


def cancel(job):
    job.status = Status.cancelled
""",
            INIT: "CREATE TYPE job_status AS ENUM ('queued', 'canceled');\n"
            "CREATE TABLE jobs (id serial PRIMARY KEY, status job_status NOT NULL);\n",
            LATER: "ALTER TYPE job_status RENAME VALUE 'canceled' TO 'cancelled';\n",
        }
    ),
)

RENAMED_INVALID = (
    Example(
        {
            "app/models.py": HEAD
            + """
class Status(enum.Enum):
    queued = "queued"
    canceled = "canceled"  # expect: missing-in-db
"""
            + _job('sa.Enum(Status, name="job_status")'),
            "app/jobs.py": """\
from app.models import Status


def cancel(job):
    job.status = Status.canceled  # expect: enum-value-renamed
""",
            INIT: "CREATE TYPE job_status AS ENUM ('queued', 'canceled');\n"
            "CREATE TABLE jobs (id serial PRIMARY KEY, status job_status NOT NULL);\n",
            LATER: "ALTER TYPE job_status RENAME VALUE 'canceled' TO 'cancelled';\n",
        }
    ),
)
