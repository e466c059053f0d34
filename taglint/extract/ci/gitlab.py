"""GitLab CI (``.gitlab-ci.yml`` and files under ``.gitlab-ci/``).

Jobs are the top-level mappings that are not keywords.  Each job's
effective configuration is computed as GitLab does: ``extends`` (a name or
a list, hidden ``.templates`` included, up to 11 levels) is merged first —
mappings deep-merged, everything else replaced — then ``default:`` (and the
deprecated top-level ``image``/``services``/``before_script``/
``after_script``) fills what the job does not set, unless ``inherit:
default:`` says otherwise; YAML anchors and merge keys come from the
composer.  ``!reference [.job, key]`` items in script lists are spliced in.

Images: ``image`` (string or ``name:``) and ``services`` (strings or
``name:``) of every job, hidden ones included (a template names images
too), reported where they are written; ``$VAR``/``${VAR}`` are substituted
from global and job ``variables:`` (GitLab's ``{value: …}`` form too).
Predefined variables (``$CI_COMMIT_SHA``…) stay as written for the tag
classifier.  In a CI/CD component, ``$[[ inputs.x ]]`` takes the default
from the ``spec:`` header document (or becomes ``${x}``), in images,
variables and scripts.

Commands: ``before_script`` + ``script`` run as one shell script,
``after_script`` as another, both in the job's scope, with the job's
variables.  Component references: ``include: component: …@ref`` and
``include: project:`` with its ``ref:`` (no ``ref:`` follows the default
branch).
"""
from __future__ import annotations

import re
from typing import Any

from taglint.extract.ci.common import (
    CiFile,
    Env,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    Templates,
    as_list,
    get,
    iter_mapping,
    mapping_get,
    scalar_str,
)
from taglint.model import FileFacts, Step
from taglint.source import ExtractContext, SourceFile

KIND = "gitlab-ci"
KEYWORDS = frozenset({
    "image", "services", "stages", "types", "before_script", "after_script", "variables",
    "cache", "include", "workflow", "default", "spec",
})
DEFAULT_KEYS = ("image", "services", "before_script", "after_script")
_MAX_EXTENDS = 11

Config = dict[str, Any]  # key -> Node, or for "variables" a dict name -> Node


_INPUT = re.compile(r"\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*(?:\|[^\]]*)?\]\]")


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    ci = CiFile(source, KIND)
    inputs: Node | None = None
    for doc in ci.documents():
        if not isinstance(doc, MappingNode):
            continue
        keys = [name for name, _k, _v in iter_mapping(doc)]
        if keys == ["spec"]:
            inputs = get(doc, "spec", "inputs")  # the header document of a CI/CD component
            continue
        _pipeline(ci, doc, _templates(ci, inputs), dict(ctx.inherited))
    return ci.facts


def _templates(ci: CiFile, inputs: Node | None) -> Templates:
    """``$[[ inputs.x ]]``: the input's ``default`` from the component's
    ``spec:``, else ``${x}`` (a value given where the component is included)."""

    def resolve(match: re.Match[str]) -> tuple[str, tuple[Step, ...]]:
        name = match.group(1)
        declared = mapping_get(inputs, name)
        value = mapping_get(declared, "default")
        text = scalar_str(value)
        if text is None or value is None:
            location = ci.location(declared) if declared is not None else None
            return f"${{{name}}}", (Step(f"inputs.{name}", None, location),)
        return text, (Step(f"inputs.{name}", text, ci.location(value)),)

    return Templates(_INPUT, resolve)


def _pipeline(ci: CiFile, doc: MappingNode, templates: Templates, inherited: Env) -> None:
    """One pipeline document; ``inherited``: the global variables of the
    pipeline that includes this file (``include: local:``), which its own
    ``variables:`` override, as GitLab merges them."""
    _includes(ci, mapping_get(doc, "include"))
    jobs: dict[str, MappingNode] = {}
    for name, _key, value in iter_mapping(doc):
        if name not in KEYWORDS and isinstance(value, MappingNode):
            jobs[name] = value
    defaults: Config = {}
    for key in DEFAULT_KEYS:
        node = mapping_get(doc, key)
        if node is not None:
            defaults[key] = node
    default = mapping_get(doc, "default")
    for key in DEFAULT_KEYS:
        node = mapping_get(default, key)
        if node is not None:
            defaults[key] = node
    global_env = _templated_env(ci, ci.env_from(mapping_get(doc, "variables"), "variables.", inherited), templates)
    if "gitlab-local-includes" in ci.facts.extras:
        # For the files this one includes (taglint.gitlab_includes): they run in this pipeline.
        ci.facts.extras["gitlab-variables"] = tuple(global_env.items())
    _images(ci, "default", defaults, global_env, templates)
    for name in jobs:
        _job(ci, name, _effective(name, jobs), defaults, global_env, jobs, templates)


def _templated_env(ci: CiFile, env: Env, templates: Templates) -> Env:
    out: Env = {}
    for name, step in env.items():
        if step.value is not None and "$[[" in step.value:
            value, _ = ci.substitute(step.value, templates)
            step = Step(step.name, value, step.location)
        out[name] = step
    return out


_REMOTE = re.compile(r"^\s*https?://", re.IGNORECASE)


def _includes(ci: CiFile, node: Node | None) -> None:
    """Component and project references (``ActionRef``), and the local
    files the pipeline includes (``include: local:`` or a plain path), in
    ``extras["gitlab-local-includes"]`` for :mod:`taglint.gitlab_includes`."""
    for item in as_list(node):
        local = mapping_get(item, "local") if isinstance(item, MappingNode) else item
        local_path = scalar_str(local) if isinstance(local, ScalarNode) else None
        if local_path and local_path.strip() and not _REMOTE.match(local_path):
            ci.facts.extras.setdefault("gitlab-local-includes", []).append(local_path.strip())
        if not isinstance(item, MappingNode):
            continue
        component = mapping_get(item, "component")
        text = scalar_str(component)
        if text is not None and isinstance(component, ScalarNode):
            stripped = text.strip()
            lead = len(text) - len(text.lstrip())
            name, at, ref = stripped.partition("@")
            if "$" not in ref:  # the host is often $CI_SERVER_FQDN; a templated ref is unknown
                ci.action(component, stripped, name, ref if at else None, start=lead)
            continue
        project = mapping_get(item, "project")
        project_name = scalar_str(project)
        if project_name is None or not isinstance(project, ScalarNode) or "$" in project_name:
            continue
        ref_node = mapping_get(item, "ref")
        project_ref = scalar_str(ref_node)
        if isinstance(ref_node, ScalarNode) and project_ref is not None:
            if "$" not in project_ref:
                pinned = project_ref.strip()
                ci.action(ref_node, f"{project_name.strip()}@{pinned}", project_name.strip(), pinned,
                          start=len(project_ref) - len(project_ref.lstrip()), length=len(pinned))
        else:
            stripped = project_name.strip()
            ci.action(project, stripped, stripped, None, start=len(project_name) - len(project_name.lstrip()))


def _effective(name: str, jobs: dict[str, MappingNode]) -> Config:
    """The job's keys after ``extends`` (GitLab merge: hashes deep, arrays replaced)."""
    return _resolve(name, jobs, 0, set())


def _resolve(name: str, jobs: dict[str, MappingNode], depth: int, seen: set[str]) -> Config:
    job = jobs.get(name)
    if job is None or name in seen or depth > _MAX_EXTENDS:
        return {}
    seen = seen | {name}
    merged: Config = {}
    for parent in as_list(mapping_get(job, "extends")):
        parent_name = scalar_str(parent)
        if parent_name is not None:
            _merge(merged, _resolve(parent_name.strip(), jobs, depth + 1, seen))
    own: Config = {}
    for key, _k, value in iter_mapping(job):
        if key == "extends":
            continue
        own[key] = _as_config(value) if isinstance(value, MappingNode) else value
    _merge(merged, own)
    return merged


def _as_config(node: MappingNode, seen: frozenset[int] = frozenset()) -> Config:
    """A mapping as nested dicts of nodes; recursive anchors (``&a {x: *a}``)
    and absurd depths are cut."""
    if id(node) in seen or len(seen) > 64:
        return {}
    inner = seen | {id(node)}
    return {
        key: (_as_config(v, inner) if isinstance(v, MappingNode) else v) for key, _k, v in iter_mapping(node)
    }


def _merge(into: Config, other: Config) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _job(
    ci: CiFile, name: str, config: Config, defaults: Config, global_env: Env, jobs: dict[str, MappingNode],
    templates: Templates,
) -> None:
    inherit = config.get("inherit")
    use_defaults: set[str] = set(DEFAULT_KEYS)
    use_variables = True
    if isinstance(inherit, dict):
        default_setting = inherit.get("default")
        if isinstance(default_setting, ScalarNode) and scalar_str(default_setting) in ("false", "False"):
            use_defaults = set()
        elif isinstance(default_setting, SequenceNode):
            use_defaults = {scalar_str(i) or "" for i in default_setting.value}
        variables_setting = inherit.get("variables")
        if isinstance(variables_setting, ScalarNode) and scalar_str(variables_setting) in ("false", "False"):
            use_variables = False
    if not name.startswith("."):  # hidden jobs are templates: defaults apply where they are used
        for key in DEFAULT_KEYS:
            if key not in config and key in defaults and key in use_defaults:
                config[key] = defaults[key]

    env: Env = dict(global_env) if use_variables else {}
    variables = config.get("variables")
    if isinstance(variables, dict):
        for var, value in variables.items():
            if isinstance(value, dict):
                value = value.get("value")
            if isinstance(value, Node):
                env[var] = ci._variable(var, value, "variables.")
    env = _templated_env(ci, env, templates)
    if _tag_pipelines_only(config):
        # In a tag pipeline the ref *is* the tag: a version, not a branch.
        for ref_var in ("CI_COMMIT_REF_NAME", "CI_COMMIT_REF_SLUG"):
            env.setdefault(ref_var, Step(f"{ref_var} (tag pipelines only)", "$CI_COMMIT_TAG"))

    scope = name
    _images(ci, name, config, env, templates)

    main = _script_items(config.get("before_script"), jobs) + _script_items(config.get("script"), jobs)
    if main:
        ci.script(main, scope, env, templates)
    after = _script_items(config.get("after_script"), jobs)
    if after:
        ci.script(after, scope, env, templates)


_TAG_RULE = re.compile(r"^\s*\$CI_COMMIT_TAG\s*(?:$|=~|&&)")


def _tag_pipelines_only(config: Config) -> bool:
    """``only: [tags]`` / ``only: {refs: [tags]}``, or ``rules:`` whose every
    ``if:`` requires ``$CI_COMMIT_TAG``: the job runs for tags only."""
    only = config.get("only")
    if isinstance(only, dict):
        only = only.get("refs")
    if isinstance(only, Node):
        refs = [scalar_str(item) for item in as_list(only)]
        if refs and all(ref == "tags" or (ref or "").startswith("/") for ref in refs) and "tags" in refs:
            return True
    rules = config.get("rules")
    if isinstance(rules, SequenceNode) and rules.value:
        conditions = [scalar_str(mapping_get(rule, "if")) for rule in rules.value]
        whens = [scalar_str(mapping_get(rule, "when")) for rule in rules.value]
        return all(
            (c is not None and _TAG_RULE.match(c)) or w == "never" for c, w in zip(conditions, whens)
        ) and any(c is not None and _TAG_RULE.match(c) for c in conditions)
    return False


def _images(ci: CiFile, name: str, config: Config, env: Env, templates: Templates) -> None:
    image = config.get("image")
    if isinstance(image, dict):
        image = image.get("name")
    elif isinstance(image, MappingNode):
        image = mapping_get(image, "name")
    if isinstance(image, ScalarNode):
        ci.image(image, f"{name}.image", stage=name, env=env, templates=templates)
    services = config.get("services")
    for index, service in enumerate(as_list(services) if isinstance(services, Node) else []):
        node = mapping_get(service, "name") if isinstance(service, MappingNode) else service
        if isinstance(node, ScalarNode):
            ci.image(node, f"{name}.services[{index}]", stage=name, env=env, templates=templates)


def _script_items(node: Any, jobs: dict[str, MappingNode], depth: int = 0) -> list[Node]:
    """Scalars of a script list, with ``!reference [.job, key]`` spliced in."""
    if not isinstance(node, Node) or depth > 10:
        return []
    if isinstance(node, SequenceNode) and node.tag == "!reference":
        return _script_items(_reference(node, jobs), jobs, depth + 1)
    out: list[Node] = []
    for item in as_list(node):
        if isinstance(item, ScalarNode):
            out.append(item)
        elif isinstance(item, SequenceNode):
            out.extend(_script_items(item, jobs, depth + 1))
    return out


def _reference(node: SequenceNode, jobs: dict[str, MappingNode]) -> Node | None:
    path = [scalar_str(item) for item in node.value]
    if not path or any(p is None for p in path):
        return None
    current: Node | None = jobs.get(path[0] or "")
    for key in path[1:]:
        current = mapping_get(current, key or "")
    return current
