"""Azure Pipelines (``azure-pipelines*.yml``).

Images: ``resources.containers[].image``; a job's ``container:`` (an image,
or the alias of a resource container — then it is not an image) and
``services:`` values.  ``pool.vmImage`` names a VM image, not a container.
Jobs are found under ``jobs:``, ``stages[].jobs`` and deployment
strategies; a pipeline with top-level ``steps:`` is one job.

Azure replaces ``$(var)`` macros and ``${{ variables.x }}`` /
``${{ parameters.x }}`` template expressions before anything runs: they are
substituted from ``variables:`` (pipeline, stage, job) and ``parameters:``
defaults in images, task inputs and scripts; unknown ones
(``$(Build.BuildId)``) stay as written for the tag classifier.

Commands: ``script:``/``bash:`` steps go through the shell layer with the
variables (also as their upper-case environment names) and the step's
``env:``.  ``Docker@2``/``Docker@1``
tasks act like commands: ``command: login`` → login;
``build``/``push``/``buildAndPush`` → build and/or push of
``repository:tag`` for each of ``tags`` (default ``$(Build.BuildId)``).
The registry of a Docker task comes from its service connection
(``containerRegistry``): a repository without a host is recorded as
``$(containerRegistry)/repository:tag`` so no check mistakes it for a
Docker Hub name, and the task's own login is recorded as a login command.
"""
from __future__ import annotations

import re

from taglint.extract.ci.common import (
    CiFile,
    Env,
    MappingNode,
    Node,
    ScalarNode,
    Templates,
    get,
    items,
    iter_mapping,
    mapping_get,
    read_mapping_documents,
    scalar_str,
)
from taglint.model import FileFacts, Step, Word
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import node_span

KIND = "azure-pipelines"
_DEFAULT_TAG = "$(Build.BuildId)"


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    return read_mapping_documents(source, KIND, _pipeline)


_MACRO = re.compile(r"\$\(([A-Za-z_][\w.-]*)\)|\$\{\{\s*(variables|parameters)\.([A-Za-z_][\w.-]*)\s*\}\}")


def _parameters(ci: CiFile, node: Node | None) -> Env:
    """Template ``parameters:`` defaults (list of ``{name, default}`` or a mapping)."""
    out: Env = {}
    if isinstance(node, MappingNode):
        for name, _key, value in iter_mapping(node):
            text = scalar_str(value)
            out[name] = Step(f"parameters.{name}", text, ci.location(value))
        return out
    for item in items(node):
        declared = scalar_str(mapping_get(item, "name"))
        if not declared:
            continue
        default = mapping_get(item, "default")
        where = ci.location(default if default is not None else item)
        out[declared] = Step(f"parameters.{declared}", scalar_str(default), where)
    return out


def _templates(env: Env, parameters: Env) -> Templates:
    """``$(var)`` macros and ``${{ variables.x }}``/``${{ parameters.x }}``
    template expressions, which Azure replaces before anything runs.
    Unknown ones (``$(Build.BuildId)``) stay as written."""

    def resolve(match: re.Match[str]) -> tuple[str, tuple[Step, ...]] | None:
        if match.group(1) is not None:
            step = env.get(match.group(1))
        elif match.group(2) == "variables":
            step = env.get(match.group(3))
        else:
            step = parameters.get(match.group(3))
        if step is None or step.value is None:
            return None
        return step.value, (step,)

    return Templates(_MACRO, resolve)


def _script_env(env: Env) -> Env:
    """Variables are also exported to scripts as upper-case environment
    variables (``imageTag`` → ``$IMAGETAG``, ``a.b`` → ``$A_B``)."""
    out = dict(env)
    for name, step in env.items():
        out.setdefault(name.upper().replace(".", "_"), step)
    return out


def _pipeline(ci: CiFile, doc: MappingNode) -> None:
    parameters = _parameters(ci, mapping_get(doc, "parameters"))
    aliases: set[str] = set()
    for index, container in enumerate(items(get(doc, "resources", "containers"))):
        alias = scalar_str(mapping_get(container, "container"))
        if alias:
            aliases.add(alias.strip())
        image = mapping_get(container, "image")
        if isinstance(image, ScalarNode):
            ci.image(image, f"resources.containers[{index}].image", templates=_templates({}, parameters))
    env = ci.env_from(mapping_get(doc, "variables"), "variables.")
    _job(ci, "pipeline", doc, env, aliases, parameters)
    for index, job in enumerate(items(mapping_get(doc, "jobs"))):
        _job(ci, _job_name(job, index), job, env, aliases, parameters)
    for s_index, stage in enumerate(items(mapping_get(doc, "stages"))):
        stage_name = scalar_str(mapping_get(stage, "stage")) or f"stages[{s_index}]"
        stage_env = ci.env_from(mapping_get(stage, "variables"), "variables.", env)
        for index, job in enumerate(items(mapping_get(stage, "jobs"))):
            _job(ci, f"{stage_name}.{_job_name(job, index)}", job, stage_env, aliases, parameters)


def _job_name(job: Node, index: int) -> str:
    return scalar_str(mapping_get(job, "job")) or scalar_str(mapping_get(job, "deployment")) or f"jobs[{index}]"


def _job(ci: CiFile, scope: str, job: Node, env: Env, aliases: set[str], parameters: Env) -> None:
    if not isinstance(job, MappingNode):
        return
    env = ci.env_from(mapping_get(job, "variables"), "variables.", env) if scope != "pipeline" else env
    templates = _templates(env, parameters)
    container = mapping_get(job, "container")
    if isinstance(container, MappingNode):
        container = mapping_get(container, "image")
    _container(ci, container, f"{scope}.container", scope, aliases, templates)
    for name, _key, service in iter_mapping(mapping_get(job, "services")):
        _container(ci, service, f"{scope}.services.{name}", scope, aliases, templates)
    step_lists = [mapping_get(job, "steps")]
    strategy = mapping_get(job, "strategy")
    for _name, _key, kind in iter_mapping(strategy):
        for _hook, _k, hook in iter_mapping(kind):
            step_lists.append(mapping_get(hook, "steps"))
    for steps in step_lists:
        for step in items(steps):
            if isinstance(step, MappingNode):
                _step(ci, step, scope, env, templates)


def _container(
    ci: CiFile, node: Node | None, context: str, scope: str, aliases: set[str], templates: Templates
) -> None:
    text = scalar_str(node)
    if text is None or not isinstance(node, ScalarNode) or text.strip() in aliases:
        return
    ci.image(node, context, stage=scope, templates=templates)


def _step(ci: CiFile, step: MappingNode, scope: str, env: Env, templates: Templates) -> None:
    step_env = ci.env_from(mapping_get(step, "env"), "env.", _script_env(env))
    for key in ("script", "bash"):
        node = mapping_get(step, key)
        if node is not None:
            ci.script([node], scope, step_env, templates)
    task = (scalar_str(mapping_get(step, "task")) or "").strip()
    if task.lower().startswith("docker@"):
        _docker_task(ci, step, scope, templates)


def _docker_task(ci: CiFile, step: MappingNode, scope: str, templates: Templates) -> None:
    def expand(text: str) -> tuple[str, tuple[Step, ...]]:
        return ci.substitute(text, templates)

    inputs = mapping_get(step, "inputs")
    command = (scalar_str(mapping_get(inputs, "command")) or "buildAndPush").strip()
    span = node_span(mapping_get(step, "task") or step)
    written = f"task: {scalar_str(mapping_get(step, 'task'))}"
    connection = scalar_str(mapping_get(inputs, "containerRegistry"))
    if command == "login":
        ci.command(span, "docker", "login", scope, written=written, servers=(),
                   connection=connection, password_stdin=True, verb="Docker@2 login", editable=False)
        return
    if command not in ("build", "push", "buildAndPush"):
        return
    repo = ci.scalar_word(mapping_get(inputs, "repository"), expand=expand)
    if repo is None:
        return
    tags = ci.words(mapping_get(inputs, "tags"), expand=expand)
    if mapping_get(inputs, "tags") is None:
        tags = [Word(_DEFAULT_TAG, _DEFAULT_TAG, repo.span)]
    name = repo.value
    first = name.split("/", 1)[0]
    if connection and not ("." in first or ":" in first or first == "localhost"):
        # The registry host comes from the service connection, not from the file.
        name = f"$(containerRegistry)/{name}"
    targets = tuple(Word(tag.written, f"{name}:{tag.value}", tag.span, repo.via + tag.via) for tag in tags)
    pushes = command in ("push", "buildAndPush")
    if connection:
        # The task logs in with its service connection before pushing.
        ci.command(span, "docker", "login", scope, written=written, servers=(), connection=connection,
                   implicit=True, password_stdin=True, verb=f"Docker@2 {command}", editable=False)
    ci.command(span, "docker", "build" if command != "push" else "push", scope, args=targets, written=written,
               targets=targets, push=pushes, default_tag="latest", verb=f"Docker@2 {command}", editable=False)
