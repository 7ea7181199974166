"""Environment in, the run's GitHub context out: which event, which pull request, which
commits, which API and token (GitHub passes the action input as INPUT_GITHUB-TOKEN)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from enumguard.errors import EnumguardError

PR_EVENTS = ("pull_request", "pull_request_target")


@dataclass(frozen=True)
class GitHubContext:
    event_name: str
    repo: str  # owner/name
    api_url: str
    server_url: str
    token: str
    sha: str  # GITHUB_SHA: the commit checked out (a merge commit on pull_request)
    workspace: str | None
    pr_number: int | None = None
    head_sha: str | None = None
    base_sha: str | None = None
    # The action's own repository and ref (`uses: OWNER/enumguard@REF`): rule pages link there.
    action_repo: str = ""
    action_ref: str = ""

    @property
    def is_pr(self) -> bool:
        return self.pr_number is not None


def token_from(env: Mapping[str, str]) -> str:
    return (env.get("INPUT_GITHUB-TOKEN") or env.get("INPUT_GITHUB_TOKEN") or env.get("GITHUB_TOKEN") or "").strip()


def read(env: Mapping[str, str]) -> GitHubContext:
    """Read the context; a missing or unreadable event file is a one-line EnumguardError."""
    event_name = env.get("GITHUB_EVENT_NAME", "")
    payload: dict = {}
    path = env.get("GITHUB_EVENT_PATH")
    if path:
        try:
            with open(path, encoding="utf-8") as fh:
                payload = json.load(fh)
        except (OSError, ValueError) as exc:
            raise EnumguardError(f"GITHUB_EVENT_PATH {path}: cannot read the event payload ({exc})") from None
    repo = env.get("GITHUB_REPOSITORY") or (payload.get("repository") or {}).get("full_name", "")
    pr = (
        payload.get("pull_request")
        if event_name in PR_EVENTS or (not event_name and "pull_request" in payload)
        else None
    )
    number = head = base = None
    if isinstance(pr, dict):
        number = pr.get("number") or payload.get("number")
        head = (pr.get("head") or {}).get("sha")
        base = (pr.get("base") or {}).get("sha")
        if not event_name:
            event_name = "pull_request"
    return GitHubContext(
        event_name=event_name or "unknown",
        repo=repo,
        api_url=(env.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
        server_url=(env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/"),
        token=token_from(env),
        sha=env.get("GITHUB_SHA", ""),
        workspace=env.get("GITHUB_WORKSPACE"),
        pr_number=int(number) if number else None,
        head_sha=head,
        base_sha=base,
        **dict(zip(("action_repo", "action_ref"), running_action(env))),
    )


def running_action(env: Mapping[str, str]) -> tuple[str, str]:
    """(owner/name, ref) of the action this step runs, when its rule pages can be linked; else
    ("", ""). The runner leaves GITHUB_ACTION_REPOSITORY/REF empty in a composite action's steps,
    so action.yml also passes `github.action_repository`/`github.action_ref` as ENUMGUARD_ACTION_*.
    Where the action's own checkout is on disk (GITHUB_ACTION_PATH, under the runner's
    `_actions/<owner>/<name>/<ref>`), it must be that repository at that ref and hold docs/rules:
    a composite action wrapping this one reports its own repository instead, whose pages 404."""
    repo, ref = env.get("GITHUB_ACTION_REPOSITORY", "").strip(), env.get("GITHUB_ACTION_REF", "").strip()
    if not repo:
        repo, ref = env.get("ENUMGUARD_ACTION_REPOSITORY", "").strip(), env.get("ENUMGUARD_ACTION_REF", "").strip()
    if not repo or not ref:
        return "", ""
    path = env.get("GITHUB_ACTION_PATH", "").strip()
    if path and os.path.isdir(path):
        root = Path(path)
        checkout = next((d for d in (root, root.parent) if (d / "docs" / "rules").is_dir()), None)
        if checkout is None or not checkout.as_posix().lower().endswith(f"/{repo}/{ref}".lower()):
            return "", ""
    return repo, ref
