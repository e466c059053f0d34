"""Bitbucket Pipelines (``bitbucket-pipelines.yml``).

Images: the top-level ``image`` (string or ``name:``), each step's
``image``, ``definitions.services.*.image`` and pipes (``- pipe:
atlassian/…:1.2.3`` items in a script run that image; ``docker://`` pipes
too).  Steps are found anywhere under ``pipelines`` (``default``,
``branches``, ``tags``, ``pull-requests``, ``custom``, ``parallel``,
``stage``), and under ``definitions`` (anchored step templates).

Commands: each step's ``script`` (and ``after-script``) is one shell script;
each step runs in its own container, so the scope is the step.  The
``atlassian/aws-ecr-push-image`` pipe logs in and pushes ``IMAGE_NAME`` with
each of ``TAGS`` (default ``latest``) to ECR; literal values of pipe
variables named like passwords, secrets or tokens are recorded for TL212.
"""
from __future__ import annotations

import re

from taglint.extract.ci.common import (
    CiFile,
    MappingNode,
    Node,
    ScalarNode,
    get,
    items,
    iter_mapping,
    mapping_get,
    read_mapping_documents,
    scalar_str,
)
from taglint.model import FileFacts, Word
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import format_path, node_span, walk

KIND = "bitbucket-pipelines"


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    return read_mapping_documents(source, KIND, _config)


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


_SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN", re.IGNORECASE)


def _pipe(ci: CiFile, scope: str, pipe: ScalarNode, variables: Node | None) -> None:
    """What a pipe does with its ``variables``: ``atlassian/aws-ecr-push-image``
    logs in to ECR and pushes ``IMAGE_NAME`` with each of ``TAGS`` (default
    ``latest``); a literal value of a ``*PASSWORD``/``*SECRET*``/``*TOKEN``
    variable is a credential written in the file."""
    name = (scalar_str(pipe) or "").strip().split(":", 1)[0]
    verb = f"pipe: {name}"
    for key, _k, value in iter_mapping(variables):
        text = scalar_str(value)
        if _SECRET_NAME.search(key) and text and isinstance(value, ScalarNode):
            word = ci.word(value, len(text) - len(text.lstrip()), text.strip())
            ci.command(word.span, "pipe", "credentials", scope, written=f"{key}: {word.written}",
                       password=word, verb=verb, editable=False)
    if name != "atlassian/aws-ecr-push-image":
        return
    span = node_span(pipe)
    ci.command(span, "aws", "login", scope, written=verb, servers=("*.dkr.ecr.*.amazonaws.com",),
               implicit=True, verb=verb, editable=False)
    image = ci.scalar_word(mapping_get(variables, "IMAGE_NAME"))
    if image is None:
        return
    registry = "${AWS_ECR_REGISTRY}/"
    tags_node = mapping_get(variables, "TAGS")
    tags: list[Word] = []
    tags_text = scalar_str(tags_node)
    if tags_text is not None and isinstance(tags_node, ScalarNode):
        for match in re.finditer(r"\S+", tags_text):
            tags.append(ci.word(tags_node, match.start(), match.group(0)))
    if not tags:
        tags = [Word(image.written, "latest", image.span)]
    targets = tuple(Word(t.written, f"{registry}{image.value}:{t.value}", t.span, image.via + t.via) for t in tags)
    ci.command(span, "aws", "push", scope, args=targets, written=verb, targets=targets, push=True,
               default_tag="latest", verb=verb, editable=False)


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
                    _pipe(ci, where, pipe, mapping_get(item, "variables"))
        if lines:
            ci.script(lines, where)
