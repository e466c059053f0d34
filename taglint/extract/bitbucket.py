"""Bitbucket Pipelines (``bitbucket-pipelines.yml``).

Images: the top-level ``image`` (string or ``name:``), each step's
``image``, ``definitions.services.*.image`` and pipes (``- pipe:
atlassian/…:1.2.3`` items in a script run that image; ``docker://`` pipes
too).  Steps are found anywhere under ``pipelines`` (``default``,
``branches``, ``tags``, ``pull-requests``, ``custom``, ``parallel``,
``stage``), and under ``definitions`` (anchored step templates).

Commands: each step's ``script`` (and ``after-script``) is one shell script;
each step runs in its own container, so the scope is the step.
"""
from __future__ import annotations

from taglint.extract.ci_common import (
    CiFile,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    get,
    items,
    iter_mapping,
    mapping_get,
    scalar_str,
)
from taglint.model import FileFacts
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import format_path, walk

KIND = "bitbucket-pipelines"


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    ci = CiFile(source, KIND)
    for doc in ci.documents():
        if isinstance(doc, MappingNode):
            _config(ci, doc)
    return ci.facts


def _image(ci: CiFile, node: Node | None, context: str, stage: str | None = None) -> None:
    if isinstance(node, MappingNode):
        holder = node
        node = mapping_get(node, "name")
        ci.credentials(holder, stage or "pipeline", image=node, verb="image.password")
    if isinstance(node, ScalarNode):
        ci.image(node, context, stage=stage)


def _config(ci: CiFile, doc: MappingNode) -> None:
    _image(ci, mapping_get(doc, "image"), "image")
    for name, _key, service in iter_mapping(get(doc, "definitions", "services")):
        _image(ci, mapping_get(service, "image"), f"definitions.services.{name}.image")
    seen: set[int] = set()
    for top in ("definitions", "pipelines"):
        root = mapping_get(doc, top)
        if root is None:
            continue
        for path, node in walk(root):
            if path and path[-1] == "step" and isinstance(node, MappingNode) and id(node) not in seen:
                seen.add(id(node))
                _step(ci, f"{top}.{format_path(path)}", node)


def _step(ci: CiFile, where: str, step: MappingNode) -> None:
    _image(ci, mapping_get(step, "image"), f"{where}.image", where)
    for key in ("script", "after-script"):
        script = mapping_get(step, key)
        lines: list[Node] = []
        for index, item in enumerate(items(script)):
            if isinstance(item, ScalarNode):
                lines.append(item)
            elif isinstance(item, MappingNode):
                pipe = mapping_get(item, "pipe")
                text = scalar_str(pipe)
                if text is not None and isinstance(pipe, ScalarNode):
                    start = len(text) - len(text.lstrip())
                    if text.strip().startswith("docker://"):
                        start += len("docker://")
                    ci.image(pipe, f"{where}.{key}[{index}].pipe", stage=where, start=start)
        if lines:
            ci.script(lines, where)
