"""`enumguard audit --database-url` against a real PostgreSQL server: drift between migrations,
Python and the live database, stuck sessions, and every way the connection can fail."""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from enumguard import config as config_mod
from enumguard import live, pipeline
from enumguard.cli import main
from enumguard.live import connect
from enumguard.rules import RULE_NAMES
from tests.pg import SUPERUSER_PASSWORD, PgServer

MIGRATION = """\
create type public.job_status as enum ('queued', 'running', 'done');

create type public.priority as enum ('low', 'high');

create table public.jobs (
  id bigint primary key,
  status public.job_status not null default 'queued'
);
"""

MODELS = """\
import enum

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class JobStatus(str, enum.Enum):
    queued = "queued"
    running = "running"
    done = "done"
{extra}

class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[JobStatus] = mapped_column(
        sa.Enum(JobStatus, name="job_status", values_callable=lambda e: [m.value for m in e])
    )
"""

MIGRATION_PATH = "supabase/migrations/20240101000000_jobs.sql"


BROKEN_PATH = "supabase/migrations/20240201000000_default.sql"


def make_repo(root: Path, extra_member: str = "", broken: bool = False) -> Path:
    """The tiny repo; `broken` adds a migration with a static error (sql-unknown-value)."""
    (root / "supabase/migrations").mkdir(parents=True)
    (root / MIGRATION_PATH).write_text(MIGRATION)
    if broken:
        (root / BROKEN_PATH).write_text("alter table public.jobs alter column status set default 'paused';\n")
    (root / "app").mkdir()
    (root / "app/__init__.py").write_text("")
    extra = f'    {extra_member} = "{extra_member}"\n' if extra_member else ""
    (root / "app/models.py").write_text(MODELS.format(extra=extra))
    return root


def line_of(root: Path, path: str, needle: str) -> int:
    for number, line in enumerate((root / path).read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def audit(root: Path, url: str, **settings):
    config = replace(config_mod.load(root, rule_names=RULE_NAMES), cache=False, **settings)
    return pipeline.run(config, extend_model=live.extender(url, config))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- drift


def test_db_drift_reports_labels_and_types_on_both_sides(tmp_path: Path, pg_server: PgServer, pg_db: str) -> None:
    root = make_repo(tmp_path)
    # The live database: `done` never applied, `archived` added by hand, `priority` missing,
    # and a type no migration knows, used by a table.
    pg_server.execute(
        "create type job_status as enum ('queued', 'running', 'archived');"
        "create type legacy_kind as enum ('a', 'b');"
        "create table things (id int, kind legacy_kind);",
        pg_db,
    )
    report = audit(root, pg_server.url(pg_db))
    drift = sorted(
        (f.location.path, f.location.line, f.value or "", f.message) for f in report.findings if f.rule == "db-drift"
    )
    create_line = line_of(root, MIGRATION_PATH, "job_status as enum")
    priority_line = line_of(root, MIGRATION_PATH, "priority as enum")
    assert [(p, line, v) for p, line, v, _ in drift] == sorted(
        [
            (MIGRATION_PATH, create_line, "done"),  # in migrations, not in the DB
            (MIGRATION_PATH, create_line, "archived"),  # in the DB, in no migration
            (MIGRATION_PATH, priority_line, ""),  # type only in migrations
            ("database:public.legacy_kind", 1, ""),  # type only in the DB
        ]
    )
    messages = {v or p: m for p, _, v, m in drift}
    assert "`done`" in messages["done"] and "missing in the live database" in messages["done"]
    assert "`archived`" in messages["archived"] and "no migration adds" in messages["archived"]
    assert "used by `public.things.kind`" in messages["database:public.legacy_kind"]
    archived = next(f for f in report.findings if f.value == "archived" and f.rule == "db-drift")
    assert archived.related[0].location.path == "database:public.job_status"
    assert archived.related[0].location.line == 3  # its position in pg_enum
    assert report.notices == ()


def test_db_drift_is_silent_when_database_matches_migrations(tmp_path: Path, pg_server: PgServer, pg_db: str) -> None:
    root = make_repo(tmp_path)
    pg_server.psql(pg_db, "-v", "ON_ERROR_STOP=1", "-f", str(root / MIGRATION_PATH), check=True)
    report = audit(root, pg_server.url(pg_db))
    assert [f for f in report.findings if f.rule == "db-drift"] == []
    assert report.model.live_enum("public.job_status").label_values == ("queued", "running", "done")


def test_db_drift_reports_labels_in_another_order(tmp_path: Path, pg_server: PgServer, pg_db: str) -> None:
    root = make_repo(tmp_path)
    pg_server.execute(
        "create type job_status as enum ('queued', 'done', 'running'); create type priority as enum ('low', 'high')",
        pg_db,
    )
    report = audit(root, pg_server.url(pg_db))
    (finding,) = [f for f in report.findings if f.rule == "db-drift"]
    assert "another order" in finding.message and "`queued`, `done`, `running`" in finding.message


def test_type_renamed_by_hand_is_named_on_both_sides(tmp_path: Path, pg_server: PgServer, pg_db: str) -> None:
    root = make_repo(tmp_path)
    pg_server.execute(
        "create type job_state as enum ('queued', 'running', 'done'); create type priority as enum ('low', 'high')",
        pg_db,
    )
    report = audit(root, pg_server.url(pg_db))
    drift = {f.location.path: f for f in report.findings if f.rule == "db-drift"}
    assert set(drift) == {MIGRATION_PATH, "database:public.job_state"}
    assert "`job_state` with the same labels: renamed by hand?" in drift[MIGRATION_PATH].help
    assert "`job_status` with the same labels: renamed by hand?" in drift["database:public.job_state"].help


def test_other_schemas_and_extension_types_are_not_drift(tmp_path: Path, pg_server: PgServer, pg_db: str) -> None:
    root = make_repo(tmp_path)
    pg_server.psql(pg_db, "-v", "ON_ERROR_STOP=1", "-f", str(root / MIGRATION_PATH), check=True)
    # A platform schema (like Supabase's auth) and an extension's own enum type.
    pg_server.execute("create schema auth; create type auth.factor_type as enum ('totp', 'webauthn')", pg_db)
    with pg_server.connect(pg_db) as conn:
        extension = conn.execute(
            "select name from pg_available_extensions where name in ('cube', 'seg') order by 1 limit 1"
        ).fetchone()
    pg_server.execute("create type public.bundled as enum ('x')", pg_db)
    if extension:  # make `bundled` a member of an extension, as an extension's own types are
        pg_server.execute(
            f"create extension {extension[0]}; alter extension {extension[0]} add type public.bundled", pg_db
        )
    report = audit(root, pg_server.url(pg_db))
    drift = [f for f in report.findings if f.rule == "db-drift"]
    if extension:
        assert drift == []
    else:  # no contrib extension on this machine: the hand-made type is reported
        assert [f.location.path for f in drift] == ["database:public.bundled"]
    assert report.model.live_enum("auth.factor_type") is not None  # read, just not compared


def test_session_idle_in_aborted_transaction_is_reported(tmp_path: Path, pg_server: PgServer, pg_db: str) -> None:
    root = make_repo(tmp_path)
    with psycopg.connect(pg_server.url(pg_db), application_name="crashed-job") as stuck:
        with pytest.raises(psycopg.errors.UndefinedTable):
            stuck.execute("select * from no_such_table")
        time.sleep(1.1)
        report = audit(root, pg_server.url(pg_db), idle_threshold_seconds=1)
        (finding,) = [f for f in report.findings if f.rule == "idle-in-transaction"]
        assert "idle in an aborted transaction" in finding.message and "`crashed-job`" in finding.message
        stuck.rollback()


def test_python_enum_is_compared_with_the_live_type(tmp_path: Path, pg_server: PgServer, pg_db: str) -> None:
    root = make_repo(tmp_path)
    # Live: `done` missing (the code writes it), `paused` added by hand (the code cannot read it).
    pg_server.execute(
        "create type job_status as enum ('queued', 'running', 'paused'); create type priority as enum ('low', 'high')",
        pg_db,
    )
    report = audit(root, pg_server.url(pg_db))
    drift = {f.rule: f for f in report.findings if f.rule in ("missing-in-db", "missing-in-code", "case-mismatch")}
    assert set(drift) == {"missing-in-db", "missing-in-code"}
    assert drift["missing-in-db"].value == "done" and "in the live database" in drift["missing-in-db"].message
    assert drift["missing-in-db"].location.path == "app/models.py"
    code = drift["missing-in-code"]
    assert code.value == "paused" and "in the live database" in code.message
    assert (code.location.path, code.location.line) == ("database:public.job_status", 3)


def test_python_enum_matching_migrations_and_database_gives_no_drift(
    tmp_path: Path, pg_server: PgServer, pg_db: str
) -> None:
    root = make_repo(tmp_path)
    pg_server.psql(pg_db, "-v", "ON_ERROR_STOP=1", "-f", str(root / MIGRATION_PATH), check=True)
    report = audit(root, pg_server.url(pg_db))
    assert report.model.bindings and report.model.live_enums
    assert report.findings == ()


# --------------------------------------------------------------------------- health


def test_idle_in_transaction_session_is_reported_and_left_alone(
    tmp_path: Path, pg_server: PgServer, pg_db: str
) -> None:
    root = make_repo(tmp_path)
    pg_server.psql(pg_db, "-v", "ON_ERROR_STOP=1", "-f", str(root / MIGRATION_PATH), check=True)
    with psycopg.connect(pg_server.url(pg_db), application_name="stuck-worker") as stuck:
        stuck.execute("update jobs set status = 'done' where id = 42")  # opens a transaction, keeps it
        pid = stuck.info.backend_pid
        time.sleep(1.2)
        report = audit(root, pg_server.url(pg_db), idle_threshold_seconds=1)
        quiet = audit(root, pg_server.url(pg_db))  # default threshold: 5 minutes
        (finding,) = [f for f in report.findings if f.rule == "idle-in-transaction"]
        assert f"pid {pid}" in finding.message and "`stuck-worker`" in finding.message
        assert "update jobs set status = 'done' where id = 42" in finding.message
        assert f"SELECT pg_terminate_backend({pid});" in finding.help
        assert not [f for f in quiet.findings if f.rule == "idle-in-transaction"]
        # enumguard never ends the session: the transaction is still open and usable.
        assert stuck.execute("select pg_backend_pid()").fetchone()[0] == pid
        assert stuck.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS


def test_role_without_stats_access_gets_a_limited_health_check(tmp_path: Path, pg_server: PgServer, pg_db: str) -> None:
    root = make_repo(tmp_path)
    pg_server.psql(pg_db, "-v", "ON_ERROR_STOP=1", "-f", str(root / MIGRATION_PATH), check=True)
    role = f"auditor_{pg_db[-8:]}"
    pg_server.create_role(role, "auditor-pw")
    try:
        with psycopg.connect(pg_server.url(pg_db), application_name="stuck-worker") as stuck:
            stuck.execute("select 1 from jobs")
            time.sleep(1.1)
            report = audit(root, pg_server.url(pg_db, user=role, password="auditor-pw"), idle_threshold_seconds=1)
        assert not [f for f in report.findings if f.rule == "idle-in-transaction"]  # hidden from this role
        (notice,) = report.notices
        assert "health check limited" in notice and f"`{role}`" in notice and "pg_read_all_stats" in notice
        assert "auditor-pw" not in notice and f"{role}:***@" in notice
        # The enum part of the audit still ran with this role's rights.
        assert report.model.live_enum("public.job_status") is not None
        assert not [f for f in report.findings if f.rule == "db-drift"]
    finally:
        pg_server.execute(f'DROP OWNED BY "{role}"', pg_db)
        pg_server.execute(f'DROP ROLE "{role}"')


# --------------------------------------------------------------------------- failures


def run_cli(root: Path, url: str, capsys, *extra: str) -> tuple[int, str]:
    code = main(["audit", str(root), "--no-cache", "--database-url", url, *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_wrong_password_is_one_line_notice_and_static_audit_still_reports(
    tmp_path: Path, pg_server: PgServer, pg_db: str, capsys
) -> None:
    root = make_repo(tmp_path, broken=True)  # a static error: sql-unknown-value
    secret = "Wr0ng-Passw0rd-xyz"
    code, out = run_cli(root, pg_server.url(pg_db, password=secret), capsys)
    assert code == 1  # decided by the static error, not by the failed connection
    assert "sql-unknown-value" in out and "`paused`" in out
    notices = [line for line in out.splitlines() if "database postgresql://" in line]
    assert len(notices) == 1
    assert "password authentication failed" in notices[0]
    assert f"postgresql://postgres:***@127.0.0.1:{pg_server.port}/{pg_db}" in notices[0]
    assert secret not in out and SUPERUSER_PASSWORD not in out


def test_password_never_appears_in_any_format(tmp_path: Path, pg_server: PgServer, pg_db: str, capsys) -> None:
    root = make_repo(tmp_path, broken=True)
    pg_server.execute("create type job_status as enum ('queued')", pg_db)
    for fmt in ("text", "json", "sarif", "markdown"):
        code, out = run_cli(root, pg_server.url(pg_db), capsys, "--format", fmt)
        assert code == 1 and "db-drift" in out
        assert SUPERUSER_PASSWORD not in out


def test_server_that_is_down_gives_connection_refused_notice(tmp_path: Path, capsys, monkeypatch) -> None:
    root = make_repo(tmp_path, broken=True)
    monkeypatch.setenv("ENUMGUARD_DATABASE_URL", f"postgresql://app:hunter2-secret@127.0.0.1:{closed_port()}/app")
    code = main(["audit", str(root), "--no-cache", "--format", "json"])
    out = capsys.readouterr()
    assert code == 1 and '"sql-unknown-value"' in out.out
    assert "hunter2-secret" not in out.out + out.err
    import json

    (notice,) = json.loads(out.out)["notices"]
    assert notice.startswith("database postgresql://app:***@127.0.0.1:") and "connection refused" in notice


def test_server_that_never_answers_hits_the_connect_timeout(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    with socket.socket() as silent:  # accepts TCP connections (backlog) but never speaks
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"postgresql://app:t1meout-pw@127.0.0.1:{silent.getsockname()[1]}/app"
        config = replace(config_mod.load(root, rule_names=RULE_NAMES), cache=False)
        started = time.monotonic()
        report = pipeline.run(config, extend_model=live.extender(url, config, connect_timeout=2))
        elapsed = time.monotonic() - started
    (notice,) = report.notices
    assert "connection timed out after 2 s" in notice and "t1meout-pw" not in notice
    assert elapsed < 10


def test_missing_database_and_bad_url_are_notices(tmp_path: Path, pg_server: PgServer) -> None:
    root = make_repo(tmp_path)
    report = audit(root, pg_server.url("no_such_db"))
    (notice,) = report.notices
    assert 'database "no_such_db" does not exist' in notice and SUPERUSER_PASSWORD not in notice
    report = audit(root, "postgresql://u:s3cr3t-pw@127.0.0.1:notaport/db")
    (notice,) = report.notices
    assert "s3cr3t-pw" not in notice and notice.startswith("database ")


def test_catalog_lock_hits_the_lock_timeout_not_a_hang(
    tmp_path: Path, pg_server: PgServer, pg_db: str, monkeypatch
) -> None:
    root = make_repo(tmp_path)
    monkeypatch.setattr(connect, "LOCK_TIMEOUT_MS", 300)
    with pg_server.connect(pg_db) as holder:
        holder.execute("begin; lock table pg_enum in access exclusive mode")
        started = time.monotonic()
        report = audit(root, pg_server.url(pg_db))
        elapsed = time.monotonic() - started
        holder.execute("rollback")
    (notice,) = report.notices
    assert "lock timeout" in notice and elapsed < 5
    assert report.model.live_enums == ()


def test_session_is_read_only_and_named(pg_server: PgServer, pg_db: str) -> None:
    with pytest.raises(connect.LiveError, match="read-only transaction"):
        with live.read_only_session(pg_server.url(pg_db)) as cur:
            cur.execute("show transaction_read_only")
            assert cur.fetchone()[0] == "on"
            with pg_server.connect(pg_db) as other:
                rows = other.execute("select application_name from pg_stat_activity where datname = %s", (pg_db,))
                assert "enumguard" in [r[0] for r in rows]
            cur.execute("create table sneaky (id int)")
    with pg_server.connect(pg_db) as check:
        assert check.execute("select to_regclass('sneaky')").fetchone()[0] is None
