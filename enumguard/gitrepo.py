"""A directory and git refs in, facts from git objects out: resolved SHAs, changed paths, renames,
and the files of a commit read into memory. Reads only: never a checkout, never
the user's index or working tree (GIT_OPTIONAL_LOCKS=0 keeps even `git diff` from refreshing it)."""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from enumguard.errors import EnumguardError

FETCH_HINT = "set `fetch-depth: 0` on actions/checkout (or run `git fetch --unshallow`)"


@dataclass(frozen=True)
class ChangeSet:
    """What changed between the base and the head, paths relative to the analysed root."""

    changed: frozenset[str]  # head-side paths: added, modified, renamed-to, untracked
    removed: frozenset[str]  # base-side paths that are gone or modified (deleted, renamed-from)
    renames: dict[str, str] = field(default_factory=dict)  # base path -> head path


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # GIT_NO_LAZY_FETCH: a partial clone must not fetch a missing blob from its promisor remote
    # (offline in CI, slow one blob at a time); git 2.39.4+/2.44 honour it, a missing blob then
    # fails instead, and read_tree lists missing objects first so it never asks for one.
    env.update(
        {
            "GIT_OPTIONAL_LOCKS": "0",
            "LC_ALL": "C",
            "LANGUAGE": "C",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_NO_LAZY_FETCH": "1",
        }
    )
    return env


class GitRepo:
    """The git repository holding `root`; `prefix` is root's path inside it ('' at the top)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        out = self._run(["rev-parse", "--show-toplevel", "--show-prefix"], cwd=self.root).splitlines()
        self.toplevel = Path(out[0])
        self.prefix = out[1].rstrip("/") if len(out) > 1 else ""

    # ------------------------------------------------------------------ running git

    def _run(self, args: list[str], cwd: Path | None = None, check: bool = True) -> str:
        proc = self._proc(args, cwd)
        if check and proc.returncode != 0:
            raise EnumguardError(self._explain(args, proc.stderr.decode("utf-8", "replace")))
        return proc.stdout.decode("utf-8", "surrogateescape")

    def _proc(
        self, args: list[str], cwd: Path | None = None, stdin: bytes | None = None
    ) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(
                ["git", *args],
                cwd=str(cwd or self.toplevel),
                input=stdin,
                capture_output=True,
                env=_env(),
                timeout=300,
            )
        except FileNotFoundError:
            raise EnumguardError("`git` is not installed or not on PATH; `enumguard diff` needs it") from None
        except subprocess.TimeoutExpired:
            raise EnumguardError(f"`git {args[0]}` took longer than 300 s in {cwd or self.toplevel}") from None

    def _explain(self, args: list[str], stderr: str) -> str:
        where = getattr(self, "toplevel", self.root)
        if "dubious ownership" in stderr:
            return (
                f"git refuses to read {where}: it is owned by another user (dubious ownership); "
                f"trust it with `git config --global --add safe.directory {where}`"
            )
        if "not a git repository" in stderr.lower():
            return f"{self.root}: not a git repository; `enumguard diff` compares git refs (use `enumguard audit`)"
        first = next((line.strip() for line in stderr.splitlines() if line.strip()), "failed")
        return f"`git {args[0]}` failed in {where}: {first}"

    # ------------------------------------------------------------------ refs

    def is_shallow(self) -> bool:
        return self._run(["rev-parse", "--is-shallow-repository"]).strip() == "true"

    def resolve(self, ref: str, what: str = "ref") -> str:
        """The commit SHA `ref` names; a one-line error when it does not exist here."""
        if ref.startswith("-"):
            raise EnumguardError(f"{what} `{ref}` is not a git ref")
        proc = self._proc(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"])
        if proc.returncode == 0:
            return proc.stdout.decode().strip()
        stderr = proc.stderr.decode("utf-8", "replace")
        if "dubious ownership" in stderr:
            raise EnumguardError(self._explain(["rev-parse"], stderr))
        if self.is_shallow():
            raise EnumguardError(f"{what} `{ref}` is not in this shallow clone; {FETCH_HINT}")
        raise EnumguardError(f"{what} `{ref}` does not exist in {self.toplevel} (try `git fetch` first)")

    def head(self) -> str:
        proc = self._proc(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        if proc.returncode != 0:
            raise EnumguardError(f"{self.toplevel} has no commit yet; `enumguard diff` needs a HEAD")
        return proc.stdout.decode().strip()

    def merge_base(self, base: str, head: str) -> str:
        """Where the change forked from the base (what `git diff base...head` compares with)."""
        proc = self._proc(["merge-base", base, head])
        if proc.returncode == 0:
            return proc.stdout.decode().strip()
        if self.is_shallow():
            raise EnumguardError(
                f"the history between {base[:12]} and {head[:12]} is not in this shallow clone; {FETCH_HINT}"
            )
        return base  # unrelated histories: compare with the base itself

    # ------------------------------------------------------------------ changes

    def changes(self, base: str, head: str | None) -> ChangeSet:
        """Paths changed from `base` to `head` (or to the working tree and untracked files)."""
        args = ["diff", "--no-ext-diff", "--no-textconv", "--relative", "-M", "--name-status", "-z", base]
        if head is not None:
            args.append(head)
        args.append("--")
        proc = self._proc(args, cwd=self.root)
        if proc.returncode == 0:
            listing = proc.stdout.decode("utf-8", "surrogateescape")
        else:
            # Inexact rename detection reads blob contents; with a blob missing (partial clone,
            # damaged snapshot) list the changes without it: a rename shows as delete + add.
            listing = self._run([a if a != "-M" else "--no-renames" for a in args], cwd=self.root)
        fields = listing.split("\0")
        changed: set[str] = set()
        removed: set[str] = set()
        renames: dict[str, str] = {}
        i = 0
        while i < len(fields) and fields[i]:
            status = fields[i]
            if status[0] in "RC":
                old, new = fields[i + 1], fields[i + 2]
                i += 3
                changed.add(new)
                if status[0] == "R":
                    renames[old] = new
                    removed.add(old)
                continue
            path = fields[i + 1]
            i += 2
            if status[0] == "D":
                removed.add(path)
            else:
                changed.add(path)
                if status[0] in "MT":
                    removed.add(path)
        if head is None:
            untracked = self._run(["ls-files", "-z", "--others", "--exclude-standard"], cwd=self.root)
            changed.update(p for p in untracked.split("\0") if p)
        return ChangeSet(frozenset(changed), frozenset(removed), renames)

    # ------------------------------------------------------------------ trees

    def read_tree(self, commit: str, wanted, max_bytes: int | None = None) -> Tree:
        """The files of `commit` under root's prefix, in memory (paths relative to root).

        `wanted(path) -> "text" | "name" | None`: read the content, list the path only (the
        collector needs only the names of other files), or leave it out. Blobs come from
        `git cat-file`, not `git archive`, so export-ignore/export-subst attributes cannot change
        what is analysed. Symlinks (mode 120000, whose blob is the target path) are never read:
        they go to `links`. Submodules are skipped. A blob over `max_bytes` is never read: its
        size goes to `oversized`. A blob whose object is not in the repository (partial clone,
        a snapshot without large files, a damaged repository) is never asked for: it goes to
        `missing`.
        """
        out = Tree()
        tree = f"{commit}:{self.prefix}" if self.prefix else f"{commit}^{{tree}}"
        if self._proc(["cat-file", "-e", tree]).returncode != 0:
            return out  # the analysed folder does not exist at that commit
        absent = self._missing(tree)
        # `ls-tree -l` reads each blob's size, which a missing blob turns into a lazy fetch
        # (partial clone) or a "BAD" size; then the sizes come from `cat-file --batch-check`.
        long = [] if absent else ["-l"]
        listing = self._run(["ls-tree", "-r", "-z", *long, "--full-name", "--end-of-options", tree]).split("\0")
        entries: list[tuple[str, str, str, str, str]] = []
        for entry in listing:
            if not entry:
                continue
            meta, _, path = entry.partition("\t")
            mode, kind, sha, *rest = meta.split()
            entries.append((mode, kind, sha, rest[0] if rest else "", path))
        if absent:
            sizes = self._sizes(
                {sha for mode, kind, sha, _, _ in entries if kind == "blob" and mode != "120000" and sha not in absent}
            )
            entries = [(m, k, s, sizes.get(s, ""), p) for m, k, s, _, p in entries]
        blobs: list[tuple[str, str]] = []
        for mode, kind, sha, size, path in entries:
            if kind != "blob" or not _safe(path):
                continue
            how = wanted(path)
            if mode == "120000":
                if how is not None:
                    out.links.append(path)
                continue
            if how is None:
                continue
            out.paths.append(path)
            if how == "text":
                if sha in absent:
                    out.missing.append(path)
                elif max_bytes is not None and size.isdigit() and int(size) > max_bytes:
                    out.oversized[path] = int(size)
                else:
                    blobs.append((path, sha))
        for path, data in self._cat_blobs(commit, blobs) if blobs else ():
            if data is None:
                out.missing.append(path)
            else:
                out.contents[path] = data
        return out

    def _missing(self, tree: str) -> frozenset[str]:
        """The objects under `tree` that are not in the repository; rev-list's --missing=print
        never fetches them (git 2.39 included), unlike cat-file and ls-tree -l."""
        proc = self._proc(["rev-list", "--objects", "--missing=print", "--no-walk", tree])
        if proc.returncode != 0:
            return frozenset()  # cat-file reports what it cannot read
        lines = proc.stdout.decode("ascii", "replace").splitlines()
        return frozenset(line[1:].strip() for line in lines if line.startswith("?"))

    def _sizes(self, shas: set[str]) -> dict[str, str]:
        """Size of each present object, by `git cat-file --batch-check`."""
        if not shas:
            return {}
        proc = self._proc(["cat-file", "--batch-check"], stdin="".join(f"{s}\n" for s in sorted(shas)).encode())
        sizes: dict[str, str] = {}
        for line in proc.stdout.decode("ascii", "replace").splitlines():
            parts = line.split()
            if len(parts) == 3:
                sizes[parts[0]] = parts[2]
        return sizes

    def export(
        self, commit: str, dest: Path, wanted, links: list[str] | None = None, max_bytes: int | None = None
    ) -> int:
        """Write the files of `commit` (see read_tree) into `dest` as plain files: empty for the
        ones wanted by name only, sparse files of their size for blobs over `max_bytes`.
        Returns the number of files written with their content."""
        tree = self.read_tree(commit, wanted, max_bytes)
        if links is not None:
            links.extend(tree.links)
        for path in tree.paths:
            _write(dest, path, tree.contents.get(path, b""))
            if path in tree.oversized:
                os.truncate(dest / path, tree.oversized[path])  # sparse: no disk used, nothing read
        return len(tree.contents)

    def _cat_blobs(self, commit: str, blobs: list[tuple[str, str]]):
        """(path, content) of each blob, streamed through one `git cat-file --batch`."""
        try:
            proc = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=str(self.toplevel),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=_env(),
            )
        except FileNotFoundError:
            raise EnumguardError("`git` is not installed or not on PATH; `enumguard diff` needs it") from None
        assert proc.stdin is not None and proc.stdout is not None  # both are pipes
        stdin = proc.stdin
        request = "".join(f"{sha}\n" for _, sha in blobs).encode()

        def feed() -> None:
            try:
                stdin.write(request)
                stdin.close()
            except OSError:  # git exited early; the reader reports it
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            for path, _sha in blobs:
                header = proc.stdout.readline().split()
                if header[1:] == [b"missing"]:  # gone since rev-list looked (or it could not tell)
                    yield path, None
                    continue
                if len(header) != 3 or header[1] != b"blob":
                    raise EnumguardError(f"`git cat-file` could not read {path} at {commit[:12]}")
                size = int(header[2])
                data = proc.stdout.read(size + 1)  # the content and its trailing newline
                if len(data) != size + 1:
                    raise EnumguardError(f"`git cat-file` stopped while reading {path} at {commit[:12]}")
                yield path, data[:size]
        finally:
            writer.join(timeout=60)
            proc.stdout.close()
            proc.wait(timeout=60)


@dataclass
class Tree:
    """A commit's files as read_tree returns them."""

    paths: list[str] = field(default_factory=list)  # every file wanted, text or by name
    contents: dict[str, bytes] = field(default_factory=dict)  # the text files read
    links: list[str] = field(default_factory=list)  # symlinks, never read
    oversized: dict[str, int] = field(default_factory=dict)  # text files over max_bytes: their size
    missing: list[str] = field(default_factory=list)  # text files whose blob is not in the repository


def _safe(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(parts) and not PurePosixPath(path).is_absolute() and ".." not in parts and ".git" not in parts


def _write(dest: Path, rel: str, data: bytes) -> None:
    target = dest / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
