"""Command line: a thin layer over ``taglint.engine``.

``taglint [check] [PATHS…]``, ``taglint rules``, ``taglint rule CODE``,
``taglint init``, ``taglint schema``.  Every ``TaglintError`` becomes one
line on stderr and exit code 2, here and nowhere else.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from taglint import __version__
from taglint.errors import TaglintError, UsageError
from taglint.gcpause import paused_gc

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SUBCOMMANDS = ("check", "rules", "rule", "init", "schema")
FORMATS = ("text", "json")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _codes(value: str) -> list[str]:
    return [part.strip().upper() for part in value.split(",") if part.strip()]


def _build_arg(value: str) -> tuple[str, str]:
    name, eq, arg = value.partition("=")
    if not eq or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name, arg


def _jobs(value: str) -> int:
    jobs = int(value)
    if jobs < 0:
        raise argparse.ArgumentTypeError("must be 0 (all cores) or more")
    return jobs or (os.cpu_count() or 1)


def check_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="taglint",
        description="Lint container image references and image push commands.",
        epilog="Other commands: taglint rules | taglint rule CODE | taglint init | taglint schema",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to scan (default: .)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE")
    parser.add_argument("--select", type=_codes, metavar="CODES", help="comma-separated rule code prefixes to check")
    parser.add_argument("--extend-select", type=_codes, metavar="CODES", help="rule code prefixes to add")
    parser.add_argument("--ignore", type=_codes, metavar="CODES", help="rule code prefixes to skip")
    parser.add_argument("--fail-on", choices=("error", "warning", "info"), help="lowest severity that exits 1")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    parser.add_argument("--strict", action="store_true", default=None, help="strict mode (see docs)")
    parser.add_argument("--statistics", action="store_true", help="count findings per rule")
    parser.add_argument("--quiet", "-q", action="store_true", help="only finding lines")
    parser.add_argument("--config", type=Path, metavar="FILE", help="configuration file to use")
    parser.add_argument("--no-config", action="store_true", help="ignore configuration files")
    parser.add_argument("--build-arg", type=_build_arg, action="append", default=[], metavar="NAME=VALUE",
                        help="Dockerfile ARG value (repeatable)")
    parser.add_argument("--jobs", "-j", type=_jobs, default=1, metavar="N", help="worker processes (0: all cores)")
    parser.add_argument("--force-exclude", action="store_true",
                        help="apply excludes to files named on the command line too (pre-commit)")
    parser.add_argument("--fix", action="store_true", help="apply safe fixes")
    parser.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff: unsafe fixes too")
    parser.add_argument("--diff", action="store_true", help="print fixes as a unified diff; change nothing")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour output")
    parser.add_argument("--version", action="version", version=f"taglint {__version__}")
    return parser


def _use_color(choice: str, stream: object) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def run_check(argv: Sequence[str]) -> int:
    from taglint.config import load_config
    from taglint.engine import scan
    from taglint.model import severity_rank
    from taglint.report import ReportOptions, finding_renderer, render

    args = check_parser().parse_args(argv)
    cwd = Path.cwd()
    config = load_config(args.config, not args.no_config, cwd)
    config = config.with_overrides(
        select=tuple(args.select) if args.select is not None else None,
        extend_select=tuple(args.extend_select) if args.extend_select is not None else None,
        ignore=(config.ignore + tuple(args.ignore)) if args.ignore else None,
        fail_on=args.fail_on,
        strict=args.strict,
    )
    options = ReportOptions(
        color=args.output is None and args.format == "text" and _use_color(args.color, sys.stdout),
        quiet=args.quiet,
        statistics=args.statistics,
    )
    fixing = args.fix or args.diff
    result = scan(
        args.paths or ["."], config, cwd=cwd, jobs=args.jobs,
        force_exclude=args.force_exclude, build_args=dict(args.build_arg),
        prerender=None if fixing else finding_renderer(args.format, options),
    )
    if fixing:
        from taglint.fix import apply_fixes

        outcome = apply_fixes(result.findings, cwd, unsafe=args.unsafe_fixes, write=not args.diff)
        if args.diff:
            sys.stdout.write(outcome.diff)
            return EXIT_ERROR if outcome.errors or result.errors else EXIT_CLEAN
        result.errors.extend(outcome.errors)
        result.findings = outcome.remaining
    stream = sys.stdout
    text = render(args.format, result, options)
    if args.output is not None:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{args.output}: cannot write report: {exc.strerror or exc}") from exc
    else:
        stream.write(text)
    if result.errors:
        return EXIT_ERROR
    threshold = severity_rank(config.fail_on)
    failing = any(severity_rank(f.severity) >= threshold for f in result.findings)
    return EXIT_FINDINGS if failing and not args.exit_zero else EXIT_CLEAN


def run_rules(argv: Sequence[str]) -> int:
    from taglint.docs import rules_table_text
    from taglint.ruleset import builtin_rules

    parser = _Parser(prog="taglint rules", description="List every rule.")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    args = parser.parse_args(argv)
    sys.stdout.write(rules_table_text(builtin_rules(), args.format))
    return EXIT_CLEAN


def run_rule(argv: Sequence[str]) -> int:
    from taglint.docs import rule_markdown
    from taglint.ruleset import builtin_rules

    parser = _Parser(prog="taglint rule", description="Show one rule's documentation.")
    parser.add_argument("code", help="rule code (TL101) or name (untagged-image)")
    args = parser.parse_args(argv)
    rules = builtin_rules()
    wanted = args.code.upper()
    for rule in rules.values():
        if rule.code == wanted or rule.name == args.code.lower():
            sys.stdout.write(rule_markdown(rule))
            return EXIT_CLEAN
    raise UsageError(f"unknown rule {args.code!r} (see `taglint rules`)")


def run_init(argv: Sequence[str]) -> int:
    from taglint.config import STARTER_CONFIG

    parser = _Parser(prog="taglint init", description="Write a commented starter .taglint.yaml.")
    parser.add_argument("path", nargs="?", default=".taglint.yaml", type=Path)
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    args = parser.parse_args(argv)
    if args.path.exists() and not args.force:
        raise UsageError(f"{args.path} already exists (use --force to overwrite)")
    args.path.write_text(STARTER_CONFIG, encoding="utf-8")
    print(f"wrote {args.path}")
    return EXIT_CLEAN


def run_schema(argv: Sequence[str]) -> int:
    from taglint.config import schema_text

    parser = _Parser(prog="taglint schema", description="Print the configuration JSON Schema.")
    parser.parse_args(argv)
    sys.stdout.write(schema_text())
    return EXIT_CLEAN


def run() -> None:
    """The ``taglint`` command: :func:`main`, then exit at once.  Tearing the
    interpreter down would free every object of the scan one by one, a
    noticeable part of a large scan's time, for nothing: the process ends.
    Output is flushed first; nothing else waits for exit (workers are
    joined and temporary files closed by the scan itself)."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`taglint . | head`): nothing more to say
        pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args and args[0] in SUBCOMMANDS else "check"
    if args and args[0] == command:
        args = args[1:]
    handler = {"check": run_check, "rules": run_rules, "rule": run_rule, "init": run_init, "schema": run_schema}[command]
    try:
        with paused_gc():  # a short run: reference counting frees what it builds
            return handler(args)
    except TaglintError as exc:
        print(f"taglint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_ERROR
