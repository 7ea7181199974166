"""Property-based fuzzing of the parsers: random and mutated Python and SQL go through the whole
model-building pipeline; the result is always findings (or none), never an exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enumguard import pipeline
from enumguard.collect import SourceFile, SourceTree
from enumguard.config import Config
from enumguard.rules import RULE_NAMES

PY_SEEDS = [
    "import enum\n\n\nclass Status(enum.Enum):\n    queued = 'queued'\n    done = 'done'\n",
    "from app.models import Status\n\nx = Status.queued\ny = Status('done')\nz = getattr(Status, 'gone')\n",
    "import sqlalchemy as sa\nfrom app.models import Status\n\ncol = sa.Column(sa.Enum(Status, name='status', "
    "values_callable=lambda e: [m.value for m in e]), server_default='queued')\n",
    "from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'a1'\ndown_revision = None\n\n\ndef upgrade():\n"
    "    op.execute(\"ALTER TYPE status ADD VALUE 'paused'\")\n    op.add_column('t', sa.Column('s', sa.Enum('a', name='s')))\n",
    'x = f\'{Status.queued!r:>{width}}\' + """\n{\n"""  # enumguard: ignore[unknown-member]\n',
]
SQL_SEEDS = [
    "CREATE TYPE status AS ENUM ('queued', 'done');\nALTER TYPE status ADD VALUE IF NOT EXISTS 'paused' AFTER 'queued';\n",
    "DO $$ BEGIN\n  CREATE TYPE s2 AS ENUM ('a');\nEXCEPTION WHEN duplicate_object THEN null;\nEND $$;\n",
    "CREATE TABLE jobs (id serial, status status DEFAULT 'queued');\nINSERT INTO jobs (status) VALUES ('done'), ('x'::status);\n",
    "BEGIN;\nALTER TYPE status RENAME VALUE 'done' TO 'finished';\nCOMMIT;\n/* c */ -- x\nDROP TYPE IF EXISTS s2 CASCADE;\n",
    "SET search_path TO app, public;\nUPDATE jobs SET status = E'q\\'x' WHERE status = $tag$done$tag$;\n",
]
PY_ALPHABET = "()[]{}'\"#\\\n\t :.,=+-*/@!%&|^~<>;fbrxuE_0123456789 \u00e9\u200d\x00\r"
SQL_ALPHABET = "()'\"$;*/-\\\n\t :.,=EtagIFNOT0123456789 \u00e9\x00\r"


def _mutated(seeds: list[str], alphabet: str) -> st.SearchStrategy[str]:
    """A seed with random insertions, deletions and duplications, or entirely random text."""

    @st.composite
    def mutate(draw) -> str:
        text = draw(st.sampled_from(seeds))
        for _ in range(draw(st.integers(0, 6))):
            at = draw(st.integers(0, len(text)))
            kind = draw(st.sampled_from(["insert", "delete", "repeat"]))
            if kind == "insert":
                text = text[:at] + draw(st.text(alphabet, min_size=1, max_size=8)) + text[at:]
            elif kind == "delete":
                text = text[:at] + text[at + draw(st.integers(1, 12)) :]
            else:
                piece = text[at : at + draw(st.integers(1, 20))]
                text = text[:at] + piece * draw(st.integers(2, 50)) + text[at:]
        return text

    return st.one_of(mutate(), st.text(max_size=300), st.text(alphabet, max_size=300))


def _check(files: dict[str, str]) -> None:
    config = Config(root=Path("/nonexistent-fuzz-root"), cache=False, jobs=1)
    tree = SourceTree(
        root=str(config.root),
        files=tuple(SourceFile(p, t) for p, t in sorted(files.items())),
        paths=tuple(sorted(files)),
    )
    model = pipeline.build_model(tree, config)
    findings = pipeline.check(model, tree, config)
    for f in findings:  # findings, each about a file of the tree (or the live database, not here)
        assert f.rule in RULE_NAMES and f.path in files and f.line >= 1


FUZZ = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(
    models=_mutated(PY_SEEDS, PY_ALPHABET),
    use=_mutated(PY_SEEDS, PY_ALPHABET),
    revision=_mutated(PY_SEEDS, PY_ALPHABET),
)
def test_mutated_python_never_raises(models: str, use: str, revision: str) -> None:
    _check(
        {
            "app/__init__.py": "",
            "app/models.py": models,
            "app/use.py": use,
            "db/env.py": "",
            "db/versions/0001_a.py": revision,
            "migrations/0001.sql": "CREATE TYPE status AS ENUM ('queued');\n",
        }
    )


@FUZZ
@given(first=_mutated(SQL_SEEDS, SQL_ALPHABET), second=_mutated(SQL_SEEDS, SQL_ALPHABET))
def test_mutated_sql_never_raises(first: str, second: str) -> None:
    _check(
        {
            "app/models.py": PY_SEEDS[0],
            "app/db.py": PY_SEEDS[2].replace("app.models", "models"),
            "migrations/0001_a.sql": first,
            "migrations/0002_b.sql": second,
            "alembic.ini": "[alembic]\nscript_location = " + second[:40].replace("\n", " ") + "\n",
        }
    )
