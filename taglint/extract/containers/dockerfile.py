"""Dockerfile / Containerfile extractor.

Instructions come from the official BuildKit parser (the ``dockerfile``
package wraps it), which handles continuations, comments between
continuation lines, heredocs and the ``escape`` directive exactly as
``docker build`` does.  The parser reports lines, not columns, so each
image's column is found by re-tokenising the instruction's own source
lines.

Images: ``FROM`` (not ``scratch``, not an earlier stage), ``COPY|ADD
--from=<image>`` (not a stage name or index), ``RUN --mount=...,from=<image>``
and the ``# syntax=`` directive.  ``ONBUILD COPY|ADD|RUN`` triggers are read
like the instruction they carry (they run in the build of every child
image): their images and shell commands are reported with exact spans; a
bare one-word ``--from`` there may name a stage of the child's Dockerfile,
so only a reference with a registry, path, tag or digest counts.  ``ARG`` defaults (global ones before the
first ``FROM``, stage ones after it) and ``--build-arg`` values are
substituted; an ARG with no value leaves the reference unresolved.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from taglint import limits
from taglint.model import FileFacts, ImageRef, Location, Problem, Span, Step
from taglint.source import ExtractContext, SourceFile
from taglint.variables import Binding, expand

KIND = "dockerfile"
_DIRECTIVE = re.compile(r"^#\s*([A-Za-z]+)\s*=\s*(\S*)\s*$")
_STAGE_INDEX = re.compile(r"^[0-9]+$")
# RUN lines that mention none of these words cannot hold an image command
# the shell layer recognises (its tools, or a variable standing for one), so
# they skip the shell parse: most RUN lines install packages.
_IMAGE_TOOL_WORDS = (
    "docker", "podman", "nerdctl", "buildah", "skopeo", "crane", "oras", "kaniko", "executor", "ko ",
    "helm", "gcloud", "az ", "aws ", "config.json", "auth.json", "engine", "cli", "runtime", "tool", "builder",
)


def _may_run_image_tools(text: str) -> bool:
    lower = text.lower()
    return any(word in lower for word in _IMAGE_TOOL_WORDS)


@dataclass(frozen=True)
class _Token:
    text: str
    line: int
    column: int  # 1-based


_HEREDOC_OPENER = re.compile(r"<<-?\s*[\"']?[A-Za-z_]\w*")


def _error_line(source: SourceFile, message: str) -> int:
    """Best line for a parser error that names none: the last heredoc opener
    for an unterminated heredoc, else line 1."""
    if "heredoc" in message:
        openers = [n for n, line in enumerate(source.lines, start=1) if _HEREDOC_OPENER.search(line)]
        if openers:
            return openers[-1]
    return 1


def _directives(source: SourceFile) -> tuple[dict[str, tuple[str, Span]], str]:
    """Parser directives at the top of the file, and the escape character."""
    found: dict[str, tuple[str, Span]] = {}
    for number, line in enumerate(source.lines, start=1):
        match = _DIRECTIVE.match(line)
        if not match:
            break
        key = match.group(1).lower()
        if key in found:
            break
        value = match.group(2)
        column = match.start(2) + 1
        found[key] = (value, Span(number, column, number, column + len(value)))
    escape = found.get("escape", ("\\", None))[0] or "\\"
    return found, escape


def _tokens(source: SourceFile, start_line: int, end_line: int, escape: str) -> list[_Token]:
    """Whitespace-separated words of an instruction's first logical line,
    following continuations and skipping comment lines between them."""
    out: list[_Token] = []
    lines = source.lines
    number = start_line
    first = True
    while number <= min(end_line, len(lines)):
        line = lines[number - 1]
        stripped = line.strip()
        if not first and (stripped.startswith("#") or not stripped):
            number += 1
            continue
        body = line.rstrip()
        continued = body.endswith(escape) and not body.endswith(escape * 2)
        if continued:
            body = body[: -len(escape)]
        for match in re.finditer(r"\S+", body):
            out.append(_Token(match.group(0), number, match.start() + 1))
        if not continued:
            break
        first = False
        number += 1
    return out


class _Scope:
    """ARG bindings visible at one point of the Dockerfile."""

    def __init__(self, build_args: dict[str, str]):
        self.build_args = build_args
        self.global_args: dict[str, Binding] = {}
        self.stage_args: dict[str, Binding] = {}
        self.chains: dict[str, tuple[Step, ...]] = {}  # ARG name -> ARGs its default used
        self.in_stage = False

    def lookup(self, name: str) -> Binding | None:
        found = (self.stage_args if self.in_stage else self.global_args).get(name)
        if found is None:
            # BuildKit expands an undeclared variable to nothing, so its
            # `${X:-default}` takes the default; a bare `${X}` stays
            # unresolved (the file may be templated before the build).
            return Binding(None, Step(f"undeclared {name}", None))
        return found

    def declare(self, name: str, default: str | None, location: Location) -> None:
        inherited = self.global_args.get(name) if self.in_stage else None
        if name in self.build_args:
            bound = Binding(self.build_args[name], Step(f"--build-arg {name}", self.build_args[name]))
        elif default is None and inherited is not None:
            bound = inherited  # `ARG NAME` inside a stage re-imports the global ARG
        elif default is None:
            bound = Binding(None, Step(f"ARG {name}", None, location))
        else:
            value, used = expand(default, self.lookup)
            self.chains[name] = used
            if limits.any_too_large(used):  # ARG A=$A$A, forty times: unresolved
                bound = Binding(None, limits.too_large_step(f"ARG {name}", location))
            else:
                bound = Binding(value, Step(f"ARG {name}", value, location))
        (self.stage_args if self.in_stage else self.global_args)[name] = bound

    def expand(self, text: str) -> tuple[str, tuple[Step, ...]]:
        """Substitute ARGs, listing every ARG involved (nested defaults too)."""
        value, steps = expand(text, self.lookup)
        out: list[Step] = []
        pending = list(steps)
        while pending:
            step = pending.pop(0)
            if any(seen.name == step.name and seen.value == step.value for seen in out):
                continue  # ARG A=$A$A: the earlier definition of A says nothing new
            out.append(step)
            if step.name.startswith("ARG "):
                pending.extend(self.chains.get(step.name[4:], ()))
        return value, tuple(out)


def _arg_pairs(value: tuple[str, ...]) -> Iterator[tuple[str, str | None]]:
    for item in value:
        name, eq, default = item.partition("=")
        if len(default) >= 2 and default[0] == default[-1] and default[0] in "\"'":
            default = default[1:-1]
        yield name, (default if eq else None)


def _note_arg_default(facts: FileFacts, source: SourceFile, line: int, name: str, default: str | None) -> None:
    """Record where ``ARG NAME=default`` writes its default (``extras["arg-defaults"]``,
    keyed ``"LINE:NAME"``), when it is a literal on the ARG's line: a fix of a
    tag that comes from the ARG edits it there (``taglint.fix.placement``)."""
    if not default or "$" in default or line > len(source.lines):
        return
    text = source.lines[line - 1]
    match = re.search(rf"(?<!\S){re.escape(name)}=(\S+)", text)
    if match is None:
        return
    raw, start = match.group(1), match.start(1)
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        raw, start = raw[1:-1], start + 1
    if raw == default:
        facts.extras.setdefault("arg-defaults", {})[f"{line}:{name}"] = Span(line, start + 1, line, start + 1 + len(raw))


def _image_ref(
    source: SourceFile, token: _Token, offset: int, written: str, scope: _Scope, context: str, stage: str | None
) -> ImageRef:
    value, steps = scope.expand(written)
    span = Span(token.line, token.column + offset, token.line, token.column + offset + len(written))
    return ImageRef(
        path=source.path, span=span, written=written, value=value, kind=KIND,
        context=context, via=steps, stage=stage,
    )


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    import dockerfile

    facts = FileFacts(source.path, KIND)
    directives, escape = _directives(source)
    if "syntax" in directives:
        value, span = directives["syntax"]
        if value:
            facts.images.append(
                ImageRef(source.path, span, value, value, KIND, context="# syntax= directive")
            )
    try:
        instructions = dockerfile.parse_string(source.text)
    except dockerfile.GoParseError as exc:
        line = _error_line(source, str(exc))
        facts.problems.append(Problem(source.path, Span(line, 1, line, 1), f"Dockerfile parse error: {exc}"))
        return facts
    scope = _Scope(dict(ctx.build_args))
    stages: list[str | None] = []  # stage names (lowercase) by index
    current_stage: str | None = None
    for instruction in instructions:
        command = (instruction.cmd or "").upper()
        if command == "ONBUILD":
            _onbuild(source, instruction, escape, scope, stages, facts)
            continue
        if command == "ARG":
            line = instruction.start_line
            for name, default in _arg_pairs(instruction.value):
                scope.declare(name, default, Location(source.path, Span(line, 1, line, 1)))
                _note_arg_default(facts, source, line, name, default)
            continue
        if command == "FROM":
            current_stage = _from(source, instruction, escape, scope, stages, facts)
            continue
        flags = " ".join(instruction.flags).lower()
        if command in ("COPY", "ADD") and "--from=" in flags:
            _copy_from(source, instruction, escape, scope, stages, facts, current_stage, command)
        elif command == "RUN":
            if "--mount=" in flags and "from=" in flags:
                _run_mounts(source, instruction, escape, scope, stages, facts, current_stage)
            if escape == "\\" and not instruction.json and _may_run_image_tools(instruction.original):
                _run_script(source, instruction, scope, facts, current_stage)
    return facts


_ONBUILD_KEYWORD = re.compile(r"\s*ONBUILD\s+RUN\s+((?:--\S+\s+)*)", re.IGNORECASE)
_RUN_KEYWORD = re.compile(r"\s*RUN\s+((?:--\S+\s+)*)", re.IGNORECASE)
# An ONBUILD trigger's `--from` value that may be a stage of the child build.
_BARE_WORD = re.compile(r"[a-z0-9][a-z0-9_.-]*")


def _onbuild(
    source: SourceFile, instruction: object, escape: str, scope: _Scope, stages: list[str | None], facts: FileFacts
) -> None:
    """``ONBUILD COPY|ADD --from``, ``ONBUILD RUN --mount=…,from=`` and the
    shell commands of ``ONBUILD RUN``: checked like the instruction they carry."""
    trigger = (instruction.sub_cmd or "").upper()  # type: ignore[attr-defined]
    text = instruction.original.lower()  # type: ignore[attr-defined]
    stage = "ONBUILD"
    images_before = len(facts.images)
    if trigger in ("COPY", "ADD") and "--from=" in text:
        _copy_from(source, instruction, escape, scope, stages, facts, stage, f"ONBUILD {trigger}", skip=2)
    elif trigger == "RUN":
        if "--mount=" in text and "from=" in text:
            _run_mounts(source, instruction, escape, scope, stages, facts, stage, skip=2)
        if escape == "\\" and not instruction.json and _may_run_image_tools(instruction.original):  # type: ignore[attr-defined]
            _run_script(source, instruction, scope, facts, stage, keyword=_ONBUILD_KEYWORD)
    facts.images[images_before:] = [
        ref for ref in facts.images[images_before:] if not _BARE_WORD.fullmatch(ref.value)
    ]


def _from(
    source: SourceFile, instruction: object, escape: str, scope: _Scope, stages: list[str | None], facts: FileFacts
) -> str | None:
    tokens = _tokens(source, instruction.start_line, instruction.end_line, escape)  # type: ignore[attr-defined]
    words = [t for t in tokens[1:] if not t.text.startswith("--")]
    stage_name: str | None = None
    if len(words) >= 3 and words[1].text.lower() == "as":
        stage_name = words[2].text.lower()
    scope.in_stage = False  # FROM sees only global ARGs
    if not words:
        line = instruction.start_line  # type: ignore[attr-defined]
        facts.problems.append(Problem(source.path, Span(line, 1, line, 5), "FROM names no image"))
    else:
        token = words[0]
        value, _ = scope.expand(token.text)
        lowered = value.lower()
        label = f"stage {stage_name}" if stage_name else f"stage {len(stages)}"
        if lowered != "scratch" and lowered not in {s for s in stages if s}:
            facts.images.append(_image_ref(source, token, 0, token.text, scope, "FROM", label))
    stages.append(stage_name)
    scope.in_stage = True
    scope.stage_args = {}
    return stage_name or str(len(stages) - 1)


def _is_stage(value: str, stages: list[str | None]) -> bool:
    lowered = value.lower()
    if _STAGE_INDEX.match(value):
        return int(value) < len(stages)
    return lowered in {s for s in stages if s}


def _copy_from(
    source: SourceFile, instruction: object, escape: str, scope: _Scope, stages: list[str | None],
    facts: FileFacts, stage: str | None, command: str, skip: int = 1,
) -> None:
    """``COPY|ADD --from=<image>``; ``skip`` is the number of keywords before
    the flags (2 for ``ONBUILD COPY``)."""
    for token in _tokens(source, instruction.start_line, instruction.end_line, escape)[skip:]:  # type: ignore[attr-defined]
        if not token.text.startswith("--"):
            break
        if token.text.lower().startswith("--from="):
            written = _unquote(token.text[len("--from=") :])
            offset = token.text.find(written, len("--from="))
            value, _ = scope.expand(written)
            if written and not _is_stage(value, stages):
                facts.images.append(_image_ref(source, token, offset, written, scope, f"{command} --from", stage))


def _run_mounts(
    source: SourceFile, instruction: object, escape: str, scope: _Scope, stages: list[str | None],
    facts: FileFacts, stage: str | None, skip: int = 1,
) -> None:
    context = "ONBUILD RUN --mount from" if skip == 2 else "RUN --mount from"
    for token in _tokens(source, instruction.start_line, instruction.end_line, escape)[skip:]:  # type: ignore[attr-defined]
        if not token.text.startswith("--"):
            break
        if not token.text.lower().startswith("--mount="):
            continue
        body = token.text[len("--mount=") :]
        position = len("--mount=")
        for field in _unquote(body).split(","):
            key, _, value = field.partition("=")
            if key.strip().lower() == "from" and value:
                offset = token.text.find(field, position) + len(key) + 1
                resolved, _ = scope.expand(value)
                if not _is_stage(resolved, stages):
                    facts.images.append(_image_ref(source, token, offset, value, scope, context, stage))


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _line_positions(first_line: int, text: str):
    """Map offsets in ``text`` (which starts at column 1 of ``first_line``) to (line, column)."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def position(offset: int) -> tuple[int, int]:
        import bisect

        index = bisect.bisect_right(starts, offset) - 1
        return first_line + index, offset - starts[index] + 1

    return position


def _run_script(
    source: SourceFile, instruction: object, scope: _Scope, facts: FileFacts, stage: str | None,
    keyword: re.Pattern[str] = _RUN_KEYWORD,
) -> None:
    """Shell commands of a ``RUN`` line, with positions in the Dockerfile.

    The script is the instruction's own lines with ``RUN`` and its flags
    blanked out; comment lines between continuation lines are blanked (but
    keep the continuation) so every other character keeps its column.  For
    ``RUN <<EOF`` the heredoc bodies are the scripts."""
    from taglint.shell import analyze_script

    start, end = instruction.start_line, instruction.end_line  # type: ignore[attr-defined]
    env = {name: binding.step for name, binding in scope.stage_args.items()}
    label = f"{source.path} stage {stage}"
    heredocs = instruction.heredocs  # type: ignore[attr-defined]
    if heredocs:
        line = start + 1
        for heredoc in heredocs:
            text = heredoc.content
            script = analyze_script(text, path=source.path, kind=KIND, scope=label,
                                    position=_line_positions(line, text), env=env)
            facts.commands.extend(script.commands)
            line += text.count("\n") + 1
        return
    lines = source.lines[start - 1 : end]
    if not lines:
        return
    first = lines[0]
    found = keyword.match(first)
    if found:
        first = " " * found.end() + first[found.end() :]
    body = [first]
    for raw in lines[1:]:
        stripped = raw.strip()
        body.append(" " * max(0, len(raw) - 1) + "\\" if stripped.startswith("#") or not stripped else raw)
    text = "\n".join(body)
    script = analyze_script(text, path=source.path, kind=KIND, scope=label,
                            position=_line_positions(start, text), env=env)
    facts.commands.extend(script.commands)
