"""Values application code sends to enum columns: the facts the scanner keeps (and caches), and
what `orm-unknown-value` makes of them (names vs values, the one certain replacement)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from enumguard import cache, pipeline, python
from enumguard import config as config_mod
from enumguard.finding import Location
from enumguard.rules import RULE_NAMES
from tests.expectations import write_repo

MIGRATION = (
    "CREATE TYPE jobstate AS ENUM ('QUEUED', 'DONE');\n"
    "CREATE TABLE jobs (id int PRIMARY KEY, state jobstate NOT NULL);\n"
)
MODELS = (
    "import enum\n"
    "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n"
    "class Base(DeclarativeBase):\n    pass\n\n"
    "class JobState(enum.Enum):\n    QUEUED = 'queued'\n    DONE = 'done'\n\n"
    "class Job(Base):\n"
    "    __tablename__ = 'jobs'\n"
    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    "    state: Mapped[JobState]\n"
)
QUERY_HEAD = "from app.models import Job\n\ndef f(s):\n"


def audit(root: Path, files: dict[str, str], cache_on: bool = False):
    write_repo(root, files, {})
    cfg = replace(config_mod.load(root, rule_names=RULE_NAMES), cache=cache_on, jobs=1)
    return pipeline.run(cfg)


def jobs_repo(body: str, migration: str = MIGRATION) -> dict[str, str]:
    """The jobs project (MIGRATION, MODELS) and app/q.py, whose `def f(s):` has these body lines."""
    return {"migrations/001.sql": migration, "app/models.py": MODELS, "app/q.py": QUERY_HEAD + body}


def orm_findings(report):
    return [f for f in report.findings if f.rule == "orm-unknown-value"]


def test_scan_keeps_table_column_value_context_and_literal_position(tmp_path: Path) -> None:
    files = jobs_repo("    return s.query(Job).filter(Job.state == r'queued')\n")
    report = audit(tmp_path, files)
    [value] = report.model.column_values
    assert (value.table, value.column, value.value, value.context, value.via) == (
        "public.jobs",
        "state",
        "queued",
        "compare",
        "orm",
    )
    assert value.entity == "models.Job"  # app/ is not a package
    assert value.location == Location("app/q.py", 4, 45) and value.quotes == ("r'", "'")


def test_names_stored_column_rejects_the_value_and_offers_the_name(tmp_path: Path) -> None:
    files = jobs_repo(
        "    s.query(Job).filter(Job.state == 'queued')\n"
        "    s.query(Job).filter(Job.state == 'QUEUED')\n"
        "    s.query(Job).filter(Job.state == 'finished')\n"
    )
    found = orm_findings(audit(tmp_path, files))
    assert [(f.line, f.value, f.suggestion) for f in found] == [(4, "queued", "'QUEUED'"), (6, "finished", None)]
    assert "stores member names" in found[0].message and "did you mean `QUEUED`?" in found[0].help


def test_replacement_only_for_a_case_or_separator_difference_and_never_through_escapes(tmp_path: Path) -> None:
    files = {
        "migrations/001.sql": "CREATE TYPE phase AS ENUM ('in_progress', 'done');\n"
        "CREATE TABLE tasks (id int, phase phase);\n",
        "app/models.py": (
            "import sqlalchemy as sa\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n"
            "class Base(DeclarativeBase):\n    pass\n\n"
            "class Task(Base):\n    __tablename__ = 'tasks'\n"
            "    phase: Mapped[str] = mapped_column(sa.Enum('in_progress', 'done', name='phase'))\n"
        ),
        "app/q.py": (
            "from app.models import Task\n\n"
            "def f(s, cur):\n"
            "    s.query(Task).filter(Task.phase == 'In-Progress')\n"
            "    s.query(Task).filter(Task.phase == 'in progress')\n"
            "    s.query(Task).filter(Task.phase == 'inprogress')\n"
            "    s.query(Task).filter(Task.phase == 'Don\\x65')\n"
            "    cur.execute(\"SELECT 1 FROM tasks WHERE phase = 'DONE'\")\n"
            "    cur.execute(\"SELECT 1 FROM tasks\\nWHERE phase = 'DONE'\")\n"
        ),
    }
    found = orm_findings(audit(tmp_path, files))
    assert [(f.line, f.location.column, f.suggestion) for f in found] == [
        (4, 40, "'in_progress'"),
        (5, 40, "'in_progress'"),
        (6, 40, "'in_progress'"),  # separators removed: still certain (rules.suggest)
        (7, 40, None),  # an escape: the source is not the value
        (8, 52, "'done'"),
        (9, 17, None),  # the Python string has an escape before it: located at the string
    ]


def test_a_string_postgresql_accepts_is_not_reported_even_when_the_binding_disagrees(tmp_path: Path) -> None:
    # The model stores names, the DB has the values (drift, reported by other rules): SQLAlchemy
    # passes the unknown string "queued" through and PostgreSQL accepts it.
    files = jobs_repo(
        "    s.query(Job).filter(Job.state == 'queued')\n",
        migration=MIGRATION.replace("'QUEUED', 'DONE'", "'queued', 'done'"),
    )
    assert orm_findings(audit(tmp_path, files)) == []


def test_cached_facts_give_the_same_values_and_a_new_model_refreshes_its_users(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "repo"
    files = jobs_repo("    s.query(Job).filter(Job.state == 'Queued')\n")
    first = audit(root, files, cache_on=True)
    calls = []
    real = python.extract
    monkeypatch.setattr(python, "extract", lambda *a: calls.append(a[0]) or real(*a))
    second = audit(root, {}, cache_on=True)
    assert calls == [] and second.model.column_values == first.model.column_values != ()
    assert [f.line for f in orm_findings(second)] == [4]
    # a second mapped class the same file mentions: its facts are extracted again
    (root / "app/other.py").write_text(MODELS.replace("class Job(", "class Run(").replace("'jobs'", "'runs'"))
    (root / "app/q.py").write_text(
        "from app.other import Run\n\ndef f(s):\n    s.query(Run).filter(Run.state == 'Queued')\n"
    )
    third = audit(root, {}, cache_on=True)
    assert "app/q.py" in calls and [f.location.path for f in orm_findings(third)] == ["app/q.py"]


def test_code_digest_covers_the_sql_reader_used_for_application_code(tmp_path: Path, monkeypatch) -> None:
    package = Path(cache.__file__).resolve().parent
    copy = tmp_path / "enumguard"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "_PACKAGE", copy)
    before = cache.code_digest()
    with open(copy / "migrations" / "app_sql.py", "a") as fh:
        fh.write("# changed\n")
    assert cache.code_digest() != before


def test_migration_scripts_are_not_application_code(tmp_path: Path) -> None:
    files = {
        "alembic.ini": "[alembic]\nscript_location = alembic\n",
        "alembic/env.py": "from alembic import context\n",
        "alembic/versions/0001.py": (
            "from alembic import op\nimport sqlalchemy as sa\n\nrevision = '0001'\ndown_revision = None\n\n"
            "def upgrade():\n"
            "    op.execute(\"CREATE TYPE job_state AS ENUM ('queued')\")\n"
            "    op.execute('CREATE TABLE jobs (id int, state job_state)')\n"
            "    conn = op.get_bind()\n"
            "    conn.execute(sa.text(\"SELECT id FROM jobs WHERE state = 'Queued'\"))\n"
        ),
    }
    report = audit(tmp_path, files)
    assert orm_findings(report) == [] and report.model.column_values == ()


def test_model_re_exported_by_a_package_init_is_followed(tmp_path: Path) -> None:
    files = {
        "migrations/001.sql": MIGRATION,
        "app/__init__.py": "",
        "app/models/__init__.py": "from .job import Job\n\n__all__ = ['Job']\n",
        "app/models/job.py": MODELS,
        "app/q.py": QUERY_HEAD + "    s.query(Job).filter(Job.state == 'Queued')\n",
    }
    found = orm_findings(audit(tmp_path, files))
    assert [(f.location.path, f.line, f.suggestion) for f in found] == [("app/q.py", 4, "'QUEUED'")]


def test_a_file_with_python_3_14_except_tuples_is_still_read(tmp_path: Path) -> None:
    files = jobs_repo(
        "    try:\n"
        "        s.query(Job).filter(Job.state == 'Queued')\n"
        "    except ValueError, TypeError:\n"
        "        pass\n"
    )
    assert [f.line for f in orm_findings(audit(tmp_path, files))] == [5]


def test_sql_in_a_variable_is_checked_where_the_innermost_scope_binds_it_once(tmp_path: Path) -> None:
    body = (
        "    query = \"SELECT id FROM jobs WHERE state = 'RUNNING'\"\n"
        "    s.execute(query)\n"
        "    def inner():\n"
        "        s.execute(query)  # the enclosing function's text, read once\n"
        "    other = \"SELECT id FROM jobs WHERE state = 'LOST'\"\n"
        "    other = other + ' LIMIT 1'\n"
        "    s.execute(other)  # bound twice: not judged\n"
        "    s.execute(SHADOWED)\n"
    )
    files = jobs_repo(body)
    files["app/q.py"] = "SHADOWED = \"SELECT id FROM jobs WHERE state = 'GONE'\"\n" + files["app/q.py"]
    files["app/q.py"] += "\n\ndef g(s, SHADOWED):\n    s.execute(SHADOWED)  # a parameter, not the constant\n"
    report = audit(tmp_path, files)
    assert sorted((f.location.line, f.value) for f in orm_findings(report)) == [(1, "GONE"), (5, "RUNNING")]


def test_each_function_reads_its_own_sql_variable_whatever_functions_came_before(tmp_path: Path) -> None:
    # Many functions, each with its own `query`: a scope that ended must not answer for a later one
    # (seen on drone-tm: which queries were checked changed with PYTHONHASHSEED).
    functions = "".join(
        f"def f{i}(s):\n"
        + (f"    query = \"SELECT id FROM jobs WHERE state = 'BAD{i}'\"\n" if i % 2 else "    query = build(s)\n")
        + "    s.execute(query)\n\n\n"
        for i in range(60)
    )
    files = {**jobs_repo(""), "app/q.py": "from app.models import Job\n\n\n" + functions}
    report = audit(tmp_path, files)
    assert sorted(f.value for f in orm_findings(report)) == sorted(f"BAD{i}" for i in range(60) if i % 2)


def test_a_declared_attr_column_of_a_mapped_class_binds_to_its_table(tmp_path: Path) -> None:
    models = MODELS.replace(
        "    state: Mapped[JobState]\n",
        "    @declared_attr\n    def state(cls) -> Mapped[JobState]:\n        return mapped_column()\n",
    ).replace("mapped_column\n", "mapped_column, declared_attr\n")
    files = jobs_repo("    return s.query(Job).filter(Job.state == 'lost')\n")
    files["app/models.py"] = models
    report = audit(tmp_path, files)
    binding = next(b for b in report.model.bindings if b.enum.endswith("models.JobState"))
    assert (binding.table, binding.column, binding.db_type) == ("public.jobs", "state", "public.jobstate")
    assert [f.value for f in orm_findings(report)] == ["lost"]
