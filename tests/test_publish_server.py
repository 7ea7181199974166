"""The fake GitHub answers like GitHub: its responses match the OpenAPI response schemas, so
PyGithub is exercised on realistic data."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.github_server import FakeGitHub
from tests.openapi_check import check_requests, check_response


def call(gh, method, path, token="t", body=None):
    req = urllib.request.Request(
        gh.url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, json.loads(resp.read() or b"null"), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null"), dict(exc.headers)


@pytest.fixture
def gh():
    with FakeGitHub() as server:
        server.state.add_token("t", "alice")
        server.state.add_token("ro", "bot[bot]", kind="installation", write=False)
        yield server


def test_responses_match_githubs_schemas(gh):
    status, created, _ = call(gh, "POST", "/repos/o/r/issues/5/comments", body={"body": "hi"})
    check_response("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", status, created)
    status, listed, _ = call(gh, "GET", "/repos/o/r/issues/5/comments")
    check_response("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", status, listed)
    status, edited, _ = call(gh, "PATCH", f"/repos/o/r/issues/comments/{created['id']}", body={"body": "edited"})
    check_response("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", status, edited)
    status, user, _ = call(gh, "GET", "/user")
    check_response("GET /user", status, user)
    status, review, _ = call(
        gh,
        "POST",
        "/repos/o/r/pulls/5/reviews",
        body={
            "commit_id": "abc",
            "event": "COMMENT",
            "body": "b",
            "comments": [{"path": "a.py", "line": 1, "body": "x"}],
        },
    )
    check_response("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", status, review)
    status, rcs, _ = call(gh, "GET", "/repos/o/r/pulls/5/comments")
    check_response("GET /repos/{owner}/{repo}/pulls/{pull_number}/comments", status, rcs)
    check_requests(gh.state.requests)


def test_link_header_paginates(gh):
    gh.state.max_per_page = 2
    for i in range(5):
        gh.state.seed_comment(1, str(i), "x", repo="o/r")
    _, page, headers = call(gh, "GET", "/repos/o/r/issues/1/comments?per_page=100&page=2")
    assert [c["body"] for c in page] == ["2", "3"]
    assert 'page=3>; rel="next"' in headers["Link"] and 'rel="prev"' in headers["Link"]


def test_read_only_token_and_installation_user_get_403(gh):
    assert call(gh, "POST", "/repos/o/r/issues/1/comments", token="ro", body={"body": "x"})[0] == 403
    assert call(gh, "GET", "/user", token="ro")[0] == 403
    assert call(gh, "GET", "/user", token="nope")[0] == 401


def test_editing_another_accounts_comment_is_forbidden(gh):
    c = gh.state.seed_comment(1, "theirs", "mallory", repo="o/r")
    assert call(gh, "PATCH", f"/repos/o/r/issues/comments/{c['id']}", body={"body": "mine"})[0] == 403
    assert c["body"] == "theirs"


def test_undocumented_request_fails_the_openapi_check(gh):
    call(gh, "GET", "/repos/o/r/issues/1/comments?sort=created")
    with pytest.raises(AssertionError, match="undocumented query parameter"):
        check_requests(gh.state.requests)
