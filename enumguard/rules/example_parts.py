"""Building blocks of rule examples that several rules share: a SQLAlchemy models head,
a jobs table bound to `job_status`, the Supabase migration paths, an Alembic project."""

from __future__ import annotations

INIT = "supabase/migrations/20240101000000_init.sql"


LATER = "supabase/migrations/20240201000000_more.sql"


HEAD = """\
import enum

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass

"""


def job(column: str) -> str:
    return f"""

class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[Status] = mapped_column({column})
"""


ANNOTATED_JOB = job("").replace("Mapped[Status] = mapped_column()", "Mapped[Status]")


STORES_VALUES = 'sa.Enum(Status, name="job_status", values_callable=lambda e: [m.value for m in e])'


def status_job(members: str, column: str = 'sa.Enum(Status, name="job_status")') -> str:
    """app/models.py: HEAD, `class Status(enum.Enum)` with these member lines, and a Job whose
    status column is `mapped_column(column)`."""
    return HEAD + "\nclass Status(enum.Enum):\n" + members + job(column)


JOBS_SQL = """\
CREATE TYPE job_status AS ENUM ('queued', 'done');
CREATE TABLE jobs (id serial PRIMARY KEY, status job_status NOT NULL);
"""


# The files of a project whose script_location is `alembic`; revisions go under alembic/versions/.
ALEMBIC = {"alembic.ini": "[alembic]\nscript_location = alembic\n", "alembic/env.py": "from alembic import context\n"}


STATUS_MODELS = """import enum


class Status(str, enum.Enum):
    pending = "pending"
    done = "done"

    @property
    def is_final(self) -> bool:
        return self is Status.done

    @classmethod
    def parse(cls, text: str) -> "Status":
        return cls(text.lower())
"""


# app/ as a package whose models.py is STATUS_MODELS; an example adds the module that uses it.
STATUS_PACKAGE = {"app/__init__.py": "", "app/models.py": STATUS_MODELS}
