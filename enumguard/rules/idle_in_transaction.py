"""Model with live database facts in, findings out: sessions stuck idle in a transaction.
Sees nothing without `audit --database-url`."""

from __future__ import annotations

from typing import Iterator

from enumguard.finding import Finding, Location, Severity
from enumguard.live.catalog import IdleSession, LiveDatabase
from enumguard.model import Model
from enumguard.rules.base import Rule


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


class IdleInTransactionRule(Rule):
    """Reports sessions that have been idle in a transaction longer than a threshold.

    Runs with `enumguard audit --database-url URL`: reads `pg_stat_activity` for the audited
    database and reports each session whose state is `idle in transaction` for longer than
    `idle-threshold-seconds` (default 300), with its pid, age, application name and the start
    of its last query. It never terminates anything.

    ## Why is this bad?

    A transaction left open keeps its locks and its snapshot: an `ALTER TYPE ... ADD VALUE`
    (or any migration that needs the table) waits behind it, and every query queued after that
    migration waits too; vacuum cannot clean rows newer than its snapshot.

    ## How to fix

    Find the client that left the transaction open (the application name and the query say which)
    and fix its transaction handling (commit or roll back; `idle_in_transaction_session_timeout`
    as a safety net). To end the session by hand, a person may run the query in the help text,
    `SELECT pg_terminate_backend(<pid>);`.

    ## Options

    `idle-threshold-seconds` (default 300).

    ## Known limitations

    A role that is neither superuser nor a member of `pg_read_all_stats` cannot see the state of
    other roles' sessions; the audit then says the check was limited.
    """

    name = "idle-in-transaction"
    severity = Severity.WARNING
    finds = "sessions stuck idle in a transaction (`--database-url`)"

    def check(self, model: Model) -> Iterator[Finding]:
        state = model.live
        if state is None:
            return
        threshold = model.settings.idle_threshold_seconds
        for session in state.idle_sessions:
            if session.idle_seconds >= threshold:
                yield self._finding(session, state)

    def _finding(self, s: IdleSession, state: LiveDatabase) -> Finding:
        who = f"application `{s.application_name}`" if s.application_name else "no application name"
        if s.user:
            who += f", role `{s.user}`"
        kind = "idle in an aborted transaction" if s.aborted else "idle in transaction"
        query = s.query if len(s.query) <= 120 else s.query[:117] + "..."
        opened = f" (transaction open for {_duration(s.transaction_seconds)})" if s.transaction_seconds else ""
        return self.finding(
            Location("database:pg_stat_activity", 1, 1),
            f"session pid {s.pid} ({who}) has been {kind} for {_duration(s.idle_seconds)}{opened}; "
            f"its last query: `{query}`",
            help=(
                f"it holds its locks until it ends: fix the client's transaction handling; a person may end it "
                f"with `SELECT pg_terminate_backend({s.pid});` (enumguard never terminates sessions)"
            ),
            value=f"pid {s.pid}",
        )
