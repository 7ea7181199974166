"""A fact cache file is data: one planted in the cache folder (the Action restores that folder
from GitHub's cache) runs nothing when enumguard loads it; a damaged, foreign or newer file is
discarded with one notice, and the audit reports exactly what it reports without a cache."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from enumguard import cache, cli

MODELS = "import enum\n\n\nclass Mood(enum.Enum):\n    ok = 'ok'\n    sad = 'sad'\n\n\nMood.happy\n"
# meh: missing-in-code (the column is what links Mood to the type by name)
MIGRATION = "CREATE TYPE mood AS ENUM ('ok', 'sad', 'meh');\nCREATE TABLE people (id int, mood mood);\n"
NAMES = ("python-facts", "migration-facts")


class _RunsCode:
    """Unpickling this runs a shell command: what a poisoned cache entry would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _repo(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "models.py").write_text(MODELS)
    (root / "migrations").mkdir()
    (root / "migrations" / "0001_mood.sql").write_text(MIGRATION)
    return root


def _audit(root: Path, cache_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, cache.ENV_DIR: str(cache_dir)}
    proc = subprocess.run(
        [sys.executable, "-m", "enumguard", "audit", str(root), "--format", "json", "--jobs", "1", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr  # the findings, not an internal error
    return proc


def _findings(proc: subprocess.CompletedProcess) -> list[dict]:
    return json.loads(proc.stdout)["findings"]


def test_a_planted_pickle_runs_nothing_and_the_audit_reports_as_without_a_cache(tmp_path):
    root = _repo(tmp_path / "repo")
    marker = tmp_path / "code-ran"
    payload = pickle.dumps(_RunsCode(marker))
    # the payload is live: pickle, as enumguard loaded its cache before, runs the command
    subprocess.run([sys.executable, "-c", "import pickle, sys; pickle.loads(sys.stdin.buffer.read())"], input=payload)
    assert marker.exists()
    marker.unlink()

    folder = tmp_path / "cache"
    folder.mkdir()
    for name in NAMES:  # under today's names and under the pickle names of older versions
        (folder / f"{name}.json").write_bytes(payload)
        (folder / f"{name}.pickle").write_bytes(payload)
    planted = _audit(root, folder)
    assert not marker.exists()
    without = _audit(root, tmp_path / "unused", "--no-cache")
    assert _findings(planted) == _findings(without)
    assert {f["rule"] for f in _findings(planted)} == {"unknown-member", "missing-in-code"}
    notices = [line for line in planted.stderr.splitlines() if "fact cache" in line]
    assert sorted(notices) == [
        f"enumguard: warning: fact cache {folder / f'{name}.json'}: not a JSON fact cache (UnicodeDecodeError); "
        "discarded, facts are read again"
        for name in sorted(NAMES)
    ]
    # the run replaced the planted files with its own facts, which the next run uses quietly
    assert sorted(p.name for p in folder.iterdir()) == ["migration-facts.json", "python-facts.json"]
    again = _audit(root, folder)
    assert _findings(again) == _findings(without) and "fact cache" not in again.stderr and not marker.exists()


def _valid(folder: Path, name: str) -> dict:
    return json.loads((folder / f"{name}.json").read_text())


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda doc: json.dumps(doc)[:-200], "not a JSON fact cache (JSONDecodeError)"),
        (lambda doc: json.dumps([1, 2, 3]), "not an enumguard fact cache"),
        (lambda doc: json.dumps({**doc, "format": "something-else"}), "not an enumguard fact cache"),
        (
            lambda doc: json.dumps({**doc, "version": cache.FORMAT_VERSION + 1}),
            f"written in format {cache.FORMAT_VERSION + 1} by a newer enumguard (this one reads {cache.FORMAT_VERSION})",
        ),
        (lambda doc: json.dumps({**doc, "entries": [1]}), "damaged (no entries)"),
        # every entry replaced by a call of a class enumguard does not register
        (
            lambda doc: json.dumps({**doc, "entries": {k: ["Popen", "touch x"] for k in doc["entries"]}}),
            "damaged entry (expected ",
        ),
        # right class, wrong field types
        (
            lambda doc: json.dumps(
                {**doc, "entries": {k: [v[0]] + [7] * (len(v) - 1) for k, v in doc["entries"].items()}}
            ),
            "damaged entry (expected ",
        ),
    ],
    ids=["truncated", "foreign-json", "other-format", "newer-version", "no-entries", "unknown-class", "wrong-types"],
)
def test_a_damaged_foreign_or_newer_cache_file_is_discarded_with_one_notice(tmp_path, capsys, monkeypatch, damage, why):
    root = _repo(tmp_path / "repo")
    folder = tmp_path / "cache"

    def audit() -> tuple[list[dict], list[str]]:
        monkeypatch.setattr(cache, "_NOTICED", set())  # a new process
        assert cli.main(["audit", str(root), "--format", "json", "--jobs", "1", "--cache-dir", str(folder)]) == 1
        out, err = capsys.readouterr()
        return json.loads(out)["findings"], [line for line in err.splitlines() if "fact cache" in line]

    clean, _ = audit()
    for name in NAMES:
        (folder / f"{name}.json").write_text(damage(_valid(folder, name)))
    findings, notices = audit()
    assert findings == clean
    assert len(notices) == 2 and all(why in line for line in notices), notices
    for name in NAMES:  # rewritten whole by the run
        assert _valid(folder, name)["version"] == cache.FORMAT_VERSION
    assert audit() == (clean, [])
