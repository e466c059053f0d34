"""Command line: a thin layer over ``taglint.engine``.

``taglint [check] [PATHS…]``, ``taglint rules``, ``taglint rule CODE``,
``taglint init``, ``taglint schema``; options may come before the command.
Every ``TaglintError`` becomes one line on stderr and exit code 2, here
and nowhere else; so does any unexpected exception (its traceback with
``--verbose``), and ``--format json`` still writes a report that carries
the error.  The exit code never depends on the output format or on a
reader that stopped reading (``taglint . | head``).
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, NamedTuple, Sequence, TextIO

from taglint import __version__
from taglint.errors import ConfigError, TaglintError, UsageError
from taglint.gcpause import paused_gc
from taglint.report import FORMATS as REPORT_FORMATS
from taglint.report import TERMINAL_FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SUBCOMMANDS = ("check", "rules", "rule", "init", "schema")
FORMATS = tuple(REPORT_FORMATS)
OUTPUT_STYLES = ("full", "concise", "grouped")  # --output-format styles of the text report
SEVERITIES = ("info", "warning", "error")

USAGE = """\
taglint [check] [OPTIONS] [PATH ...]
       taglint {rules,rule CODE,init,schema} [OPTIONS]"""

COMMANDS_HELP = """\
commands:
  check          lint files and folders (the default; PATH defaults to .)
  rules          list every rule
  rule CODE      show one rule's documentation (code or name)
  init           write a commented starter .taglint.yaml
  schema         print the configuration JSON Schema

A PATH of - reads standard input: name the file it stands for with
--stdin-filename PATH (editors). --show-files lists what would be read.

Options may come before or after the command (taglint --color never rule
TL101). A first PATH named like a command is the command: scan a folder
called `rules` with `taglint check rules` or `taglint ./rules`.
Rules are named by code (TL101), code prefix (TL1), ALL, or name
(untagged-image); an unknown one is an error.

exit status: 0 no finding at or above --fail-on, 1 findings at or above
it, 2 usage, configuration or internal error."""


class _Parser(argparse.ArgumentParser):
    """Errors as :class:`UsageError` (one line, exit 2); no abbreviated
    options; an unknown option gets the nearest known one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse builds a formatter for every add_argument; its default
        # width comes from shutil (which imports bz2 and lzma): the same
        # width, measured without it.
        return self.formatter_class(prog=self.prog, width=terminal_columns() - 2)

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> Any:  # type: ignore[override]
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            raise UsageError(self.unrecognized(extras))
        return parsed

    def unrecognized(self, extras: list[str]) -> str:
        where = "" if self.prog == "taglint" else f" of `{self.prog}`"
        options = [e for e in extras if e.startswith("-") and e != "-"]
        if not options:
            return f"unexpected arguments{where}: {' '.join(extras)}"
        name = options[0].split("=", 1)[0]
        from taglint.suggest import closest

        # compared without their dashes, which every option shares (-select → --select)
        known = {o.lstrip("-"): o for o in self._option_string_actions if o.startswith("--")}
        nearest = closest(name.lstrip("-"), known)
        hint = f" (did you mean {known[nearest]}?)" if nearest else ""
        return f"`{self.prog}` has no option {name}{hint}" if where else f"unknown option {name}{hint}"


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``, without importing shutil:
    ``$COLUMNS`` when positive, else the width of the terminal on standard
    output, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    """Options every command takes, before or after its name."""
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour output")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="say more: each skipped file, the traceback of an internal error")


def _codes(value: str) -> list[str]:
    """Comma-separated codes, prefixes or rule names, as written (checked
    against the rules once they are loaded)."""
    return [part.strip() for part in value.split(",") if part.strip()]


def _build_arg(value: str) -> tuple[str, str]:
    name, eq, arg = value.partition("=")
    if not eq or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {value!r}")
    return name, arg


class ExtraOutput(NamedTuple):
    """``--output-format FORMAT=FILE``: the report also written in FORMAT to FILE."""

    format: str
    path: Path


def _output_format(value: str) -> str | ExtraOutput:
    """A text style (``full``), or ``FORMAT=FILE`` for one more report."""
    name, eq, file = value.partition("=")
    if not eq:
        if value not in OUTPUT_STYLES:
            raise argparse.ArgumentTypeError(
                f"expected a style ({', '.join(OUTPUT_STYLES)}) or FORMAT=FILE, got {value!r}"
            )
        return value
    if name not in FORMATS:
        raise argparse.ArgumentTypeError(f"unknown format {name!r} in {value!r} (choose from {', '.join(FORMATS)})")
    if not file:
        raise argparse.ArgumentTypeError(f"expected FORMAT=FILE, got {value!r}: no file")
    return ExtraOutput(name, Path(file))


def _jobs(value: str) -> int | None:
    """``--jobs``: a number of processes, 0 for all cores, or ``auto`` (None:
    the scan decides, :func:`taglint.jobs.choose_jobs`)."""
    if value.strip().lower() == "auto":
        return None
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of processes (0: all cores), got {value!r}") from None
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"expected a number of processes (0: all cores), got {value!r}")
    if jobs == 0:
        from taglint.parallel import available_cores

        return available_cores()
    return jobs


def check_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="taglint",
        usage=USAGE,
        description="Lint container image references and image push commands.",
        epilog=COMMANDS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or folders to scan (default: .); - reads standard input (see --stdin-filename)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE")
    parser.add_argument("--output-format", type=_output_format, action="append", default=[],
                        metavar="STYLE|FORMAT=FILE",
                        help="text report style: full (code frames, the default), concise (one line per finding) "
                             "or grouped (findings under a heading per file); or FORMAT=FILE: also write the report "
                             "in FORMAT to FILE, "
                             "from the same scan (repeatable: --output-format sarif=taglint.sarif)")
    parser.add_argument("--baseline", type=Path, metavar="FILE",
                        help="report only findings FILE does not record (see --write-baseline)")
    parser.add_argument("--write-baseline", type=Path, metavar="FILE",
                        help="record every current finding in FILE, print no report, exit 0")
    parser.add_argument("--select", type=_codes, metavar="CODES",
                        help="comma-separated rule codes, prefixes or names to check")
    parser.add_argument("--extend-select", type=_codes, metavar="CODES", help="rule codes, prefixes or names to add")
    parser.add_argument("--ignore", type=_codes, metavar="CODES", help="rule codes, prefixes or names to skip")
    parser.add_argument("--fail-on", choices=("error", "warning", "info"), help="lowest severity that exits 1")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    parser.add_argument("--strict", action="store_true", default=None, help="strict mode (see docs)")
    parser.add_argument("--min-severity", choices=SEVERITIES, metavar="{info,warning,error}",
                        help="lowest severity shown (the exit code still follows --fail-on); without it the text "
                             "report folds info findings when there are many")
    parser.add_argument("--statistics", action="store_true", help="print only a table: findings per rule")
    parser.add_argument("--by", choices=("rule", "file", "folder"), default="rule",
                        help="with --statistics: count per rule (default), file or folder")
    parser.add_argument("--quiet", "-q", action="count", default=0,
                        help="only the findings (-qq: nothing; the exit code says it)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="configuration file to use for every file (default: the nearest .taglint.yaml, "
                             ".taglint.yml or pyproject.toml [tool.taglint] above each file)")
    parser.add_argument("--exclude", action="append", metavar="PATTERN",
                        help="path glob not to scan, relative to the working directory; replaces the config's "
                             "exclude (repeatable)")
    parser.add_argument("--extend-exclude", action="append", default=[], metavar="PATTERN",
                        help="path glob not to scan, in addition to the config's exclude (repeatable)")
    parser.add_argument("--show-settings", action="store_true",
                        help="print the effective configuration for the first PATH and the file it came from; "
                             "scan nothing")
    parser.add_argument("--no-config", action="store_true", help="ignore configuration files")
    parser.add_argument("--kind", metavar="KIND",
                        help="check the files named on the command line (and standard input) as KIND "
                             "(github-workflow, gitlab-ci, kubernetes, dockerfile…), whatever their name or text "
                             "says; the files of a named folder are classified as usual (see kinds: in the config)")
    parser.add_argument("--stdin-filename", metavar="PATH",
                        help="with PATH -: read the file from standard input as the file PATH (which decides its "
                             "kind, configuration and name in reports); with --fix the fixed text goes to standard "
                             "output and the remaining findings to standard error")
    parser.add_argument("--show-files", action="store_true",
                        help="list the files that would be read and as which kind (with --verbose also the files "
                             "not read, and why), then exit 0; scan nothing")
    parser.add_argument("--build-arg", type=_build_arg, action="append", default=[], metavar="NAME=VALUE",
                        help="Dockerfile ARG value (repeatable)")
    parser.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N",
                        help="worker processes: auto (the default) uses all cores when the scan has enough files "
                             "to pay for workers (about 128 to parse, or 2 MB in 32 or more) and 1 for a handful "
                             "of files, as in a pre-commit run; 0: all cores; 1: this process only")
    parser.add_argument("--force-exclude", action="store_true",
                        help="apply excludes to files named on the command line too (pre-commit)")
    parser.add_argument("--fix", action="store_true", help="apply safe fixes")
    parser.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff: unsafe fixes too")
    parser.add_argument("--diff", action="store_true", help="print fixes as a unified diff; change nothing")
    parser.add_argument("--resolve", action="store_true",
                        help="ask registries (and git for actions) what floating tags point at, for exact pins")
    parser.add_argument("--refresh", action="store_true", help="with --resolve: ignore cached tag answers")
    parser.add_argument("--insecure-registry", action="append", default=[], metavar="HOST",
                        help="with --resolve: allow plain HTTP to HOST (repeatable; loopback always is)")
    _add_global_options(parser)
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
    args = check_parser().parse_args(argv)
    try:
        return _check(args)
    except TaglintError as exc:
        return _failed(args, str(exc))
    except Exception as exc:  # a bug: one line, the traceback with --verbose
        if args.verbose:
            import traceback

            traceback.print_exc()
        hint = "" if args.verbose else " (--verbose shows the traceback)"
        return _failed(args, f"internal error: {type(exc).__name__}: {exc}{hint}")


def _failed(args: argparse.Namespace, message: str) -> int:
    """Say why the run failed, on stderr; a JSON report still comes out,
    with the error in ``summary.errors``, for the tools that read it."""
    _say_error(message)
    if args.format == "json":
        from taglint.engine import ScanResult
        from taglint.report import ReportOptions, render

        try:
            _emit(args.output, render("json", ScanResult(findings=[], files_scanned=0, errors=[message]), ReportOptions()))
        except TaglintError:  # the report file cannot be written: the message said so
            pass
        except Exception as exc:  # the report itself failed
            _say_error(f"no JSON report: {type(exc).__name__}: {exc}")
    return EXIT_ERROR


def _config_lookup(args: argparse.Namespace, cwd: Path) -> Any:
    """Each file's configuration (:class:`taglint.config.ConfigLookup`):
    the nearest config file's, or ``--config FILE``'s for every file, or
    the defaults with ``--no-config``; rule names resolved to codes and the
    command-line options applied on top."""
    from taglint.config import Config, ConfigLookup, read_config_file
    from taglint.globs import glob_problem
    from taglint.ruleset import load_rules
    from taglint.selection import resolved_codes, resolved_config

    for option, patterns in (("--exclude", args.exclude or []), ("--extend-exclude", args.extend_exclude)):
        for pattern in patterns:
            problem = glob_problem(pattern)
            if problem is not None:
                raise UsageError(f'{option}: bad pattern "{pattern}": {problem}')

    def finish(config: Config) -> Config:
        rules = load_rules(config.rule_dirs)
        config = resolved_config(config, rules)  # before the options: errors name the file

        def codes(option: str, values: list[str] | None) -> tuple[str, ...] | None:
            return None if values is None else resolved_codes(values, rules, option)

        ignore = codes("--ignore", args.ignore)
        config = config.with_overrides(
            select=codes("--select", args.select),
            extend_select=codes("--extend-select", args.extend_select),
            ignore=(config.ignore + ignore) if ignore else None,
            fail_on=args.fail_on,
            strict=args.strict,
        )
        return replace(config, exclude=()) if args.exclude is not None else config

    if args.config is not None:
        if not args.config.is_file():
            raise ConfigError(f"{args.config}: config file not found")
        return ConfigLookup(finish, fixed=read_config_file(args.config))
    return ConfigLookup(finish, fixed=Config() if args.no_config else None)


def _show_settings(args: argparse.Namespace, config: Any, target: str) -> int:
    """``--show-settings``: the effective configuration and where it came from."""
    import json

    from taglint.config import settings_of

    settings = settings_of(config)
    given = (args.exclude or []) + args.extend_exclude
    if given:  # relative to the working directory, not to the config file
        settings["command-line-exclude"] = given
    origin = config.source or "(defaults: no configuration file)"
    if args.format == "json":
        write_stdout(json.dumps({"path": target, "config-file": config.source, "settings": settings}, indent=2) + "\n")
        return EXIT_CLEAN
    lines = [f"# settings for {target}, from {origin}"]
    for key, value in settings.items():
        lines.append(f"{key}: {json.dumps(value)}")
    write_stdout("\n".join(lines) + "\n")
    return EXIT_CLEAN


def _check(args: argparse.Namespace) -> int:
    from taglint.engine import scan
    from taglint.model import severity_rank
    from taglint.report import ReportOptions, finding_renderer, prerender_pays

    cwd = Path.cwd()
    fixing = args.fix or args.diff
    if args.write_baseline is not None and fixing:
        raise UsageError("--write-baseline records findings; it cannot be combined with --fix or --diff")
    baseline = None
    if args.baseline is not None:
        from taglint.baseline import load_baseline

        baseline = load_baseline(args.baseline)  # before the scan: a bad file fails fast
    named_kind = _named_kind(args)
    stdin = _stdin_input(args)
    lookup = _config_lookup(args, cwd)
    target = stdin[0] if stdin is not None else args.paths[0] if args.paths else "."
    # The first path's configuration: its fail-on decides the exit status
    # (and a broken config file fails before the scan).
    config = lookup.for_path(Path(os.path.abspath(cwd / target)))
    if args.show_settings:
        return _show_settings(args, config, target)
    if args.show_files:
        return _show_files(args, lookup, cwd, named_kind, stdin)
    if args.by != "rule" and not args.statistics:
        raise UsageError("--by counts findings for --statistics; add --statistics")
    styles = [value for value in args.output_format if not isinstance(value, ExtraOutput)]
    options = ReportOptions(
        color=args.output is None and args.format == "text" and _use_color(args.color, sys.stdout),
        quiet=args.quiet,
        statistics=args.statistics,
        statistics_by=args.by,
        style=styles[-1] if styles else "full",
        min_severity=args.min_severity,
        verbose=args.verbose,
    )

    def scan_once(prerender: bool, data: bytes | None = None) -> Any:
        if stdin is not None:  # code frames quote the text read, not the file on disk
            from taglint.discovery import display_path
            from taglint.report.source_lines import remember_bytes

            remember_bytes(display_path(cwd / stdin[0], cwd), stdin[1] if data is None else data)
        progress = _progress_bar(args)
        try:
            return scan(
                args.paths or ["."], config, cwd=cwd, jobs=args.jobs,
                force_exclude=args.force_exclude, build_args=dict(args.build_arg),
                # Pre-rendering pays only where other processes do it (in one
                # process the report renders the findings as fast, without
                # holding every finding's text through the scan), and only
                # for a format whose findings are slow to render.
                prerender=(
                    finding_renderer(args.format, options)
                    if prerender and args.jobs != 1 and prerender_pays(args.format) else None
                ),
                progress=progress, configs=lookup, exclude=tuple((args.exclude or []) + args.extend_exclude),
                named_kind=named_kind,
                stdin=None if stdin is None else (stdin[0], stdin[1] if data is None else data),
                digests=bool(fixing),
            )
        finally:
            if progress is not None:
                progress.close()

    def with_baseline(result: Any) -> Any:
        if baseline is None:
            return None
        from taglint.baseline import apply_baseline

        result.findings, summary = apply_baseline(result.findings, result.files, baseline)
        return summary

    result = scan_once(prerender=not (fixing or args.resolve))
    _note_skipped_named_files(result.skipped)
    _note_limited_comparisons(args, result, config, cwd)
    if args.resolve:
        _resolve_pins(args, result, lookup, cwd)
    if args.write_baseline is not None:
        return _write_baseline(args.write_baseline, result)
    options = replace(options, baseline=with_baseline(result), fail_on=config.fail_on)
    if fixing and stdin is not None:
        return _fix_stdin(args, stdin, result, options, config, scan_once)
    if fixing:
        from taglint.fix import apply_fixes

        from taglint.secrets import SecretTable

        outcome = apply_fixes(result.findings, cwd, unsafe=args.unsafe_fixes, write=not args.diff,
                              digests=result.digests, mask=SecretTable.of(result.files).mask)
        if args.diff:
            return _report_diff(outcome, result.errors)
        if outcome.fixed:  # what is left is what a fresh scan of the fixed files finds
            rescanned = scan_once(prerender=False)
            if args.resolve:  # what is left with the registry's answers (cached by now)
                _resolve_pins(args, rescanned, lookup, cwd)
            options = replace(options, baseline=with_baseline(rescanned))
            rescanned.errors[:] = list(dict.fromkeys([*result.errors, *rescanned.errors]))
            result = rescanned
        result.errors.extend(outcome.errors)
        options = replace(options, fixed=outcome.fixed)
    shown = result
    if args.min_severity is not None:  # what is shown; --fail-on still sees every finding
        floor = severity_rank(args.min_severity)
        kept = [f for f in result.findings if severity_rank(f.severity) >= floor]
        shown = replace(result, findings=kept)
        options = replace(options, hidden=len(result.findings) - len(kept))
    if args.quiet < 2 or args.output is not None:
        _emit_report(args.output, args.format, shown, options)
    _emit_extra_outputs(args, shown, options)
    if result.errors:
        return EXIT_ERROR
    threshold = severity_rank(config.fail_on)
    failing = any(severity_rank(f.severity) >= threshold for f in result.findings)
    return EXIT_FINDINGS if failing and not args.exit_zero else EXIT_CLEAN


def _named_kind(args: argparse.Namespace) -> str | None:
    """``--kind``, checked: an unknown kind is a usage error naming the nearest known one."""
    if args.kind is None:
        return None
    from taglint.kinds import kind_problem

    kind = args.kind.strip()
    problem = kind_problem(kind)
    if problem is not None:
        raise UsageError(f"--kind: {problem}")
    return kind


def _stdin_input(args: argparse.Namespace) -> tuple[str, bytes] | None:
    """(PATH, bytes) when the file comes from standard input (``-`` as the
    only PATH), else None.  Standard input needs a name (``--stdin-filename``)
    or a kind (``--kind``) to be checked as something."""
    if "-" not in args.paths:
        if args.stdin_filename is not None:
            raise UsageError("--stdin-filename names the file read from standard input; pass - as the PATH")
        return None
    from taglint.stdin_input import STDIN, read_stdin

    if args.paths != [STDIN]:
        raise UsageError("- (standard input) is the only PATH when given")
    if args.stdin_filename is None and args.kind is None:
        raise UsageError("- reads standard input: add --stdin-filename PATH (or --kind KIND) to say what it is")
    if args.write_baseline is not None or args.baseline is not None:
        raise UsageError("a baseline records a project's findings; it does not apply to standard input")
    return (args.stdin_filename or STDIN), read_stdin()


def _show_files(
    args: argparse.Namespace, lookup: Any, cwd: Path, named_kind: str | None, stdin: tuple[str, bytes] | None,
) -> int:
    """``--show-files``: what would be read and as which kind; exit 0
    (2 when a PATH does not exist)."""
    from taglint.show_files import list_files, render, summary

    entries, errors = list_files(
        args.paths or ["."], cwd, lookup, exclude=tuple((args.exclude or []) + args.extend_exclude),
        force_exclude=args.force_exclude, named_kind=named_kind, stdin=stdin,
    )
    _emit(args.output, render(entries, "json" if args.format == "json" else "text", args.verbose))
    for error in errors:
        _say_error(error)
    if not args.quiet and args.format != "json":
        try:
            print(f"taglint: {summary(entries, args.verbose)}", file=sys.stderr)
        except OSError:
            pass
    return EXIT_ERROR if errors else EXIT_CLEAN


def _fix_stdin(
    args: argparse.Namespace, stdin: tuple[str, bytes], result: Any, options: Any, config: Any, scan_once: Any,
) -> int:
    """``--fix`` / ``--diff`` on standard input: no file is written.  With
    ``--diff`` the diff goes to standard output (exit 1 when something would
    change); with ``--fix`` the fixed text does, and the findings that remain
    (a scan of the fixed text) are reported on standard error."""
    from taglint.discovery import display_path
    from taglint.model import severity_rank
    from taglint.report import render
    from taglint.stdin_input import NotFixable, fixed_bytes, unified_diff

    shown_path = display_path(Path.cwd() / stdin[0], Path.cwd())  # as the scan named it
    try:
        after, fixed = fixed_bytes(stdin[1], shown_path, result.findings, unsafe=args.unsafe_fixes)
    except NotFixable as exc:
        after, fixed = stdin[1], 0
        result.errors.append(f"{shown_path}: {exc}")
    if args.diff:
        write_stdout(unified_diff(stdin[1], after, shown_path))
        try:
            print(f"taglint: would fix {fixed} finding{'' if fixed == 1 else 's'}", file=sys.stderr)
        except OSError:
            pass
        for error in result.errors:
            _say_error(error)
        return EXIT_ERROR if result.errors else EXIT_FINDINGS if after != stdin[1] else EXIT_CLEAN
    try:
        sys.stdout.buffer.write(after)
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_to_devnull()
    except AttributeError:  # a text stream (tests)
        write_stdout(after.decode("utf-8", "replace"))
    remaining = scan_once(prerender=False, data=after) if fixed else result
    remaining.errors[:0] = [e for e in result.errors if e not in remaining.errors]
    if args.quiet < 2:
        try:
            sys.stderr.write(render(args.format, remaining, replace(options, color=False, fixed=fixed)))
        except OSError:
            pass
    if remaining.errors:
        return EXIT_ERROR
    threshold = severity_rank(config.fail_on)
    failing = any(severity_rank(f.severity) >= threshold for f in remaining.findings)
    return EXIT_FINDINGS if failing and not args.exit_zero else EXIT_CLEAN


def _resolve_pins(args: argparse.Namespace, result: Any, lookup: Any, cwd: Path) -> None:
    """``--resolve``: fixes from what registries (and ``git ls-remote``)
    answer; a reference that cannot be resolved is a notice in the
    result's errors (exit 2).  Only here is the network touched."""
    from taglint.resolve_pins import ResolveSettings, resolve_fixes

    def config_for(path: str) -> Any:
        return lookup.for_path(Path(os.path.abspath(cwd / path)))

    settings = ResolveSettings(insecure_hosts=tuple(args.insecure_registry), refresh=args.refresh)
    resolve_fixes(result, config_for, settings, cwd)


def _report_diff(outcome: Any, scan_errors: list[str]) -> int:
    """``--diff``: the diff on stdout, ``would fix N findings`` on stderr;
    exit 1 when something would change (2 on an error)."""
    write_stdout(outcome.diff)
    try:
        count = outcome.fixed
        print(f"taglint: would fix {count} finding{'' if count == 1 else 's'}", file=sys.stderr)
    except OSError:
        pass
    for error in [*scan_errors, *outcome.errors]:
        _say_error(error)
    if outcome.errors or scan_errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if outcome.diff else EXIT_CLEAN


def _progress_bar(args: argparse.Namespace) -> Any:
    """A progress bar on stderr, when one is wanted (:mod:`taglint.progress`)."""
    from taglint import progress

    machine_stdout = args.diff or (args.output is None and args.format not in TERMINAL_FORMATS)
    if not progress.wanted(sys.stderr, os.environ, quiet=args.quiet, machine_stdout=machine_stdout):
        return None
    return progress.ProgressBar(sys.stderr)


def _write_baseline(path: Path, result: Any) -> int:
    """``--write-baseline``: every current finding recorded in ``path``."""
    from taglint.baseline import write_baseline

    written = write_baseline(path, result.findings, result.files)
    count = len(written.entries)
    try:
        print(f"taglint: wrote {count} finding{'' if count == 1 else 's'} to the baseline {path}", file=sys.stderr)
    except OSError:
        pass
    for error in result.errors:
        _say_error(error)
    return EXIT_ERROR if result.errors else EXIT_CLEAN


def _emit_extra_outputs(args: argparse.Namespace, result: Any, options: Any) -> None:
    """``--output-format FORMAT=FILE``: each further report, from the same
    scan (without the main format's pre-rendered texts, and no colour)."""
    extras = [value for value in args.output_format if isinstance(value, ExtraOutput)]
    if not extras:
        return
    plain = replace(result, prerendered={})
    for extra in extras:
        _emit_report(extra.path, extra.format, plain, replace(options, color=False))


# Rules that compare files of a whole project and read only the scanned
# files (cross-file resolvers, Helm values and Kustomize bases, read what
# they need from disk themselves).
PROJECT_WIDE_RULES = ("TL113",)


def _note_limited_comparisons(args: argparse.Namespace, result: Any, config: Any, cwd: Path) -> None:
    """When files are named (a pre-commit run) and a deployable unit of
    theirs has other files that were not scanned, the rules that compare
    a unit's files compared only part of it: said on stderr, once."""
    from taglint.partial_scan import units_not_fully_scanned
    from taglint.selection import is_active

    if args.quiet or not any(os.path.isfile(cwd / path) for path in args.paths):
        return
    limited = [
        f"{code} ({result.rules[code].name})" for code in PROJECT_WIDE_RULES
        if code in result.rules and is_active(result.rules[code], config)
    ]
    if not limited:
        return
    named = [path for path in args.paths if os.path.isfile(cwd / path)]
    units = units_not_fully_scanned(result.files, named, [entry.path for entry in result.skipped], cwd)
    if units:
        shown = ", ".join(f"{unit}/" if unit != "." else unit for unit in units[:3]) + (" …" if len(units) > 3 else "")
        try:
            print(
                f"taglint: note: {', '.join(limited)} compared image versions only among the files named,"
                f" not the rest of {shown}; `taglint .` compares them project-wide",
                file=sys.stderr,
            )
        except OSError:
            pass


def _note_skipped_named_files(skipped: Sequence[Any]) -> None:
    """A file named on the command line and not checked is said on stderr,
    whatever the format and wherever the report goes."""
    for entry in skipped:
        if entry.explicit:
            try:
                print(f"taglint: note: {entry.path}: skipped ({entry.reason})", file=sys.stderr)
            except OSError:
                return


def _emit(output: Path | None, text: str) -> None:
    """``text``, to ``output`` or standard output (:func:`_emit_to`)."""
    _emit_to(output, lambda out: out.write(text))


def _emit_report(output: Path | None, format_name: str, result: Any, options: Any) -> None:
    """The report in ``format_name``, written piece by piece (a large
    scan's report is never held whole in memory; :func:`_emit_to`)."""
    from taglint.report import write

    _emit_to(output, lambda out: write(format_name, result, options, out))


def _emit_to(output: Path | None, fill: Callable[[TextIO], None]) -> None:
    """What ``fill`` writes, to ``output`` or standard output.  A file is
    written by :func:`taglint.safewrite.replacing_text`: never through a
    symbolic link, and only once ``fill`` has written it all (one that
    fails half-way leaves the file as it was)."""
    if output is None:
        stream_stdout(fill)
        return
    from taglint.safewrite import replacing_text

    try:
        with replacing_text(output) as out:
            fill(out)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write report: {exc.strerror or exc}") from exc


def stream_stdout(fill: Callable[[TextIO], None]) -> None:
    """Standard output given to ``fill`` to write on, then flushed.  A
    reader that stopped reading (``taglint . | head``) is no error: the
    rest of the output goes to the null device, and the exit code stays
    that of the scan."""
    try:
        fill(sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_to_devnull()


def write_stdout(text: str) -> None:
    """Write ``text`` to standard output (:func:`stream_stdout`)."""
    stream_stdout(lambda out: out.write(text))


def _stdout_to_devnull() -> None:
    """After a broken pipe: later writes and the final flush go nowhere
    instead of failing again (as the Python documentation on SIGPIPE
    advises)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _say_error(message: str) -> None:
    try:
        print(f"taglint: error: {message}", file=sys.stderr)
    except OSError:  # stderr is gone too: the exit code says it
        pass


def run_rules(argv: Sequence[str]) -> int:
    from taglint.config import load_config
    from taglint.docs import rules_table_text
    from taglint.ruleset import load_rules
    from taglint.selection import is_active, resolved_config, severity_of

    parser = _Parser(prog="taglint rules",
                     description="List every rule: whether --fix changes its findings (FIX), its state under the "
                                 "configuration found here (NOW: off or the severity it runs at) and its default.")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    parser.add_argument("--config", type=Path, metavar="FILE", help="configuration file whose effect NOW shows")
    parser.add_argument("--no-config", action="store_true", help="NOW shows the defaults")
    _add_global_options(parser)
    args = parser.parse_args(argv)
    config = load_config(args.config, not args.no_config, Path.cwd())
    rules = load_rules(config.rule_dirs)
    config = resolved_config(config, rules)
    state = {code: severity_of(rule, config) if is_active(rule, config) else "off" for code, rule in rules.items()}
    write_stdout(rules_table_text(rules, args.format, state))
    return EXIT_CLEAN


def run_rule(argv: Sequence[str]) -> int:
    from taglint.docs import rule_markdown
    from taglint.ruleset import builtin_rules

    from taglint.codes import RuleCodes

    parser = _Parser(prog="taglint rule", description="Show one rule's documentation.")
    parser.add_argument("code", help="rule code (TL101) or name (untagged-image)")
    _add_global_options(parser)
    args = parser.parse_args(argv)
    rules = builtin_rules()
    known = RuleCodes(rules)
    code = known.lookup(args.code)
    if code in rules:
        write_stdout(rule_markdown(rules[code]))
        return EXIT_CLEAN
    if code is not None:  # a prefix: more than one rule
        raise UsageError(f'"{args.code}" is a prefix of several rules; name one (see `taglint rules`)')
    raise UsageError(known.problem(args.code))


def run_init(argv: Sequence[str]) -> int:
    from taglint.config import STARTER_CONFIG, config_file_in, config_source_name

    parser = _Parser(prog="taglint init", description="Write a commented starter .taglint.yaml.")
    parser.add_argument("path", nargs="?", default=".taglint.yaml", type=Path)
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    _add_global_options(parser)
    args = parser.parse_args(argv)
    existing = config_file_in(args.path.parent)
    if existing is not None and existing.resolve() != args.path.resolve():
        # Another file configures this folder: a second one would hide it or be hidden.
        raise UsageError(
            f"{config_source_name(existing)} already configures taglint here; edit it instead"
            " (`taglint --show-settings` prints what it sets)"
        )
    if (args.path.exists() or args.path.is_symlink()) and not args.force:
        raise UsageError(f"{args.path} already exists (use --force to overwrite)")
    from taglint.safewrite import write_text

    try:
        write_text(args.path, STARTER_CONFIG)  # never through a symbolic link
    except OSError as exc:
        raise UsageError(f"{args.path}: cannot write: {exc.strerror or exc}") from exc
    write_stdout(f"wrote {args.path}\n")
    return EXIT_CLEAN


def run_schema(argv: Sequence[str]) -> int:
    from taglint.config import schema_text

    parser = _Parser(prog="taglint schema", description="Print the configuration JSON Schema.")
    _add_global_options(parser)
    parser.parse_args(argv)
    write_stdout(schema_text())
    return EXIT_CLEAN


def run() -> None:
    """The ``taglint`` command: :func:`main`, then exit at once.  Tearing the
    interpreter down would free every object of the scan one by one, a
    noticeable part of a large scan's time, for nothing: the process ends.
    Output is flushed first; nothing else waits for exit (workers are
    joined and temporary files closed by the scan itself).  The methods
    of the dataclasses it defines come compiled from the cache
    (:mod:`taglint.code_cache`)."""
    from taglint import code_cache

    code_cache.install()
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`taglint . | head`): nothing more to say
        pass
    try:
        code_cache.save()
    except Exception:  # noqa: BLE001 - a cache that cannot be written is no cache, never an error
        pass
    os._exit(code)


def split_command(argv: Sequence[str]) -> tuple[str, list[str]]:
    """The command and its arguments.  The command is the first argument
    that is neither an option nor an option's value, when it names one
    (``taglint --color never rule TL101``); otherwise ``check``."""
    if argv and argv[0] in SUBCOMMANDS:
        return argv[0], list(argv[1:])
    if not any(arg in SUBCOMMANDS for arg in argv):
        return "check", list(argv)
    takes_value = {name for name, action in check_parser()._option_string_actions.items() if action.nargs != 0}
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            break
        if arg.startswith("-") and arg != "-":
            index += 2 if arg in takes_value else 1  # `--opt=value` and `-j4` are one argument
            continue
        if arg in SUBCOMMANDS:
            return arg, [*argv[:index], *argv[index + 1 :]]
        break
    return "check", list(argv)


def main(argv: Sequence[str] | None = None) -> int:
    command, args = split_command(list(sys.argv[1:] if argv is None else argv))
    handler = {"check": run_check, "rules": run_rules, "rule": run_rule, "init": run_init, "schema": run_schema}[command]
    try:
        with paused_gc():  # a short run: reference counting frees what it builds
            return handler(args)
    except TaglintError as exc:
        _say_error(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # a write not made through write_stdout
        _stdout_to_devnull()
        return EXIT_ERROR
    except Exception as exc:  # a bug outside a scan (run_check handles its own)
        if "--verbose" in args or "-v" in args:
            import traceback

            traceback.print_exc()
        _say_error(f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_ERROR
