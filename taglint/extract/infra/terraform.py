"""Terraform configurations (``*.tf``), parsed by python-hcl2.

Image places read (resources and data sources by type):

* ``docker_image`` ``name`` — an image Terraform pulls (a resource with a
  ``build`` block builds it instead: nothing pulled);
  ``data "docker_registry_image"`` ``name`` too;
* ``docker_container`` and ``docker_service``
  (``task_spec.container_spec.image``) ``image``, when it is a string or a
  variable (``docker_image.app.image_id`` points at a resource: its
  ``name`` is read there);
* every ``kubernetes_*`` resource: ``image`` of each ``container`` and
  ``init_container`` block at any depth (``spec.template.spec.container``);
* ``aws_ecs_task_definition`` ``container_definitions``: the ``image`` of
  each definition, written as ``jsonencode([{ image = … }])`` or as a JSON
  heredoc (positions inside the heredoc are the file's);
* ``helm_release`` ``set`` (blocks, or the provider 3 list of objects):
  ``image`` set to a whole reference, or ``image.tag`` (with
  ``image.repository`` when it is set; otherwise the repository is the
  chart's default, named after the chart), and the same under any prefix
  (``controller.image.tag``);
* ``docker_registry_image`` ``name`` — an image Terraform pushes (a push
  target: TL201 when untagged); the provider pushes with its
  ``registry_auth``, so no login step is expected.

A file naming none of these resource types is not parsed at all.
``${var.x}`` / ``var.x`` and ``local.y`` are substituted from ``variable``
defaults and ``locals`` of the file and of the other ``*.tf`` files of its
folder (a Terraform module is a folder), and replaced by what
``terraform.tfvars``/``*.auto.tfvars`` assign
(:mod:`taglint.extract.infra.terraform_module`); the substitution is a
``Step`` in ``via``.  A variable with no default stays as written, for TL108.
"""
from __future__ import annotations

from typing import NamedTuple

from taglint.extract.ci.common import CiFile
from taglint.extract.image_keys import find_all
from taglint.extract.infra import hcl
from taglint.extract.infra.terraform_module import module_steps
from taglint.model import FileFacts, Problem, Span, Step, Word
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import ScalarNode, YamlError, load_documents, node_span

KIND = "terraform"
_CONTAINER_BLOCKS = ("container", "init_container")
_DEFINITION_IMAGES = ("[].image",)
# A file that names none of these resource types names no image (the HCL
# parser reads about 70 KB a second, so most of a big module is skipped).
RELEVANT_MARKERS = ("docker_", "kubernetes_", "aws_ecs_task_definition", "helm_release")
# Past this size only the top-level blocks that can matter are parsed
# (:func:`taglint.extract.infra.hcl.parse_blocks`).
WHOLE_PARSE_SIZE = 64 * 1024
_VARIABLE_BLOCK = ("variable ", "locals ", "locals{")


def _worth_parsing(block: str) -> bool:
    """A top-level block that may name an image or define a variable."""
    return block.startswith(_VARIABLE_BLOCK) or any(marker in block for marker in RELEVANT_MARKERS)


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    ci = CiFile(source, KIND)
    if not any(marker in source.text for marker in RELEVANT_MARKERS):
        return ci.facts  # nothing that names an image: not worth a parse
    try:
        if len(source.text) > WHOLE_PARSE_SIZE:
            blocks = hcl.parse_blocks(source.text, _worth_parsing)
        else:
            blocks = hcl.top_blocks(hcl.parse(source.text))
    except hcl.HclError as error:
        ci.facts.problems.append(Problem(source.path, error.span, f"invalid HCL: {error.message}"))
        return ci.facts
    variables = hcl.Variables(source.path)
    variables.read(blocks, source.lines)
    declared, assigned = module_steps(source)
    for key, step in declared.items():
        variables.values.setdefault(key, step)
    variables.values.update(assigned)  # tfvars replace the defaults
    reader = _Reader(ci, variables)
    for block in blocks:
        if block.type in ("resource", "data") and len(block.labels) >= 2:
            reader.resource(block)
    return ci.facts


class _Value(NamedTuple):
    """A string or ``var.x`` expression: as written, substituted, where."""

    written: str
    value: str
    span: Span
    via: tuple[Step, ...]


class _Reader:
    """Records the image places of one file's resources."""

    def __init__(self, ci: CiFile, variables: hcl.Variables) -> None:
        self.ci = ci
        self.variables = variables
        self.lines = ci.source.lines

    # -- one value -----------------------------------------------------------

    def value(self, expr: object) -> _Value | None:
        """A string or ``var.x`` expression, substituted; None for anything else."""
        text = hcl.string_text(expr, self.lines)
        if text is not None:
            value, via = self.variables.substitute(text.written)
            return _Value(text.written, value, text.span, via)
        reference = hcl.reference_name(expr, self.lines)
        if reference is not None:
            value, via = self.variables.reference(reference.written)
            return _Value(reference.written, value, reference.span, via)
        return None

    def image(self, expr: object, context: str, stage: str) -> None:
        found = self.value(expr)
        if found is None or not found.value.strip():
            return
        written, value, span, via = found
        self.ci.add_image(span, written, value, context, via=via, stage=stage)

    # -- resources -----------------------------------------------------------

    def resource(self, block: hcl.Block) -> None:
        rtype, name = block.labels[0], block.labels[1]
        address = f"{rtype}.{name}" if block.type == "resource" else f"data.{rtype}.{name}"
        attributes = block.attributes()
        if rtype == "docker_image" and not block.blocks("build") and "name" in attributes:
            self.image(attributes["name"], f"{address}.name", address)
        elif rtype == "docker_registry_image" and block.type == "data" and "name" in attributes:
            self.image(attributes["name"], f"{address}.name", address)
        elif rtype == "docker_registry_image" and "name" in attributes:
            self.push(attributes["name"], address)
        elif rtype == "docker_container" and "image" in attributes:
            self.image(attributes["image"], f"{address}.image", address)
        elif rtype == "docker_service":
            for spec in block.descendants("container_spec"):
                if "image" in spec.attributes():
                    self.image(spec.attributes()["image"], f"{address}.task_spec.container_spec.image", address)
        elif rtype.startswith("kubernetes_"):
            for container in block.descendants(*_CONTAINER_BLOCKS):
                if "image" in container.attributes():
                    label = container.attributes().get("name")
                    named = self.value(label) if label is not None else None
                    where = f"{container.type}[{named.value}]" if named else container.type
                    self.image(container.attributes()["image"], f"{address}.{where}.image", address)
        elif rtype == "aws_ecs_task_definition" and "container_definitions" in attributes:
            self.container_definitions(attributes["container_definitions"], address)
        elif rtype == "helm_release":
            self.helm_sets(block, address)

    def push(self, expr: object, address: str) -> None:
        found = self.value(expr)
        if found is None:
            return
        written, value, span, via = found
        word = Word(written, value, span, via)
        self.ci.command(span, "terraform", "push", address, args=(word,), written=f"{address}.name = {written}",
                        targets=(word,), push=True, default_tag="latest", verb=f"resource {address}",
                        authenticated=True, editable=False)

    def container_definitions(self, expr: object, address: str) -> None:
        """``jsonencode([{ image = … }])`` or a JSON heredoc."""
        call = hcl.function_call(expr)
        if call is not None:
            function, arguments = call
            if function == "jsonencode" and arguments:
                for index, item in enumerate(hcl.tuple_items(arguments[0])):
                    for key, value in hcl.object_items(item):
                        if key == "image":
                            self.image(value, f"{address}.container_definitions[{index}].image", address)
            return
        heredoc = hcl.heredoc(expr)
        if heredoc is not None:
            body, first_line = heredoc
            self.json_definitions(body, first_line, address)

    def json_definitions(self, body: str, first_line: int, address: str) -> None:
        """``image`` values of a JSON heredoc, placed in the file."""
        try:
            documents = load_documents(body)
        except YamlError:
            return
        for doc in documents:
            for path, node in find_all(doc, _DEFINITION_IMAGES):
                if not isinstance(node, ScalarNode) or not str(node.value).strip():
                    continue
                inner = node_span(node)
                written = str(node.value)
                span = Span(inner.line + first_line - 1, inner.column, inner.end_line + first_line - 1,
                            inner.end_column)  # node_span is inside the quotes already
                if span.line != span.end_line or self.ci.written(span) != written:
                    continue  # escapes inside the JSON string: no exact place
                value, via = self.variables.substitute(written)
                self.ci.add_image(span, written, value, f"{address}.container_definitions{path}",
                                  via=via, stage=address)

    def helm_sets(self, block: hcl.Block, address: str) -> None:
        pairs: list[tuple[str, object]] = []
        for entry in block.blocks("set"):
            attributes = entry.attributes()
            self._set_pair(attributes.get("name"), attributes.get("value"), pairs)
        listed = block.attributes().get("set")
        for item in hcl.tuple_items(listed) if listed is not None else []:
            items = dict(hcl.object_items(item))
            self._set_pair(items.get("name"), items.get("value"), pairs)
        chart_expr = block.attributes().get("chart")
        chart_value = self.value(chart_expr) if chart_expr is not None else None
        chart = chart_value.value if chart_value is not None else None
        values = dict(pairs)
        for key, expr in pairs:
            if key == "image" or key.endswith(".image"):
                self.image(expr, f"{address}.set[{key}]", address)
            elif key == "image.tag" or key.endswith(".image.tag"):
                prefix = key[: -len("tag")]
                self.tag(expr, values.get(prefix + "repository"), chart, f"{address}.set[{key}]", address)

    def _set_pair(self, name: object, value: object, pairs: list[tuple[str, object]]) -> None:
        if name is None or value is None:
            return
        found = self.value(name)
        if found is not None:
            pairs.append((found.value, value))

    def tag(self, expr: object, repository: object, chart: str | None, context: str, address: str) -> None:
        found = self.value(expr)
        if found is None or not found.value.strip():
            return
        written, tag, span, via = found
        repo = self.value(repository) if repository is not None else None
        if repo is not None:
            name, via = repo.value, repo.via + via
        elif chart:
            name = chart.rstrip("/").rsplit("/", 1)[-1]
        else:
            return
        self.ci.add_image(span, written, f"{name}:{tag}", context, via=via, stage=address)
