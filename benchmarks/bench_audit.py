"""A synthetic repository in, timings out: enumguard's full audit (cold and with a warm cache)
against ast.parse and libcst.parse_module over the same files, in one run.

    python benchmarks/bench_audit.py --files 2000 [--keep DIR] [--jobs 0]
    python benchmarks/bench_audit.py --repo PATH     # an existing checkout instead
    python benchmarks/bench_audit.py --repo PATH --mypy   # also time mypy over the same files
    python benchmarks/bench_audit.py --repo PATH --mypy-target server/app   # mypy on one package

mypy is not a dependency of enumguard: install it beside it to use --mypy.
"""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import libcst as cst

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic_repo import generate  # noqa: E402
from enumguard import collect, pipeline  # noqa: E402
from enumguard import config as config_mod
from enumguard.python.names import candidate_names, words  # noqa: E402
from enumguard.python.scan_file import BINDING_HINTS  # noqa: E402
from enumguard.rules import RULE_NAMES  # noqa: E402


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _ast_parse(text: str) -> object:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _cst_parse(text: str) -> object:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError:
        return None


def _mypy(root: Path, paths: list[str], tmp: Path) -> float:
    """A cold mypy run (fresh cache dir, the project's own mypy settings and plugins left out,
    imports of packages not installed ignored). Raises when mypy could not check the files."""
    empty = tmp / "mypy.ini"
    empty.write_text("[mypy]\n")
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(empty),
        "--ignore-missing-imports",
        "--follow-imports=silent",
        "--cache-dir",
        str(tmp / "mypy-cache"),
        *paths,
    ]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if "errors prevented further checking" in done.stdout + done.stderr:
        raise SystemExit(f"mypy could not check these files: {(done.stdout + done.stderr).strip().splitlines()[-2:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--repo", type=Path, help="benchmark this existing repository instead")
    parser.add_argument("--mypy", action="store_true", help="also time a cold mypy run over the same files")
    parser.add_argument(
        "--mypy-target",
        help="run mypy on this package folder of --repo instead (real repositories often hold several "
        "top-level packages that mypy refuses to check together)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="enumguard-bench-") as tmp:
        if args.repo:
            root = args.repo.resolve()
            texts0 = [p.read_text(errors="replace") for p in root.rglob("*.py")]
            counts = {
                "files": len(texts0),
                "lines": sum(t.count("\n") for t in texts0),
                "enum_files": 0,
                "lines_naming_enums": 0,
            }
        else:
            root = args.keep or Path(tmp) / "repo"
            counts = generate(root, args.files)
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        cfg = replace(config_mod.load(root, rule_names=RULE_NAMES), cache=True, jobs=args.jobs)
        tree = collect.collect(cfg)
        texts = [f.text for f in tree.python_files()]
        names = candidate_names(texts)
        matter = [t for t in texts if words(t) & names or any(h in t for h in BINDING_HINTS)]
        t_ast, _ = timed(lambda: [_ast_parse(t) for t in texts])
        t_cst_all, _ = timed(lambda: [_cst_parse(t) for t in texts])
        t_cst, _ = timed(lambda: [_cst_parse(t) for t in matter])
        t_cold, report = timed(lambda: pipeline.run(cfg))
        t_warm, again = timed(lambda: pipeline.run(cfg))
        assert again.findings == report.findings
        if args.repo:  # what the generator reports for a synthetic repo, measured here
            counts["enum_files"] = len({e.location.path for e in report.model.enums})
            counts["lines_naming_enums"] = sum(t.count("\n") for t in matter)
        t_mypy = None
        if args.mypy_target:
            target = root / args.mypy_target
            mypy_files = sum(1 for _ in target.rglob("*.py"))
            t_mypy = _mypy(target.parent, [target.name], Path(tmp))
        elif args.mypy:
            mypy_files = len(texts)
            t_mypy = _mypy(root, [f.path for f in tree.python_files()], Path(tmp))
        print(
            f"repo: {counts['files']} files, {counts['lines']} lines; {counts['enum_files']} files define enums; "
            f"{100 * counts['lines_naming_enums'] / counts['lines']:.0f}% of lines in files naming an enum"
        )
        print(
            f"files that matter (parsed by libcst): {len(matter)}; findings: {len(report.findings)}; jobs: {args.jobs or os.cpu_count()}"
        )
        print(f"ast.parse, all files, 1 core:          {t_ast:7.2f} s")
        print(f"libcst.parse_module, all files, 1 core: {t_cst_all:7.2f} s")
        print(f"libcst.parse_module, files that matter: {t_cst:7.2f} s")
        print(
            f"enumguard audit, cold cache:            {t_cold:7.2f} s  = {t_cold / t_cst:.2f}x libcst parse (target <= 1.5x)"
        )
        print(
            f"enumguard audit, warm cache:            {t_warm:7.2f} s  = {t_warm / t_ast:.2f}x ast.parse (target <= 2x)"
        )
        if t_mypy is not None:
            label = f"mypy, cold, {mypy_files} files:"
            print(f"{label:40}{t_mypy:7.2f} s  = {t_mypy / t_cold:.1f}x enumguard's cold audit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
