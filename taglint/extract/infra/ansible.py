"""Ansible playbooks and task files that run containers.

A task calls a module by its key, short or fully qualified
(``docker_container``, ``community.docker.docker_container``,
``containers.podman.podman_container``); tasks sit in plays (``tasks``,
``pre_tasks``, ``post_tasks``, ``handlers``), in ``block``/``rescue``/
``always`` lists, or are the whole file (``roles/*/tasks/main.yml``):
every mapping of the file that names one of these modules is read.

* ``docker_container``, ``podman_container``, ``docker_swarm_service``:
  ``image`` — the image the container runs.
* ``docker_image``, ``podman_image``, ``docker_image_pull``: ``name``
  with ``tag`` (default ``latest``; a tag in ``name`` wins), pulled when
  ``source`` is ``pull`` (``docker_image``'s default before it became
  required) — recorded at the ``tag`` when one is written, else at the name.
  With ``push: true`` (or ``docker_image_push``) the image is pushed to
  ``repository`` (or ``name``): a push target, for the push rules; the
  Docker daemon's credentials are used, so no login is expected in the
  file.  ``source: build`` builds it: nothing is pulled.

The module arguments may also be written ``key=value`` on one line
(``docker_container: name=web image=nginx``).  ``{{ var }}`` in values is
substituted from the role's ``defaults/main.yml``, the play's ``vars:``,
the role's ``vars/main.yml`` and the task's ``vars:``, in Ansible's order
(:mod:`taglint.extract.infra.ansible_role`; string values only); anything
else (inventory ``group_vars``, facts, ``--extra-vars``) stays as written.
"""
from __future__ import annotations

import re

from taglint.extract.ci.common import (
    CiFile,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    iter_mapping,
    mapping_get,
    scalar_str,
)
from taglint.extract.image_keys import find
from taglint.extract.infra.ansible_role import role_variables
from taglint.model import FileFacts, Span, Step, Word
from taglint.source import ExtractContext, SourceFile

KIND = "ansible"
_PREFIXES = ("community.docker.", "containers.podman.", "community.general.")
RUN_MODULES = frozenset({"docker_container", "podman_container", "docker_swarm_service"})
IMAGE_MODULES = frozenset({"docker_image", "podman_image", "docker_image_pull", "docker_image_push"})
_JINJA = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_KEY_VALUE = re.compile(r"(?:^|(?<=\s))([A-Za-z_]+)=(\S+)")


def module_name(key: str) -> str | None:
    """``community.docker.docker_image`` → ``docker_image`` (None: not ours)."""
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix):]
            break
    return key if key in RUN_MODULES or key in IMAGE_MODULES else None


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    ci = CiFile(source, KIND)
    defaults, role_vars = role_variables(source)
    for doc in ci.documents():
        _read(ci, doc, defaults, role_vars)
    return ci.facts


def _read(ci: CiFile, root: Node, defaults: dict[str, Step], role_vars: dict[str, Step]) -> None:
    """Each play (or task) of the file, with the play's own ``vars:``."""
    for item in root.value if isinstance(root, SequenceNode) else [root]:
        play_vars = _vars_of(ci, mapping_get(item, "vars")) if _is_play(item) else {}
        for _path, node in find(item, "**"):
            if isinstance(node, MappingNode):
                _task(ci, node, {**defaults, **play_vars, **role_vars})


def _is_play(node: Node) -> bool:
    return isinstance(node, MappingNode) and any(
        mapping_get(node, key) is not None for key in ("hosts", "tasks", "roles", "pre_tasks", "post_tasks"))


def _task(ci: CiFile, node: MappingNode, outer: dict[str, Step]) -> None:
    """The container module a mapping calls, if any.  ``outer`` holds the
    variables above the task in Ansible's order, weakest first (role
    defaults, play vars, role vars); the task's own ``vars:`` win."""
    for key, _key_node, value in iter_mapping(node):
        module = module_name(key)
        if module is None:
            continue
        env = {**outer, **_vars_of(ci, mapping_get(node, "vars"))}
        task = scalar_str(mapping_get(node, "name")) or key
        arguments = _arguments(ci, value)
        if module in RUN_MODULES:
            _image(ci, arguments.get("image"), f"{key}.image", task, env)
        else:
            _image_module(ci, module, key, arguments, task, env)


def _vars_of(ci: CiFile, node: Node | None) -> dict[str, Step]:
    found: dict[str, Step] = {}
    for name, _key, value in iter_mapping(node):
        text = scalar_str(value)
        if isinstance(value, ScalarNode) and text is not None and "{{" not in text:
            found[name] = Step(f"vars.{name}", text, ci.location(value))
    return found


class _Argument:
    """One module argument: its text and where it is written."""

    def __init__(self, text: str, span: Span, node: ScalarNode | None = None) -> None:
        self.text = text
        self.span = span
        self.node = node


def _arguments(ci: CiFile, value: Node | None) -> dict[str, _Argument]:
    out: dict[str, _Argument] = {}
    if isinstance(value, MappingNode):
        for name, _key, node in iter_mapping(value):
            text = scalar_str(node)
            if isinstance(node, ScalarNode) and text is not None and text.strip():
                stripped = text.strip()
                lead = len(text) - len(text.lstrip())
                out[name] = _Argument(stripped, ci.sub_span(node, lead, lead + len(stripped)), node)
    elif isinstance(value, ScalarNode):  # name=web image=nginx:1.25
        text = str(value.value)
        for match in _KEY_VALUE.finditer(text):
            out[match.group(1)] = _Argument(match.group(2), ci.sub_span(value, match.start(2), match.end(2)))
    return out


def _expand(text: str, env: dict[str, Step]) -> tuple[str, tuple[Step, ...]]:
    via: list[Step] = []

    def replace(match: re.Match[str]) -> str:
        step = env.get(match.group(1))
        if step is None or step.value is None:
            return match.group(0)
        via.append(step)
        return step.value

    return _JINJA.sub(replace, text), tuple(via)


def _image(ci: CiFile, argument: _Argument | None, context: str, task: str, env: dict[str, Step]) -> None:
    if argument is None:
        return
    value, via = _expand(argument.text, env)
    ci.add_image(argument.span, argument.text, value, context, via=via, stage=task)


def _truthy(argument: _Argument | None) -> bool:
    return argument is not None and argument.text.lower() in ("true", "yes", "on", "1")


def _image_module(ci: CiFile, module: str, key: str, arguments: dict[str, _Argument], task: str,
                  env: dict[str, Step]) -> None:
    name = arguments.get("name")
    if name is None:
        return
    tag = arguments.get("tag")
    source = (arguments["source"].text.lower() if "source" in arguments else "pull")
    push = module == "docker_image_push" or _truthy(arguments.get("push"))
    name_value, name_via = _expand(name.text, env)
    has_tag = ":" in name_value.rsplit("/", 1)[-1] or "@" in name_value
    if module != "docker_image_push" and source == "pull":
        if tag is not None and not has_tag:
            tag_value, tag_via = _expand(tag.text, env)
            ci.add_image(tag.span, tag.text, f"{name_value}:{tag_value}", f"{key}.tag", via=name_via + tag_via,
                         stage=task)
        else:
            ci.add_image(name.span, name.text, name_value, f"{key}.name", via=name_via, stage=task)
    if push:
        _push(ci, key, arguments, name, name_value, name_via, task, env)


def _push(ci: CiFile, key: str, arguments: dict[str, _Argument], name: _Argument, name_value: str,
          name_via: tuple[Step, ...], task: str, env: dict[str, Step]) -> None:
    repository = arguments.get("repository")
    tag = arguments.get("tag")
    if repository is not None:
        target, via = _expand(repository.text, env)
        where = repository
    else:
        target, via, where = name_value, name_via, name
    target_has_tag = ":" in target.rsplit("/", 1)[-1] or "@" in target
    if not target_has_tag and tag is not None:
        tag_value, tag_via = _expand(tag.text, env)
        target, via = f"{target}:{tag_value}", via + tag_via
    word = Word(where.text, target, where.span, via)
    # the module's default tag is `latest`: an untagged target goes out as :latest
    ci.command(where.span, "ansible", "push", task, args=(word,), written=f"{key}: push",
               targets=(word,), push=True, default_tag="latest", verb=key, authenticated=True, editable=False)
