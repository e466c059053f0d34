"""CircleCI (``.circleci/config.yml``).

Images: ``docker:`` executors (``- image: …``, the first is the primary
container, the rest are services) in ``jobs.*``, ``executors.*`` and inline
orbs.  ``machine: image:`` and ``macos:`` name VM images, not containers,
and are left alone.  ``<< parameters.x >>`` / ``<< pipeline.x >>`` stay as
written.

Commands: ``run:`` steps (a string or ``command:``) go through the shell
layer with the job's ``environment:`` (and the step's); the scope is the
job.  Component references: ``orbs:`` entries ``namespace/orb@version``
(``@volatile`` and ``@dev:…`` move).
"""
from __future__ import annotations

from taglint.extract.ci_common import (
    CiFile,
    Env,
    MappingNode,
    Node,
    ScalarNode,
    get,
    items,
    iter_mapping,
    mapping_get,
    scalar_str,
)
from taglint.model import FileFacts
from taglint.source import ExtractContext, SourceFile

KIND = "circleci"


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    ci = CiFile(source, KIND)
    for doc in ci.documents():
        if isinstance(doc, MappingNode):
            _config(ci, doc, "")
    return ci.facts


def _config(ci: CiFile, doc: Node, prefix: str) -> None:
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
        _docker(ci, executor, f"{prefix}executors.{name}", {})
    for name, _key, job in iter_mapping(mapping_get(doc, "jobs")):
        if not isinstance(job, MappingNode):
            continue
        where = f"{prefix}jobs.{name}"
        scope = f"{prefix}{name}"
        env = ci.env_from(mapping_get(job, "environment"), "environment.")
        _docker(ci, job, where, env, scope)
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
                    ci.script([command], scope, step_env)
            else:
                ci.script([run], scope, env)
    for name, _key, command in iter_mapping(mapping_get(doc, "commands")):
        for step in items(mapping_get(command, "steps")):
            run = mapping_get(step, "run")
            node = mapping_get(run, "command") if isinstance(run, MappingNode) else run
            if node is not None:
                ci.script([node], f"{prefix}commands.{name}", {})


def _docker(ci: CiFile, holder: Node | None, where: str, env: Env, scope: str | None = None) -> None:
    for index, entry in enumerate(items(mapping_get(holder, "docker"))):
        image = mapping_get(entry, "image") if isinstance(entry, MappingNode) else None
        if isinstance(image, ScalarNode):
            ci.image(image, f"{where}.docker[{index}].image", stage=scope or where, env=env)
            ci.credentials(mapping_get(entry, "auth"), scope or where, image=image, verb="docker[].auth")
