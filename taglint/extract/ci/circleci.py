"""CircleCI (``.circleci/config.yml``).

Images: ``docker:`` executors (``- image: …``, the first is the primary
container, the rest are services) in ``jobs.*``, ``executors.*`` and inline
orbs.  ``machine: image:`` and ``macos:`` name VM images, not containers,
and are left alone.  ``<< parameters.x >>`` takes the parameter's default
(or becomes ``${x}``), ``<< pipeline.parameters.x >>`` the pipeline
parameter's, ``<< pipeline.git.revision >>`` and friends the environment
variable that carries them (``${CIRCLE_SHA1}``…), in images and in
scripts (CircleCI replaces them before the shell runs).

Commands: ``run:`` steps (a string or ``command:``) go through the shell
layer with the job's ``environment:`` (and the step's); the scope is the
job.  Component references: ``orbs:`` entries ``namespace/orb@version``
(``@volatile`` and ``@dev:…`` move).
"""
from __future__ import annotations

import re

from taglint.extract.ci.common import (
    CiFile,
    MappingNode,
    Node,
    ScalarNode,
    Templates,
    items,
    iter_mapping,
    mapping_get,
    read_mapping_documents,
    scalar_str,
)
from taglint.model import FileFacts, Step
from taglint.source import ExtractContext, SourceFile

KIND = "circleci"


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    return read_mapping_documents(source, KIND, _config)


_TEMPLATE = re.compile(r"<<\s*([A-Za-z_][\w.-]*)\s*>>")
# Pipeline values and the environment variables that carry them at run time.
_PIPELINE = {
    "pipeline.git.revision": "${CIRCLE_SHA1}",
    "pipeline.git.tag": "${CIRCLE_TAG}",
    "pipeline.git.branch": "${CIRCLE_BRANCH}",
    "pipeline.number": "${CIRCLE_BUILD_NUM}",
}


def _templates(ci: CiFile, *holders: Node | None) -> Templates:
    """``<< parameters.x >>`` from the ``parameters:`` defaults of
    ``holders`` (job, executor, command) and ``<< pipeline.parameters.x >>``
    from the config's; pipeline values become the environment variables
    that carry them.  A parameter without a default becomes ``${x}`` (a
    variable the tag classifier can name)."""

    def default(holder: Node | None, name: str) -> tuple[str, Step] | None:
        declared = mapping_get(mapping_get(holder, "parameters"), name)
        if declared is None:
            return None
        value = mapping_get(declared, "default")
        text = scalar_str(value)
        if text is None or value is None:
            return f"${{{name}}}", Step(f"parameters.{name}", None, ci.location(declared))
        return text, Step(f"parameters.{name}", text, ci.location(value))

    def resolve(match: re.Match[str]) -> tuple[str, tuple[Step, ...]] | None:
        name = match.group(1)
        if name in _PIPELINE:
            return _PIPELINE[name], (Step(name, None),)
        if name.startswith("pipeline.parameters."):
            found = default(ci.root, name[len("pipeline.parameters."):])
        elif name.startswith("parameters."):
            short = name[len("parameters."):]
            found = next((f for f in (default(h, short) for h in holders) if f is not None), None)
            if found is None:
                found = f"${{{short}}}", Step(name, None)
        else:
            return None
        if found is None:
            return None
        return found[0], (found[1],)

    return Templates(_TEMPLATE, resolve)


def _config(ci: CiFile, doc: Node, prefix: str = "") -> None:
    for name, _key, orb in iter_mapping(mapping_get(doc, "orbs")):
        text = scalar_str(orb)
        if text is not None and isinstance(orb, ScalarNode):
            stripped = text.strip()
            orb_name, at, version = stripped.partition("@")
            if "<<" not in stripped:
                ci.action(orb, stripped, orb_name, version if at else None, start=len(text) - len(text.lstrip()))
        elif isinstance(orb, MappingNode):  # an inline orb
            _config(ci, orb, f"{prefix}orbs.{name}.")
    for name, _key, executor in iter_mapping(mapping_get(doc, "executors")):
        _docker(ci, executor, f"{prefix}executors.{name}", _templates(ci, executor))
    for name, _key, job in iter_mapping(mapping_get(doc, "jobs")):
        if not isinstance(job, MappingNode):
            continue
        where = f"{prefix}jobs.{name}"
        scope = f"{prefix}{name}"
        env = ci.env_from(mapping_get(job, "environment"), "environment.")
        templates = _templates(ci, job)
        _docker(ci, job, where, templates, scope)
        for index, step in enumerate(items(mapping_get(job, "steps"))):
            run = mapping_get(step, "run")
            if run is None:
                continue
            if isinstance(run, MappingNode):
                step_env = ci.env_from(mapping_get(run, "environment"), "environment.", env)
                shell = (scalar_str(mapping_get(run, "shell")) or "").lower()
                if "powershell" in shell or "pwsh" in shell or "cmd" in shell:
                    continue
                command = mapping_get(run, "command")
                if command is not None:
                    ci.script([command], scope, step_env, templates)
            else:
                ci.script([run], scope, env, templates)
    for name, _key, command in iter_mapping(mapping_get(doc, "commands")):
        for step in items(mapping_get(command, "steps")):
            run = mapping_get(step, "run")
            node = mapping_get(run, "command") if isinstance(run, MappingNode) else run
            if node is not None:
                ci.script([node], f"{prefix}commands.{name}", {}, _templates(ci, command))


def _docker(ci: CiFile, holder: Node | None, where: str, templates: Templates, scope: str | None = None) -> None:
    for index, entry in enumerate(items(mapping_get(holder, "docker"))):
        image = mapping_get(entry, "image") if isinstance(entry, MappingNode) else None
        if isinstance(image, ScalarNode):
            ci.image(image, f"{where}.docker[{index}].image", stage=scope or where, templates=templates)
            ci.credentials(mapping_get(entry, "auth"), scope or where, image=image, verb="docker[].auth")
