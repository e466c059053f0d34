"""YAML and JSON text as PyYAML nodes with positions.

Every extractor of a YAML-based file kind goes through this module, so the
safety rules live in one place:

* **Parser.**  libyaml through PyYAML's C loader (``CSafeLoader``) when it is
  available, the pure-Python ``SafeLoader`` otherwise.  Only the *compose*
  stage runs: documents become ``yaml.Node`` trees that keep their marks, and
  no Python objects are constructed.  That is also why the YAML 1.1 value
  tag (``delimiter: =`` in a kustomization, tagged
  ``tag:yaml.org,2002:value``) loads: only construction would reject it.
* **Errors.**  :func:`load_documents` raises :class:`YamlError` with a 1-based
  line and column and the parser's reason; never anything else.
* **Depth.**  The composer recurses once per nesting level: the C one
  (libyaml through PyYAML) crashes the process beyond a few ten thousand
  levels, the pure-Python one raises RecursionError long before.  The depth
  is bounded *while composing*, at no extra cost: the composer calls the
  loader's ``descend_resolver``/``ascend_resolver`` hooks around every
  node, and the loader counts levels there; a node nested in
  :data:`MAX_DEPTH` collections stops the composer (only then is the event stream
  read again, to say where).  libyaml 0.2.6 and later refuse deep nesting
  themselves ("exceeded maximum nesting depth", counted in their own way,
  never before :data:`MAX_DEPTH` collection levels); that refusal is
  reported in taglint's words, so every PyYAML/libyaml version (and the
  pure-Python parser) gives the same :data:`TOO_DEEP` message.
* **Aliases.**  Composing keeps aliases as shared node objects, so a
  "billion laughs" file stays small.  :func:`walk` expands each collection
  node object once (the first path that reaches it wins) and stops after
  ``max_nodes`` nodes, so neither alias bombs nor recursive anchors
  (``&a [*a]``) can make it loop or explode.  Every helper here is
  iterative.

Helpers:

``node_span(node) -> Span``
    Where a node's value is written.  Quoted scalars: the text *inside* the
    quotes.  Plain scalars: the value itself.  Block scalars (``|``, ``>``):
    from the first to the end of the last content line.  Collections: from
    their start to their end mark.  1-based, ``end_column`` exclusive.
``mapping_get(node, key)`` / ``iter_mapping(node)``
    Look up / iterate the string keys of a mapping node; merge keys
    (``<<: *base``, ``<<: [*a, *b]``) are applied, own keys win.
``scalar_str(node)`` / ``is_null(node)``
    The value of a scalar node (``None`` for other nodes and for nulls).
``yaml_number_text(node)``
    For a plain scalar YAML reads as a number (``1.10``), the text Go tools
    (Helm, kustomize) turn it into (``1.1``); else None.
``split_lines(text)`` / ``span_text(lines, span)``
    The lines of the file, and the text at a one-line span.
``walk(root)``
    Iterates ``(path, node)`` pairs; ``path`` is a tuple of keys (str) and
    sequence indexes (int); :func:`format_path` renders it as
    ``spec.template.spec.containers[0].image``.
``scalar_line_map(node, text) -> Callable[[int], tuple[int, int]]``
    Maps an offset into the scalar's *value* (``node.value``) back to the
    1-based ``(line, column)`` in ``text`` where that character is written.
    Works for plain (also multi-line), single- and double-quoted, literal
    (``|``) and folded (``>``) scalars: each written line's content is found
    in the value in order, so characters map exactly; characters that the
    folding or an escape sequence produced (a folded line break, ``\\t``)
    map to the nearest written position on their line.  Use it for
    ``run: |`` scripts::

        at = scalar_line_map(node, source.text)
        line, column = at(offset_in_script)

Lines are counted as everywhere in taglint (:func:`taglint.source.split_lines`):
a line ends at ``\\n`` (``\\r\\n``) only.  libyaml also ends lines at a lone
``\\r`` and at the YAML 1.1 breaks NEL, LS and PS; in a file that holds any
of those, every mark (of the nodes and of errors) is recomputed from the
parser's character offset (``Mark.index``), so marks, :func:`split_lines`
and spans agree and never point past a line.  Columns count characters.
"""
from __future__ import annotations

import bisect
import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from taglint.model import FileFacts, Problem, Span
from taglint.source import line_starts, shared_lines

try:  # libyaml
    from yaml import CSafeLoader as _BaseLoader

    C_LOADER = True
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    C_LOADER = False

_TAG_CACHE: dict[str, str] = {}
_TAG_CACHE_LIMIT = 50_000
_STR_TAG = "tag:yaml.org,2002:str"


class _TooDeep(Exception):
    """Raised by the loader's hooks to stop composing a too-deep document."""


class _Composing:
    """What taglint's loaders add to PyYAML's safe loaders (a mixin, so the
    C and the pure-Python loader behave alike).

    * Implicit tag resolution memoised.  The composer asks Python for the
      tag of every scalar.  With the safe resolver's rules a quoted scalar
      is always a string, and a plain one's tag depends only on its text,
      so plain answers are cached.  (About 20% faster composing than
      ``CSafeLoader`` itself.)
    * Nesting counted.  The safe loader has no path resolvers, so the
      per-node descend/ascend hooks, which both composers call around every
      node, are free to count levels: a node nested in :data:`MAX_DEPTH`
      collections stops the composer (:class:`_TooDeep`) before it recurses
      any further.
    """

    _depth = 0

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if not implicit[0]:
                return _STR_TAG
            tag = _TAG_CACHE.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)  # type: ignore[misc]
                if len(value) < 128:
                    if len(_TAG_CACHE) >= _TAG_CACHE_LIMIT:
                        _TAG_CACHE.clear()
                    _TAG_CACHE[value] = tag
            return tag
        return super().resolve(kind, value, implicit)  # type: ignore[misc, no-any-return]

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        depth = self._depth + 1
        self._depth = depth
        if depth > MAX_DEPTH:
            raise _TooDeep

    def ascend_resolver(self) -> None:
        self._depth -= 1


class _Loader(_Composing, _BaseLoader):  # type: ignore[misc, valid-type]
    """The loader taglint reads YAML with: libyaml when PyYAML has it."""


class _PyLoader(_Composing, yaml.SafeLoader):
    """The same on the pure-Python parser (PyYAML without libyaml)."""


__all__ = [
    "C_LOADER", "MAX_DEPTH", "MAX_WALK_NODES", "TOO_DEEP", "MappingNode", "Node", "ScalarNode", "SequenceNode",
    "YamlError", "format_path", "is_null", "iter_mapping", "load_documents", "mapping_get",
    "node_span", "scalar_line_map", "scalar_str", "span_text", "split_lines", "walk", "yaml_number_text",
]

MAX_DEPTH = 1000  # deeper documents are refused (YamlError), never composed
TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels; not parsed"  # the message of that refusal
_LIBYAML_TOO_DEEP = "maximum nesting depth"  # in libyaml's own refusal ("exceeded maximum nesting depth")
MAX_WALK_NODES = 1_000_000  # walk() stops after this many nodes

NULL_TAG = "tag:yaml.org,2002:null"
STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"

PathPart = str | int
Path_ = tuple[PathPart, ...]

# Line breaks of libyaml that are not taglint's (see the module docstring).
_OTHER_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")


class YamlError(Exception):
    """The text is not YAML that taglint can read; ``line``/``column`` are 1-based."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.line = line
        self.column = column
        self.message = message

    @property
    def span(self) -> Span:
        return Span(self.line, self.column, self.line, self.column)


# --------------------------------------------------------------------------
# Loading


def load_documents(text: str) -> list[Node]:
    """All documents of ``text`` as nodes (empty documents are left out).

    Raises :class:`YamlError` for anything the parser rejects or that is
    nested deeper than :data:`MAX_DEPTH` (message :data:`TOO_DEEP`).
    """
    return _compose_documents(text, _Loader)


def _compose_documents(text: str, loader: type) -> list[Node]:
    """:func:`load_documents` with a given loader class (tests run both)."""
    try:
        if issubclass(loader, yaml.composer.Composer):  # pure Python: 2 frames a level
            with _recursion_room(4 * MAX_DEPTH + 200):
                documents = [doc for doc in yaml.compose_all(text, Loader=loader) if doc is not None]
        else:
            documents = [doc for doc in yaml.compose_all(text, Loader=loader) if doc is not None]
        if _OTHER_BREAKS.search(text):
            _relocate_marks(documents, _Lines(text))
        return documents
    except _TooDeep:
        raise _inside(_where_too_deep(text, loader), text) from None
    except yaml.MarkedYAMLError as exc:
        raise _inside(_marked_error(exc, text), text) from None
    except yaml.YAMLError as exc:  # ReaderError and friends
        raise _inside(_unmarked_error(exc, text), text) from None
    except RecursionError:
        raise YamlError(1, 1, TOO_DEEP) from None
    except (UnicodeError, ValueError, TypeError) as exc:
        raise YamlError(1, 1, f"cannot parse: {exc}") from None


def _inside(error: YamlError, text: str) -> YamlError:
    """``error`` placed inside ``text``: libyaml puts errors at the end of
    the input one line past the last when the text has no final line
    break (``kind: Kustomization\\nres`` fails at line 3 of 2), or past the
    end of a line; such a place becomes the end of the last line."""
    lines = split_lines(text)
    line = max(1, min(error.line, len(lines)))
    if line < error.line:
        column = len(lines[line - 1]) + 1
    else:
        column = max(1, min(error.column, len(lines[line - 1]) + 1))
    if (line, column) == (error.line, error.column):
        return error
    return YamlError(line, column, error.message)


@contextmanager
def _recursion_room(frames: int) -> Iterator[None]:
    """At least ``frames`` more Python frames of recursion, for a while."""
    before = sys.getrecursionlimit()
    used, frame = 0, sys._getframe()
    while frame is not None:
        used, frame = used + 1, frame.f_back
    wanted = used + frames
    if wanted > before:
        sys.setrecursionlimit(wanted)
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


def _where_too_deep(text: str, loader: type) -> YamlError:
    """The refusal of a document the composer found too deep, placed at the
    first node nested in :data:`MAX_DEPTH` collections (found on the
    parser's event stream, which does not recurse; only refused files get
    here)."""
    depth = 0
    nodes = (yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.ScalarEvent, yaml.AliasEvent)
    starts = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, nodes):
                if depth >= MAX_DEPTH:
                    mark = _Lines(text).moved(event.start_mark)
                    return YamlError(mark.line + 1, mark.column + 1, TOO_DEEP)
                if isinstance(event, starts):
                    depth += 1
            elif isinstance(event, ends):
                depth -= 1
    except yaml.MarkedYAMLError as exc:  # libyaml's own refusal
        error = _marked_error(exc, text)
        if error.message == TOO_DEEP:
            return error
    except (yaml.YAMLError, UnicodeError, ValueError, TypeError):
        pass
    return YamlError(1, 1, TOO_DEEP)


def _marked_error(exc: yaml.MarkedYAMLError, text: str) -> YamlError:
    if _OTHER_BREAKS.search(text):
        lines = _Lines(text)
        exc.problem_mark, exc.context_mark = lines.moved(exc.problem_mark), lines.moved(exc.context_mark)
    mark = exc.problem_mark or exc.context_mark
    if exc.problem and _LIBYAML_TOO_DEEP in exc.problem:
        # libyaml >= 0.2.6 refuses deep nesting itself, in its own words
        # and by its own count (never before MAX_DEPTH collection levels).
        if mark is None:
            return YamlError(1, 1, TOO_DEEP)
        return YamlError(mark.line + 1, mark.column + 1, TOO_DEEP)
    reason = exc.problem or exc.context or "invalid YAML"
    if exc.problem and exc.context:
        where = exc.context_mark
        if where is not None and (where.line, where.column) != (getattr(mark, "line", -1), getattr(mark, "column", -1)):
            reason += f" ({exc.context} that starts at line {where.line + 1}, column {where.column + 1})"
        else:
            reason += f" ({exc.context})"
    if mark is None:
        return YamlError(1, 1, reason)
    return YamlError(mark.line + 1, mark.column + 1, reason)


def _unmarked_error(exc: yaml.YAMLError, text: str) -> YamlError:
    position = getattr(exc, "position", None)
    reason = str(exc).split("\n", 1)[0]
    if isinstance(exc, yaml.reader.ReaderError):
        char = exc.character
        shown = f"#x{ord(char):04x}" if isinstance(char, str) else f"#x{char:02x}"
        reason = f"unacceptable character {shown}: {exc.reason}"
    if isinstance(position, int):
        line, column = _line_col_of_offset(text, position, byte_offset=C_LOADER)
        return YamlError(line, column, reason)
    return YamlError(1, 1, reason)


def _line_col_of_offset(text: str, offset: int, *, byte_offset: bool) -> tuple[int, int]:
    if byte_offset:  # libyaml counts bytes of the UTF-8 encoding
        prefix = text.encode("utf-8", "surrogatepass")[:offset].decode("utf-8", "ignore")
    else:
        prefix = text[:offset]
    line = prefix.count("\n") + 1
    return line, len(prefix) - (prefix.rfind("\n") + 1) + 1


class _Lines:
    """Where each line starts, to turn a character offset into a mark."""

    def __init__(self, text: str) -> None:
        self.starts = line_starts(text)

    def moved(self, mark: yaml.Mark | None) -> yaml.Mark | None:
        """``mark`` with its line and column counted at ``\\n`` only."""
        if mark is None:
            return None
        index = mark.index
        line = bisect.bisect_right(self.starts, index) - 1
        return yaml.Mark(mark.name, index, line, index - self.starts[line], None, None)


def each_node(documents: Iterable[Node]) -> Iterator[Node]:
    """Every node of ``documents``, keys included, each once (aliases share
    nodes), a node before its children: for moving marks."""
    seen: set[int] = set()
    stack: list[Node] = list(documents)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


def _relocate_marks(documents: list[Node], lines: _Lines) -> None:
    """Every node's marks counted at ``\\n`` only."""
    for node in each_node(documents):
        node.start_mark = lines.moved(node.start_mark)
        node.end_mark = lines.moved(node.end_mark)


# --------------------------------------------------------------------------
# Node access


def scalar_str(node: Node | None) -> str | None:
    """The value of a (non-null) scalar node, else None."""
    if isinstance(node, ScalarNode) and not (node.tag == NULL_TAG and not node.style):
        return str(node.value)
    return None


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == NULL_TAG and not node.style)


def _is_merge_key(key: Node) -> bool:
    return isinstance(key, ScalarNode) and (key.tag == MERGE_TAG or (key.value == "<<" and not key.style))


def iter_mapping(node: Node | None, *, merge: bool = True) -> Iterator[tuple[str, Node, Node]]:
    """``(key, key_node, value_node)`` for the scalar keys of a mapping node.

    Merge keys are applied: the mapping's own keys come first and win over
    merged ones; earlier merge sources win over later ones (YAML merge
    semantics).  Recursive merges are cut, each source mapping is read once.
    """
    if not isinstance(node, MappingNode):
        return
    if not merge:
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                yield str(key.value), key, value
        return
    seen_keys: set[str] = set()
    visited: set[int] = set()
    queue: list[MappingNode] = [node]
    while queue:
        current = queue.pop(0)
        if id(current) in visited:
            continue
        visited.add(id(current))
        sources: list[MappingNode] = []
        for key, value in current.value:
            if _is_merge_key(key):
                if isinstance(value, MappingNode):
                    sources.append(value)
                elif isinstance(value, SequenceNode):
                    sources.extend(item for item in value.value if isinstance(item, MappingNode))
                continue
            if not isinstance(key, ScalarNode):
                continue
            name = str(key.value)
            if name in seen_keys:
                continue  # an own key (or an earlier source) wins
            seen_keys.add(name)
            yield name, key, value
        queue[0:0] = sources
        if len(visited) > 10_000:  # pathological merge chains
            return


def mapping_get(node: Node | None, key: str) -> Node | None:
    """The value node of ``key`` in a mapping node (merge keys applied), or None."""
    if not isinstance(node, MappingNode):
        return None
    has_merge = False
    for k, v in node.value:  # fast path: own keys, no merges
        if isinstance(k, ScalarNode):
            if k.value == key and k.tag != MERGE_TAG:
                return v
            if _is_merge_key(k):
                has_merge = True
    if not has_merge:
        return None
    for name, _, value in iter_mapping(node):
        if name == key:
            return value
    return None


def walk(
    root: Node,
    *,
    max_nodes: int = MAX_WALK_NODES,
    prefix: Path_ = (),
    skip: Callable[[Path_, Node], bool] | None = None,
) -> Iterator[tuple[Path_, Node]]:
    """Depth-first ``(path, node)`` over a node tree, in document order.

    Each collection node object is expanded once (aliases are not
    re-expanded; the first path that reaches a shared node names it), and
    at most ``max_nodes`` nodes are yielded.  Merge keys are not followed
    (the merged mapping is walked where it is written).  Paths start with
    ``prefix``; ``skip(path, node)`` returning True prunes that subtree.
    """
    seen: set[int] = set()
    count = 0
    stack: list[tuple[Path_, Node]] = [(prefix, root)]
    while stack:
        path, node = stack.pop()
        if skip is not None and skip(path, node):
            continue
        count += 1
        if count > max_nodes:
            return
        yield path, node
        if isinstance(node, (MappingNode, SequenceNode)):
            if id(node) in seen:
                continue
            seen.add(id(node))
            children: list[tuple[Path_, Node]] = []
            if isinstance(node, MappingNode):
                for key, value in node.value:
                    if isinstance(key, ScalarNode) and not _is_merge_key(key):
                        children.append((path + (str(key.value),), value))
            else:
                for index, item in enumerate(node.value):
                    children.append((path + (index,), item))
            stack.extend(reversed(children))


def format_path(path: Path_) -> str:
    """``('spec', 'containers', 0, 'image')`` → ``spec.containers[0].image``."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            text = part if _SIMPLE_KEY.fullmatch(part) else '"' + part.replace('"', '\\"') + '"'
            out.append(("." if out else "") + text)
    return "".join(out)


def yaml_number_text(node: Node | None) -> str | None:
    """For a plain scalar that YAML reads as a number (``2.5``, ``1.10``,
    ``010``), the text Go programs (Helm, kustomize) turn it back into:
    ``2.5``, ``1.1``, ``8``.  None for anything else."""
    if not isinstance(node, ScalarNode) or node.style:
        return None
    if node.tag not in (INT_TAG, FLOAT_TAG):
        return None
    try:
        number = yaml.safe_load(str(node.value))
    except yaml.YAMLError:
        return None
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return None
    if isinstance(number, float):
        if math.isnan(number) or math.isinf(number):
            return None
        if number.is_integer() and abs(number) < 1e21:
            return str(int(number))
        return repr(number)
    return str(number)


def span_text(lines: list[str], span: Span) -> str | None:
    """The text at a single-line ``span`` of ``lines`` (see :func:`split_lines`), else None."""
    if span.line != span.end_line or span.line > len(lines):
        return None
    return lines[span.line - 1][span.column - 1 : span.end_column - 1]


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` (without their breaks), as marks count them; a
    final line break is followed by an empty last line.

    The list is shared (split once per text however many readers ask: a
    release bundle's ConfigMaps each ask for the lines of the whole file):
    read it, never change it."""
    return shared_lines(text)


_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_$-][A-Za-z0-9_$/-]*")


# --------------------------------------------------------------------------
# Positions


def node_span(node: Node, text: str | None = None) -> Span:
    """Where ``node``'s value is written (see the module docstring).

    Block scalars need ``text`` to find the end of their last content line;
    without it their span runs from the ``|``/``>`` indicator to the start
    of the line after the scalar.
    """
    start, end = node.start_mark, node.end_mark
    if isinstance(node, ScalarNode):
        style = node.style
        if style in ('"', "'"):
            return Span(start.line + 1, start.column + 2, end.line + 1, max(end.column, 1))
        if style in ("|", ">") and text is not None:
            value = str(node.value).rstrip("\n")
            at = scalar_line_map(node, text)
            line, column = at(0)
            end_line, end_column = at(max(len(value) - 1, 0))
            return Span(line, column, end_line, end_column + (1 if value else 0))
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def go_float_text(number: float) -> str:
    """``fmt.Sprint(float64)`` as Go templates print it (Helm): the shortest
    digits, in exponent form when the decimal exponent is below -4 or at
    least 6 (``1.1``, ``3``, ``1.234567e+06``)."""
    if number == 0:
        return "0"
    sign, digits, exponent = Decimal(repr(float(number))).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    point = len(text) + exponent  # position of the decimal point in `text`
    lead = "-" if sign else ""
    power = point - 1
    if power < -4 or power >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{lead}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    if point <= 0:
        return f"{lead}0.{'0' * -point}{text}"
    if point >= len(text):
        return lead + text + "0" * (point - len(text))
    return f"{lead}{text[:point]}.{text[point:]}"


def documents_or_problem(text: str, facts: FileFacts) -> list[Node] | None:
    """The YAML documents of ``text``; on a parse error, None after recording
    the error on ``facts`` as a problem (reported as TL001)."""
    try:
        return load_documents(text)
    except YamlError as exc:
        facts.problems.append(Problem(facts.path, exc.span, f"invalid YAML: {exc.message}"))
        return None


def scalar_line_map(node: ScalarNode, text: str) -> Callable[[int], tuple[int, int]]:
    """A function from an offset in ``node.value`` to ``(line, column)`` in ``text``.

    See the module docstring.  Offsets past the end map to the end of the
    last written character.
    """
    lines = shared_lines(text)
    value = str(node.value)
    start, end = node.start_mark, node.end_mark
    first_line = start.line  # 0-based
    last_line = min(end.line, len(lines) - 1)
    style = node.style
    segments: list[tuple[int, int, int, int]] = []  # (value_offset, line0, col0, length)

    # The written pieces of the scalar, one per source line: (line0, col0, text).
    pieces: list[tuple[int, int, str]] = []
    if style in ("|", ">"):
        indent = _block_indent(lines, first_line, last_line, start.column)
        for line0 in range(first_line + 1, last_line + 1):
            raw = lines[line0]
            if end.line == line0 and end.column == 0:
                break
            if len(raw) > indent and raw[indent:].strip():
                pieces.append((line0, indent, raw[indent:]))
    else:
        for line0 in range(first_line, last_line + 1):
            raw = lines[line0] if line0 < len(lines) else ""
            lo = start.column if line0 == first_line else 0
            hi = end.column if line0 == end.line else len(raw)
            if style in ('"', "'"):
                if line0 == first_line:
                    lo += 1
                if line0 == end.line:
                    hi -= 1
            chunk = raw[lo:hi]
            stripped = chunk.lstrip(" \t")
            lo += len(chunk) - len(stripped)
            if line0 != end.line or style in ('"', "'"):
                stripped = stripped.rstrip(" \t") if line0 != end.line else stripped
            if stripped:
                pieces.append((line0, lo, stripped))

    escape = _DQ_ESCAPE if style == '"' else _SQ_ESCAPE if style == "'" else None
    position = 0
    for line0, col0, piece in pieces:
        runs = [(0, piece)] if escape is None else _unescaped_runs(piece, escape)
        for run_col, run in runs:
            found = value.find(run, position)
            if found < 0:  # cannot place it: map to where we are
                segments.append((position, line0, col0 + run_col, 0))
                continue
            segments.append((found, line0, col0 + run_col, len(run)))
            position = found + len(run)
    if not segments:
        segments.append((0, start.line, start.column + (1 if style in ('"', "'") else 0), 0))
    offsets = [s[0] for s in segments]

    def at(offset: int) -> tuple[int, int]:
        index = max(0, bisect.bisect_right(offsets, offset) - 1)
        value_offset, line0, col0, length = segments[index]
        delta = offset - value_offset
        delta = min(delta, length)
        return line0 + 1, col0 + delta + 1

    return at


_DQ_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.|$)")
_SQ_ESCAPE = re.compile("''")


def _unescaped_runs(piece: str, escape: re.Pattern[str]) -> list[tuple[int, str]]:
    """The runs of ``piece`` between escape sequences, with their offsets."""
    runs: list[tuple[int, str]] = []
    last = 0
    for match in escape.finditer(piece):
        if match.start() > last:
            runs.append((last, piece[last : match.start()]))
        last = match.end()
        if escape is _SQ_ESCAPE:
            last -= 1  # the second quote is the character itself
    if last < len(piece):
        runs.append((last, piece[last:]))
    return runs or [(0, "")]


def _block_indent(lines: list[str], first_line: int, last_line: int, parent_column: int) -> int:
    header = lines[first_line] if first_line < len(lines) else ""
    match = re.search(r"[|>]([1-9+-]{0,2})", header[parent_column:])
    if match:
        digits = [c for c in match.group(1) if c.isdigit()]
        if digits:
            # Explicit indentation indicator: relative to the parent node's indentation.
            parent_indent = len(header) - len(header.lstrip(" "))
            return parent_indent + int(digits[0])
    for line0 in range(first_line + 1, last_line + 1):
        raw = lines[line0]
        if raw.strip():
            return len(raw) - len(raw.lstrip(" "))
    return 0
