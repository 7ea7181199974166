"""Command line: flags and environment in, exit code out (0 clean, 1 findings, 2 usage error).
Wiring only: the work happens in pipeline, report, emit and pr (which uses publish)."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from enumguard import __version__, pipeline
from enumguard import config as config_mod
from enumguard.emit import emit, exit_code
from enumguard.errors import EnumguardError
from enumguard.report import RENDERERS
from enumguard.rules import ALL_RULES, RULE_NAMES, by_name

FORMATS = tuple(RENDERERS)  # text, json, sarif, markdown


def _rule_list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _add_tree(p: argparse.ArgumentParser) -> None:
    """What every command that reads a repository takes: where it is, its settings, the cache."""
    p.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
    # An empty value (the Action's default `--config=`) means "look in the repository".
    p.add_argument(
        "--config",
        type=lambda s: Path(s) if s else None,
        metavar="FILE",
        help="enumguard.toml or pyproject.toml to read",
    )
    p.add_argument("--no-cache", action="store_true", help="do not read or write the per-file cache")
    p.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help="where the fact cache lives (default: $ENUMGUARD_CACHE_DIR, else $XDG_CACHE_HOME/enumguard)",
    )
    p.add_argument("--jobs", type=int, metavar="N", help="parallel parser processes (default: cores)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress line on stderr")


def _add_rules(p: argparse.ArgumentParser) -> None:
    p.add_argument("--select", type=_rule_list, metavar="RULES", help="comma-separated rules to run")
    p.add_argument("--ignore", type=_rule_list, metavar="RULES", help="comma-separated rules to skip")


def _add_common(p: argparse.ArgumentParser) -> None:
    _add_tree(p)
    _add_rules(p)
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    p.add_argument("--fail-on", choices=config_mod.FAIL_ON, help="lowest severity that fails (default error)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="enumguard", description="Find where Python enums and PostgreSQL enum types disagree."
    )
    parser.add_argument("--version", action="version", version=f"enumguard {__version__}")
    parser.add_argument("--list-rules", action="store_true", help="list every rule and exit")
    parser.add_argument("--explain", metavar="RULE", help="show a rule's documentation and exit")
    sub = parser.add_subparsers(dest="command")
    audit = sub.add_parser("audit", help="check the whole repository")
    _add_common(audit)
    audit.add_argument(
        "--database-url",
        metavar="URL",
        help="also read enum types from this live PostgreSQL (or ENUMGUARD_DATABASE_URL)",
    )
    diff = sub.add_parser("diff", help="check what a change (base..head) breaks")
    _add_common(diff)
    diff.add_argument("--base", required=True, metavar="REF", help="git ref of the base, e.g. origin/main")
    diff.add_argument("--head", metavar="REF", help="git ref of the head (default: the working tree)")
    fix = sub.add_parser("fix", help="apply the certain fixes (dry run: print the diff)")
    _add_tree(fix)
    _add_rules(fix)
    fix.add_argument("--write", action="store_true", help="edit the files instead of printing the diff")
    fix.set_defaults(fail_on=None)
    show = sub.add_parser("show", help="print the model enumguard checks: DB types, linked enums, certainty")
    _add_tree(show)
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.add_argument("--output", "-o", metavar="FILE", help="write it here instead of stdout")
    show.set_defaults(fail_on=None, select=None, ignore=None)
    pr = sub.add_parser("pr", help="GitHub Action entry point: review a pull request and publish")
    _add_common(pr)
    pr.add_argument("--mode", choices=("auto", "diff", "audit"), default="auto")
    pr.add_argument(
        "--comment",
        choices=("true", "false", "on-findings"),
        default="true",
        help="sticky PR comment; on-findings: only when the PR has new findings",
    )
    pr.add_argument("--review", choices=("true", "false"), default="false")
    pr.add_argument("--sarif-file", metavar="FILE")
    pr.add_argument("--database-url", metavar="URL")
    return parser


def load_config(args: argparse.Namespace, root: Path | None = None) -> config_mod.Config:
    if root is None:
        root = Path(args.path)
    if not root.is_dir():
        raise EnumguardError(f"{args.path}: not a directory")
    config = config_mod.load(root, args.config, RULE_NAMES)
    overrides: dict[str, Any] = {}
    if args.fail_on:
        overrides["fail_on"] = args.fail_on
    if args.select:
        overrides["select"] = args.select
    if args.ignore:
        overrides["ignore"] = args.ignore
    if args.no_cache:
        overrides["cache"] = False
    if args.jobs is not None:
        overrides["jobs"] = args.jobs
    if getattr(args, "cache_dir", None) is not None:
        overrides["cache_dir"] = args.cache_dir
    overrides["progress"] = not getattr(args, "quiet", False)  # drawn only when stderr is a terminal
    config = replace(config, **overrides)
    config_mod.check_rules(config.select + config.ignore, RULE_NAMES, "command line")
    return config


def cmd_audit(args: argparse.Namespace) -> int:
    from enumguard import project

    if not Path(args.path).is_dir():
        raise EnumguardError(f"{args.path}: not a directory")
    located = project.locate(Path(args.path), explicit_config=args.config is not None)
    config = load_config(args, located.root)
    extend = None
    url = getattr(args, "database_url", None) or os.environ.get("ENUMGUARD_DATABASE_URL")
    if url:
        from enumguard import live

        extend = live.extender(url, config)
    report = pipeline.run(config, extend_model=extend)
    if located.scope is not None:
        migrations = frozenset(m.path for m in report.model.migrations)
        scoped = tuple(f for f in report.findings if project.in_scope(f, located.scope, migrations))
        report = replace(report, findings=scoped)
    if located.notice is not None and (located.scope is not None or not report.model.migrations):
        report = replace(report, notices=(located.notice,) + report.notices)
    emit(report, args.format, args.output)
    return exit_code(report, config)


def cmd_diff(args: argparse.Namespace) -> int:
    from enumguard import review

    config = load_config(args)
    report = review.diff(config, base=args.base, head=args.head)
    emit(report, args.format, args.output)
    return exit_code(report, config)


def cmd_fix(args: argparse.Namespace) -> int:
    from enumguard.fixes import command

    return command.run(load_config(args), args.write, sys.stdout, sys.stderr)


def cmd_show(args: argparse.Namespace) -> int:
    from enumguard import project
    from enumguard.emit import write_text
    from enumguard.report import show

    if not Path(args.path).is_dir():
        raise EnumguardError(f"{args.path}: not a directory")
    located = project.locate(Path(args.path), explicit_config=args.config is not None)
    model = pipeline.model_of(load_config(args, located.root))
    write_text(show.render_json(model) if args.format == "json" else show.render_text(model), args.output)
    return 0


def cmd_pr(args: argparse.Namespace) -> int:
    from enumguard import pr

    return pr.main(args, load_config(args))


def list_rules() -> str:
    return "".join(f"{r.name:28} {str(r.severity):8} {r.summary()}\n" for r in ALL_RULES)


def explain(name: str) -> str:
    rule = by_name(name)
    if rule is None:
        raise EnumguardError(f"unknown rule {name!r}; valid rules: {', '.join(sorted(RULE_NAMES))}")
    import inspect

    return f"# {rule.name} ({rule.severity})\n\n{inspect.cleandoc(rule.__doc__ or '')}\n"


def main(argv: Sequence[str] | None = None) -> int:
    # Repository text can hold lone surrogates (a file name that is not UTF-8, a "\ud800" escape in
    # an enum value): print them escaped instead of failing on them.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.list_rules:
            sys.stdout.write(list_rules())
            return 0
        if args.explain:
            sys.stdout.write(explain(args.explain))
            return 0
        if args.command == "audit":
            return cmd_audit(args)
        if args.command == "diff":
            return cmd_diff(args)
        if args.command == "pr":
            return cmd_pr(args)
        if args.command == "fix":
            return cmd_fix(args)
        if args.command == "show":
            return cmd_show(args)
        parser.print_usage(sys.stderr)
        print("enumguard: error: choose a command: audit, diff, pr or fix", file=sys.stderr)
        return 2
    except EnumguardError as exc:
        from enumguard.report.text import one_line  # a message may quote repository text

        print(f"enumguard: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug in enumguard: one line, the traceback only on request
        if os.environ.get("ENUMGUARD_DEBUG"):
            raise
        from enumguard.report.text import one_line

        print(
            f"enumguard: internal error: {type(exc).__name__}: {one_line(exc)} "
            "(set ENUMGUARD_DEBUG=1 for the traceback and please report it)",
            file=sys.stderr,
        )
        return 2
