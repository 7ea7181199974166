"""The small GitHub interface publishing needs, and its PyGithub implementation: plain
dataclasses in and out, every API failure turned into one GitHubError with a safe message."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol, TypeVar, cast

import github
from github import Auth, Github, GithubException, GithubRetry
from github.PullRequest import ReviewComment as PullReviewComment

T = TypeVar("T")

INSTALLATION_BOT = "github-actions[bot]"


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    author: str


@dataclass(frozen=True)
class PullFile:
    path: str
    patch: str  # unified diff of the file; "" for binary or huge files


@dataclass(frozen=True)
class ReviewComment:
    path: str
    line: int | None
    body: str
    author: str


class GitHubError(Exception):
    """An API call failed. `kind`: forbidden | not_found | rate_limit | server | network | other."""

    def __init__(self, kind: str, status: int | None, message: str):
        super().__init__(message)
        self.kind = kind
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.kind in ("rate_limit", "server", "network")


class GitHubClient(Protocol):
    def login(self) -> str | None: ...
    def issue_comments(self, number: int) -> Iterator[Comment]: ...
    def create_issue_comment(self, number: int, body: str) -> Comment: ...
    def edit_issue_comment(self, number: int, comment_id: int, body: str) -> None: ...
    def pull_files(self, number: int) -> list[PullFile]: ...
    def review_comments(self, number: int) -> list[ReviewComment]: ...
    def create_review(self, number: int, commit_sha: str, body: str, comments: list[dict]) -> None: ...


@dataclass(frozen=True)
class Tuning:
    """Retry and pacing. Production keeps PyGithub's 1 s between writes; tests pass 0."""

    seconds_between_writes: float = 1.0
    retries: int = 4
    backoff_factor: float = 1.0  # urllib3: 0, 2, 4, 8 s between retries (first retry is immediate)
    max_wait: float = 120.0  # cap on any single wait (Retry-After, rate-limit reset)
    timeout: int = 30

    @classmethod
    def from_env(cls, env) -> Tuning:
        """ENUMGUARD_GITHUB_WRITE_SPACING / _BACKOFF / _MAX_WAIT / _RETRIES override the defaults
        (the tests set 0 spacing and tiny waits)."""
        values: dict[str, Any] = {}
        for key, name, kind in (
            ("WRITE_SPACING", "seconds_between_writes", float),
            ("BACKOFF", "backoff_factor", float),
            ("MAX_WAIT", "max_wait", float),
            ("RETRIES", "retries", int),
        ):
            raw = env.get(f"ENUMGUARD_GITHUB_{key}")
            if raw:
                try:
                    values[name] = kind(raw)
                except ValueError:
                    pass
        return cls(**values)


class _BoundedRetry(GithubRetry):
    """GithubRetry whose waits are capped: a Retry-After or secondary-limit wait above
    max_wait is shortened to max_wait (primary limits above it raise instead)."""

    def __init__(self, *, max_wait: float = 120.0, **kwargs):
        self.max_wait = max_wait
        super().__init__(**kwargs)

    def new(self, **kw):
        kw["max_wait"] = self.max_wait
        return super().new(**kw)

    def get_retry_after(self, response):
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.max_wait)


def make_retry(t: Tuning) -> GithubRetry:
    """Retry only idempotent requests (GET, and PATCH that sets a whole comment body): a POST
    that GitHub stored before failing must not be sent twice; the publisher lists again."""
    return _BoundedRetry(
        max_wait=t.max_wait,
        total=t.retries,
        backoff_factor=t.backoff_factor,
        backoff_max=t.max_wait,
        status_forcelist=[429, 500, 502, 503, 504],  # GithubRetry adds 403 for rate limits only
        allowed_methods=frozenset({"GET", "HEAD", "OPTIONS", "PATCH", "PUT", "DELETE"}),
        raise_on_status=False,  # hand the last response to PyGithub, which raises with its status
        secondary_rate_wait=min(60.0, t.max_wait),
        max_rate_limit_wait=t.max_wait,
    )


def _convert(exc: Exception, token: str) -> GitHubError:
    if isinstance(exc, GithubException):
        status = exc.status
        data = exc.data if isinstance(exc.data, dict) else {}
        message = str(data.get("message") or exc.message or "no message")
        if (
            isinstance(exc, (github.RateLimitExceededException,))
            or status == 429
            or (status == 403 and "rate limit" in message.lower())
        ):
            kind = "rate_limit"
        elif status in (401, 403):
            kind = "forbidden"
        elif status == 404:
            kind = "not_found"
        elif status is not None and status >= 500:
            kind = "server"
        else:
            kind = "other"
        text = f"HTTP {status}: {message}"
    else:
        kind, status, text = "network", None, f"{type(exc).__name__}: {exc}"
    if token:
        text = text.replace(token, "***")
    return GitHubError(kind, status, text[:300])


class PyGithubClient:
    """GitHubClient over PyGithub, for one repository."""

    def __init__(self, api_url: str, token: str, repo: str, tuning: Tuning = Tuning()):
        self._token = token
        self._gh = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            timeout=tuning.timeout,
            per_page=100,
            retry=make_retry(tuning),
            seconds_between_requests=0,
            seconds_between_writes=tuning.seconds_between_writes,
            lazy=True,  # no GET of the repository or pull request objects we only address
        )
        self._repo = self._gh.get_repo(repo)

    def _call(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except GitHubError:
            raise
        except Exception as exc:  # PyGithub raises GithubException, requests its own errors
            raise _convert(exc, self._token) from None

    def login(self) -> str | None:
        try:
            return self._call(lambda: self._gh.get_user().login)
        except GitHubError as exc:
            if exc.kind == "forbidden":  # installation tokens may not read /user
                return None
            raise

    def issue_comments(self, number: int) -> Iterator[Comment]:
        pages = self._call(lambda: self._repo.get_issue(number).get_comments())
        iterator = iter(pages)
        while True:
            item = self._call(lambda: next(iterator, None))
            if item is None:
                return
            yield Comment(item.id, item.body or "", item.user.login if item.user else "")

    def create_issue_comment(self, number: int, body: str) -> Comment:
        c = self._call(lambda: self._repo.get_issue(number).create_comment(body))
        return Comment(c.id, c.body or "", c.user.login if c.user else "")

    def edit_issue_comment(self, number: int, comment_id: int, body: str) -> None:
        self._call(lambda: self._repo.get_issue(number).get_comment(comment_id).edit(body))

    def pull_files(self, number: int) -> list[PullFile]:
        return self._call(
            lambda: [PullFile(f.filename, f.patch or "") for f in self._repo.get_pull(number).get_files()]
        )

    def review_comments(self, number: int) -> list[ReviewComment]:
        return self._call(
            lambda: [
                ReviewComment(c.path, c.line, c.body or "", c.user.login if c.user else "")
                for c in self._repo.get_pull(number).get_review_comments()
            ]
        )

    def create_review(self, number: int, commit_sha: str, body: str, comments: list[dict]) -> None:
        pull = self._repo.get_pull(number)
        commit = self._repo.get_commit(commit_sha)
        review = cast("list[PullReviewComment]", comments)  # path, line, side, body: inline.review_comments
        self._call(lambda: pull.create_review(commit=commit, body=body, event="COMMENT", comments=review))


def sleep(seconds: float) -> None:
    """Indirection so the publisher's own bounded backoff can be observed in tests."""
    if seconds > 0:
        time.sleep(seconds)
