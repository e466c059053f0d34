"""Image keys in a YAML/JSON tree, declared as paths.

Formats that name images at fixed places (ML pipeline specs, platform job
files, GitOps objects, dev-container files) list those places as patterns
instead of walking the tree themselves::

    "implementation.container.image"               # one key path
    "deploymentSpec.executors.*.container.image"   # * : any key or list item
    "workerPoolSpecs[].containerSpec.imageUri"     # [] : every item of a list
    "**.image"                                     # ** : any depth (zero or more)

:func:`find` yields each matching node with its concrete path
(``deploymentSpec.executors.exec-train.container.image``);
:func:`add_images` records the scalar ones as images of a
:class:`~taglint.extract.ci.common.CiFile`, with exact spans.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from taglint.model import ImageRef
from taglint.yamlnodes import MappingNode, Node, ScalarNode, SequenceNode, format_path, iter_mapping

if TYPE_CHECKING:
    from taglint.extract.ci.common import CiFile

Path_ = tuple[str | int, ...]
ANY = "*"
DEEP = "**"
EACH = "[]"
MAX_DEEP_NODES = 100_000  # a ``**`` walk stops after this many nodes


@lru_cache(maxsize=256)
def parse(pattern: str) -> tuple[str, ...]:
    """``a.b[].c`` → ``('a', 'b', '[]', 'c')``."""
    steps: list[str] = []
    for part in pattern.split("."):
        name = part.rstrip("[]")
        if name:
            steps.append(name)
        steps.extend([EACH] * ((len(part) - len(name)) // len(EACH)))
    return tuple(steps)


def find(root: Node | None, pattern: str) -> Iterator[tuple[str, Node]]:
    """Each node of ``root`` that ``pattern`` reaches, with its path."""
    seen: set[int] = set()
    for path, node in _match(root, parse(pattern), (), [0]):
        if id(node) not in seen:
            seen.add(id(node))
            yield format_path(path), node


def find_all(root: Node | None, patterns: Iterable[str]) -> Iterator[tuple[str, Node]]:
    """:func:`find` for each pattern, each node once."""
    seen: set[int] = set()
    for pattern in patterns:
        for path, node in find(root, pattern):
            if id(node) not in seen:
                seen.add(id(node))
                yield path, node


def _children(node: Node, path: Path_) -> Iterator[tuple[Path_, Node]]:
    if isinstance(node, MappingNode):
        for key, _key_node, value in iter_mapping(node):
            yield path + (key,), value
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield path + (index,), item


def _match(node: Node | None, steps: tuple[str, ...], path: Path_, budget: list[int]) -> Iterator[tuple[Path_, Node]]:
    if node is None:
        return
    if not steps:
        yield path, node
        return
    step, rest = steps[0], steps[1:]
    if step == DEEP:
        budget[0] += 1
        if budget[0] > MAX_DEEP_NODES:
            return
        yield from _match(node, rest, path, budget)  # zero keys
        for child_path, child in _children(node, path):
            yield from _match(child, steps, child_path, budget)
    elif step == ANY:
        for child_path, child in _children(node, path):
            yield from _match(child, rest, child_path, budget)
    elif step == EACH:
        if isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                yield from _match(item, rest, path + (index,), budget)
    elif isinstance(node, MappingNode):
        for key, _key_node, value in iter_mapping(node):
            if key == step:
                yield from _match(value, rest, path + (key,), budget)


def add_images(
    ci: "CiFile",
    root: Node | None,
    patterns: Iterable[str],
    *,
    prefix: str = "",
    stage: str | None = None,
    built: bool = False,
) -> list[ImageRef]:
    """Record every scalar that ``patterns`` reach in ``root`` as an image
    of ``ci`` (context: ``prefix`` + the concrete path); returns them."""
    found: list[ImageRef] = []
    for path, node in find_all(root, patterns):
        if isinstance(node, ScalarNode):
            ref = ci.image(node, prefix + path, stage=stage, built=built)
            if ref is not None:
                found.append(ref)
    return found
