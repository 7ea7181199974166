"""A git checkout in, a table of wall times out: `enumguard diff` of a one-file change against a
cold `enumguard audit` of the same tree, diff with the base's fact cache restored, a repeated
(warm) audit against `ast.parse` of the same files, and the composite Action's start-up steps.

    python benchmarks/bench_diff.py --repo ../real/fides [--runs 3] [--change PATH] [--action]

Every repetition starts from a fresh `git clone` of --repo and empty cache folders; enumguard
runs as the CLI in a subprocess (what a user waits for), measurements are interleaved so that
load on a shared machine hits them alike, and the table shows medians with each baseline
measured in the same run. --action also times the composite Action's start-up as a runner
would do it: a venv, `pip install` of enumguard from a warm pip cache with the pinned
constraints, and unpacking the fact cache from a tar.zst/tar.gz (actions/cache's restore).
"""

from __future__ import annotations

import argparse
import ast
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENUMGUARD = [sys.executable, "-m", "enumguard"]
CHANGE_LINE = "\n# enumguard benchmark: a one-line change\n"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.com",
        },
    ).stdout


def wall(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children): on a shared machine the
    CPU time moves much less with the other jobs' load than the wall time does."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def enumguard(args: list[str], cwd: Path, cache: Path) -> tuple[float, float]:
    return wall(
        [*ENUMGUARD, *args, "--quiet", "--format", "json", "--output", os.devnull, "--cache-dir", str(cache)], cwd
    )


def _change(clone: Path, change: str) -> None:
    with open(clone / change, "a", encoding="utf-8") as fh:
        fh.write(CHANGE_LINE)
    git(clone, "commit", "-q", "-am", "bench: one-file change")


def pick_change(repo: Path) -> str:
    """A model file: the first tracked Python file outside migrations that uses sa.Enum."""
    for path in sorted(git(repo, "ls-files", "*.py").split()):
        if "versions/" in path or "migrations/" in path or "/tests/" in f"/{path}":
            continue
        text = (repo / path).read_text(encoding="utf-8", errors="replace")
        if "Enum(" in text and "Column(" in text:
            return path
    raise SystemExit("no model file found; pass --change PATH")


def ast_parse_seconds(repo: Path) -> tuple[float, float]:
    """ast.parse of the Python files enumguard reads (tracked, not excluded), in this process."""
    sys.path.insert(0, str(ROOT))
    from enumguard import collect
    from enumguard import config as config_mod
    from enumguard.rules import RULE_NAMES

    tree = collect.collect(config_mod.load(repo, rule_names=RULE_NAMES))
    texts = [f.text for f in tree.python_files()]
    start, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        try:
            ast.parse(text)
        except (SyntaxError, ValueError):
            pass
    return time.perf_counter() - start, time.process_time() - cpu


def action_startup(tmp: Path, facts: Path) -> dict[str, tuple[float, float]]:
    """The composite Action's own steps before enumguard runs, on this machine."""
    pip_cache = tmp / "pip-cache"
    env = {"PIP_CACHE_DIR": str(pip_cache), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    install = [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--constraint",
        str(ROOT / "constraints" / "action.txt"),
        f"{ROOT}[db]",
    ]
    if not pip_cache.exists():  # warm pip's cache once, as the previous run of the Action did
        wall([sys.executable, "-m", "venv", str(tmp / "warm")], tmp)
        wall([str(tmp / "warm" / "bin" / "python"), *install], tmp, env)
    venv = tmp / "venv"
    shutil.rmtree(venv, ignore_errors=True)
    out = {"venv": wall([sys.executable, "-m", "venv", str(venv)], tmp)}
    out["pip install (warm pip cache)"] = wall([str(venv / "bin" / "python"), *install], tmp, env)
    archive = tmp / "facts.tar"
    zstd = shutil.which("zstd")
    pack = (
        ["tar", "-C", str(facts), "-cf", str(archive), "."]
        if zstd
        else ["tar", "-C", str(facts), "-czf", str(archive), "."]
    )
    subprocess.run(pack, check=True)
    if zstd:
        subprocess.run([zstd, "-q", "-f", "--rm", str(archive), "-o", str(archive) + ".zst"], check=True)
    restored = tmp / "restored"
    shutil.rmtree(restored, ignore_errors=True)
    restored.mkdir()
    unpack = (
        ["tar", "--use-compress-program", "zstd -d", "-xf", str(archive) + ".zst"]
        if zstd
        else ["tar", "-xzf", str(archive)]
    )
    out["fact cache restore (unpack)"] = wall([*unpack, "-C", str(restored)], tmp)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True, help="a git checkout (cloned afresh per run)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--change", help="the file the one-file change edits (default: a model file)")
    parser.add_argument("--action", action="store_true", help="also time the composite Action's start-up")
    args = parser.parse_args()
    repo = args.repo.resolve()
    change = args.change or pick_change(repo)
    times: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    sizes: list[int] = []

    def note(name: str, seconds: tuple[float, float]) -> None:
        times.setdefault(name, []).append(seconds[0])
        cpus.setdefault(name, []).append(seconds[1])
        print(f"  {name}: {seconds[0]:.2f} s wall, {seconds[1]:.2f} s CPU", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="enumguard-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for run in range(args.runs):
            print(f"run {run + 1}/{args.runs}", file=sys.stderr, flush=True)
            clone = tmp / f"clone{run}"
            subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
            base = git(clone, "rev-parse", "HEAD").strip()
            caches = {name: tmp / f"cache{run}-{name}" for name in ("base", "diff", "restored")}

            # The cold audit and the cold diff swap places every other run, so that a burst of
            # load from the machine's other jobs does not always land on the same one.
            def cold_diff(base: str = base, clone: Path = clone, caches: dict[str, Path] = caches) -> None:
                note("diff, empty cache", enumguard(["diff", "--base", base, "."], clone, caches["diff"]))

            def base_audits(clone: Path = clone, caches: dict[str, Path] = caches) -> None:
                """The base audited cold (its cache is "the previous run of the base"), again
                warm, and ast.parse of the same files."""
                note("audit, cold (baseline)", enumguard(["audit", "."], clone, caches["base"]))
                note("audit, warm", enumguard(["audit", "."], clone, caches["base"]))
                note("ast.parse of the same files (baseline)", ast_parse_seconds(clone))
                sizes.append(sum(p.stat().st_size for p in caches["base"].iterdir()))

            git(clone, "checkout", "-q", "-b", "bench-change")
            if run % 2:
                _change(clone, change)
                cold_diff()
                git(clone, "checkout", "-q", base)  # the tree the diff compared with
                base_audits()
                git(clone, "checkout", "-q", "bench-change")
            else:
                base_audits()
                _change(clone, change)  # the one-file change, committed; the working tree is the head
                cold_diff()
            shutil.copytree(caches["base"], caches["restored"])
            note("diff, base's cache restored", enumguard(["diff", "--base", base, "."], clone, caches["restored"]))
            if args.action:
                for name, seconds in action_startup(tmp, caches["base"]).items():
                    note(f"Action start-up: {name}", seconds)
            shutil.rmtree(clone)

    med = {name: statistics.median(values) for name, values in times.items()}
    cpu = {name: statistics.median(values) for name, values in cpus.items()}
    targets = {
        "diff, empty cache": ("audit, cold (baseline)", 1.2, "cold audit"),
        "diff, base's cache restored": ("audit, cold (baseline)", 0.25, "cold audit"),
        "audit, warm": ("ast.parse of the same files (baseline)", 1.0, "ast.parse"),
    }
    print(
        f"repository: {repo} ({git(repo, 'rev-parse', '--short', 'HEAD').strip()}), change: {change}, "
        f"{args.runs} runs, medians; fact cache {statistics.median(sizes) / 1e6:.1f} MB"
    )
    print()
    for name, (baseline, limit, of) in targets.items():
        pairs = [a / b for a, b in zip(times[name], times[baseline])]
        print(
            f"{name}: per-run wall ratios to {of}: {', '.join(f'{r:.2f}' for r in pairs)} "
            f"(median {statistics.median(pairs):.2f}x, target <= {limit}x)"
        )
    print()
    print(
        "| measurement | wall (median) | wall, each run | CPU (median) | ratio wall / CPU | target | met (wall / CPU) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, values in times.items():
        runs = ", ".join(f"{v:.2f}" for v in values)
        ratio = target = met = ""
        if name in targets:
            baseline, limit, of = targets[name]
            by_wall, by_cpu = med[name] / med[baseline], cpu[name] / cpu[baseline]
            ratio = f"{by_wall:.2f}x / {by_cpu:.2f}x {of}"
            target = f"<= {limit}x"
            met = f"{'yes' if by_wall <= limit else 'no'} / {'yes' if by_cpu <= limit else 'no'}"
        print(f"| {name} | {med[name]:.2f} s | {runs} | {cpu[name]:.2f} s | {ratio} | {target} | {met} |")


if __name__ == "__main__":
    main()
