"""A comment body in, exactly one sticky PR comment out: found by the hidden marker AND its
author on every page, edited in place, created only when none exists, never duplicated by a
retried POST, never another account's comment."""

from __future__ import annotations

from dataclasses import dataclass

from enumguard.publish import client as client_mod
from enumguard.publish.client import Comment, GitHubClient, GitHubError
from enumguard.report.markdown import MARKER

CREATE_ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    action: str  # created | updated | unchanged | skipped (none exists and create=False)
    comment_id: int


def find(gh: GitHubClient, number: int, author: str, marker: str = MARKER) -> Comment | None:
    """The first comment by `author` whose first line is the marker, reading every page."""
    mine = None
    for c in gh.issue_comments(number):
        if c.author == author and c.body.lstrip().startswith(marker) and mine is None:
            mine = c
    return mine


def upsert(gh: GitHubClient, number: int, author: str, body: str, backoff: float = 1.0, create: bool = True) -> Outcome:
    """Edit our comment, or create it (only when `create`: `comment: on-findings` on a clean PR
    updates an existing comment but never starts one)."""
    existing = find(gh, number, author)
    if existing is not None:
        if existing.body == body:
            return Outcome("unchanged", existing.id)
        gh.edit_issue_comment(number, existing.id, body)  # PATCH with the whole body: safe to retry
        return Outcome("updated", existing.id)
    if not create:
        return Outcome("skipped", 0)
    last: GitHubError | None = None
    for attempt in range(CREATE_ATTEMPTS):
        if attempt:
            # A POST may have been stored although GitHub answered 5xx or the connection broke:
            # list again before any second create.
            client_mod.sleep(backoff * 2 ** (attempt - 1))
            existing = find(gh, number, author)
            if existing is not None:
                if existing.body != body:
                    gh.edit_issue_comment(number, existing.id, body)
                return Outcome("created", existing.id)
        try:
            created = gh.create_issue_comment(number, body)
            return Outcome("created", created.id)
        except GitHubError as exc:
            if not exc.retryable:
                raise
            last = exc
    assert last is not None
    raise last
