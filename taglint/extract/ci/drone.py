"""Drone and Woodpecker CI (``.drone.yml``, ``.woodpecker.yml``,
``.woodpecker/*.yml``).

Images: ``steps[].image`` (Drone lists, Woodpecker lists or mappings, and
the older Woodpecker ``pipeline:`` mapping) and ``services[].image``.

Commands: ``commands:`` run as one shell script per step (each step is its
own container: the scope is the step) with the step's ``environment:``.
Docker plugins (``plugins/docker``, ``plugins/ecr``, ``plugins/gcr``,
``plugins/acr``, ``plugins/heroku``, ``woodpeckerci/plugin-docker-buildx``,
``plugins/kaniko``…) build and push ``settings.repo`` (with
``settings.registry``) for each of ``settings.tags`` (a list or a
comma-separated string; the plugin's default is ``latest``), and log in
with ``settings.username``/``password`` (``from_secret`` values are
unknown; a literal string is recorded as the password).
"""
from __future__ import annotations

from taglint.extract.ci.common import (
    CiFile,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    items,
    iter_mapping,
    mapping_get,
    scalar_str,
)
from taglint.model import FileFacts, Word
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import node_span

KIND = "drone"
_PLUGINS = ("plugins/docker", "plugins/ecr", "plugins/gcr", "plugins/acr", "plugins/kaniko",
            "plugins/kaniko-ecr", "plugins/kaniko-gcr", "woodpeckerci/plugin-docker-buildx",
            "plugins/docker-buildx", "thegeeklab/drone-docker-buildx", "woodpeckerci/plugin-kaniko",
            "banzaicloud/drone-kaniko")


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    ci = CiFile(source, KIND)
    for index, doc in enumerate(ci.documents()):
        if isinstance(doc, MappingNode):
            _pipeline(ci, doc, scalar_str(mapping_get(doc, "name")) or f"pipeline[{index}]")
    return ci.facts


def _named_steps(node: Node | None) -> list[tuple[str, Node]]:
    if isinstance(node, SequenceNode):
        return [(scalar_str(mapping_get(s, "name")) or f"[{i}]", s) for i, s in enumerate(node.value)]
    return [(name, value) for name, _k, value in iter_mapping(node)]


def _pipeline(ci: CiFile, doc: MappingNode, pipeline: str) -> None:
    for key in ("steps", "pipeline", "services", "clone"):
        for name, step in _named_steps(mapping_get(doc, key)):
            if isinstance(step, MappingNode):
                _step(ci, f"{pipeline}.{key}.{name}", step)


def _step(ci: CiFile, scope: str, step: MappingNode) -> None:
    env = ci.env_from(mapping_get(step, "environment"), "environment.")
    image = mapping_get(step, "image")
    if isinstance(image, ScalarNode):
        ci.image(image, f"{scope}.image", stage=scope)
    commands = [c for c in items(mapping_get(step, "commands")) if isinstance(c, ScalarNode)]
    if commands:
        ci.script(commands, scope, env)
    plugin = (scalar_str(image) or "").strip().split("@")[0]
    plugin_name = plugin.rsplit(":", 1)[0] if ":" in plugin.rsplit("/", 1)[-1] else plugin
    settings = mapping_get(step, "settings")
    if plugin_name in _PLUGINS and isinstance(settings, MappingNode):
        _docker_plugin(ci, scope, image, settings, plugin_name)


def _docker_plugin(ci: CiFile, scope: str, image: Node | None, settings: MappingNode, plugin: str) -> None:
    span = node_span(image) if image is not None else node_span(settings)
    written = f"image: {scalar_str(image)}"
    registry = _setting_word(ci, mapping_get(settings, "registry"))
    username = mapping_get(settings, "username")
    password = mapping_get(settings, "password")
    if username is not None or password is not None:
        ci.command(span, "docker", "login", scope, written=written,
                   server=registry, default_server="docker.io",
                   user=_setting_word(ci, username),
                   password=_setting_word(ci, password),
                   password_stdin=True, verb=plugin, editable=False)
    elif plugin in ("plugins/ecr", "plugins/gcr", "plugins/acr", "plugins/kaniko-ecr", "plugins/kaniko-gcr"):
        ci.command(span, "docker", "login", scope, written=written, server=registry, implicit=True,
                   password_stdin=True, verb=plugin, editable=False)
    repo = _setting_word(ci, mapping_get(settings, "repo"))
    if repo is None:
        return
    prefix = ""
    if registry is not None and not repo.value.startswith(registry.value.rstrip("/") + "/"):
        prefix = registry.value.rstrip("/") + "/"
    tags_node = mapping_get(settings, "tags") or mapping_get(settings, "tag")
    tags = ci.words(tags_node)
    auto = (scalar_str(mapping_get(settings, "auto_tag")) or "").strip().lower() == "true"
    if not tags:
        default = "${DRONE_TAG}" if auto else "latest"
        tags = [Word(repo.written, default, repo.span)]
    targets = tuple(Word(t.written, f"{prefix}{repo.value}:{t.value}", t.span, repo.via + t.via) for t in tags)
    dry_run = (scalar_str(mapping_get(settings, "dry_run")) or "").strip().lower() == "true"
    ci.command(span, "docker", "build", scope, args=targets, written=written, targets=targets,
               push=not dry_run, default_tag="latest", verb=plugin, editable=False)


def _setting_word(ci: CiFile, node: Node | None) -> Word | None:
    """A settings value as a word; ``from_secret`` values are unknown."""
    if isinstance(node, MappingNode):
        secret = scalar_str(mapping_get(node, "from_secret"))
        if secret is not None:
            return Word(f"from_secret:{secret}", f"${{{secret}}}", node_span(node))
        return None
    return ci.scalar_word(node)
