"""Image references in Kubernetes and Compose YAML that does not parse.

Two kinds of files fail to parse and still name images worth checking:

* **Unrendered templates** (``image: {{ .Values.image }}`` unquoted, in a
  folder of manifests some tool renders): ``{{`` opens a YAML flow mapping.
  :func:`mask_templates` writes every ``{{ … }}`` expression (and Jinja's
  ``{% … %}`` and ``{# … #}``) over with filler of the same length, one
  private-use character per expression (a line holding nothing else is
  blanked); when the masked text parses, the expressions were the file's
  only problem.  The file is read as usual, from the masked text (the
  spans are the same), and each value is read back as the original writes
  it (:func:`unmasked`): its images are unresolved (TL108), and there is
  no TL001.
* **Documentation samples** (``image: {username}/model:latest``,
  ``<your-registry>/app:<tag>``): not YAML at all.  TL001 stays, and
  :func:`image_lines` still finds ``image: value`` keys line by line, with
  their exact spans and the keys above them (by indentation), so the
  values are checked too: placeholders to fill in are unresolved (TL108),
  ``app:latest`` is TL102.

Both serve the extractors' parse-error path only; a file that parses is
never read here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable

from taglint.model import FileFacts, ImageRef, Problem, Span
from taglint.yamlnodes import Node, YamlError, load_documents, split_lines

_LINES_KEEPING_ENDS = re.compile("(?<=\n)")
# Go template and Jinja expressions, statements and comments.
_TEMPLATE = r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}"
_EXPRESSION = re.compile(_TEMPLATE, re.DOTALL)
_ONLY_EXPRESSIONS = re.compile(rf"[ \t]*(?:(?:{_TEMPLATE})[ \t]*)+")


class Masked:
    """A text with its template expressions written over, and the way back."""

    def __init__(self, text: str) -> None:
        self.original = text
        self._pairs: list[tuple[str, str]] = []  # (filler, expression)
        # Fillers must not be mistaken for the text's own characters: with
        # private-use characters in the text, plain `x`s (read back by span).
        self.unique = not _PRIVATE.search(text) and len(_EXPRESSION.findall(text)) <= _PRIVATE_SIZE
        self._fill: Callable[[str], str] = self._unique_filler if self.unique else _x_filler
        lines = _LINES_KEEPING_ENDS.split(text)  # lines as taglint counts them
        out: list[str] = []
        for line in lines:
            body = line.rstrip("\r\n")
            if "{" in body and _ONLY_EXPRESSIONS.fullmatch(body):
                out.append(" " * len(body) + line[len(body):])  # `{{- if … }}`, `{% endif %}`: no YAML at all
            else:
                out.append(line)
        self.text = _EXPRESSION.sub(lambda m: self._fill(m.group()), "".join(out))

    def _unique_filler(self, expression: str) -> str:
        """One character of the private use area, its own for each
        expression (so a value that holds one can be read back), repeated;
        the expression's line breaks kept."""
        digit = chr(_PRIVATE_FIRST + len(self._pairs))
        filler = "".join(char if char in "\r\n\x85\u2028\u2029" else digit for char in expression)
        self._pairs.append((filler, expression))
        return filler

    def restore(self, value: str) -> str:
        """``value``, taken from the masked text, as the original writes it."""
        if not self._pairs or not _PRIVATE.search(value):
            return value
        for filler, expression in self._pairs:
            if filler in value:
                value = value.replace(filler, expression)
        return value


def _x_filler(expression: str) -> str:
    return re.sub(r"[^\r\n\x85\u2028\u2029]", "x", expression)


_PRIVATE_FIRST, _PRIVATE_SIZE = 0xE000, 0x1900  # U+E000..U+F8FF, printable in YAML
_PRIVATE = re.compile("[\ue000-\uf8ff]")


def mask_templates(text: str) -> Masked | None:
    """``text`` with each ``{{ … }}`` (``{% … %}``, ``{# … #}``) written
    over (same length, same line breaks), or None when it has none."""
    if "{{" not in text and "{%" not in text:
        return None
    masked = Masked(text)
    return masked if masked.text != text else None


def unmasked(ref: ImageRef, masked: Masked) -> ImageRef:
    """``ref``, read from the masked text, as the original text writes it."""
    if not masked.unique:  # `x` fillers: the value is the text written at its span
        span = ref.span
        lines = split_lines(masked.original)
        if span.line != span.end_line or span.line > len(lines):
            return ref
        written = lines[span.line - 1][span.column - 1 : span.end_column - 1]
        return ref if written == ref.written else replace(ref, written=written, value=written, via=())
    restore = masked.restore
    via = tuple(replace(step, name=restore(step.name), value=restore(step.value) if step.value else step.value)
                for step in ref.via)
    return replace(
        ref, written=restore(ref.written), value=restore(ref.value), context=restore(ref.context),
        stage=restore(ref.stage) if ref.stage else ref.stage, via=via,
    )


def read_unrendered_template(
    text: str, facts: FileFacts, images_of: Callable[[list[Node], str], list[ImageRef]]
) -> bool:
    """For a file that failed to parse: when its only problems are ``{{ … }}``
    expressions, add the images ``images_of(documents, masked_text)`` finds,
    as written, to ``facts`` and return True (no TL001); else False."""
    masked = mask_templates(text)
    if masked is None:
        return False
    try:
        documents = load_documents(masked.text)
    except YamlError:
        return False
    facts.images.extend(unmasked(ref, masked) for ref in images_of(documents, masked.text))
    return True


# --------------------------------------------------------------------------
# Line by line


@dataclass(frozen=True)
class KeyLine:
    """A ``key:`` found on one line of a file that does not parse."""

    key: str
    value: str | None  # a one-line scalar value as written (inside its quotes), else None
    span: Span  # of the value; of the key when there is no value
    parents: tuple[str, ...]  # the keys above it, by indentation, outermost first
    document: int  # 0-based index of the ``---`` separated document


_KEY = re.compile(r"""(?P<lead>[ \t]*(?:-[ \t]+)*)(?P<key>"[^"\n]*"|'[^'\n]*'|[A-Za-z0-9_$][\w.$/-]*)[ \t]*:(?=[ \t]|$)""")
_ITEM_BLOCK = re.compile(r"[ \t]*(?:-[ \t]+)+[|>]")
_DOC_START = re.compile(r"---(?:[ \t]|$)")
_SAMPLE_BRACES = re.compile(r"\{[A-Za-z_][\w.-]*\}")


def key_lines(text: str) -> list[KeyLine]:
    """Every ``key:`` line with the keys above it, and its value when it is
    written on the same line as one word or a quoted string (not a block
    scalar, anchor, alias, tag, flow collection or comment).  Nothing
    inside a block scalar (``manifest: |``) is a key."""
    found: list[KeyLine] = []
    stack: list[tuple[int, str]] = []  # (column of the key, key)
    document = 0
    block_column: int | None = None  # inside a block scalar: lines indented deeper belong to it
    for number, line in enumerate(split_lines(text), start=1):
        stripped = line.strip()
        if block_column is not None:
            if not stripped or _indent(line) > block_column:
                continue
            block_column = None
        if not stripped or stripped.startswith("#"):
            continue
        if _DOC_START.match(line):
            document += 1
            stack.clear()
            continue
        match = _KEY.match(line)
        if match is None:  # a sequence item, a continuation, a key without its colon
            indent = _indent(line)
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if _ITEM_BLOCK.match(line):  # `- |`: a block scalar as a sequence item
                block_column = indent
            continue
        column = match.start("key")
        name = match.group("key").strip("\"'")
        while stack and stack[-1][0] >= column:
            stack.pop()
        rest = line[match.end():]
        if rest.lstrip(" \t").startswith(("|", ">")):
            block_column = column
        value = _value(rest, match.end())
        if value is None:
            span = Span(number, column + 1, number, match.end("key") + 1)
            found.append(KeyLine(name, None, span, tuple(k for _, k in stack), document))
        else:
            start, written = value
            span = Span(number, start + 1, number, start + 1 + len(written))
            found.append(KeyLine(name, written, span, tuple(k for _, k in stack), document))
        stack.append((column, name))
    return found


def image_lines(text: str) -> list[KeyLine]:
    """The ``image: value`` lines of :func:`key_lines`."""
    return [line for line in key_lines(text) if line.key == "image" and line.value is not None]


def documents(text: str) -> list[list[str]]:
    """The lines of each ``---`` separated document, as :func:`image_lines`
    numbers documents."""
    out: list[list[str]] = [[]]
    for line in split_lines(text):
        if _DOC_START.match(line):
            out.append([])
        else:
            out[-1].append(line)
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _value(rest: str, offset: int) -> tuple[int, str] | None:
    """``(0-based column, text)`` of a one-line scalar value, else None."""
    body = rest.rstrip()
    lead = len(body) - len(body.lstrip(" \t"))
    body = body.lstrip(" \t")
    start = offset + lead
    if not body:
        return None
    if body[0] in "\"'":
        quote = body[0]
        close = _closing_quote(body, quote)
        if close is None:
            return None
        tail = body[close + 1:].strip()
        if tail and not tail.startswith("#"):
            return None
        inner = body[1:close]
        return (start + 1, inner) if inner.strip() else None
    if body[0] in "|>&*!%@`[,#":
        return None
    if body[0] == "{" and not body.startswith("{{") and not _SAMPLE_BRACES.match(body):
        return None  # a flow mapping, not a placeholder to fill in
    end = _plain_end(body)
    tail = body[end:].strip()
    if tail and not tail.startswith("#"):
        return None  # more than one word: not an image reference
    written = body[:end]
    return (start, written) if written else None


def _closing_quote(body: str, quote: str) -> int | None:
    index = 1
    while index < len(body):
        char = body[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if char == quote:
            if quote == "'" and body[index + 1 : index + 2] == "'":
                index += 2
                continue
            return index
        index += 1
    return None


def _plain_end(body: str) -> int:
    """Where a one-word plain value ends: at white space or a comment,
    except inside ``{{ … }}`` expressions, which may hold spaces."""
    index = 0
    while index < len(body):
        if body.startswith("{{", index):
            close = body.find("}}", index + 2)
            if close == -1:
                return len(body)
            index = close + 2
            continue
        if body[index] in " \t":
            return index
        index += 1
    return index


RECOVERED = "image-lines-recovered"  # FileFacts.extras key: the images of `image:` lines were read (TL001 says so)


def recover_image_lines(facts: FileFacts, error: YamlError, refs: list[ImageRef]) -> None:
    """Record a file that does not parse: its TL001 problem, and the images
    its ``image:`` lines name."""
    facts.problems.append(parse_problem(facts.path, error))
    facts.images.extend(refs)
    facts.extras[RECOVERED] = True


def recovered_ref(
    line: KeyLine, path: str, kind: str, context: str, stage: str | None = None, built: bool = False,
) -> ImageRef:
    """An :class:`ImageRef` for an ``image:`` line, as it is written."""
    value = line.value or ""
    return ImageRef(
        path=path, span=line.span, written=value, value=value, kind=kind, context=context, stage=stage, built=built,
    )


def parse_problem(path: str, error: YamlError) -> Problem:
    """The TL001 problem of a file that does not parse (as
    :func:`taglint.yamlnodes.documents_or_problem` records it)."""
    return Problem(path, error.span, f"invalid YAML: {error.message}")
