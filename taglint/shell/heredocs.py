"""Kubernetes manifests written in shell heredocs and applied on the spot:

    kubectl apply -f - <<EOF          cat <<'EOF' | kubectl apply -f -
    apiVersion: v1                    apiVersion: apps/v1
    kind: Pod                         kind: Deployment
    …                                 …
    EOF                               EOF

A heredoc whose command line (with its ``\\`` continuation lines) runs
``kubectl``/``oc`` ``apply``, ``create`` or ``replace`` is parsed as YAML
with its positions in the script (:func:`taglint.extract.kubernetes.embedded.load_at`;
a ``<<-`` body's leading tabs are left out, as the shell does) and read
as a manifest file is (:func:`taglint.extract.kubernetes.manifests.images_of`):
its references have kind ``kubernetes`` and spans in the script.

:func:`taglint.shell.analyze_script` reads them in every script it is
given (shell files, CI ``run:``/``script:`` blocks, Makefile recipes),
with the script's positions in its file.

An unquoted delimiter lets the shell expand ``$TAG`` in the body: a
variable the script assigns a literal value before the heredoc
(``TAG=1.2.3``, ``export TAG="1.2.3"``; the last such line) is
substituted, with a step naming that line; any other stays as written
(TL108 names it).  A quoted delimiter (``<<'EOF'``) keeps the body as is.  A body that
is not YAML is left alone (a heredoc may be anything); nothing else of
the script is read here.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from taglint.model import ImageRef, Location, Span, Step
from taglint.source import line_starts, split_lines

_HEREDOC = re.compile(r"""(?<![<])<<(?P<dash>-?)[ \t]*(?:'(?P<single>[^'\n]+)'|"(?P<double>[^"\n]+)"|\\?(?P<bare>[A-Za-z0-9_.-]+))""")
_APPLIES = re.compile(r"(?<![\w-])(?:kubectl|oc)(?![\w-])[^|;&\n]*?(?<![\w-])(?:apply|create|replace)(?![\w-])")
MAX_BODY_LINES = 50_000


Position = Callable[[int], tuple[int, int]]


def manifest_images(
    text: str,
    path: str,
    position: Position | None = None,
    end_position: Position | None = None,
    original: Callable[[int, int], str] | None = None,
) -> list[ImageRef]:
    """The references of the manifests a script applies from heredocs.

    Spans are in ``text``; with ``position`` (an offset in ``text`` → the
    file's 1-based line and column; ``end_position`` for exclusive ends)
    and ``original`` (the file text an extent of ``text`` stands for), as
    :func:`taglint.shell.analyze_script` gets them for a script inside a
    file (a CI ``run:`` block), they are moved into the file."""
    refs = _script_manifest_images(text, path)
    if refs and position is not None:
        refs = [_moved(ref, text, position, end_position or position, original) for ref in refs]
    return refs


def _moved(ref: ImageRef, text: str, position: Position, end_position: Position, original: Callable[[int, int], str] | None) -> ImageRef:
    starts = line_starts(text)
    span = ref.span
    start = starts[span.line - 1] + span.column - 1
    end = starts[span.end_line - 1] + span.end_column - 1
    line, column = position(start)
    end_line, end_column = end_position(end)
    written = original(start, end) if original is not None else ref.written
    via = tuple(_moved_step(step, starts, position, end_position) for step in ref.via)
    return replace(ref, span=Span(line, column, end_line, end_column), written=written, via=via)


def _moved_step(step: Step, starts: list[int], position: Position, end_position: Position) -> Step:
    """A step whose location is in the script (an assignment), moved into the file."""
    if step.location is None:
        return step
    span = step.location.span
    start = starts[span.line - 1] + span.column - 1
    end = starts[span.end_line - 1] + span.end_column - 1
    line, column = position(start)
    end_line, end_column = end_position(end) if end > start else (line, column)
    return replace(step, location=Location(step.location.path, Span(line, column, end_line, end_column)))


def _script_manifest_images(text: str, path: str) -> list[ImageRef]:
    if "<<" not in text or "mage" not in text or ("kubectl" not in text and "oc " not in text):
        return []
    from taglint.extract.kubernetes.embedded import load_at
    from taglint.extract.kubernetes.manifests import images_of
    from taglint.yamlnodes import YamlError

    lines = split_lines(text)
    refs: list[ImageRef] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" not in line and not line.endswith("\\"):
            index += 1
            continue
        end = index
        command = line
        while command.endswith("\\") and end + 1 < len(lines):
            end += 1
            command = command[:-1] + " " + lines[end]
        operators = [match for match in _HEREDOC.finditer(command) if not _quoted_or_comment(command, match.start())]
        if not operators:
            index = end + 1
            continue
        applies = _APPLIES.search(command) is not None
        body_start = end + 1
        for operator in operators:
            delimiter = operator.group("single") or operator.group("double") or operator.group("bare")
            dash = bool(operator.group("dash"))
            body, indents, after = _body(lines, body_start, delimiter, dash)
            if applies and "mage" in body:
                try:
                    documents = load_at(body, body_start + 1, indents)
                except YamlError:
                    documents = []
                found = images_of(documents, path, text)
                expands = operator.group("bare") is not None and not operator.group(0).rstrip().endswith("\\" + delimiter)
                if expands and any("$" in ref.value for ref in found):
                    known = _assignments(lines[:index], path)
                    found = [_expanded(ref, known) if "$" in ref.value else ref for ref in found]
                refs.extend(found)
            body_start = after
        index = max(body_start, end + 1)
    refs.sort(key=lambda ref: ref.span)
    return refs


_ASSIGNMENT = re.compile(
    r"""^[ \t]*(?:(?:export|readonly|local|declare)[ \t]+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)="""
    r"""(?:"(?P<double>[^"$`\\]*)"|'(?P<single>[^']*)'|(?P<plain>[^\s;&|$`'"\\()<>]*))[ \t]*(?:[;#].*)?$"""
)


def _assignments(lines: list[str], path: str) -> dict[str, Step]:
    """``NAME=literal`` assignments of the script's lines before a heredoc
    (the last of each name wins; a name assigned anything else is unknown)."""
    known: dict[str, Step] = {}
    for number, line in enumerate(lines, start=1):
        if "=" not in line:
            continue
        match = _ASSIGNMENT.match(line)
        if match is None:
            other = re.match(r"^[ \t]*(?:(?:export|readonly|local|declare)[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=", line)
            if other is not None:
                known[other.group(1)] = Step(f"${other.group(1)}", None, Location(path, Span(number, 1, number, 1)))
            continue
        group = next(g for g in ("double", "single", "plain") if match.group(g) is not None)
        start, end = match.span(group)
        where = Location(path, Span(number, start + 1, number, end + 1))
        known[match.group("name")] = Step(f"${match.group('name')}", match.group(group), where)
    return known


def _expanded(ref: ImageRef, known: dict[str, Step]) -> ImageRef:
    """``ref`` with the shell's expansion of an unquoted heredoc applied."""
    from taglint.variables import Binding, expand

    def lookup(name: str) -> Binding | None:
        step = known.get(name)
        return Binding(step.value, step) if step is not None else None

    value, steps = expand(ref.value, lookup)
    if not steps:
        return ref
    return replace(ref, value=value, via=ref.via + steps)


def _body(lines: list[str], start: int, delimiter: str, dash: bool) -> tuple[str, list[int], int]:
    """The heredoc body from line ``start`` (0-based): its text, the
    characters left out of each line, and the line after the delimiter."""
    kept: list[str] = []
    indents: list[int] = []
    index = start
    while index < len(lines) and index - start < MAX_BODY_LINES:
        raw = lines[index]
        content = raw.lstrip("\t") if dash else raw
        if content.rstrip("\r") == delimiter:
            return "\n".join(kept) + ("\n" if kept else ""), indents, index + 1
        kept.append(content)
        indents.append(len(raw) - len(content))
        index += 1
    return "\n".join(kept), indents, index


def _quoted_or_comment(line: str, position: int) -> bool:
    """Is ``position`` inside quotes, or after a ``#`` that starts a comment?"""
    quote = None
    escaped = False
    for index, char in enumerate(line[:position]):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return True
    return quote is not None
