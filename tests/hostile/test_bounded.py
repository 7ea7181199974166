"""Bounded work per file: inputs built to exhaust the parsers each give a finding or notice
naming the file, the rest of the repository is still checked, and nothing is quadratic."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from enumguard import cli
from enumguard.migrations.sql.reader import Reader
from enumguard.migrations.sql.statements import Lines

MODELS = "import enum\n\n\nclass Color(enum.Enum):\n    red = 'red'\n"
# A finding the run must still report, whatever the hostile file does.
CANARY = {
    "app/__init__.py": "",
    "app/models.py": MODELS,
    "app/canary.py": "from app.models import Color\n\nColor.blue\n",
}


def _repo(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in {**CANARY, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def _audit(root: Path, in_process: bool = True, capsys=None) -> tuple[dict, float]:
    argv = ["audit", str(root), "--format", "json", "--no-cache", "--jobs", "1"]
    start = time.monotonic()
    if in_process:
        cli.main(argv)
        out = capsys.readouterr().out
    else:  # libcst failures can be segfaults: keep them out of the test process
        proc = subprocess.run([sys.executable, "-m", "enumguard", *argv], capture_output=True, text=True, timeout=120)
        assert proc.returncode in (0, 1), proc.stderr
        out = proc.stdout
    report = json.loads(out)
    assert any(
        f["path"] == "app/canary.py" and f["rule"] == "unknown-member" for f in report["findings"]
    )  # run went on
    return report, time.monotonic() - start


def _about(report: dict, path: str) -> list[str]:
    return [f"{f['rule']}: {f['message']}" for f in report["findings"] if f["path"] == path] + [
        n for n in report.get("notices", []) if n.startswith(path)
    ]


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("nested-5000", "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"),
        ("terms-100k", "x = " + " + ".join(["Color.red"] * 100_000) + "\n"),
        ("and-100k", "x = " + " and ".join(["a"] * 100_000) + "\n"),
        ("attributes-100k", "x = a" + ".b" * 100_000 + "\n"),
        ("lambdas-5000", "x = " + "lambda: " * 5000 + "1\n"),
    ],
)
def test_deep_python_is_a_syntax_error_finding_not_a_crash(tmp_path, name, source):
    # the trailing enum reference sends the file to libcst (a file with nothing enum-related is
    # only checked by CPython's own parser, which refuses or accepts these quickly)
    report, seconds = _audit(_repo(tmp_path, {f"app/{name}.py": "\n" + source + "Color.red\n"}), in_process=False)
    [problem] = _about(report, f"app/{name}.py")
    assert problem.startswith(f"syntax-error: cannot parse `app/{name}.py`: an expression at line 2 is nested")
    assert seconds < 20


@pytest.mark.parametrize(
    ("name", "sql", "expected"),
    [
        (
            "nested",
            "INSERT INTO t (c) VALUES (" + "(" * 5000 + "'a'" + ")" * 5000 + ");\n",
            "unsupported-sql: INSERT statement is nested too deeply to parse",
        ),
        (
            "dollar",
            "DO $$ BEGIN\n" + "PERFORM 1;\n" * 20_000,
            "unsupported-sql: unterminated `$$` dollar quote: the rest of the file is not read",
        ),
        (
            "comment",
            "/* never closed\n" + "CREATE TYPE x AS ENUM ('a');\n" * 20_000,
            "unsupported-sql: unterminated `/*` comment: the rest of the file is not read",
        ),
    ],
)
def test_hostile_sql_is_reported_where_it_starts_and_what_precedes_it_is_read(tmp_path, capsys, name, sql, expected):
    # green: missing-in-code proves this was read (the column is what links Color to the type by name)
    before = "CREATE TYPE color AS ENUM ('red', 'green');\nCREATE TABLE paints (id int, color color);\n"
    report, seconds = _audit(_repo(tmp_path, {"migrations/0001.sql": before + sql}), capsys=capsys)
    problems = _about(report, "migrations/0001.sql")
    assert (
        expected in problems
        and "missing-in-code: DB type `color` (from migrations) has label `green` that `Color` does not persist"
        in problems
    )
    assert [f["line"] for f in report["findings"] if f["rule"] == "unsupported-sql"] == [3]
    assert seconds < 20


def test_a_100k_term_sql_expression_is_read_in_linear_time(tmp_path, capsys):
    sql = "CREATE TYPE color AS ENUM ('red');\nINSERT INTO t (c) VALUES (" + " || ".join(["'a'"] * 100_000) + ");\n"
    report, seconds = _audit(_repo(tmp_path, {"migrations/0001.sql": sql}), capsys=capsys)
    assert _about(report, "migrations/0001.sql") == [] and seconds < 30


def test_statements_are_read_in_linear_time():
    def cost(n: int) -> float:
        sql = "SELECT 1;\n" * n
        start = time.perf_counter()
        reader = Reader("m.sql", "m.sql", Lines(sql))
        reader.read(sql)
        assert reader.statements == n
        return time.perf_counter() - start

    cost(1000)  # warm up
    # the best of three runs each: on a loaded machine a single run measures the neighbours
    small, large = min(cost(10_000) for _ in range(3)), min(cost(40_000) for _ in range(3))
    assert large < 8 * small + 0.5  # linear is 4x; quadratic would be 16x


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "app/u16.py",
            "from app.models import Color\nColor.green\n".encode("utf-16"),
            "app/u16.py: skipped, UTF-16 encoded (Python and PostgreSQL read UTF-8)",
        ),
        (
            "migrations/0001.sql",
            b"CREATE TYPE color AS ENUM ('red');\n\x00\n",
            "migrations/0001.sql: skipped, contains a NUL byte (line 2); not a text file",
        ),
        ("app/latin.py", b"x = 1\ny = '\xe9t\xe9'\n", "app/latin.py: not valid UTF-8 (line 2); read as Latin-1"),
    ],
)
def test_encodings_give_a_notice_naming_the_file(tmp_path, capsys, name, content, expected):
    report, _ = _audit(_repo(tmp_path, {name: content}), capsys=capsys)
    assert _about(report, name) == [expected]


def test_crlf_and_a_declared_encoding_are_read_normally(tmp_path, capsys):
    files = {
        "app/crlf.py": b"from app.models import Color\r\n\r\nColor.green\r\n",
        "app/declared.py": "# -*- coding: latin-1 -*-\nx = 'été'\n".encode("latin-1"),
    }
    report, _ = _audit(_repo(tmp_path, files), capsys=capsys)
    assert _about(report, "app/crlf.py") == ["unknown-member: `Color.green` is not a member of `Color`"]
    assert _about(report, "app/declared.py") == []


def test_size_limit_is_a_notice_and_configurable(tmp_path, capsys):
    big = "from app.models import Color\n\nColor.green\nx = '" + "a" * 2_100_000 + "'\n"  # 2.1 MB, cheap to parse
    root = _repo(tmp_path, {"app/big.py": big})
    report, _ = _audit(root, capsys=capsys)
    assert _about(report, "app/big.py") == [
        f"app/big.py: skipped, {len(big):,} bytes is over the 2,000,000-byte limit (`max-file-bytes`)"
    ]
    (root / "enumguard.toml").write_text("max-file-bytes = 3_000_000\n")
    report, _ = _audit(root, capsys=capsys)
    assert _about(report, "app/big.py") == ["unknown-member: `Color.green` is not a member of `Color`"]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown"])
def test_a_file_name_that_is_not_utf8_is_reported_in_every_format(tmp_path, capsys, fmt):
    root = _repo(tmp_path / "repo", {})
    with open(bytes(root / "app") + b"/\xff\xfe.py", "w") as fh:  # git and Linux allow any bytes
        fh.write("def broken(:\n")
    out = tmp_path / f"report.{fmt}"
    code = cli.main(["audit", str(root), "--no-cache", "--format", fmt, "--output", str(out)])
    assert code == 1 and capsys.readouterr().err == ""  # the canary's error; no internal error
    assert "\\udcff\\udcfe.py" in out.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the time bound per file

BOUND = "max-file-seconds = 0.3\n"  # CPU seconds; each file below takes several unbounded
REVISION = 'revision = "0001"\ndown_revision = None\nfrom alembic import op\n\n\ndef upgrade():\n'
SLOW = {
    "python": (
        {"app/slow.py": "import enum\n" + "".join(f"class E{i}(enum.Enum):\n    A = 1\nE{i}.B\n" for i in range(8000))},
        "app/slow.py",
        "syntax-error: cannot parse `app/slow.py`: reading it took more than 0.3 s of CPU time (`max-file-seconds`); "
        "it is not analysed",
    ),
    "sql": (
        {"migrations/0002_slow.sql": "".join(f"SELECT {i};\n" for i in range(120_000))},
        "migrations/0002_slow.sql",
        "unsupported-sql: reading it took more than 0.3 s of CPU time (`max-file-seconds`): the file is not read",
    ),
    "alembic": (
        {
            "alembic.ini": "[alembic]\nscript_location = alembic\n",
            "alembic/versions/0001_slow.py": REVISION
            + "".join(f"    op.execute(\"ALTER TYPE color ADD VALUE 'x{i}'\")\n" for i in range(8000)),
        },
        "alembic/versions/0001_slow.py",
        "unsupported-sql: enumguard could not read this revision (reading it took more than 0.3 s of CPU time "
        "(`max-file-seconds`)); its enum DDL is not replayed",
    ),
}


@pytest.mark.parametrize("kind", sorted(SLOW))
def test_a_file_over_the_time_bound_is_reported_and_the_run_goes_on(tmp_path, kind):
    files, path, expected = SLOW[kind]
    root = _repo(tmp_path, {**files, "enumguard.toml": BOUND})
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    report, _ = _audit(root, in_process=False)  # the canary is still found
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert expected in _about(report, path)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert cpu < 3.5  # start-up, the other files and the bound; unbounded this file alone takes longer


def test_what_the_bound_cut_is_not_cached_and_is_read_when_the_bound_allows(tmp_path, capsys):
    # the column is what links Color to the type by name; green is missing-in-code once the file is read
    schema = "CREATE TYPE color AS ENUM ('red', 'green');\nCREATE TABLE paints (id int, color color);\n"
    files = {"migrations/0001.sql": schema + "SELECT 1;\n" * 60_000}
    root = _repo(tmp_path / "repo", {**files, "enumguard.toml": BOUND})
    argv = ["audit", str(root), "--format", "json", "--jobs", "1", "--cache-dir", str(tmp_path / "cache")]
    for _ in range(2):  # the second run meets the bound again: the cut result was not cached
        cli.main(argv)
        report = json.loads(capsys.readouterr().out)
        assert [f["rule"] for f in report["findings"] if f["path"] == "migrations/0001.sql"] == ["unsupported-sql"]
    (root / "enumguard.toml").write_text("max-file-seconds = 0\n")  # no bound
    cli.main(argv)
    report = json.loads(capsys.readouterr().out)
    assert [f["rule"] for f in report["findings"] if f["path"] == "migrations/0001.sql"] == ["missing-in-code"]
