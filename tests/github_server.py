"""A stateful HTTP server on 127.0.0.1 that speaks the GitHub REST API for the endpoints
enumguard uses: issue comments (Link-header pagination, create, edit), pull request files,
review comments and reviews, GET /user. Tokens decide who is calling and what they may do;
faults (5xx, rate limits, a POST stored then answered 502) are injected per request.
Every request is recorded for the tests to check against GitHub's OpenAPI description."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

OWNER_REPO = r"(?P<owner>[^/]+)/(?P<repo>[^/]+)"
ROUTES = [
    ("GET", r"/user", "get_user", "/user"),
    (
        "GET",
        rf"/repos/{OWNER_REPO}/issues/(?P<number>\d+)/comments",
        "list_comments",
        "/repos/{owner}/{repo}/issues/{issue_number}/comments",
    ),
    (
        "POST",
        rf"/repos/{OWNER_REPO}/issues/(?P<number>\d+)/comments",
        "create_comment",
        "/repos/{owner}/{repo}/issues/{issue_number}/comments",
    ),
    (
        "PATCH",
        rf"/repos/{OWNER_REPO}/issues/comments/(?P<id>\d+)",
        "edit_comment",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}",
    ),
    (
        "GET",
        rf"/repos/{OWNER_REPO}/pulls/(?P<number>\d+)/files",
        "list_files",
        "/repos/{owner}/{repo}/pulls/{pull_number}/files",
    ),
    (
        "GET",
        rf"/repos/{OWNER_REPO}/pulls/(?P<number>\d+)/comments",
        "list_review_comments",
        "/repos/{owner}/{repo}/pulls/{pull_number}/comments",
    ),
    (
        "POST",
        rf"/repos/{OWNER_REPO}/pulls/(?P<number>\d+)/reviews",
        "create_review",
        "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
    ),
]


@dataclass
class Account:
    login: str
    kind: str = "user"  # "user" (may GET /user) or "installation" (403 on /user)
    write: bool = True  # False: a read-only token (fork PRs): 403 on every write


@dataclass
class Fault:
    method: str
    path: str  # regex on the path
    status: int
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "Server Error"
    store: bool = False  # perform the request, then answer with the fault anyway


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    status: int = 0
    operation: str = ""  # "METHOD /openapi/path" when a route matched


def _user(login: str, ident: int, base: str, kind: str) -> dict:
    u = f"{base}/users/{login}"
    return {
        "login": login,
        "id": ident,
        "node_id": f"U_{ident}",
        "avatar_url": f"https://avatars.example/u/{ident}",
        "gravatar_id": "",
        "url": u,
        "html_url": f"https://github.example/{login}",
        "followers_url": f"{u}/followers",
        "following_url": f"{u}/following{{/other_user}}",
        "gists_url": f"{u}/gists{{/gist_id}}",
        "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{u}/subscriptions",
        "organizations_url": f"{u}/orgs",
        "repos_url": f"{u}/repos",
        "events_url": f"{u}/events{{/privacy}}",
        "received_events_url": f"{u}/received_events",
        "type": "Bot" if kind == "installation" else "User",
        "site_admin": False,
    }


class GitHubState:
    """Everything the fake GitHub knows. Tests set it up and read it back."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tokens: dict[str, Account] = {}
        self.comments: list[dict] = []  # issue comments, in creation order
        self.review_comments: list[dict] = []
        self.reviews: list[dict] = []
        self.files: dict[int, list[dict]] = {}
        self.faults: list[Fault] = []
        self.requests: list[Recorded] = []
        self.max_per_page = 100
        self._ids = 1000
        self.base = ""

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def add_token(self, token: str, login: str, kind: str = "user", write: bool = True) -> None:
        self.tokens[token] = Account(login, kind, write)

    def seed_comment(self, number: int, body: str, login: str, kind: str = "user", repo: str = "o/r") -> dict:
        comment = self._comment(repo, number, body, Account(login, kind))
        self.comments.append(comment)
        return comment

    def comments_on(self, number: int) -> list[dict]:
        return [c for c in self.comments if c["_number"] == number]

    def _comment(self, repo: str, number: int, body: str, who: Account) -> dict:
        ident = self.next_id()
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return {
            "id": ident,
            "node_id": f"IC_{ident}",
            "url": f"{self.base}/repos/{repo}/issues/comments/{ident}",
            "html_url": f"https://github.example/{repo}/pull/{number}#issuecomment-{ident}",
            "issue_url": f"{self.base}/repos/{repo}/issues/{number}",
            "body": body,
            "user": _user(who.login, abs(hash(who.login)) % 10**6, self.base, who.kind),
            "created_at": now,
            "updated_at": now,
            "author_association": "NONE",
            "_number": number,
        }

    def public(self, obj: dict) -> dict:
        return {k: v for k, v in obj.items() if k != "_number"}  # our bookkeeping, not GitHub's


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeGitHub/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # keep pytest output clean
        pass

    @property
    def state(self) -> GitHubState:
        return self.server.state  # type: ignore[attr-defined]

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-RateLimit-Limit", "5000")
        self.send_header("X-RateLimit-Remaining", "4999")
        self.send_header("X-RateLimit-Reset", str(int(time.time()) + 3600))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self._record.status = status

    def _handle(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("latin-1")
        self._record = Recorded(self.command, url.path, parse_qs(url.query), dict(self.headers.items()), body)
        st = self.state
        with st.lock:
            st.requests.append(self._record)
            route = next(
                (
                    (name, op, m)
                    for method, rx, name, op in ROUTES
                    if method == self.command and (m := re.fullmatch(rx, url.path))
                ),
                None,
            )
            if route is None:
                return self._send(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
            name, op, match = route
            self._record.operation = f"{self.command} {op}"
            auth = self.headers.get("Authorization", "")
            who = st.tokens.get(auth.removeprefix("token ").removeprefix("Bearer ").strip())
            if who is None:
                return self._send(
                    401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
                )
            fault = next(
                (f for f in st.faults if f.times > 0 and f.method == self.command and re.search(f.path, url.path)), None
            )
            if fault is not None:
                fault.times -= 1
                if fault.store:
                    getattr(self, name)(match, url, body, who, respond=False)
                return self._send(
                    fault.status,
                    {"message": fault.message, "documentation_url": "https://docs.github.com/rest"},
                    fault.headers,
                )
            if self.command != "GET" and not who.write:
                return self._send(
                    403,
                    {
                        "message": "Resource not accessible by integration",
                        "documentation_url": "https://docs.github.com/rest",
                        "status": "403",
                    },
                )
            return getattr(self, name)(match, url, body, who)

    do_GET = do_POST = do_PATCH = _handle

    # ------------------------------------------------------------------ endpoints

    def _page(self, items: list[dict], url) -> None:
        q = parse_qs(url.query)
        per = min(int(q.get("per_page", ["30"])[0]), self.state.max_per_page)
        page = int(q.get("page", ["1"])[0])
        last = max(1, -(-len(items) // per))
        chunk = items[(page - 1) * per : page * per]
        links = []
        base = f"{self.state.base}{url.path}"
        for rel, n in (("next", page + 1), ("last", last), ("first", 1), ("prev", page - 1)):
            if (rel in ("next", "last") and page < last) or (rel in ("first", "prev") and page > 1):
                links.append(f'<{base}?{urlencode({"per_page": per, "page": n})}>; rel="{rel}"')
        self._send(200, [self.state.public(c) for c in chunk], {"Link": ", ".join(links)} if links else None)

    def get_user(self, match, url, body, who: Account, respond: bool = True):
        if who.kind == "installation":
            return self._send(
                403,
                {
                    "message": "Resource not accessible by integration",
                    "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
                    "status": "403",
                },
            )
        user = _user(who.login, 1, self.state.base, who.kind)
        user.update(
            {
                "name": None,
                "company": None,
                "blog": "",
                "location": None,
                "email": None,
                "hireable": None,
                "bio": None,
                "public_repos": 0,
                "public_gists": 0,
                "followers": 0,
                "following": 0,
                "created_at": "2020-01-01T00:00:00Z",
                "updated_at": "2020-01-01T00:00:00Z",
            }
        )
        self._send(200, user)

    def list_comments(self, match, url, body, who, respond: bool = True):
        repo = f"{match['owner']}/{match['repo']}"
        items = [
            c
            for c in self.state.comments
            if c["_number"] == int(match["number"]) and c["url"].split("/repos/")[1].startswith(repo + "/")
        ]
        self._page(items, url)

    def create_comment(self, match, url, body, who, respond: bool = True):
        if not isinstance(body, dict) or not isinstance(body.get("body"), str):
            return self._send(422, {"message": "Invalid request.", "documentation_url": "https://docs.github.com/rest"})
        c = self.state._comment(f"{match['owner']}/{match['repo']}", int(match["number"]), body["body"], who)
        self.state.comments.append(c)
        if respond:
            self._send(201, self.state.public(c), {"Location": c["url"]})

    def edit_comment(self, match, url, body, who, respond: bool = True):
        c = next((c for c in self.state.comments if c["id"] == int(match["id"])), None)
        if c is None:
            return self._send(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        if c["user"]["login"] != who.login:
            return self._send(
                403,
                {
                    "message": "You cannot edit another account's comment",
                    "documentation_url": "https://docs.github.com/rest",
                },
            )
        c["body"] = body["body"]
        c["updated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        if respond:
            self._send(200, self.state.public(c))

    def list_files(self, match, url, body, who, respond: bool = True):
        self._page(self.state.files.get(int(match["number"]), []), url)

    def list_review_comments(self, match, url, body, who, respond: bool = True):
        self._page([c for c in self.state.review_comments if c["_number"] == int(match["number"])], url)

    def create_review(self, match, url, body, who, respond: bool = True):
        st, number, repo = self.state, int(match["number"]), f"{match['owner']}/{match['repo']}"
        review_id = st.next_id()
        user = _user(who.login, 7, st.base, who.kind)
        for item in body.get("comments", []):
            ident = st.next_id()
            st.review_comments.append(
                {
                    "url": f"{st.base}/repos/{repo}/pulls/comments/{ident}",
                    "id": ident,
                    "node_id": f"PRRC_{ident}",
                    "pull_request_review_id": review_id,
                    "diff_hunk": "@@ -1 +1 @@",
                    "path": item["path"],
                    "line": item.get("line"),
                    "side": item.get("side", "RIGHT"),
                    "commit_id": body.get("commit_id", ""),
                    "original_commit_id": body.get("commit_id", ""),
                    "user": user,
                    "body": item["body"],
                    "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z",
                    "html_url": f"https://github.example/{repo}/pull/{number}#discussion_r{ident}",
                    "pull_request_url": f"{st.base}/repos/{repo}/pulls/{number}",
                    "author_association": "NONE",
                    "_links": {"self": {"href": ""}, "html": {"href": ""}, "pull_request": {"href": ""}},
                    "_number": number,
                }
            )
        review = {
            "id": review_id,
            "node_id": f"PRR_{review_id}",
            "user": user,
            "body": body.get("body", ""),
            "state": "COMMENTED",
            "commit_id": body.get("commit_id", ""),
            "html_url": f"https://github.example/{repo}/pull/{number}#pullrequestreview-{review_id}",
            "pull_request_url": f"{st.base}/repos/{repo}/pulls/{number}",
            "_links": {"html": {"href": ""}, "pull_request": {"href": ""}},
            "author_association": "NONE",
        }
        st.reviews.append(review)
        if respond:
            self._send(200, review)


class FakeGitHub:
    """Context manager: `with FakeGitHub() as gh: gh.url ...`; gh.state is the GitHubState."""

    def __init__(self) -> None:
        self.state = GitHubState()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.state = self.state  # type: ignore[attr-defined]
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.state.base = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
