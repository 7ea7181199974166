"""`enumguard diff` on real git repositories through the whole pipeline: which findings are new,
which pre-existing, which out of scope, and the enum changes a branch makes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from enumguard import pipeline
from enumguard.cli import main
from enumguard.config import Config
from enumguard.review import diff, phrase
from tests.gitutil import branch, git, init, write

MODELS = """\
import enum


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"
"""

SIZES = """\
import enum


class Size(enum.Enum):
    SMALL = "s"
    LARGE = "l"
"""

VIEWS = """\
from app.models import Color


def paint():
    ok = Color.RED
    return Color.Purple
"""

LEGACY = """\
from app.sizes import Size


def measure():
    return Size.HUGE
"""

FIXED_BEFORE = """\
from app.models import Color


def old():
    return Color.GREEN
"""

REVISION = """\
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.execute("CREATE TYPE mood AS ENUM ('ok', 'sad')")
"""

INIT_SQL = "CREATE TYPE order_status AS ENUM ('pending', 'shipped', 'canceled');\n"


def base_repo(tmp_path: Path) -> Path:
    return init(
        tmp_path / "repo",
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/sizes.py": SIZES,
            "app/views.py": VIEWS,
            "app/legacy.py": LEGACY,
            "app/fixed.py": FIXED_BEFORE,
            "db/migrations/001_init.sql": INIT_SQL,
        },
    )


def by_member(report) -> dict[str, bool]:
    return {f.member: f.new for f in report.findings if f.rule == "unknown-member"}


def test_branch_findings_are_new_shifted_preexisting_fixed_or_out_of_scope(tmp_path: Path) -> None:
    repo = base_repo(tmp_path)
    head = branch(
        repo,
        "feature",
        {
            "app/views.py": "# a comment\n# and another\n\n" + VIEWS + "\n\ndef ship():\n    return Color.Shipped\n",
            "app/fixed.py": FIXED_BEFORE.replace("Color.GREEN", "Color.BLUE"),
        },
    )
    git(repo, "checkout", "-q", "main")  # the head is a ref, not the working tree
    report = diff(Config(root=repo), base="main", head="feature")
    assert report.head == head
    assert by_member(report) == {"Purple": False, "Shipped": True}  # HUGE: untouched file and enum
    (pre,) = report.preexisting
    assert (pre.member, pre.path, pre.line) == ("Purple", "app/views.py", 9)  # shifted by 3 lines


def test_working_tree_with_untracked_file_is_the_default_head(tmp_path: Path) -> None:
    repo = base_repo(tmp_path)
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, {"app/new_view.py": "from app.models import Color\n\nx = Color.Teal\n"})
    report = diff(Config(root=repo), base="main")
    assert by_member(report) == {"Teal": True}
    assert [f.path for f in report.findings if f.rule == "unknown-member"] == ["app/new_view.py"]


def test_change_to_an_enum_brings_its_old_findings_elsewhere_into_scope(tmp_path: Path) -> None:
    repo = base_repo(tmp_path)
    branch(repo, "feature", {"app/sizes.py": SIZES + '    MEDIUM = "m"\n'})
    report = diff(Config(root=repo), base="main", head="feature")
    # legacy.py is untouched, but Size changed; Color's findings stay out
    assert by_member(report) == {"HUGE": False}


def test_findings_follow_a_renamed_file(tmp_path: Path) -> None:
    repo = base_repo(tmp_path)
    git(repo, "checkout", "-q", "-b", "feature")
    git(repo, "mv", "app/views.py", "app/paint.py")
    write(repo, {"app/paint.py": VIEWS + "\n\ndef more():\n    return Color.Pink\n"})
    report = diff(Config(root=repo), base="main")
    assert by_member(report) == {"Purple": False, "Pink": True}


def test_subdirectory_root_is_analysed_in_both_trees(tmp_path: Path) -> None:
    repo = init(
        tmp_path / "mono",
        {
            "svc/app/__init__.py": "",
            "svc/app/models.py": MODELS,
            "svc/app/views.py": VIEWS,
            "other/app/models.py": MODELS,
            "other/app/views.py": VIEWS,
        },
    )
    write(
        repo, {"svc/app/views.py": VIEWS + "\nx = Color.Mauve\n", "other/app/views.py": VIEWS + "\ny = Color.Mauve\n"}
    )
    report = diff(Config(root=repo / "svc"), base="main")
    assert by_member(report) == {"Purple": False, "Mauve": True}
    assert {f.path for f in report.findings} == {"app/views.py"}


def test_enum_change_summary_of_add_value_and_rename_value(tmp_path: Path) -> None:
    repo = base_repo(tmp_path)
    branch(
        repo,
        "feature",
        {
            "db/migrations/002_archive.sql": (
                "ALTER TYPE order_status ADD VALUE 'archived' AFTER 'shipped';\n"
                "ALTER TYPE order_status ADD VALUE 'draft' BEFORE 'pending';\n"
                "ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';\n"
            )
        },
    )
    report = diff(Config(root=repo), base="main", head="feature")
    assert [phrase(c) for c in report.changes] == [
        "`order_status`: + `archived` (after `shipped`), + `draft` (before `pending`), renamed `canceled` -> `cancelled`"
    ]
    assert [op.migration for op in report.changes[0].ops] == ["db/migrations/002_archive.sql"] * 3


def test_enum_change_summary_of_rename_to_and_drop_create(tmp_path: Path) -> None:
    repo = base_repo(tmp_path)
    write(repo, {"db/migrations/002_mood.sql": "CREATE TYPE mood AS ENUM ('ok', 'sad');\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "mood")
    branch(
        repo,
        "feature",
        {
            "db/migrations/003_rework.sql": (
                "ALTER TYPE order_status RENAME TO order_state;\n"
                "DROP TYPE mood;\n"
                "CREATE TYPE mood AS ENUM ('ok', 'happy');\n"
            )
        },
    )
    report = diff(Config(root=repo), base="main", head="feature")
    assert [phrase(c) for c in report.changes] == [
        "`order_status`: renamed to `order_state`",
        "`mood`: dropped and recreated with `ok`, `happy`",
    ]


def test_untouched_migrations_make_no_enum_changes(tmp_path: Path) -> None:
    repo = base_repo(tmp_path)
    branch(repo, "feature", {"app/views.py": VIEWS + "\n"})
    assert diff(Config(root=repo), base="main", head="feature").changes == ()


def test_cli_json_marks_new_findings(tmp_path: Path, capsys) -> None:
    repo = base_repo(tmp_path)
    branch(repo, "feature", {"app/views.py": VIEWS + "\nz = Color.Ochre\n"})
    code = main(["diff", "--base", "main", "--format", "json", str(repo)])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    marks = {f.get("member"): f.get("new") for f in data["findings"] if f["rule"] == "unknown-member"}
    assert marks == {"Purple": False, "Ochre": True}


def parse_counter(monkeypatch) -> Counter:
    """Counts every Python file and Alembic revision enumguard parses, by (scanner, path)."""
    from enumguard import python
    from enumguard.migrations.alembic import revisions as alembic

    parsed: Counter = Counter()
    real_extract, real_read = python.extract, alembic._read
    monkeypatch.setattr(python, "extract", lambda path, *a: parsed.update([("python", path)]) or real_extract(path, *a))
    monkeypatch.setattr(
        alembic, "_read", lambda tree, path: parsed.update([("alembic", path)]) or real_read(tree, path)
    )
    return parsed


def test_files_the_same_at_base_and_head_are_parsed_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    repo = base_repo(tmp_path)
    write(
        repo,
        {
            "db/alembic.ini": "[alembic]\nscript_location = db/alembic\n",
            "db/alembic/env.py": "",
            "db/alembic/versions/a1_init.py": REVISION,
        },
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "alembic")
    branch(repo, "feature", {"app/views.py": VIEWS + "\nz = Color.Ochre\n"})
    for cache in (False, True):  # shared in memory within the run, also without the disk cache
        parsed = parse_counter(monkeypatch)
        report = diff(Config(root=repo, cache=cache, jobs=1), base="main", head="feature")
        assert by_member(report) == {"Purple": False, "Ochre": True}
        assert parsed["python", "app/views.py"] == 2  # its base and its head version
        assert parsed["python", "app/models.py"] == 1
        assert parsed["alembic", "db/alembic/versions/a1_init.py"] == 1
        assert set(parsed.values()) == {1, 2} and sum(v == 2 for v in parsed.values()) == 1


def test_a_second_diff_reads_every_fact_from_the_cache(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    repo = base_repo(tmp_path)
    branch(repo, "feature", {"app/views.py": VIEWS + "\nz = Color.Ochre\n"})
    first = diff(Config(root=repo), base="main", head="feature")
    parsed = parse_counter(monkeypatch)
    second = diff(Config(root=repo), base="main", head="feature")
    assert parsed == Counter() and second.findings == first.findings
    # one file per kind of fact, whatever temporary folder the base was exported to
    cached = tmp_path / "cache" / "enumguard"
    assert sorted(p.name for p in cached.iterdir()) == ["migration-facts.json", "python-facts.json"]


# --------------------------------------------------------------------------- issue 10: drift a change introduces

TICKET_ENUMS = """\
import enum


class Status(enum.Enum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    DONE = "done"


class Priority(enum.Enum):
    low = "low"
    high = "high"
    urgent = "urgent"
    critical = "critical"
"""

TICKET_MODELS = """\
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.enums import Priority, Status


class Base(DeclarativeBase):
    pass


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[Status] = mapped_column(sa.Enum(Status, name="ticket_status", values_callable=lambda e: [m.value for m in e]))
    priority: Mapped[Priority] = mapped_column(sa.Enum(Priority, name="priority"))
"""


def revision(rev: str, down: str | None, *sql: str) -> str:
    body = "".join(f"    op.execute({s!r})\n" for s in sql)
    return f"from alembic import op\n\nrevision = {rev!r}\ndown_revision = {down!r}\n\n\ndef upgrade():\n{body}"


def ticket_repo(tmp_path: Path) -> Path:
    """Tickets whose priority column a past migration made a VARCHAR: not compared at base."""
    return init(
        tmp_path / "tickets",
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
            "migrations/env.py": "",
            "migrations/versions/a1_init.py": revision(
                "a1",
                None,
                "CREATE TYPE ticket_status AS ENUM ('draft', 'in_review', 'done')",
                "CREATE TYPE priority AS ENUM ('low', 'high', 'normal', 'blocker')",
                "CREATE TABLE tickets (id serial PRIMARY KEY, status ticket_status, priority priority)",
            ),
            "migrations/versions/a2_text.py": revision(
                "a2", "a1", "ALTER TABLE tickets ALTER COLUMN priority TYPE varchar"
            ),
            "app/__init__.py": "",
            "app/enums.py": TICKET_ENUMS,
            "app/models.py": TICKET_MODELS,
        },
    )


def test_drift_a_change_introduces_is_reported_new_wherever_it_sits(tmp_path: Path) -> None:
    """The shape of a real history commit (issue 10: 7 drift findings at head, 0 in the diff):
    one commit edits the model file holding the bindings and adds a migration that gives the
    priority column its enum type back. The drift sits in app/enums.py, which it did not touch,
    and the new migration has no enum DDL of its own. Diff must report exactly what audit(head)
    adds to audit(base)."""
    repo = ticket_repo(tmp_path)
    base = git(repo, "rev-parse", "HEAD").strip()
    branch(
        repo,
        "feature",
        {
            # status now stores member names (DRAFT) in a type of values (draft)
            "app/models.py": TICKET_MODELS.replace(", values_callable=lambda e: [m.value for m in e]", ""),
            "migrations/versions/a3_enum_again.py": revision(
                "a3", "a2", "ALTER TABLE tickets ALTER COLUMN priority TYPE priority USING priority::priority"
            ),
        },
    )
    drift = {"missing-in-db", "missing-in-code", "case-mismatch", "enum-value-renamed"}

    def audit(ref: str) -> Counter:
        git(repo, "checkout", "-q", ref)
        report = pipeline.run(Config(root=repo, cache=False))
        return Counter((f.rule, f.path, f.enum, f.member, f.value) for f in report.findings if f.rule in drift)

    at_head, at_base = audit("feature"), audit(base)
    introduced = at_head - at_base
    assert not at_base and sum(introduced.values()) == 7
    assert {(rule, member or value) for rule, _, enum, member, value in introduced if enum == "app.enums.Priority"} == {
        ("missing-in-db", "urgent"),
        ("missing-in-db", "critical"),
        ("missing-in-code", "normal"),
        ("missing-in-code", "blocker"),
    }
    report = diff(Config(root=repo), base=base, head="feature")
    new = Counter((f.rule, f.path, f.enum, f.member, f.value) for f in report.findings if f.new and f.rule in drift)
    assert new == introduced
