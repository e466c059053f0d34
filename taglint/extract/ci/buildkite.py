"""Buildkite pipelines (``.buildkite/*.yml``, ``buildkite.yml``,
``buildkite/pipeline.yml``).

Steps are read from ``steps:`` (or a pipeline that is a bare list of
steps), inside ``group`` steps too.  For each command step:

* ``command``/``commands`` run as one shell script (the scope is the
  step), with the pipeline's and the step's ``env:``;
* ``image`` (pipeline-level or per step: the container the step runs in
  on hosted agents and the Kubernetes stack);
* ``plugins`` (a list of ``name#ref: {settings}`` mappings or bare
  ``name#ref`` strings, or one mapping of them): each is a plugin
  reference (an :class:`ActionRef`: a Git repository at a tag or branch;
  no ``#ref`` means its default branch), and

  - ``docker#vX``: ``image`` is the image the step runs in;
  - ``docker-compose#vX``: ``push`` entries (``service:image[:tag]``)
    are push targets (``latest`` when untagged).  The ``config`` files
    are Compose files, read by the Compose extractor when the scan reaches
    them; ``image-repository`` only caches built images under tags the
    plugin makes from the build, so nothing is recorded for it;
  - ``docker-login#vX`` (``server``, ``username``, ``password-env``) and
    ``ecr#vX`` (``login: true``) log in to a registry for the step;
  - ``kubernetes`` (agent-stack-k8s): ``podSpec`` containers' ``image``.

``$VAR``/``${VAR}`` in image names are substituted from ``env:``, as the
agent interpolates the pipeline when it is uploaded.
"""
from __future__ import annotations

from taglint.extract.ci.common import (
    CiFile,
    Env,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    as_list,
    items,
    iter_mapping,
    mapping_get,
    scalar_str,
)
from taglint.extract.image_keys import add_images
from taglint.model import FileFacts, Word
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import node_span

KIND = "buildkite"
_POD_IMAGES = ("podSpec.containers[].image", "podSpec.initContainers[].image", "sidecars[].image")


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    ci = CiFile(source, KIND)
    for doc in ci.documents():
        ci.root = doc
        if isinstance(doc, MappingNode):
            env = ci.env_from(mapping_get(doc, "env"), "env.")
            image = mapping_get(doc, "image")
            if isinstance(image, ScalarNode):
                ci.image(image, "image", env=env)
            _steps(ci, mapping_get(doc, "steps"), env, "steps")
        elif isinstance(doc, SequenceNode):
            _steps(ci, doc, {}, "steps")
    return ci.facts


def plugin_name_and_ref(text: str) -> tuple[str, str | None]:
    """``docker#v5.9.0`` → ``("docker", "v5.9.0")``; no ``#``: no ref."""
    name, hash_sign, ref = text.strip().partition("#")
    return name, (ref if hash_sign else None)


def short_name(name: str) -> str:
    """``buildkite-plugins/docker-compose-buildkite-plugin`` (or a Git URL) → ``docker-compose``."""
    last = name.rstrip("/").rsplit("/", 1)[-1]
    if last.endswith(".git"):
        last = last[:-4]
    return last.removesuffix("-buildkite-plugin")


def _steps(ci: CiFile, node: Node | None, env: Env, label: str) -> None:
    for index, step in enumerate(items(node)):
        if not isinstance(step, MappingNode):
            continue
        name = (scalar_str(mapping_get(step, "key")) or scalar_str(mapping_get(step, "label"))
                or scalar_str(mapping_get(step, "group")) or f"[{index}]")
        scope = f"{label}[{index}]" if name == f"[{index}]" else name
        if mapping_get(step, "group") is not None:
            _steps(ci, mapping_get(step, "steps"), env, f"{scope}.steps")
            continue
        _step(ci, step, scope, ci.env_from(mapping_get(step, "env"), "env.", env))


def _step(ci: CiFile, step: MappingNode, scope: str, env: Env) -> None:
    image = mapping_get(step, "image")
    if isinstance(image, ScalarNode):
        ci.image(image, f"{scope}.image", stage=scope, env=env)
    for plugin_key, settings in _plugins(mapping_get(step, "plugins")):
        _plugin(ci, plugin_key, settings, scope, env)
    commands = [c for key in ("command", "commands") for c in as_list(mapping_get(step, key))
                if isinstance(c, ScalarNode)]
    if commands:
        ci.script(commands, scope, env)


def _plugins(node: Node | None) -> list[tuple[ScalarNode, Node | None]]:
    """``(name#ref key node, settings)`` for each plugin of a step."""
    found: list[tuple[ScalarNode, Node | None]] = []
    if isinstance(node, MappingNode):
        found.extend((key, value) for _n, key, value in iter_mapping(node) if isinstance(key, ScalarNode))
    for item in items(node):
        if isinstance(item, ScalarNode):
            found.append((item, None))
        elif isinstance(item, MappingNode):
            found.extend((key, value) for _n, key, value in iter_mapping(item) if isinstance(key, ScalarNode))
    return found


def _plugin(ci: CiFile, key: ScalarNode, settings: Node | None, scope: str, env: Env) -> None:
    text = str(key.value)
    name, ref = plugin_name_and_ref(text)
    if not name:
        return
    if name != "kubernetes":  # agent-stack-k8s's built-in plugin, not a repository
        ci.action(key, text.strip(), name, ref, start=len(text) - len(text.lstrip()))
    plugin = short_name(name)
    if not isinstance(settings, MappingNode):
        return
    context = f"{scope}.plugins.{plugin}"
    if plugin == "docker":
        image = mapping_get(settings, "image")
        if isinstance(image, ScalarNode):
            ci.image(image, f"{context}.image", stage=scope, env=env)
    elif plugin == "docker-compose":
        _compose_push(ci, key, settings, scope, env)
    elif plugin == "docker-login":
        _login(ci, key, settings, scope, env)
    elif plugin == "ecr" and (scalar_str(mapping_get(settings, "login")) or "true").lower() != "false":
        ci.command(node_span(key), "docker", "login", scope, written=text, any_server=True, implicit=True,
                   password_stdin=True, verb=text, editable=False)
    elif plugin == "kubernetes":
        add_images(ci, settings, _POD_IMAGES, prefix=f"{context}.", stage=scope)


def _compose_push(ci: CiFile, key: ScalarNode, settings: MappingNode, scope: str, env: Env) -> None:
    targets: list[Word] = []
    for item in as_list(mapping_get(settings, "push")):
        text = scalar_str(item)
        if not isinstance(item, ScalarNode) or text is None:
            continue
        service, colon, image = text.strip().partition(":")
        if not colon or not image:
            continue  # a bare service: pushed under the image its Compose file names
        start = len(text) - len(text.lstrip()) + len(service) + 1
        targets.append(ci.word(item, start, image, env))
    if targets:
        ci.command(node_span(key), "docker", "push", scope, args=tuple(targets), written=str(key.value),
                   targets=tuple(targets), push=True, default_tag="latest", verb=str(key.value), editable=False)


def _login(ci: CiFile, key: ScalarNode, settings: MappingNode, scope: str, env: Env) -> None:
    server = ci.scalar_word(mapping_get(settings, "server"), env)
    user = ci.scalar_word(mapping_get(settings, "username"), env)
    ci.command(node_span(key), "docker", "login", scope, written=str(key.value), server=server,
               default_server="docker.io", user=user, password_stdin=True, verb=str(key.value), editable=False)
