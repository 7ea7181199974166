"""`enumguard pr` (the Action's entry point): GitHub environment and flags in, an exit code out.
Wiring, like cli: the strings go to GitHub through enumguard.publish.
Analyses the pull request (diff) or the repository (audit), then writes the step log,
annotations, job summary, outputs and SARIF, and posts the sticky comment and inline review.
Posting is best effort: a failure is a warning, and the exit status follows the findings."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Mapping, TextIO, cast

from enumguard import pipeline
from enumguard.config import Config
from enumguard.emit import emit, exit_code
from enumguard.errors import EnumguardError
from enumguard.finding import Finding
from enumguard.publish import comment, context, inline, workflow
from enumguard.publish.client import INSTALLATION_BOT, GitHubClient, GitHubError, PyGithubClient, Tuning
from enumguard.report import RENDERERS, Report, markdown, mdescape, sarif
from enumguard.report.markdown import LinkContext

# Where the `database-url` input arrives: action.yml maps it to ENUMGUARD_DATABASE_URL, and
# GitHub also hands every input to a Docker action as INPUT_<NAME> (hyphen kept). Never an argument.
DATABASE_URL_VARIABLES = ("ENUMGUARD_DATABASE_URL", "INPUT_DATABASE-URL", "INPUT_DATABASE_URL")


def database_url(args: argparse.Namespace, env: Mapping[str, str]) -> str | None:
    url = getattr(args, "database_url", None) or next((env[k] for k in DATABASE_URL_VARIABLES if env.get(k)), None)
    return url.strip() if url and url.strip() else None


def analyse(
    args: argparse.Namespace,
    config: Config,
    ctx: context.GitHubContext,
    out: TextIO,
    env: Mapping[str, str] | None = None,
) -> Report:
    mode = args.mode if args.mode != "auto" else ("diff" if ctx.is_pr else "audit")
    url = database_url(args, os.environ if env is None else env)
    if mode == "diff":
        if not ctx.base_sha:
            raise EnumguardError(
                f"--mode diff needs a pull_request event with a base commit (this run is `{ctx.event_name}`)"
            )
        from enumguard import review

        report = review.diff(config, base=ctx.base_sha, head=None)
        if url:
            notice = (
                "database-url: the live database is checked in audit runs only (e.g. workflow_dispatch); "
                "this pull request run did not connect"
            )
            report = replace(report, notices=report.notices + (notice,))
        return report
    extend = None
    if url:
        from enumguard import live

        extend = live.extender(url, config)
    return pipeline.run(config, extend_model=extend)


def shown(report: Report) -> list[Finding]:
    """What this run is about: the new findings of a diff, every finding of an audit."""
    return [f for f in report.findings if f.new] if report.mode == "diff" else list(report.findings)


# The account the sticky comment is written by, for a token that cannot say (input or variable).
AUTHOR_VARIABLES = ("ENUMGUARD_COMMENT_AUTHOR", "INPUT_COMMENT-AUTHOR", "INPUT_COMMENT_AUTHOR")


def author_of(gh: GitHubClient, env: Mapping[str, str], token: str = "") -> str:
    """Who our comments are by. An installation token (`ghs_`, as the Actions token is) gets 403
    on GET /user, which PyGithub logs on every run as if something failed: it is not asked.
    The Actions token writes as github-actions[bot]; another App's token names its bot in the
    `comment-author` input. A personal token is asked."""
    configured = next((env[k].strip() for k in AUTHOR_VARIABLES if env.get(k, "").strip()), "")
    if configured:
        return configured
    if token.startswith("ghs_"):
        return INSTALLATION_BOT
    return gh.login() or INSTALLATION_BOT


def publish(
    report: Report,
    args: argparse.Namespace,
    config: Config,
    ctx: context.GitHubContext,
    links: LinkContext,
    env: Mapping[str, str],
    out: TextIO,
    gh: GitHubClient | None = None,
) -> None:
    # on-findings: no comment on a PR without (new) findings; an existing one is updated to
    # say the PR is clean now, so no stale list of problems stays on the PR.
    want_comment = args.comment in ("true", "on-findings")
    create = args.comment == "true" or bool(shown(report))
    want_review = args.review == "true" and report.mode == "diff"
    if not ctx.is_pr or not (want_comment or want_review):
        return
    if not ctx.token or not ctx.repo:
        workflow.warning("no GitHub token or repository in the environment: the PR comment was not posted", out)
        return
    tuning = Tuning.from_env(env)
    what = "the PR comment"
    try:
        gh = gh or PyGithubClient(ctx.api_url, ctx.token, ctx.repo, tuning)
        author = author_of(gh, env, ctx.token)
        if want_comment:
            result = comment.upsert(
                gh,
                cast(int, ctx.pr_number),
                author,
                markdown.render(report, links),
                tuning.backoff_factor,
                create=create,
            )
            if result.action == "skipped":
                out.write("enumguard: no PR comment (comment: on-findings, and no new findings)\n")
            else:
                out.write(f"enumguard: PR comment {result.action} (id {result.comment_id})\n")
        if want_review:
            what = "the inline review comments"
            if ctx.head_sha and report.head and report.head != ctx.head_sha:
                workflow.warning(
                    "inline review skipped: the checkout is not the pull request head; "
                    "check out `github.event.pull_request.head.sha` to get review comments",
                    out,
                )
                return
            posted = inline.post(
                gh,
                cast(int, ctx.pr_number),  # is_pr
                ctx.head_sha or report.head or ctx.sha,
                author,
                shown(report),
                config.root,
                links.rule_url,
            )
            out.write(f"enumguard: {posted} inline review comment(s) posted\n")
    except GitHubError as exc:
        hint = (
            " (a read-only token, e.g. on a pull request from a fork, cannot comment)"
            if exc.kind == "forbidden"
            else ""
        )
        workflow.warning(f"could not post {what}: {exc}{hint}; the job summary and annotations have the report", out)


def main(
    args: argparse.Namespace,
    config: Config,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    gh: GitHubClient | None = None,
) -> int:
    env = os.environ if env is None else env
    out = out or sys.stdout
    ctx = context.read(env)
    try:
        report = analyse(args, config, ctx, out, env)
    except EnumguardError as exc:
        # A usage error (exit 2) still leaves a trace where the reviewer looks.
        out.write(workflow.command("error", str(exc), title="enumguard could not run") + "\n")
        workflow.append_summary(f"### ⚠️ enumguard could not run\n\n{mdescape.text(str(exc))}\n", dict(env))
        raise
    rules = markdown.rules_base(ctx.server_url, ctx.action_repo, ctx.action_ref)
    links = LinkContext(ctx.server_url, ctx.repo, report.head or ctx.head_sha or ctx.sha, rules) if ctx.repo else None

    # The text report carries repository text (paths, names, labels): GitHub must not read a
    # workflow command in it, so commands are stopped with a token the repository cannot know.
    with workflow.commands_stopped(out):
        out.write(RENDERERS["text"](report))
    for line in workflow.annotations(shown(report)):
        out.write(line + "\n")
    report_path = ""
    if args.output:
        emit(report, args.format, args.output)
        report_path = workflow.relative_to_workspace(Path(args.output), ctx.workspace)
    if args.sarif_file:
        try:
            page = links.rule_url if links else None
            Path(args.sarif_file).write_text(sarif.render(report, page), encoding="utf-8", errors="backslashreplace")
        except OSError as exc:
            raise EnumguardError(f"{args.sarif_file}: cannot write SARIF ({exc.strerror})") from None
    workflow.append_summary(markdown.render_summary(report, links), dict(env))
    new = shown(report)
    workflow.set_outputs(
        {"findings": str(len(report.findings)), "new-findings": str(len(new)), "report-path": report_path}, dict(env)
    )
    publish(report, args, config, ctx, links or LinkContext(ctx.server_url, ctx.repo, ctx.sha, rules), env, out, gh)
    return exit_code(report, config)
