"""A repository's migrations applied to a real PostgreSQL in, a table out: every enum type as
`pg_enum` has it next to what `enumguard show --format json` replays, and whether they agree.
Every type enumguard calls certain must equal `pg_enum`; an uncertain one is listed with its reason.

    python benchmarks/compare_pg_enum.py --repo PATH                 # apply what enumguard finds
    python benchmarks/compare_pg_enum.py --repo PATH --psql FILE     # run an entry file with psql instead
    python benchmarks/compare_pg_enum.py --repo PATH --database-url URL   # a database you migrated

SQL migrations are applied in enumguard's order with psql (one transaction per file where the
tool runs it so); Alembic revisions with `alembic upgrade heads` through a generic env.py (the
project's own env.py usually needs the application's settings), the repository root and `src/`
on PYTHONPATH (before the caller's PYTHONPATH, for packages kept elsewhere). A migration that fails stops the run (exit 2): nothing is compared with a partial history.
Needs the test extra (psycopg, alembic) and PostgreSQL server binaries (scripts/test.sh installs them).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from enumguard import collect  # noqa: E402
from enumguard import config as config_mod  # noqa: E402
from enumguard.migrations.alembic import environments  # noqa: E402
from enumguard.migrations.sql import files as sql_files  # noqa: E402
from enumguard.rules import RULE_NAMES  # noqa: E402
from tests import pg  # noqa: E402

PG_ENUMS = """
SELECT n.nspname, t.typname, coalesce(array_agg(e.enumlabel ORDER BY e.enumsortorder)
       FILTER (WHERE e.enumlabel IS NOT NULL), '{}')
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace LEFT JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typtype = 'e' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
GROUP BY 1, 2 ORDER BY 1, 2
"""

GENERIC_ENV = """\
from alembic import context
from sqlalchemy import create_engine

engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
"""

RUNNER = """
import sys
from alembic import command
from alembic.config import Config
cfg = Config()
cfg.set_main_option("script_location", sys.argv[1])
cfg.set_main_option("version_locations", sys.argv[2])
url = sys.argv[3]
import sqlalchemy
if sqlalchemy.__version__.startswith("1."):  # a project pinned to SQLAlchemy 1.x: no psycopg 3 dialect
    url = url.replace("+psycopg:", "+psycopg2:")
cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
command.upgrade(cfg, "heads")
"""


def apply_migrations(server: pg.PgServer, db: str, repo: Path) -> list[str]:
    """Apply what enumguard reads, in its order; returns one line per failure (empty: all applied)."""
    config = replace(config_mod.load(repo, rule_names=RULE_NAMES), cache=False)
    tree = collect.collect(config)
    problems: list[str] = []
    for item in sql_files.sql_files(tree, config):
        one = ["-1"] if item.mode == "file" else []
        result = server.psql(db, "-v", "ON_ERROR_STOP=1", *one, "-f", str(repo / item.path))
        if result.returncode != 0:
            return [f"{item.path}: {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else '?'}"]
    versions = environments.alembic_dirs(tree, config)
    if environments.alembic_scripts(tree, versions):
        work = Path(tempfile.mkdtemp(prefix="compare-alembic-"))
        try:
            (work / "env.py").write_text(GENERIC_ENV, encoding="utf-8")
            (work / "script.py.mako").write_text("", encoding="utf-8")
            locations = " ".join(str(repo / v) for v in versions)
            paths = [str(p) for p in (repo, repo / "src") if p.is_dir()]
            paths += [os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []  # a package's own src/
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
            result = subprocess.run(
                [sys.executable, "-c", RUNNER, str(work), locations, server.sqlalchemy_url(db)],
                capture_output=True,
                text=True,
                env=env,
                cwd=repo,
                timeout=600,
            )
            if result.returncode != 0:
                problems.append("alembic upgrade heads: " + result.stderr.strip().splitlines()[-1])
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return problems


def pg_enums(conn) -> dict[str, list[str]]:
    return {f"{schema}.{name}": list(labels) for schema, name, labels in conn.execute(PG_ENUMS).fetchall()}


def show(repo: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "enumguard", "show", str(repo), "--format", "json", "--no-cache", "-q"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def compare(actual: dict[str, list[str]], model: dict) -> tuple[list[tuple[str, str, str, str]], int]:
    """(type, pg_enum, enumguard, verdict) rows and the number of certain types that differ."""
    replayed = {f"{t['schema']}.{t['type']}": t for t in model["db_types"]}
    rows, wrong = [], 0
    for name in sorted(set(actual) | set(replayed)):
        ours, theirs = replayed.get(name), actual.get(name)
        labels = ", ".join(theirs) if theirs is not None else "(no such type)"
        if ours is None:
            rows.append((name, labels, "(not replayed)", "missing"))
            continue
        mine = ", ".join(label["label"] for label in ours["labels"])
        if not ours["certain"]:
            rows.append((name, labels, mine, f"uncertain: {ours['doubt']['reason']}"))
        elif theirs is not None and list(theirs) == [label["label"] for label in ours["labels"]]:
            rows.append((name, labels, mine, "equal"))
        else:
            wrong += 1
            rows.append((name, labels, mine, "DIFFERENT"))
    return rows, wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--psql", metavar="FILE", help="apply by running this entry file with psql (cwd: its folder)")
    parser.add_argument("--database-url", help="compare with this database instead of applying anything")
    args = parser.parse_args()
    repo = args.repo.resolve()
    problems: list[str] = []
    if args.database_url:
        import psycopg

        with psycopg.connect(args.database_url) as conn:
            actual = pg_enums(conn)
    else:
        server = pg.start()
        try:
            db = server.create_database("compare")
            if args.psql:
                entry = (repo / args.psql).resolve()
                os.chdir(entry.parent)
                result = server.psql(db, "-v", "ON_ERROR_STOP=1", "-f", str(entry))
                if result.returncode != 0:
                    problems.append(f"{args.psql}: {result.stderr.strip().splitlines()[-1]}")
            else:
                problems = apply_migrations(server, db, repo)
            with server.connect(db) as conn:
                actual = pg_enums(conn)
        finally:
            server.stop()
    if problems:  # the database holds part of the history: no comparison would mean anything
        for problem in problems:
            print(f"not applied: {problem}")
        return 2
    rows, wrong = compare(actual, show(repo))
    print("| type | pg_enum | enumguard show | verdict |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    certain = sum(1 for row in rows if row[3] in ("equal", "DIFFERENT"))
    print(f"\n{len(rows)} types; {certain} certain, {wrong} of them different from pg_enum")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
