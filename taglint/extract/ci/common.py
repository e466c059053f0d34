"""Shared machinery of the CI extractors (GitHub, GitLab, CircleCI, Azure,
Bitbucket, Cloud Build, Drone).

A :class:`CiFile` wraps one source file and the :class:`FileFacts` being
filled.  It turns YAML nodes into facts with exact spans:

- :meth:`CiFile.image` — an :class:`ImageRef` for a scalar node, with
  :class:`Templates` (text the CI system replaces before anything runs:
  ``${{ … }}``, ``<< parameters.x >>``, ``$(var)``, ``$[[ inputs.x ]]``)
  and ``$VAR`` substitution from CI variables (the :class:`Step` chain is
  kept in ``via``);
- :meth:`CiFile.script` — runs the shell layer over one or more script
  scalars (a ``run: |`` block, the items of a GitLab ``script:`` list)
  joined by newlines, templates substituted, with position / end-position
  / original-text mappers so every span and ``Word.written`` points into
  the CI file, inside block scalars too;
- :meth:`CiFile.action` — an :class:`ActionRef`;
- :meth:`CiFile.word` / :meth:`CiFile.scalar_word` / :meth:`CiFile.words`
  — :class:`Word` values for commands that CI steps synthesise (action
  inputs, plugin settings);
- :meth:`CiFile.command` / :meth:`CiFile.credentials` — synthesised
  :class:`Command` facts, following the attribute conventions of
  :mod:`taglint.shell` (``targets``, ``push``, ``default_tag``,
  ``server``, ``password``…, plus ``verb``: how messages name the step).

:func:`read_mapping_documents` is the whole ``extract`` of a CI format that
reads each mapping document alike (Azure, Bitbucket, CircleCI, Cloud Build).

Positions of scalar values come from :func:`taglint.yamlnodes.scalar_line_map`,
computed per node over the node's own lines and cached (a big file is split
into lines once).  Nothing here classifies tags or reports findings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, cast

from taglint import limits
from taglint.model import (
    ActionRef,
    Command,
    FileFacts,
    ImageRef,
    Location,
    Problem,
    Span,
    Step,
    Word,
)
from taglint.source import SourceFile
from taglint.yamlnodes import (
    documents_or_problem,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    iter_mapping,
    mapping_get,
    node_span,
    scalar_line_map,
    scalar_str,
    split_lines,
)

__all__ = [
    "CiFile",
    "Env",
    "MappingNode",
    "Node",
    "ScalarNode",
    "SequenceNode",
    "Templates",
    "as_list",
    "get",
    "items",
    "iter_mapping",
    "mapping_get",
    "read_mapping_documents",
    "scalar_items",
    "scalar_str",
    "split_list",
    "truthy",
]

Env = dict[str, Step]


@dataclass(frozen=True)
class _Mark:
    """The part of a YAML mark that :func:`scalar_line_map` reads."""

    line: int
    column: int
_TRUE = frozenset({"true", "yes", "on", "1"})


def get(node: Node | None, *keys: str) -> Node | None:
    """``get(job, "container", "image")``: nested mapping lookup."""
    for key in keys:
        node = mapping_get(node, key)
        if node is None:
            return None
    return node


def items(node: Node | None) -> list[Node]:
    """The items of a sequence node (empty for anything else)."""
    return list(node.value) if isinstance(node, SequenceNode) else []


def as_list(node: Node | None) -> list[Node]:
    """A sequence's items, or the node itself when it is a scalar/mapping."""
    if node is None:
        return []
    if isinstance(node, SequenceNode):
        return list(node.value)
    return [node]


def scalar_items(node: Node | None) -> Iterator[tuple[ScalarNode, str]]:
    """``(item, text)`` for the scalars of a list input: the scalar items of
    a sequence, or ``node`` itself when it is one scalar."""
    for item in as_list(node):
        text = scalar_str(item)
        if text is not None and isinstance(item, ScalarNode):
            yield item, text


def truthy(node: Node | None) -> bool | None:
    """YAML boolean-ish value: True/False, None when absent or an expression."""
    text = scalar_str(node)
    if text is None:
        return None
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in ("false", "no", "off", "0", ""):
        return False
    return None


_LIST_SPLIT = re.compile(r"[^,\n\r]+")


def split_list(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, item)`` for the newline- or comma-separated items of ``text``
    (build-push-action ``tags``, Drone ``tags: a,b``), stripped."""
    for match in _LIST_SPLIT.finditer(text):
        raw = match.group(0)
        stripped = raw.strip()
        if stripped and not stripped.startswith("#"):
            yield match.start() + (len(raw) - len(raw.lstrip())), stripped


@dataclass(frozen=True)
class Templates:
    """Text a CI system replaces before anything runs: ``pattern`` finds
    it, ``resolve(match)`` returns ``(value, via)`` or None to keep it."""

    pattern: re.Pattern[str]
    resolve: Callable[[re.Match[str]], tuple[str, tuple[Step, ...]] | None]


@dataclass
class CiFile:
    source: SourceFile
    kind: str
    facts: FileFacts = field(init=False)
    root: Node | None = field(default=None, init=False)  # the document being read
    _seen_images: set[tuple[Span, str]] = field(default_factory=set, init=False)
    _line_maps: dict[int, Callable[[int], tuple[int, int]]] = field(default_factory=dict, init=False)
    _file_lines: list[str] | None = field(default=None, init=False)
    _seen_actions: set[Span] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self.facts = FileFacts(self.source.path, self.kind)

    # -- loading -------------------------------------------------------------

    def documents(self) -> list[Node]:
        """The YAML documents, or [] with a TL001 problem recorded."""
        return documents_or_problem(self.source.text, self.facts) or []

    def problem(self, span: Span, message: str) -> None:
        self.facts.problems.append(Problem(self.source.path, span, message))

    # -- positions -----------------------------------------------------------

    def location(self, node: Node) -> Location:
        return Location(self.source.path, node_span(node))

    def written(self, span: Span) -> str:
        """The file text inside a single-line span ('' for multi-line spans)."""
        if span.line != span.end_line:
            return ""
        lines = self.source.lines
        if not 0 < span.line <= len(lines):
            return ""
        return lines[span.line - 1][span.column - 1 : span.end_column - 1]

    def line_map(self, node: ScalarNode) -> Callable[[int], tuple[int, int]]:
        """:func:`scalar_line_map` for ``node``, cached, and computed over the
        node's own lines only (the file is split into lines once)."""
        found = self._line_maps.get(id(node))
        if found is not None:
            return found
        if self._file_lines is None:
            self._file_lines = split_lines(self.source.text)  # as the marks count lines
        first, last = node.start_mark.line, node.end_mark.line
        text = "\n".join(self._file_lines[first : last + 1])
        local = ScalarNode(
            node.tag, node.value, cast(Any, _Mark(0, node.start_mark.column)),
            cast(Any, _Mark(last - first, node.end_mark.column)), style=node.style,
        )
        at = scalar_line_map(local, text)

        def mapped(offset: int) -> tuple[int, int]:
            line, column = at(offset)
            return line + first, column

        self._line_maps[id(node)] = mapped
        return mapped

    def sub_span(self, node: ScalarNode, start: int, end: int) -> Span:
        """The span of ``node.value[start:end]`` in the file."""
        span = node_span(node)
        value = str(node.value)
        if node.style is None and span.line == span.end_line and self.written(span) == value:
            return Span(span.line, span.column + start, span.line, span.column + end)
        at = self.line_map(node)
        line, column = at(start)
        end_line, end_column = at(max(start, end - 1))
        if end > start:
            end_column += 1
        return Span(line, column, end_line, end_column)

    def verbatim(self, node: ScalarNode, start: int = 0, end: int | None = None) -> bool:
        """True when ``node.value[start:end]`` is written as-is on one line."""
        end = len(str(node.value)) if end is None else end
        span = self.sub_span(node, start, end)
        return span.line == span.end_line and self.written(span) == str(node.value)[start:end]

    # -- facts ---------------------------------------------------------------

    def image(
        self,
        node: Node | None,
        context: str,
        *,
        stage: str | None = None,
        env: Mapping[str, Step] | None = None,
        start: int = 0,
        built: bool = False,
        templates: Templates | None = None,
    ) -> ImageRef | None:
        """An :class:`ImageRef` for the scalar ``node`` (from offset ``start``
        of its value, e.g. after ``docker://``); ``$VAR``/``${VAR}`` are
        substituted from ``env``."""
        text = scalar_str(node)
        if text is None or not isinstance(node, ScalarNode):
            return None
        text = text[start:]
        stripped = text.strip()
        if not stripped:
            return None
        lead = len(text) - len(text.lstrip())
        span = self.sub_span(node, start + lead, start + lead + len(stripped))
        value, templated = self.substitute(stripped, templates)
        value, via = expand_env(value, env or {})
        return self.add_image(span, stripped, value, context, via=templated + via, stage=stage, built=built)

    def add_image(
        self,
        span: Span,
        written: str,
        value: str,
        context: str,
        *,
        via: tuple[Step, ...] = (),
        stage: str | None = None,
        origin: Location | None = None,
        built: bool = False,
    ) -> ImageRef | None:
        key = (span, value)
        if key in self._seen_images:
            return None
        self._seen_images.add(key)
        ref = ImageRef(
            path=self.source.path,
            span=span,
            written=written,
            value=value,
            kind=self.kind,
            context=context,
            via=via,
            stage=stage,
            origin=origin,
            built=built,
        )
        self.facts.images.append(ref)
        return ref

    def action(
        self, node: Node, text: str, name: str, ref: str | None, start: int = 0, length: int | None = None
    ) -> None:
        """An :class:`ActionRef` for ``text`` written in scalar ``node`` at
        ``start`` (``length`` characters of the node when ``text`` is not
        literally what is written there)."""
        if not isinstance(node, ScalarNode):
            return
        span = self.sub_span(node, start, start + (len(text) if length is None else length))
        if span in self._seen_actions:
            return
        self._seen_actions.add(span)
        self.facts.actions.append(ActionRef(self.source.path, span, self.kind, name, ref, text))

    def word(
        self, node: ScalarNode, start: int, text: str, env: Mapping[str, Step] | None = None,
        expand: Callable[[str], tuple[str, tuple[Step, ...]]] | None = None,
    ) -> Word:
        """A :class:`Word` for ``text`` written at offset ``start`` of ``node``."""
        span = self.sub_span(node, start, start + len(text))
        if expand is not None:
            value, via = expand(text)
        else:
            value, via = expand_env(text, env or {})
        return Word(text, value, span, via)

    def scalar_word(
        self, node: Node | None, env: Mapping[str, Step] | None = None,
        expand: Callable[[str], tuple[str, tuple[Step, ...]]] | None = None,
    ) -> Word | None:
        """A :class:`Word` for the stripped text of scalar ``node``; None when
        ``node`` is absent, not a scalar, or blank."""
        text = scalar_str(node)
        if text is None or not isinstance(node, ScalarNode) or not text.strip():
            return None
        return self.word(node, len(text) - len(text.lstrip()), text.strip(), env, expand)

    def words(self, node: Node | None, env: Mapping[str, Step] | None = None,
              expand: Callable[[str], tuple[str, tuple[Step, ...]]] | None = None) -> list[Word]:
        """Words for a list input: a sequence of scalars, or one scalar with
        newline/comma-separated items."""
        out: list[Word] = []
        for item, text in scalar_items(node):
            for offset, part in split_list(text):
                out.append(self.word(item, offset, part, env, expand))
        return out

    def command(
        self,
        span: Span,
        tool: str,
        action: str,
        scope: str,
        *,
        args: Sequence[Word] = (),
        written: str = "",
        **attributes: object,
    ) -> Command:
        command = Command(
            path=self.source.path,
            span=span,
            kind=self.kind,
            tool=tool,
            action=action,
            args=tuple(args),
            scope=scope,
            written=written,
            attributes={key: value for key, value in attributes.items() if value is not None},
        )
        self.facts.commands.append(command)
        return command

    def credentials(
        self,
        holder: Node | None,
        scope: str,
        *,
        image: Node | None = None,
        verb: str,
        user_key: str = "username",
    ) -> None:
        """Registry credentials written next to an image the CI pulls
        (GitHub ``container.credentials``, Bitbucket image ``password``,
        CircleCI ``docker[].auth``): recorded as a ``credentials`` command
        carrying ``password``/``user``/``server`` words, so a literal
        password is reported (TL212).  It is not a login of the job."""
        password = self.scalar_word(mapping_get(holder, "password"))
        if password is None:
            return
        user = self.scalar_word(mapping_get(holder, user_key))
        server = None
        image_text = scalar_str(image)
        if image_text and isinstance(image, ScalarNode):
            first = image_text.strip().split("/", 1)[0]
            if "/" in image_text and ("." in first or ":" in first or first == "localhost"):
                server = Word(first, first, self.sub_span(image, 0, len(first)))
        self.command(password.span, "registry", "credentials", scope,
                     written=f"password: {password.written}", password=password, user=user, server=server,
                     default_server="docker.io", verb=verb, editable=False)

    def script(
        self,
        nodes: Iterable[Node],
        scope: str,
        env: Mapping[str, Any] | None = None,
        templates: Templates | None = None,
    ) -> None:
        """Analyse the scalars in ``nodes`` as one shell script (joined by
        newlines, as CI runners do for ``script:`` lists).

        ``templates`` substitutes what the CI system replaces before the
        shell starts (``${{ env.X }}``, ``<< parameters.x >>``,
        ``$(var)``): the shell layer sees the values, while spans and the
        written text map back to the template in the file and the
        substitution is kept in the words' ``via``."""
        starts: list[int] = []  # for each script character: its file offset (line/column via `ats`)
        ends: list[int] = []  # ... and the file offset just after it
        owners: list[int] = []  # which piece it came from
        ats: list[Callable[[int], tuple[int, int]]] = []
        texts: list[str] = []
        out: list[str] = []
        via_ranges: list[tuple[int, int, tuple[Step, ...]]] = []
        editable = True
        length = 0
        budget = limits.budget()
        for node in nodes:
            text = scalar_str(node)
            if text is None or not isinstance(node, ScalarNode):
                continue
            if ats:  # the newline joining two pieces belongs to the end of the previous one
                out.append("\n")
                starts.append(len(texts[-1]))
                ends.append(len(texts[-1]))
                owners.append(len(ats) - 1)
                length += 1
            index = len(ats)
            ats.append(self.line_map(node))
            texts.append(text)
            if node.style not in ("|", None) or (node.style is None and "\n" in text):
                editable = editable and self.verbatim(node)
            last = 0
            matches = templates.pattern.finditer(text) if templates is not None else ()
            for match in matches:
                found = templates.resolve(match) if templates is not None else None
                if found is None:
                    continue
                value, via = found
                if not budget.admit(value):  # stays as written, unresolved
                    value, via = match.group(0), tuple(limits.too_large(step) for step in via)
                editable = False
                chunk = text[last : match.start()]
                out.append(chunk)
                starts.extend(range(last, match.start()))
                ends.extend(range(last + 1, match.start() + 1))
                owners.extend([index] * len(chunk))
                length += len(chunk)
                out.append(value)
                starts.extend([match.start()] * len(value))
                ends.extend([match.end()] * len(value))
                owners.extend([index] * len(value))
                if via:
                    via_ranges.append((length, length + len(value), via))
                length += len(value)
                last = match.end()
            chunk = text[last:]
            out.append(chunk)
            starts.extend(range(last, len(text)))
            ends.extend(range(last + 1, len(text) + 1))
            owners.extend([index] * len(chunk))
            length += len(chunk)
        if not ats:
            return
        script = "".join(out)
        total = len(script)

        def position(offset: int) -> tuple[int, int]:
            if offset >= total:
                return end_position(total)
            return ats[owners[offset]](starts[offset])

        def end_position(offset: int) -> tuple[int, int]:
            if offset <= 0 or total == 0:
                return ats[0](0)
            last_char = min(offset, total) - 1
            line, column = ats[owners[last_char]](max(ends[last_char] - 1, 0))
            return line, column + 1

        def original(start: int, end: int) -> str:
            if end <= start or start >= total:
                return ""
            piece = owners[start]
            last_char = min(end, total) - 1
            if owners[last_char] != piece:
                return script[start:end]
            return texts[piece][starts[start] : ends[last_char]]

        from taglint.shell import analyze_script

        facts = analyze_script(
            script,
            path=self.source.path,
            kind=self.kind,
            scope=scope,
            position=position,
            env=env or {},
            original=original,
            editable=editable,
            end_position=end_position,
            via_ranges=via_ranges,
        )
        self.facts.commands.extend(facts.commands)
        for ref in facts.images:
            if (ref.span, ref.value) not in self._seen_images:
                self._seen_images.add((ref.span, ref.value))
                self.facts.images.append(ref)
        self.facts.problems.extend(facts.problems)

    def substitute(self, text: str, templates: Templates | None) -> tuple[str, tuple[Step, ...]]:
        """``text`` with the CI templates that ``templates`` resolves replaced."""
        if templates is None:
            return text, ()
        via: list[Step] = []
        budget = limits.budget()

        def replace(match: re.Match[str]) -> str:
            found = templates.resolve(match)
            if found is None:
                return match.group(0)
            if not budget.admit(found[0]):  # each value bounded, not the text around them
                via.extend(limits.too_large(step) for step in found[1])
                return match.group(0)
            via.extend(found[1])
            return found[0]

        return templates.pattern.sub(replace, text), tuple(via)

    # -- variables -----------------------------------------------------------

    def env_from(
        self, node: Node | None, label: str, base: Mapping[str, Step] | None = None
    ) -> Env:
        """Variables defined in a mapping node (``env:``, ``variables:``,
        ``environment:``), added over ``base``.  GitLab's ``{value: …}`` form,
        Azure's list of ``{name, value}`` and ``KEY=VALUE`` lists are read;
        a value that is not a plain string (``from_secret:``) is defined but
        unknown."""
        env: Env = dict(base or {})
        if isinstance(node, MappingNode):
            for name, _key, value in iter_mapping(node):
                env[name] = self._variable(name, value, label)
        elif isinstance(node, SequenceNode):
            for item in node.value:
                if isinstance(item, MappingNode):
                    listed = scalar_str(mapping_get(item, "name"))
                    if listed is not None:
                        env[listed] = self._variable(listed, mapping_get(item, "value"), label)
                elif isinstance(item, ScalarNode):
                    key, eq, assigned = (scalar_str(item) or "").partition("=")
                    if eq and key.strip():
                        env[key.strip()] = Step(f"{label}{key.strip()}", assigned, self.location(item))
        return env

    def _variable(self, name: str, value: Node | None, label: str) -> Step:
        if isinstance(value, MappingNode):
            inner = mapping_get(value, "value")
            if inner is not None:
                value = inner
        text = scalar_str(value)
        if isinstance(value, ScalarNode) and value.tag.endswith(":null") and value.style is None:
            text = ""
        location = self.location(value) if value is not None else None
        return Step(f"{label}{name}", text, location)


def expand_env(text: str, env: Mapping[str, Step]) -> tuple[str, tuple[Step, ...]]:
    """``$VAR``/``${VAR}``/``${VAR:-d}`` substitution from CI variables
    (values that reference other variables are expanded too, each once per
    level); unknown variables stay as written.  A value too large to expand
    (:mod:`taglint.limits`) stays as written too."""
    if "$" not in text or not env:
        return text, ()
    from taglint.variables import Binding, expand

    found: dict[tuple[str, int], Binding | None] = {}

    def lookup_at(depth: int) -> Callable[[str], Binding | None]:
        def lookup(name: str) -> Binding | None:
            key = (name, depth)
            if key not in found:
                found[key] = resolved(name, depth)
            return found[key]

        return lookup

    def resolved(name: str, depth: int) -> Binding | None:
        step = env.get(name)
        if step is None:
            return None
        value = step.value
        if value is not None and "$" in value and depth < 8:
            value, used = expand(value, lookup_at(depth + 1))
            if limits.any_too_large(used):  # A: $B$B, B: $C$C, …
                return Binding(None, limits.too_large(step))
        return Binding(value, step)

    return expand(text, lookup_at(0))


def read_mapping_documents(
    source: SourceFile, kind: str, read: Callable[[CiFile, MappingNode], None]
) -> FileFacts:
    """The facts of a CI file of ``kind`` whose YAML documents are mappings,
    each handed to ``read`` with ``CiFile.root`` set to it (documents of
    any other shape are skipped)."""
    ci = CiFile(source, kind)
    for doc in ci.documents():
        if isinstance(doc, MappingNode):
            ci.root = doc
            read(ci, doc)
    return ci.facts
