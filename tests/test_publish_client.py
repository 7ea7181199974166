"""The PyGithub client's configuration: which requests are retried, how long it may wait,
the production write spacing, and how failures are classified."""

from __future__ import annotations

import socket

from github import GithubException

from enumguard.publish.client import GitHubError, PyGithubClient, Tuning, _convert, make_retry


def test_only_idempotent_methods_are_retried():
    retry = make_retry(Tuning())
    assert "POST" not in retry.allowed_methods
    assert {"GET", "PATCH"} <= set(retry.allowed_methods)
    assert {429, 500, 502, 503, 504, 403} <= set(retry.status_forcelist)
    assert retry.total == 4 and retry.raise_on_status is False


def test_waits_are_capped():
    retry = make_retry(Tuning(max_wait=5))

    class Response:
        headers = {"Retry-After": "3600"}

    assert retry.get_retry_after(Response()) == 5
    assert retry.new(total=1).max_wait == 5  # the cap survives urllib3's copy per attempt
    assert retry.max_rate_limit_wait == 5


def test_production_keeps_one_second_between_writes_and_env_can_lower_it():
    assert Tuning().seconds_between_writes == 1.0
    assert Tuning.from_env({}).seconds_between_writes == 1.0
    assert Tuning.from_env({"ENUMGUARD_GITHUB_WRITE_SPACING": "0"}).seconds_between_writes == 0.0
    assert Tuning.from_env({"ENUMGUARD_GITHUB_RETRIES": "x"}).retries == 4  # garbage is ignored


def test_client_passes_tuning_to_pygithub():
    client = PyGithubClient("http://127.0.0.1:9", "t", "o/r", Tuning(seconds_between_writes=1.0))
    requester = client._gh._Github__requester  # PyGithub keeps it private; the value matters here
    assert requester._Requester__seconds_between_writes == 1.0


def test_failures_are_classified_and_the_token_is_scrubbed():
    assert (
        _convert(GithubException(403, {"message": "Resource not accessible by integration"}, {}), "t").kind
        == "forbidden"
    )
    assert _convert(GithubException(403, {"message": "API rate limit exceeded for x"}, {}), "t").kind == "rate_limit"
    assert _convert(GithubException(429, {"message": "slow down"}, {}), "t").kind == "rate_limit"
    assert _convert(GithubException(502, {"message": "Bad Gateway"}, {}), "t").retryable
    err = _convert(ConnectionError("refused for secret-token"), "secret-token")
    assert isinstance(err, GitHubError) and err.kind == "network" and "secret-token" not in str(err)


def test_unreachable_api_is_a_network_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = PyGithubClient(
        f"http://127.0.0.1:{port}", "t", "o/r", Tuning(seconds_between_writes=0, retries=1, backoff_factor=0)
    )
    try:
        list(client.issue_comments(1))
    except GitHubError as exc:
        assert exc.kind == "network"
    else:
        raise AssertionError("expected a GitHubError")
