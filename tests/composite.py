"""action.yml in, a finished composite run out: the steps run as GitHub's runner runs a composite
action, in order, each `if:` evaluated (status functions are the composite's own, `success() &&`
implied without one), `${{ }}` expanded in `with:` and `env:`, `run:` steps in bash with their own
GITHUB_OUTPUT, the `steps` context (outputs, outcome) filled as they finish. The `uses:` steps are
stand-ins with the behaviour of the actions pinned: setup-python answers with this interpreter;
actions/cache/restore and actions/cache/save work on a cache store kept in a folder (entries
are immutable, an exact key wins, else the newest entry whose key starts with a restore key, and
an entry restores only for the same `path`)."""

from __future__ import annotations

import hashlib
import math
import re
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from tests.hostile.actionrun import output_values

# --------------------------------------------------------------------------- expressions

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|<=|>=|&&|\|\||[!<>().,\[\]])"
    r"|(?P<name>[A-Za-z_][\w-]*))"
)


class _Parser:
    """GitHub's expression language, enough of it for action files: literals, contexts (`a.b-c`,
    `a['b']`), function calls, `!`, comparisons (strings without regard to case), `&&`, `||`."""

    def __init__(self, text: str, contexts: dict[str, Any], functions: dict[str, Callable[..., Any]]) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise ValueError(f"cannot read the expression at {text[pos:]!r}")
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.i = 0
        self.contexts = contexts
        self.functions = functions

    def peek(self) -> str | None:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.tokens[self.i]
        if expected is not None and token[1] != expected:
            raise ValueError(f"expected {expected!r}, found {token[1]!r}")
        self.i += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.i != len(self.tokens):
            raise ValueError(f"unexpected {self.peek()!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.not_()
        while self.peek() == "&&":
            self.take()
            right = self.not_()
            value = right if truthy(value) else value
        return value

    def not_(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not truthy(self.not_())
        return self.compare()

    def compare(self) -> Any:
        left = self.primary()
        if self.peek() in ("==", "!=", "<", "<=", ">", ">="):
            op = self.take()[1]
            right = self.primary()
            a, b = _comparable(left, right), _comparable(right, left)
            if op in ("==", "!="):
                return (a == b) == (op == "==")
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
        return left

    def primary(self) -> Any:
        kind, value = self.take()
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if kind == "num":
            return float(value)
        if value == "(":
            inner = self.or_()
            self.take(")")
            return inner
        if kind != "name":
            raise ValueError(f"unexpected {value!r}")
        if value in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[value]
        if self.peek() == "(":
            self.take()
            args = []
            while self.peek() != ")":
                args.append(self.or_())
                if self.peek() == ",":
                    self.take()
            self.take(")")
            return self.functions[value.lower()](*args)
        current: Any = self.contexts.get(value)
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                key = self.take()[1]
            else:
                key = str(self.or_())
                self.take("]")
            current = current.get(key) if isinstance(current, dict) else None
        return current


def truthy(value: Any) -> bool:
    return value not in (None, False, 0, 0.0, "")


def _comparable(value: Any, other: Any) -> Any:
    """Strings compare without regard to case; values of different types as numbers (null is 0,
    a string that is no number is NaN), as GitHub compares them."""
    if isinstance(value, str) and isinstance(other, str):
        return value.lower()
    if type(value) is type(other):
        return value
    if value is None:
        return 0.0
    if isinstance(value, str):
        try:
            return float(value) if value.strip() else 0.0
        except ValueError:
            return math.nan
    return float(value)


def as_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- the cache store


@dataclass
class CacheStore:
    """GitHub's cache for one repository, in a folder: one tar per entry, newest last."""

    folder: Path
    entries: list[tuple[str, str, Path]] = field(default_factory=list)  # key, version (the path input), tar
    log: list[str] = field(default_factory=list)

    def restore(self, with_: dict[str, str]) -> dict[str, str]:
        paths, key = _paths(with_["path"]), with_["key"]
        outputs = {"cache-primary-key": key}
        version = "\n".join(paths)
        candidates = [e for e in self.entries if e[1] == version]
        found = next((e for e in candidates if e[0].lower() == key.lower()), None)
        for prefix in [k for k in with_.get("restore-keys", "").splitlines() if k.strip()]:
            if found is None:
                found = next((e for e in reversed(candidates) if e[0].lower().startswith(prefix.lower())), None)
        if found is None:
            self.log.append(f"miss {key}")
            return outputs  # actions/cache sets no cache-hit on a miss
        with tarfile.open(found[2]) as tar:
            tar.extractall("/", filter="fully_trusted")  # the test wrote it
        hit = found[0].lower() == key.lower()
        self.log.append(f"{'hit' if hit else 'partial hit'} {key}" + ("" if hit else f" from {found[0]}"))
        return {**outputs, "cache-hit": "true" if hit else "false", "cache-matched-key": found[0]}

    def save(self, with_: dict[str, str]) -> dict[str, str]:
        paths, key = _paths(with_["path"]), with_.get("key", "")
        if not key:
            self.log.append("not saved: no key")
            return {}
        version = "\n".join(paths)
        if any(e[0] == key and e[1] == version for e in self.entries):
            self.log.append(f"not saved: {key} exists")  # "Unable to reserve cache", a warning
            return {}
        existing = [p for p in paths if Path(p).exists()]
        if not existing:
            self.log.append(f"not saved: nothing at {version}")
            return {}
        self.folder.mkdir(parents=True, exist_ok=True)
        tar_path = self.folder / f"{len(self.entries)}.tar"
        with tarfile.open(tar_path, "w") as tar:
            for p in existing:
                tar.add(p)
        self.entries.append((key, version, tar_path))
        self.log.append(f"saved {key}")
        return {}


def _paths(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


# --------------------------------------------------------------------------- the runner


@dataclass
class StepRun:
    name: str
    id: str | None
    outcome: str  # success | failure | skipped
    outputs: dict[str, str]
    stdout: str = ""
    stderr: str = ""


@dataclass
class CompositeRun:
    steps: list[StepRun]

    @property
    def failed(self) -> bool:
        return any(s.outcome == "failure" for s in self.steps)

    def step(self, name: str) -> StepRun:
        [found] = [s for s in self.steps if s.name == name]
        return found


def hash_files(workspace: Path, *patterns: str) -> str:
    """hashFiles(): the SHA-256 of each matching file's SHA-256, files in path order; '' for none."""
    files = sorted({p for pattern in patterns for p in workspace.glob(pattern) if p.is_file()})
    if not files:
        return ""
    outer = hashlib.sha256()
    for path in files:
        outer.update(hashlib.sha256(path.read_bytes()).digest())
    return outer.hexdigest()


def run_composite(
    action_file: Path,
    inputs: dict[str, str],
    env: dict[str, str],
    cache: CacheStore,
    replace_run: dict[str, str] | None = None,
) -> CompositeRun:
    """Run every step of `action_file` (a composite action) with `env` as the job's environment
    (GITHUB_WORKSPACE, RUNNER_TEMP, RUNNER_OS, ...). `replace_run` maps a step name to the
    script that runs in its place (same env), e.g. an install that would need the network."""
    action = yaml.safe_load(action_file.read_text())
    assert action["runs"]["using"] == "composite"
    workspace = Path(env["GITHUB_WORKSPACE"])
    values = {name: str(spec.get("default", "")) for name, spec in action.get("inputs", {}).items()}
    values.update(inputs)
    steps_ctx: dict[str, dict[str, Any]] = {}
    contexts: dict[str, Any] = {
        "inputs": values,
        "steps": steps_ctx,
        "runner": {"temp": env["RUNNER_TEMP"], "os": env["RUNNER_OS"]},
        "github": {"workspace": str(workspace), "action_path": str(action_file.parent)},
        "env": env,
    }
    finished: list[StepRun] = []

    def failed_so_far() -> bool:
        return any(s.outcome == "failure" for s in finished)

    functions: dict[str, Callable[..., Any]] = {
        "success": lambda: not failed_so_far(),
        "failure": failed_so_far,
        "always": lambda: True,
        "cancelled": lambda: False,
        "hashfiles": lambda *patterns: hash_files(workspace, *patterns),
        "format": lambda template, *args: (
            re.sub(
                r"\{(\d+)\}",
                lambda m: as_string(args[int(m.group(1))]),
                template.replace("{{", "\0").replace("}}", "\1"),
            )
            .replace("\0", "{")
            .replace("\1", "}")
        ),
    }

    def evaluate(text: str) -> Any:
        return _Parser(text, contexts, functions).parse()

    def expand(value: Any) -> str:
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: as_string(evaluate(m.group(1))), str(value), flags=re.S)

    for spec in action["runs"]["steps"]:
        name, ident = spec.get("name", spec.get("id", "")), spec.get("id")
        condition = str(spec.get("if", "success()")).strip()
        if condition.startswith("${{") and condition.endswith("}}"):
            condition = condition[3:-2]
        if not re.search(r"\b(success|failure|always|cancelled)\(", condition):
            condition = f"success() && ({condition})"
        if not truthy(evaluate(condition)):
            result = StepRun(name, ident, "skipped", {})
        elif "run" in spec:
            result = _run_step(spec, name, ident, env, expand, (replace_run or {}).get(name), action_file.parent)
        else:
            with_ = {k: expand(v) for k, v in (spec.get("with") or {}).items()}
            result = StepRun(name, ident, "success", _uses(spec["uses"], with_, cache))
        finished.append(result)
        if ident:
            steps_ctx[ident] = {"outputs": result.outputs, "outcome": result.outcome, "conclusion": result.outcome}
    return CompositeRun(finished)


def _run_step(
    spec: dict, name: str, ident: str | None, env: dict[str, str], expand, script: str | None, action_path: Path
) -> StepRun:
    commands = Path(env["RUNNER_TEMP"]) / "_runner_file_commands"  # where the runner keeps them
    commands.mkdir(exist_ok=True)
    output = commands / f"set_output_{len(list(commands.iterdir()))}"
    output.write_text("")
    step_env = {**env, "GITHUB_ACTION_PATH": str(action_path), "GITHUB_OUTPUT": str(output)}
    step_env.update({k: expand(v) for k, v in (spec.get("env") or {}).items()})
    assert spec.get("shell") == "bash", name
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", expand(script or spec["run"])],
        cwd=env["GITHUB_WORKSPACE"],
        env=step_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    outputs = output_values(output.read_text())
    return StepRun(name, ident, "success" if proc.returncode == 0 else "failure", outputs, proc.stdout, proc.stderr)


def _uses(uses: str, with_: dict[str, str], cache: CacheStore) -> dict[str, str]:
    action = uses.split("@", 1)[0]
    if action == "actions/setup-python":
        return {"python-path": sys.executable, "python-version": ".".join(map(str, sys.version_info[:3]))}
    if action == "actions/cache/restore":
        return cache.restore(with_)
    if action == "actions/cache/save":
        return cache.save(with_)
    raise AssertionError(f"no stand-in for {uses}: add one that behaves as that action does")
