"""Proof that enumguard's static migration replay builds what PostgreSQL builds.

For every fixture repo and bundled example with migrations: apply them to a fresh database
(psql for SQL files, in enumguard's own order and transaction mode; `alembic upgrade heads` for
Alembic revisions), read pg_enum, and compare with Model.db_enums: the same types, the same
labels in the same order; and the enum-typed table columns with Model.columns. Where PostgreSQL rejects a statement, enumguard must have reported
the rule that predicts that error on that file, and the state before it must still match.

A fixture that is not meant to be applied carries a file PROOF_SKIP with the reason; a known,
not yet fixed difference carries PROOF_XFAIL with the reason (strict: the fix must remove it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from enumguard import collect, migrations, pipeline
from enumguard import config as config_mod
from enumguard.migrations.alembic import environments
from enumguard.migrations.sql import files as sql_files_mod
from enumguard.migrations.sql import psql as psql_mod
from enumguard.rules import RULE_NAMES
from tests.pg import PgServer

ROOT = Path(__file__).resolve().parents[1]
REPOS = ROOT / "tests" / "fixtures" / "repos"
EXAMPLES = ROOT / "examples"

# What PostgreSQL says when it rejects a statement, and the rule that predicts it.
PREDICTED_BY = {
    "55P04": "add-value-in-transaction",  # unsafe use of new value
    "25001": "add-value-in-transaction",  # ALTER TYPE ... ADD cannot run inside a transaction block
    "22P02": "sql-unknown-value",  # invalid input value for enum
    "42704": "missing-type",  # type does not exist
    "2BP01": "drop-type-in-use",  # cannot drop type because other objects depend on it
}

PG_ENUMS_SQL = """
SELECT n.nspname || '.' || t.typname, coalesce(array_agg(e.enumlabel ORDER BY e.enumsortorder)
       FILTER (WHERE e.enumlabel IS NOT NULL), '{}')
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace LEFT JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typtype = 'e' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
GROUP BY 1 ORDER BY 1
"""

PG_COLUMNS_SQL = """
SELECT n.nspname || '.' || c.relname, a.attname, tn.nspname || '.' || t.typname
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace
WHERE t.typtype = 'e' AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
ORDER BY 1, 2
"""

GENERIC_ENV = '''\
"""Runs the revisions online against sqlalchemy.url (written by the enumguard proof test)."""
from alembic import context
from sqlalchemy import create_engine

engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(
        connection=connection, target_metadata=None, transaction_per_migration={tpm}, version_table="{table}"
    )
    with context.begin_transaction():
        context.run_migrations()
'''

ALEMBIC_RUNNER = """
import logging, sys
from alembic import command
from alembic.config import Config
logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
ini, section, script_location, url = sys.argv[1:5]
cfg = Config(ini, ini_section=section) if ini else Config()
if script_location:
    cfg.set_main_option("script_location", script_location)
cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
command.upgrade(cfg, "heads")
"""


def _has_migrations(repo: Path) -> bool:
    return any(repo.rglob("*.sql")) or any(repo.rglob("env.py")) or any(repo.rglob("alembic.ini"))


def _candidates() -> list[Path]:
    repos = sorted(p for p in REPOS.iterdir() if p.is_dir()) if REPOS.is_dir() else []
    examples = sorted(p for p in EXAMPLES.iterdir() if p.is_dir()) if EXAMPLES.is_dir() else []
    return [p for p in repos + examples if _has_migrations(p)]


@dataclass
class Failure:
    path: str  # the migration file PostgreSQL rejected
    sqlstate: str
    text: str


def _load(root: Path, drop: frozenset[str] = frozenset()):
    """enumguard's config, source tree (without the `drop` paths) and migration model."""
    config = replace(config_mod.load(root, rule_names=RULE_NAMES), cache=False)
    tree = collect.collect(config)
    if drop:
        tree = replace(
            tree,
            files=tuple(f for f in tree.files if f.path not in drop),
            paths=tuple(p for p in tree.paths if p not in drop),
        )
    return config, tree, migrations.load(tree, config)


def _expected(model) -> dict[str, tuple[str, ...] | None]:
    """Type -> labels as enumguard replays them (None: labels unknown, only existence compared)."""
    return {db.name: (db.label_values if db.certain else None) for db in model.db_enums}


def _actual(server: PgServer, db: str, unknown: set[str]) -> dict[str, tuple[str, ...] | None]:
    with server.connect(db) as conn:
        rows = conn.execute(PG_ENUMS_SQL).fetchall()
    return {name: (None if name in unknown else tuple(labels)) for name, labels in rows}


def _sql_script(path: Path) -> str:
    """The part of the file the tool runs (dbmate files hold `-- migrate:up` and `-- migrate:down`)."""
    text = path.read_text(encoding="utf-8")
    if re.search(r"^--\s*migrate:up", text, re.MULTILINE):
        text = re.split(r"^--\s*migrate:down.*$", text, maxsplit=1, flags=re.MULTILINE)[0]
    return text


def _apply_sql(server: PgServer, db: str, root: Path, item: sql_files_mod.SqlFile, work: Path) -> Failure | None:
    script = work / "current.sql"
    text = _sql_script(root / item.path)
    script.write_text(text, encoding="utf-8")
    if psql_mod.scan(text).includes:  # psql reads its includes from the file's folder, as its scripts run it
        script = root / item.path
    whole_file = item.mode == "file"
    if re.search(r"^--\s*migrate:up.*transaction:\s*false", text, re.MULTILINE):
        whole_file = False
    args = ["-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose", *(["-1"] if whole_file else []), "-f", str(script)]
    result = server.psql(db, *args, cwd=str(script.parent))
    if result.returncode == 0:
        return None
    found = re.search(r"ERROR:\s+([0-9A-Z]{5}):", result.stderr)
    path = item.path
    included = re.search(r"^psql:([^:\n]+):\d+: ERROR", result.stderr, re.MULTILINE)
    if included and script == root / item.path and Path(included.group(1)).name != script.name:
        path = os.path.normpath(os.path.join(os.path.dirname(item.path), included.group(1)))  # an included file
    return Failure(path, found.group(1) if found else "?????", result.stderr.strip())


def _alembic_setup(root: Path, tree, config, work: Path) -> list[tuple[str, str, str]] | None:
    """Copy the repo into `work` and return, per Alembic environment in enumguard's order,
    (ini, section, script_location) for the runner; an environment's env.py is used when it
    really runs migrations, else a generic one (with its own version table) in its place."""
    envs = [e for e in environments.environments(tree, config) if environments.scripts(tree, e)]
    if not envs:
        return None
    copy = work / "repo"
    shutil.copytree(root, copy)
    out = []
    for i, found in enumerate(envs):
        script_dir = copy / (found.script_location or Path(found.versions[0]).parent)
        env = script_dir / "env.py"
        original = env.read_text(encoding="utf-8") if env.is_file() else ""
        if "run_migrations" not in original or "connection=None" in original:
            tpm = config.transaction_per_migration
            if tpm is None:
                tpm = bool(re.search(r"transaction_per_migration\s*=\s*True", original))
            table = "alembic_version" if i == 0 else f"alembic_version_{i}"
            env.write_text(GENERIC_ENV.format(tpm=tpm, table=table), encoding="utf-8")
        if found.ini is not None:
            out.append((str(copy / found.ini.path), found.ini.section, ""))
        else:
            inis = sorted(copy.rglob("alembic.ini"))
            out.append((str(inis[0]), "alembic", "") if inis else ("", "alembic", str(script_dir)))
    return out


def _apply_alembic(
    server: PgServer, db: str, setup: list[tuple[str, str, str]], work: Path, revisions: dict[str, str]
) -> Failure | None:
    """`alembic upgrade heads` for each environment in turn, on one database."""
    copy = work / "repo"
    env = {**os.environ, "PYTHONPATH": str(copy)}
    for ini, section, script_location in setup:
        result = subprocess.run(
            [sys.executable, "-c", ALEMBIC_RUNNER, ini, section, script_location, server.sqlalchemy_url(db)],
            cwd=Path(ini).parent if ini else copy,
            capture_output=True,
            text=True,
            env=env,
            timeout=180,
        )
        if result.returncode == 0:
            continue
        ran = re.findall(r"Running upgrade .*?-> ([\w, ]+?)(?:,|$)", result.stderr, re.MULTILINE)
        path = revisions.get(ran[-1].strip(), "?") if ran else "?"
        found = re.search(r"psycopg\.errors\.(\w+)", result.stderr)
        sqlstate = "?????"
        if found:
            import psycopg.errors

            sqlstate = getattr(getattr(psycopg.errors, found.group(1), None), "sqlstate", None) or sqlstate
        return Failure(path, sqlstate, result.stderr.strip()[-3000:])
    return None


def _assert_predicted(failure: Failure, root: Path) -> None:
    rule = PREDICTED_BY.get(failure.sqlstate)
    assert rule is not None, f"PostgreSQL rejected {failure.path} ({failure.sqlstate}):\n{failure.text}"
    config = replace(config_mod.load(root, rule_names=RULE_NAMES), cache=False)
    findings = pipeline.run(config).findings
    assert any(f.rule == rule and f.path == failure.path for f in findings), (
        f"PostgreSQL rejected {failure.path} with {failure.sqlstate} but enumguard reported no `{rule}` there:\n"
        f"{failure.text}\nenumguard: {[(str(f.location), f.rule) for f in findings]}"
    )


def _assert_no_false_alarm(root: Path, config, applied: list[str]) -> None:
    """`add-value-in-transaction` claims PostgreSQL rejects the file: it must not apply cleanly."""
    if not applied or config.postgres_version < 12:
        return  # below 12 the rule flags every ADD VALUE in a transaction, which this server accepts
    findings = pipeline.run(config).findings
    wrong = sorted(str(f.location) for f in findings if f.rule == "add-value-in-transaction" and f.path in applied)
    assert not wrong, f"enumguard reported add-value-in-transaction but PostgreSQL applied the file: {wrong}"


@pytest.mark.parametrize("repo", _candidates(), ids=lambda p: f"examples/{p.name}" if p.parent == EXAMPLES else p.name)
def test_static_replay_matches_postgres(repo: Path, pg_server: PgServer, pg_db: str, tmp_path: Path, request) -> None:
    skip = repo / "PROOF_SKIP"
    if skip.is_file():
        pytest.skip(f"PROOF_SKIP: {skip.read_text().strip()}")
    known = repo / "PROOF_XFAIL"  # a known difference, written down; strict: a fix makes this fail
    if known.is_file():
        request.node.add_marker(pytest.mark.xfail(reason=known.read_text().strip(), strict=True))
    config, tree, model = _load(repo)
    if not model.migrations:
        pytest.skip("no migrations enumguard recognises")
    sql_files = sql_files_mod.sql_files(tree, config)
    revisions = {m.revision: m.path for m in model.migrations if m.kind == "alembic" and m.revision}
    failure: Failure | None = None
    applied: list[str] = []
    for item in sql_files:  # enumguard applies SQL files first, then the Alembic chain
        failure = _apply_sql(pg_server, pg_db, repo, item, tmp_path)
        if failure:
            break
        applied.append(item.path)
    alembic_ran = False
    if failure is None and revisions:
        setup = _alembic_setup(repo, tree, config, tmp_path)
        if setup is not None:
            failure = _apply_alembic(pg_server, pg_db, setup, tmp_path, revisions)
            alembic_ran = failure is None
    _assert_no_false_alarm(repo, config, applied + (sorted(revisions.values()) if alembic_ran else []))
    if failure is not None:
        _assert_predicted(failure, repo)
        if failure.path not in {i.path for i in sql_files}:
            return  # an Alembic upgrade rolls back as a whole: no intermediate state to compare
        later = frozenset(i.path for i in sql_files if i.path not in applied) | frozenset(revisions.values())
        _, _, model = _load(repo, drop=later)  # the replay of the files PostgreSQL did apply
    elif revisions and not alembic_ran:
        pytest.fail("Alembic revisions found but no versions folder to run")
    want = _expected(model)
    got = _actual(pg_server, pg_db, {name for name, labels in want.items() if labels is None})
    assert got == want, f"PostgreSQL built {got}\nenumguard replayed {want}"
    with pg_server.connect(pg_db) as conn:
        pg_columns = sorted(tuple(row) for row in conn.execute(PG_COLUMNS_SQL).fetchall())
    replayed = sorted({(c.table, c.column, c.type_name) for c in model.columns})
    assert pg_columns == replayed, f"enum-typed columns: PostgreSQL {pg_columns}\nenumguard {replayed}"
