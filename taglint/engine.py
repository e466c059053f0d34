"""The pipeline: discover → classify → extract → resolve → evaluate →
suppress.  Pure of I/O except reading the scanned files; the CLI renders
the result."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from taglint.classify import classify
from taglint.config import Anchors, Config, ConfigLookup
from taglint.discovery import Candidate, discover
from taglint.gcpause import paused_gc
from taglint.globs import matches, matches_any
from taglint.model import FileFacts, Finding, Fix, Hit, Problem, Span
from taglint.precedence import one_finding_per_construct
from taglint.project import Project
from taglint.ruleset import Rule, load_rules
from taglint.selection import active_rules, code_matches, configured_severity, resolved_config, severity_of
from taglint.source import (
    NO_KNOWN_KIND, ExtractContext, Skipped, SkippedFile, SourceFile, decode, read_file_bytes, shared_lines, too_large,
    unreadable,
)
from taglint.spans import KNOWN_LINES_FROM, MAX_CHECKED_SIZE, KnownLines, findings_inside, inside_text
from taglint.suppress import Suppression, apply_suppressions, parse_suppressions, resolve_suppression_codes


Progress = Callable[[int, int], None]  # (files done, files in the scan)


@dataclass
class ScanResult:
    findings: list[Finding]
    files_scanned: int
    errors: list[str] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)  # every known rule, by code
    files: list[FileFacts] = field(default_factory=list, repr=False)  # what each scanned file says, resolved
    # Files not checked, by path: a file of a known kind (or named like a
    # YAML or JSON manifest) that is too big, binary, not a regular file or
    # unreadable; and every file named on the command line that was not
    # checked (of no known kind too).  Files of no known kind met while
    # walking a folder are not listed: they are most files of a repository.
    skipped: list[Skipped] = field(default_factory=list)
    # The report's text of some findings, made by ``scan(prerender=…)``
    # where the finding was made (in parallel); by id, with the finding
    # itself, so an id is never mistaken for another object's.  Kept in
    # UTF-8 (bytes): a str with one character past Latin-1 (a "—" in a
    # message) takes two or four bytes a character, and a large scan holds
    # thousands of these texts until the report is written.
    prerendered: dict[int, tuple[Finding, bytes | str]] = field(default_factory=dict, repr=False)
    # The digest (``taglint.safewrite.digest``) of the bytes the scan read,
    # by path: ``--fix`` rewrites a file only if it still holds those bytes.
    digests: dict[str, str] = field(default_factory=dict, repr=False)

    def rendered(self, finding: Finding) -> str | None:
        """The pre-rendered text of ``finding``, if there is one."""
        entry = self.prerendered.get(id(finding))
        if entry is None or entry[0] is not finding:
            return None
        text = entry[1]
        return text.decode("utf-8", "surrogatepass") if isinstance(text, bytes) else text


@dataclass(slots=True)
class _Processed:
    facts: FileFacts | None
    suppressions: list[Suppression]
    errors: list[str]
    findings: list[Finding] = field(default_factory=list)  # of the file-local rules
    rendered: list[bytes] = field(default_factory=list)  # prerender(finding) in UTF-8, by finding
    skipped: Skipped | None = None
    digest: str | None = None  # of the bytes read (taglint.safewrite.digest)
    # The file's text, until its findings are placed inside it (dropped in
    # the worker, never sent back).
    text: str | None = field(default=None, repr=False)
    # Of a large file: the widths of the lines its facts lie on, for the
    # span check of project-wide findings (spans.KnownLines).
    known_lines: KnownLines | None = None

    def compacted(self) -> _Processed:
        """This result as the scan keeps it until its end, once the worker
        is done with it: no text, empty lists as one shared empty tuple, and
        a file that gave nothing at all (most files of no known kind) as one
        shared value.  A large scan keeps one result per file."""
        self.text = None
        if self.facts is None and self.skipped is None and not self.errors and not self.suppressions:
            return _NOTHING
        for name in ("suppressions", "errors", "findings", "rendered"):
            if not getattr(self, name):
                setattr(self, name, ())
        return self


_NOTHING = _Processed(None, (), ())  # type: ignore[arg-type]


class _Blank(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return ""


def format_template(template: str, fields: Mapping[str, Any]) -> str:
    return template.format_map(_Blank(fields))


def read_source(candidate: Candidate, max_size: int) -> tuple[SourceFile | None, list[Problem], str | None]:
    """The decoded file, problems with its encoding, or why it is skipped.

    Returns (source, problems, skip_reason); an unreadable file gives both
    a problem (TL001, when its kind is known) and a reason."""
    source, problems, reason, _digest = _read_source(candidate, max_size)
    return source, problems, reason


def _read_source(
    candidate: Candidate, max_size: int, data: bytes | None = None, with_digest: bool = True,
) -> tuple[SourceFile | None, list[Problem], str | None, str | None]:
    """:func:`read_source` (of ``data`` when the bytes were read already),
    and the digest of the bytes read (None without ``with_digest``)."""
    from taglint.safewrite import digest

    try:
        if data is None:
            data = _candidate_bytes(candidate, max_size)
    except SkippedFile as exc:
        return None, [], exc.reason, None
    except OSError as exc:
        span = Span(1, 1, 1, 1)
        return None, [Problem(candidate.path, span, f"cannot read file: {exc.strerror or exc}")], unreadable(exc), None
    decoded = decode(data)
    if decoded.text is None:
        return None, [], decoded.skipped, None
    problems = []
    if decoded.bad_byte is not None:
        offset, line = decoded.bad_byte
        problems.append(
            Problem(candidate.path, Span(line, 1, line, 1), f"not valid UTF-8 (byte {offset}); undecodable bytes read as U+FFFD")
        )
    return SourceFile(candidate.path, candidate.fs_path, decoded.text), problems, None, digest(data) if with_digest else None


def _candidate_bytes(candidate: Candidate, max_size: int) -> bytes:
    """The bytes of the file: its ``content`` (standard input), else the
    file at its ``fs_path``; over ``max_size`` it is skipped either way."""
    if candidate.content is None:
        return read_file_bytes(candidate.fs_path, max_size)
    if len(candidate.content) > max_size:
        raise SkippedFile(too_large(max_size))
    return candidate.content


class FileWork:
    """What happens to one file before the files meet: read, classify,
    extract, and evaluate the file-local rules.  Callable on a chunk of
    :class:`Candidate` values (one result each); picklable (the per-process :class:`Project` that
    carries the classification cache is rebuilt on the other side)."""

    def __init__(
        self, ctx: ExtractContext, config: Config, rules: Sequence[Rule],
        prerender: Callable[[Finding], str] | None = None, digests: bool = True,
    ) -> None:
        self.ctx = ctx
        self.config = config
        self.rules = tuple(rules)
        self.prerender = prerender
        self.digests = digests  # record each file's digest (for --fix)
        self._project: Project | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_project": None}

    @property
    def project(self) -> Project:
        if self._project is None:
            self._project = Project([], self.config)
        return self._project

    def __call__(self, candidates: Sequence[Candidate]) -> list[_Processed]:
        processed = [process_file(c, self.ctx, self.config.max_file_size, digests=self.digests) for c in candidates]
        done = [p for p in processed if p.facts is not None]
        if done and self.rules:
            self._evaluate(done)
        for p in done:
            if p.text is None:
                continue
            # A last safeguard, with the text at hand (one split of it for both).
            p.findings = inside_text(p.findings, p.text)
            if len(p.text) >= KNOWN_LINES_FROM:  # not read again for the rest
                p.known_lines = KnownLines.of(p.text, _fact_lines(p))
        if done and self.rules and self.prerender is not None:
            for p in done:
                p.rendered = [self.prerender(f).encode("utf-8", "surrogatepass") for f in p.findings]
        shared_lines.cache_clear()  # no text outlives its chunk
        return [p.compacted() for p in processed]

    def _evaluate(self, done: list[_Processed]) -> None:
        errors: list[str] = []
        findings = evaluate(self.rules, self.project.with_files([p.facts for p in done]), errors)  # type: ignore[misc]
        by_path = {p.facts.path: p for p in done}  # type: ignore[union-attr]
        if any(finding.path not in by_path for finding in findings):
            # A finding names a file other than the one that gave it: tell
            # them apart the slow way, one file at a time.
            for p in done:
                p.findings = evaluate(self.rules, self.project.with_files([p.facts]), p.errors)  # type: ignore[list-item]
            return
        for finding in findings:  # to the file whose facts gave it
            by_path[finding.path].findings.append(finding)
        done[0].errors.extend(errors)


def process_file(candidate: Candidate, ctx: ExtractContext, max_size: int, *, digests: bool = True) -> _Processed:
    """Read, classify and extract one file (and, with ``digests``, record
    the digest of its bytes).  Never raises."""
    from taglint.extract import extractor_for, has_extractor

    source: SourceFile | None = None
    problems: list[Problem] = []
    skip: str | None = None
    digest: str | None = None
    loaded = False
    raw: list[bytes] = []  # the bytes, once read for a look before decoding

    def read_bytes() -> bytes | None:
        if not raw:
            try:
                raw.append(_candidate_bytes(candidate, max_size))
            except (SkippedFile, OSError):
                return None  # read_text tells why
        return raw[0]

    def read_text() -> str | None:
        nonlocal source, problems, skip, digest, loaded
        if not loaded:
            source, problems, skip, digest = _read_source(candidate, max_size, raw[0] if raw else None, digests)
            loaded = True
        return source.text if source is not None else None

    kind = candidate.kind or classify(candidate.path, read_text, candidate.fs_path, read_bytes)
    if candidate.context:  # what the file that brought it in defines (taglint.gitlab_includes)
        ctx = replace(ctx, inherited=candidate.context)
    if kind is None or not has_extractor(kind):
        return _Processed(None, [], [], skipped=_skipped_of_no_kind(candidate, skip))
    read_text()
    if source is None:
        if problems:  # unreadable: report it as a parse problem of a known kind
            return _Processed(FileFacts(candidate.path, kind, problems=problems), [], [])
        return _Processed(None, [], [], skipped=Skipped(candidate.path, skip or "", candidate.explicit))
    errors: list[str] = []
    try:
        facts = extractor_for(kind)(source, ctx)
    except RecursionError:
        facts = FileFacts(candidate.path, kind, problems=[Problem(candidate.path, Span(1, 1, 1, 1), "nesting too deep to parse")])
    except Exception as exc:  # an extractor bug must not end the scan
        errors.append(f"{candidate.path}: internal error in the {kind} extractor: {type(exc).__name__}: {exc}")
        facts = FileFacts(candidate.path, kind)
    facts.problems[:0] = problems
    _record_secrets(facts, source.text, errors)
    return _Processed(facts, parse_suppressions(candidate.path, source.text, kind), errors, digest=digest, text=source.text)


def _fact_lines(processed: _Processed) -> Iterator[int]:
    """The lines of a file where findings of project-wide rules may fall:
    its images, commands and ignore comments."""
    facts = processed.facts
    assert facts is not None
    for item in (*facts.images, *facts.commands, *processed.suppressions):
        if item.path == facts.path:
            yield item.span.line
            yield item.span.end_line


def _record_secrets(facts: FileFacts, text: str, errors: list[str]) -> None:
    """The secrets written in the file, for every report to mask."""
    from taglint.secrets import find_secrets

    try:
        facts.secrets = find_secrets(facts, text)
    except Exception as exc:  # a bug here must not end the scan (nor show a secret: no value in the message)
        errors.append(f"{facts.path}: internal error while looking for secrets: {type(exc).__name__}")


def _skipped_of_no_kind(candidate: Candidate, reason: str | None) -> Skipped | None:
    """How a file that got no kind is accounted for: named on the command
    line, always (why it could not be read, or that its kind is unknown);
    met in a folder, only when it is named like a manifest (YAML, JSON, a
    Helm template) but could not be read to tell, never for the files of
    no known kind that make up most of a repository."""
    if candidate.explicit:
        if candidate.trigger and reason is None:
            return None  # a .env, named for the Compose files beside it
        return Skipped(candidate.path, reason or NO_KNOWN_KIND, True)
    if reason is not None and _named_like_a_manifest(candidate.path):
        return Skipped(candidate.path, reason)
    return None


def _named_like_a_manifest(path: str) -> bool:
    from taglint.classify import JSON_SUFFIXES, YAML_SUFFIXES, kind_from_path

    return path.lower().endswith(YAML_SUFFIXES + JSON_SUFFIXES) or kind_from_path(path) is not None


def extract_all(
    candidates: Sequence[Candidate], work: FileWork, jobs: int, progress: Progress | None = None,
) -> list[_Processed]:
    from taglint.parallel import CHUNK, map_in_processes

    total = len(candidates)
    tell = None if progress is None else (lambda done: progress(done, total))
    if jobs <= 1 or total <= CHUNK:
        return map_in_processes(work, candidates, jobs, progress=tell)
    # Largest files first, so that the processes end together: a release
    # bundle met last would keep one process busy while the other waits.
    order = _largest_first(candidates)
    done = map_in_processes(work, [candidates[index] for index in order], jobs, progress=tell)
    results: list[_Processed] = [done[0]] * total
    for position, index in enumerate(order):
        results[index] = done[position]
    return results


def _largest_first(candidates: Sequence[Candidate]) -> list[int]:
    """The candidates' indexes, the largest files first (a stable sort: files
    of one size keep their order; standard input and files that cannot be
    looked at count as empty)."""
    sizes: list[int] = []
    for candidate in candidates:
        if candidate.content is not None:
            sizes.append(len(candidate.content))
            continue
        try:
            sizes.append(os.stat(candidate.fs_path).st_size)
        except (OSError, ValueError):
            sizes.append(0)
    return sorted(range(len(candidates)), key=lambda index: -sizes[index])


def _to_finding(rule: Rule, hit: Hit, config: Config, file_kind: str | None = None) -> Finding:
    fields = dict(hit.fields)
    fields.setdefault("reference", hit.reference or "")
    # A check may lower or raise one hit's severity (TL205: info for a plain
    # Docker Hub user/repo); a severity the user configured always wins.
    severity = configured_severity(rule.code, config) or fields.get("severity") or severity_of(rule, config)
    return Finding(
        rule=rule.code,
        name=rule.name,
        severity=severity,
        path=hit.path,
        span=hit.span,
        # Interned: a scan repeats a few dozen texts thousands of times; one
        # object each makes findings cheaper to pass between processes.
        message=sys.intern(format_template(_variant(rule, "message", rule.message, fields), fields)),
        reference=hit.reference,
        fix=Fix(
            description=sys.intern(format_template(_fix_template(rule, fields), fields)),
            applicability=hit.applicability if hit.edits else "none",
            edits=hit.edits,
        ),
        related=hit.related,
        kind=hit.kind or file_kind,
    )


def _fix_template(rule: Rule, fields: Mapping[str, Any]) -> str:
    """The rule's fix sentence, or the variant a hit asks for (``fix_variant``
    names a ``fix-<variant>`` template in the check's params)."""
    return _variant(rule, "fix", rule.fix, fields)


def _variant(rule: Rule, what: str, default: str, fields: Mapping[str, Any]) -> str:
    """``default``, or the ``<what>-<variant>`` template of the check's
    params that a hit names in its ``<what>_variant`` field."""
    variant = fields.get(f"{what}_variant")
    return str(rule.params.get(f"{what}-{variant}", default)) if variant else default


def evaluate(rules: Iterable[Rule], project: Project, errors: list[str]) -> list[Finding]:
    """The findings of ``rules`` over the project's files, with the secrets
    those files hold masked (``taglint.secrets``)."""
    from taglint.checks import check_kind
    from taglint.secrets import SecretTable

    secrets = SecretTable.of(project.files)
    kinds = {facts.path: facts.kind for facts in project.files}
    findings: dict[tuple[str, str, Span], Finding] = {}
    for rule in rules:
        try:
            for hit in check_kind(rule.check_kind)(rule, project):
                finding = secrets.mask_finding(_to_finding(rule, hit, project.config, kinds.get(hit.path)))
                findings.setdefault((finding.rule, finding.path, finding.span), finding)
        except Exception as exc:  # a check bug must not end the scan
            errors.append(f"internal error in rule {rule.code} ({rule.check_kind}): {type(exc).__name__}: {exc}")
    return list(findings.values())


def _per_file_ignored(finding: Finding, config: Config, cwd: Path, anchors: Anchors) -> bool:
    if not config.per_file_ignores:
        return False
    path = anchors.path(config, cwd / finding.path, finding.path)
    return any(
        matches(path, pattern) and code_matches(finding.rule, codes)
        for pattern, codes in config.per_file_ignores.items()
    )


def _suppressions_of_unscanned(findings: list[Finding], scanned: set[str], cwd: Path) -> list[Suppression]:
    """Suppression comments of files that were not scanned but received
    findings from a resolver (a Kustomize overlay, a Helm values file next
    to a scanned template).  They suppress, but are never reported as
    unused: the rest of such a file was not checked."""
    out: list[Suppression] = []
    for path in sorted({f.path for f in findings} - scanned):
        try:  # read as the scan reads files (no newline translation: lines as findings count them)
            text = decode(read_file_bytes(cwd / path, MAX_CHECKED_SIZE)).text
        except (OSError, SkippedFile):
            continue
        if text is None:
            continue
        for suppression in parse_suppressions(path, text):
            suppression.report_unused = False
            out.append(suppression)
    return out


def _resolve(files: list[FileFacts], cwd: Path, errors: list[str]) -> None:
    try:
        from taglint import resolve
    except ImportError:  # pragma: no cover
        return
    run_all = getattr(resolve, "run_all", None)
    if run_all is None:
        return
    try:
        run_all(files, resolve.ResolveContext(cwd=cwd))
    except Exception as exc:
        errors.append(f"internal error while resolving references across files: {type(exc).__name__}: {exc}")


def scan(
    paths: Sequence[str],
    config: Config,
    *,
    cwd: Path | None = None,
    jobs: int | None = 1,
    force_exclude: bool = False,
    build_args: Mapping[str, str] | None = None,
    prerender: Callable[[Finding], str] | None = None,
    progress: Progress | None = None,
    configs: ConfigLookup | None = None,
    exclude: tuple[str, ...] = (),
    named_kind: str | None = None,
    stdin: tuple[str, bytes] | None = None,
    digests: bool = True,
) -> ScanResult:
    """Scan ``paths``.  Each file is checked with its own configuration,
    ``configs.for_folder(its folder)`` (the nearest config file), or
    ``config`` for every file when ``configs`` is None; ``exclude`` (the
    command line's, relative to ``cwd``) applies to every file.  ``prerender``, when given, turns a finding into its
    report text; it runs where file-local findings are made (in the worker
    processes with ``jobs`` > 1), and :meth:`ScanResult.rendered` gives its
    results to the report.  ``progress``, when given, is called in this
    process with (files read, files found) as the files are read.
    ``named_kind`` (``--kind``) is the kind of the files named in ``paths``;
    ``stdin`` = (PATH, bytes) scans those bytes as the file PATH
    (``--stdin-filename``) instead of ``paths``.  ``jobs`` None: as many
    processes as the files found pay for (:func:`taglint.jobs.choose_jobs`).
    ``digests``: record the digest of each file read (``ScanResult.digests``,
    which ``--fix`` needs; a scan that fixes nothing spares the hashing)."""
    with paused_gc():
        cwd = Path(os.path.abspath(cwd or os.getcwd()))
        lookup = configs or ConfigLookup(lambda c: c, fixed=config)
        anchors = Anchors()
        gathered = gather(
            paths, cwd, lookup, anchors, exclude=exclude, force_exclude=force_exclude,
            named_kind=named_kind, stdin=stdin,
        )
        groups, candidates, errors = gathered.groups, gathered.candidates, gathered.errors
        del gathered
        if jobs is None:
            from taglint.jobs import choose_jobs

            jobs = choose_jobs(candidates)
        results = []
        done_before = 0
        total = len(candidates)
        # With several configurations, a file one of them includes may be another's.
        everything = frozenset(c.path for c in candidates) if len(groups) > 1 else frozenset()
        del candidates  # the groups' lists hold them, each emptied by _scan once read
        for own, members in groups.values():
            size = len(members)
            tell = progress
            if progress is not None and len(groups) > 1:
                offset = done_before
                tell = lambda done, _n, offset=offset, total=total: progress(offset + done, total)  # noqa: E731
            results.append(_scan(members, own, cwd, jobs, build_args, prerender, tell, anchors, everything, digests))
            done_before += size
        merged = results[0] if len(results) == 1 else _merged(results)
        merged.errors = list(dict.fromkeys(errors + merged.errors))
        _mask_secrets(merged)
        return merged


@dataclass
class Gathered:
    """The files of a scan, grouped by configuration (by the id of the
    :class:`Config`), each with the kind the user gave it, if any."""

    groups: dict[int, tuple[Config, list[Candidate]]]
    candidates: list[Candidate]
    errors: list[str]
    excluded: list[str] = field(default_factory=list)  # display paths, when asked to record them


def gather(
    paths: Sequence[str], cwd: Path, lookup: ConfigLookup, anchors: Anchors, *,
    exclude: tuple[str, ...] = (), force_exclude: bool = False, named_kind: str | None = None,
    stdin: tuple[str, bytes] | None = None, record_excluded: bool = False,
) -> Gathered:
    """Discover the files to scan (or the one file read from standard input),
    group them by configuration, and give each the kind the user named:
    ``--kind`` for the files named in ``paths``, else the ``kinds:`` of its
    configuration.  ``record_excluded`` lists the files excluded by
    configuration or ``--exclude`` (``--show-files --verbose``)."""
    recorded: list[str] = []

    def excluded(file: Path, shown: str) -> bool:
        own = lookup.for_folder(file.parent)
        out = bool(own.exclude) and matches_any(anchors.path(own, file, shown), own.exclude)
        out = out or (bool(exclude) and matches_any(shown, exclude))
        if out and record_excluded:
            recorded.append(shown)
        return out

    fixed = lookup.fixed
    needed = fixed is None or bool(fixed.exclude) or bool(exclude)
    if stdin is not None:
        candidates, errors = _stdin_candidates(stdin, cwd, excluded if needed else None, force_exclude, named_kind)
    else:
        candidates, errors = discover(
            paths or ["."], cwd, excluded=excluded if needed else None, force_exclude=force_exclude,
            named_kind=named_kind,
        )
    groups: dict[int, tuple[Config, list[Candidate]]] = {}
    if fixed is not None:  # one configuration for every file
        groups[id(fixed)] = (fixed, candidates)
    for candidate in candidates if fixed is None else ():
        own = lookup.for_folder(candidate.fs_path.parent)
        groups.setdefault(id(own), (own, []))[1].append(candidate)
    if not groups:
        groups[0] = (lookup.for_path(cwd), [])
    for key, (own, members) in list(groups.items()):
        if own.kinds:
            members = [_with_configured_kind(c, own, anchors) for c in members]
            groups[key] = (own, members)
    if any(own.kinds for own, _ in groups.values()):
        candidates = [c for _, members in groups.values() for c in members]
    return Gathered(groups, candidates, errors, recorded)


def _with_configured_kind(candidate: Candidate, config: Config, anchors: Anchors) -> Candidate:
    """``candidate`` with the kind ``kinds:`` gives it (``--kind`` wins)."""
    from taglint.kinds import configured_kind

    if candidate.kind is not None:
        return candidate
    kind = configured_kind(config, anchors, candidate.fs_path, candidate.path)
    return candidate if kind is None else replace(candidate, kind=kind, trigger=False)


def _stdin_candidates(
    stdin: tuple[str, bytes], cwd: Path, excluded: Callable[[Path, str], bool] | None, force_exclude: bool,
    named_kind: str | None,
) -> tuple[list[Candidate], list[str]]:
    """Standard input as the file ``stdin[0]`` names (it need not exist):
    its display path, folder (configuration) and name (kind) are that file's."""
    from taglint.discovery import display_path

    name, data = stdin
    fs_path = Path(name) if os.path.isabs(name) else cwd / name
    shown = display_path(fs_path, cwd)
    if force_exclude and excluded is not None and excluded(fs_path, shown):
        return [], []
    return [Candidate(fs_path, shown, explicit=True, kind=named_kind, content=data)], []


def _mask_secrets(result: ScanResult) -> None:
    """Every finding and error masked with the secrets of every scanned
    file (a finding was masked where it was made, with the secrets of the
    files evaluated with it; a secret one file defines for another is
    known only here).  A finding that changes loses its pre-rendered text."""
    from taglint.secrets import SecretTable

    secrets = SecretTable.of(result.files)
    result.findings = [secrets.mask_finding(f) for f in result.findings]
    result.errors = [secrets.mask(e) for e in result.errors]


def _merged(results: list[ScanResult]) -> ScanResult:
    """The results of the groups of files that have different configurations, as one."""
    findings = sorted((f for r in results for f in r.findings), key=Finding.sort_key)
    rules: dict[str, Rule] = {}
    for r in results:
        rules.update(r.rules)
    return ScanResult(
        findings=findings, files_scanned=sum(r.files_scanned for r in results),
        errors=list(dict.fromkeys(e for r in results for e in r.errors)), rules=rules,
        files=[f for r in results for f in r.files],
        skipped=sorted((s for r in results for s in r.skipped), key=lambda s: s.path),
        prerendered={k: v for r in results for k, v in r.prerendered.items()},
        digests={k: v for r in results for k, v in r.digests.items()},
    )


def _scan(
    candidates: list[Candidate], config: Config, cwd: Path, jobs: int,
    build_args: Mapping[str, str] | None, prerender: Callable[[Finding], str] | None,
    progress: Progress | None, anchors: Anchors, everything: frozenset[str] = frozenset(), digests: bool = True,
) -> ScanResult:
    """The files of one configuration, through the pipeline (cross-file
    resolvers read what else they need from disk); ``everything``: the files
    of the whole scan when it has several configurations (a file of another
    is left to it).  ``candidates`` is emptied once the files are read."""
    from taglint.checks import is_file_local

    rules = load_rules(config.rule_dirs)
    config = resolved_config(config, rules)  # names → codes; unknown codes are an error
    selected = active_rules(rules, config)
    meta = [r for r in selected if r.check_kind == "unused-suppression"]
    local = [r for r in selected if is_file_local(r.check_kind)]
    wide = [r for r in selected if not is_file_local(r.check_kind) and r not in meta]
    errors: list[str] = []
    ctx = ExtractContext(build_args={**config.build_args, **(build_args or {})})
    work = FileWork(ctx, config, local, prerender, digests)
    processed = extract_all(candidates, work, jobs, progress)
    processed = _with_included_files(processed, candidates, work, config, cwd, anchors, everything)
    # Read: emptied, so that no Candidate (each holds a Path) outlives the
    # reading of the files; a large scan has one per file.
    candidates.clear()
    done = [p for p in processed if p.facts is not None]
    files = [p.facts for p in done]
    suppressions = [s for p in processed for s in p.suppressions]
    skipped = sorted((p.skipped for p in processed if p.skipped is not None), key=lambda s: s.path)
    for p in processed:
        errors.extend(p.errors)
    # Resolvers change the facts of some files (Kustomize overrides, Helm
    # values): the file-local rules are evaluated again on those files.
    before = [tuple(facts.images) for facts in files]  # (an empty one is the shared empty tuple)
    _resolve(files, cwd, errors)
    touched = [facts for facts, images in zip(files, before) if not _same_items(facts.images, images)]
    touched_ids = {id(facts) for facts in touched}
    project = work.project.with_files(files)  # its classification cache is warm
    found = [f for p in done if id(p.facts) not in touched_ids for f in p.findings]
    placed = {id(f) for f in found}  # inside their files already (spans.inside_text, in the workers)
    found += evaluate(local, project.with_files(touched), errors) if touched else []
    found += evaluate(wide, project, errors)
    findings = [f for f in _unique(found) if not _per_file_ignored(f, config, cwd, anchors)]
    known = {p.facts.path: p.known_lines for p in done if p.known_lines is not None}  # type: ignore[union-attr]
    findings = findings_inside(findings, cwd, placed, known)  # a last safeguard: no span past its file
    borrowed = _suppressions_of_unscanned(findings, {f.path for f in files}, cwd)
    resolve_suppression_codes(suppressions + borrowed, rules)
    findings = apply_suppressions(findings, suppressions + borrowed)
    # After selection and suppressions: what is ignored takes no part.
    recovered = {facts.path for facts in files if facts.extras.get("image-lines-recovered")}
    findings = one_finding_per_construct(findings, recovered)
    if meta:
        project.suppressions = suppressions
        project.active_codes = {r.code for r in selected}
        findings += [f for f in evaluate(meta, project, errors) if not _per_file_ignored(f, config, cwd, anchors)]
    findings.sort(key=Finding.sort_key)
    kept = {id(f) for f in findings}
    prerendered = {
        id(f): (f, text)
        for p in done if id(p.facts) not in touched_ids
        for f, text in zip(p.findings, p.rendered) if id(f) in kept
    }
    return ScanResult(
        findings=findings, files_scanned=len(files), errors=list(dict.fromkeys(errors)), rules=rules,
        files=files, prerendered=prerendered, skipped=skipped,
        digests={p.facts.path: p.digest for p in done if p.digest is not None},  # type: ignore[union-attr]
    )


def _with_included_files(
    processed: list[_Processed], candidates: Sequence[Candidate], work: FileWork, config: Config, cwd: Path,
    anchors: Anchors, everything: frozenset[str] = frozenset(),
) -> list[_Processed]:
    """``processed`` with the files that GitLab pipelines include
    (``include: local:``, :mod:`taglint.gitlab_includes`) read as
    ``gitlab-ci`` with their includer's variables, in place of what the scan
    made of them (another kind, or none); excluded files and the files of
    another configuration of the scan (in ``everything`` but not among
    ``candidates``: checked there) stay out.  Run in
    this process, after the others: the includes are known only once the
    including files are read."""
    if not any(p.facts is not None and p.facts.extras.get("gitlab-local-includes") for p in processed):
        return processed  # most scans: nothing to follow, nothing imported
    from taglint.gitlab_includes import follow

    index = {c.path: i for i, c in enumerate(candidates)}  # processed[i] is what candidates[i] gave
    roots: dict[str, Path] = {}
    followed: set[str] = set()
    new = [p.facts for p in processed if p.facts is not None]
    out = list(processed)

    def ours(candidate: Candidate) -> bool:
        if candidate.path not in index and candidate.path in everything:
            return False  # another configuration's file
        return not (config.exclude and matches_any(anchors.path(config, candidate.fs_path, candidate.path), config.exclude))

    while new:
        found = [c for c in follow(new, cwd, roots, followed) if ours(c)]
        results = work(found) if found else []
        for result, candidate in zip(results, found):
            if candidate.path in index:
                out[index[candidate.path]] = result
            else:
                index[candidate.path] = len(out)
                out.append(result)
        new = [r.facts for r in results if r.facts is not None]
    return out


def _same_items(now: Sequence[Any], before: Sequence[Any]) -> bool:
    return len(now) == len(before) and all(a is b for a, b in zip(now, before))


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    """The first finding of each rule at each place."""
    seen: dict[tuple[str, str, Span], Finding] = {}
    for finding in findings:
        seen.setdefault((finding.rule, finding.path, finding.span), finding)
    return list(seen.values())
