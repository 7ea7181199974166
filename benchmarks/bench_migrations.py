"""A generated migration-heavy repository in, throughput out: 500 Supabase SQL migrations and 200
Alembic revisions, read and replayed by enumguard.migrations.load; prints statements per second.

    python benchmarks/bench_migrations.py [--sql 500] [--alembic 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from enumguard import collect, migrations
from enumguard.config import Config

SQL_TEMPLATE = """-- migration {i}: types, tables, data
CREATE TYPE status_{i} AS ENUM ('queued', 'running', E'done', 'failed');
CREATE TABLE jobs_{i} (
    id bigint PRIMARY KEY,
    status status_{i} NOT NULL DEFAULT 'queued',
    payload jsonb DEFAULT '{{}}'::jsonb
);
ALTER TYPE status_{i} ADD VALUE IF NOT EXISTS 'cancelled' AFTER 'failed';
ALTER TYPE status_{prev} RENAME VALUE 'failed' TO 'errored';
CREATE INDEX jobs_{i}_status ON jobs_{i} (status);
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'kind_{i}') THEN
        CREATE TYPE kind_{i} AS ENUM ('a', 'b');
    END IF;
END
$$;
CREATE OR REPLACE FUNCTION touch_{i}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN NEW.updated_at = now(); RETURN NEW; END
$fn$;
ALTER TABLE jobs_{i} ADD COLUMN kind kind_{i} DEFAULT 'a';
INSERT INTO jobs_{i} (id, status) VALUES (1, 'queued'), (2, 'running');
UPDATE jobs_{i} SET status = 'running' WHERE status = 'queued';
GRANT SELECT ON jobs_{i} TO authenticated;
COMMENT ON TABLE jobs_{i} IS 'jobs; with a semicolon';
"""

ALEMBIC_TEMPLATE = '''"""revision {i}"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "r{i:04d}"
down_revision = {down}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orders_{i}",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("state", sa.Enum("open", "paid", "shipped", name="order_state_{i}"), server_default="open"),
    )
    kind = postgresql.ENUM("x", "y", name="order_kind_{i}", create_type=False)
    kind.create(op.get_bind(), checkfirst=True)
    op.add_column("orders_{i}", sa.Column("kind", kind))
    op.execute("ALTER TYPE order_state_{i} ADD VALUE 'refunded'")
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE order_kind_{i} ADD VALUE 'z'")
    op.execute(sa.text("UPDATE orders_{i} SET state = 'paid' WHERE id = 1"))


def downgrade():
    op.drop_table("orders_{i}")
'''


def build(root: Path, sql: int, alembic: int) -> None:
    folder = root / "supabase" / "migrations"
    folder.mkdir(parents=True)
    for i in range(sql):
        (folder / f"2024{i:010d}_m{i}.sql").write_text(SQL_TEMPLATE.format(i=i, prev=max(i - 1, 0)))
    versions = root / "alembic" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text("[alembic]\nscript_location = alembic\n")
    (root / "alembic" / "env.py").write_text("from alembic import context\n")
    for i in range(alembic):
        down = "None" if i == 0 else f'"r{i - 1:04d}"'
        (versions / f"r{i:04d}_rev.py").write_text(ALEMBIC_TEMPLATE.format(i=i, down=down))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sql", type=int, default=500)
    parser.add_argument("--alembic", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build(root, args.sql, args.alembic)
        config = Config(root=root)
        tree = collect.collect(config)
        times, model = [], None
        for _ in range(args.repeat):
            start = time.perf_counter()
            model = migrations.load(tree, config)
            times.append(time.perf_counter() - start)
    assert model is not None
    best, median = min(times), statistics.median(times)
    print(f"migrations: {len(model.migrations)} ({args.sql} SQL files, {args.alembic} Alembic revisions)")
    print(
        f"statements read: {model.statements}; enum ops replayed: {len(model.ops)}; "
        f"DB enum types: {len(model.db_enums)}; problems: {len(model.problems)}"
    )
    print(f"load time: best {best:.2f}s, median {median:.2f}s over {args.repeat} runs")
    print(f"throughput: {model.statements / best:,.0f} migration statements/s (best run)")


if __name__ == "__main__":
    main()
