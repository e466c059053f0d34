"""Google Cloud Build (``cloudbuild.yaml``/``.yml``/``.json``).

Images: every ``steps[].name`` is the image the step runs.  ``images:`` are
pushed at the end of the build: each becomes a ``push`` command.  An entry
with a tag pushes that tag.  An entry without one pushes the tags the
build's steps gave that name (the ``-t``/``--tag`` of its ``docker build``
steps and the targets of ``docker tag``, substitutions such as
``$SHORT_SHA`` included): Cloud Build pushes every local tag of the named
repository, as ``docker push`` did before Docker 20.10 and as Google's own
builds rely on (``images: [gcr.io/$PROJECT_ID/app]`` after ``docker build
-t …:$SHORT_SHA -t …:latest``).  Only a name the build tagged with no tag
(``-t gcr.io/p/app``) goes out as ``:latest``; a name no readable step tags
(a ``make`` step builds it) has unknown tags.  ``substitutions:`` (user
``_VARS``) are substituted; built-ins such as ``$SHORT_SHA``,
``$COMMIT_SHA``, ``$BUILD_ID`` stay as written for the tag classifier.

Commands: a docker step (``name: gcr.io/cloud-builders/docker`` or any
``docker`` image without another entrypoint) is analysed as the command
line ``docker ARGS…``, a kaniko step (``gcr.io/kaniko-project/executor``)
as ``/kaniko/executor ARGS…``; ``entrypoint: bash|sh`` steps with ``-c SCRIPT``
and ``script:`` fields go through the shell layer.  The whole build is one
scope; Cloud Build's service account is logged in to Artifact Registry and
Container Registry, so a login command covering those hosts is recorded
(tool ``gcloud``, ``servers``, ``implicit``).
"""
from __future__ import annotations

import re
from typing import Sequence

from taglint.extract.ci.common import (
    CiFile,
    Templates,
    MappingNode,
    Node,
    ScalarNode,
    items,
    mapping_get,
    read_mapping_documents,
    scalar_str,
)
from taglint.model import Command, FileFacts, Location, Step, Word
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import node_span

KIND = "cloudbuild"
SCOPE = ""  # one scope for the whole build: messages say "this pipeline"
GOOGLE_REGISTRIES = ("gcr.io", "*.gcr.io", "*-docker.pkg.dev", "pkg.dev")
_SHELLS = ("bash", "sh", "/bin/bash", "/bin/sh")
# Cloud Build writes a literal `$` in args as `$$` (`$$(date +%s)`): the
# shell sees one `$`.
_ESCAPED_DOLLAR = Templates(re.compile(r"\$\$"), lambda match: ("$", ()))
# `-c` alone or in a cluster of short options (`-ec`, `-ceux`): the next argument is the script.
_SCRIPT_FLAG = re.compile(r"-[a-z]*c[a-z]*")


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    return read_mapping_documents(source, KIND, _build)


def _build(ci: CiFile, doc: MappingNode) -> None:
    env = ci.env_from(mapping_get(doc, "substitutions"), "substitutions.")
    steps = [s for s in items(mapping_get(doc, "steps")) if isinstance(s, MappingNode)]
    images = mapping_get(doc, "images")
    if steps or images is not None:
        ci.command(node_span(doc), "gcloud", "login", SCOPE, written="(Cloud Build service account)",
                   servers=GOOGLE_REGISTRIES, implicit=True, verb="Cloud Build", editable=False)
    for index, step in enumerate(steps):
        where = f"steps[{index}]"
        name = mapping_get(step, "name")
        if isinstance(name, ScalarNode):
            ci.image(name, f"{where}.name", stage=SCOPE, env=env)
        step_env = ci.env_from(mapping_get(step, "env"), "env.", env)
        script = mapping_get(step, "script")
        if script is not None:
            ci.script([script], SCOPE, step_env)
            continue
        entrypoint = (scalar_str(mapping_get(step, "entrypoint")) or "").strip()
        image = (scalar_str(name) or "").strip()
        args = [a for a in items(mapping_get(step, "args")) if isinstance(a, ScalarNode)]
        if entrypoint in _SHELLS:
            for position, arg in enumerate(args[:-1]):
                if _SCRIPT_FLAG.fullmatch(scalar_str(arg) or ""):
                    ci.script([args[position + 1]], SCOPE, step_env, templates=_ESCAPED_DOLLAR)
                    break
        elif (not entrypoint or entrypoint == "docker") and re.search(r"(^|/)docker(:|$)", image.split("@")[0]):
            _argv_step(ci, "docker", args, step_env)
        elif not entrypoint and "kaniko-project/executor" in image:
            _argv_step(ci, "/kaniko/executor", args, step_env)
    tagged = _tags_given(ci.facts.commands)
    for index, item in enumerate(items(images)):
        word = ci.scalar_word(item, env)
        if word is None:
            continue
        written = f"images[{index}]: {word.written}"
        if _has_tag(word.value):
            ci.command(word.span, "gcloud", "push", SCOPE, args=(word,), written=written, targets=(word,),
                       push=True, default_tag="latest", verb="images:", editable=False)
            continue
        given = tagged.get(_same_name_key(word.value), [])
        ci.command(word.span, "gcloud", "push", SCOPE, args=(word,), written=written,
                   targets=tuple(_pushed_as(word, given)) or (word,), push=True,
                   default_tag="latest" if given else None, unknown_targets=None if given else True,
                   verb="images:", editable=False)


def _repository(value: str) -> str:
    """``gcr.io/p/app:1.0@sha256:…`` → ``gcr.io/p/app`` (a ``:port`` stays)."""
    name = value.split("@", 1)[0]
    colon = name.rfind(":")
    return name[:colon] if colon > name.rfind("/") else name


_BRACED = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _same_name_key(value: str) -> str:
    """The repository of ``value`` with ``${VAR}`` written ``$VAR``: the
    steps and ``images:`` of one file often spell a substitution both ways."""
    return _repository(_BRACED.sub(r"$\1", value))


def _has_tag(value: str) -> bool:
    return "@" in value or _repository(value) != value


def _tags_given(commands: Sequence[Command]) -> dict[str, list[tuple[Word, Step]]]:
    """Repository → the targets that build and tag commands of this file give
    it, each with the step that names the command."""
    given: dict[str, list[tuple[Word, Step]]] = {}
    for command in commands:
        if command.action not in ("build", "tag"):
            continue
        flag = f"{command.tool} build -t" if command.action == "build" else f"{command.tool} tag"
        for target in command.attributes.get("targets") or ():
            step = Step(flag, target.value, Location(command.path, target.span))
            given.setdefault(_same_name_key(target.value), []).append((target, step))
    return given


def _pushed_as(entry: Word, given: Sequence[tuple[Word, Step]]) -> list[Word]:
    """The ``images:`` entry as each tag the build gave its name: the
    entry's place and text, the tagged value, and the step that tagged it.
    A name the build also tagged without a tag goes out as ``:latest``,
    named so when other tags go out beside it."""
    explicit = any(_has_tag(target.value) for target, _ in given)
    out: list[Word] = []
    for target, step in given:
        value = target.value
        if explicit and not _has_tag(value):
            value += ":latest"
        word = Word(entry.written, value, entry.span, entry.via + (step,))
        if word not in out:
            out.append(word)
    return out


def _argv_step(ci: CiFile, program: str, args: Sequence[Node], env: dict) -> None:
    """Analyse ``PROGRAM ARGS…`` (a docker or kaniko step) with each argument
    mapped back to its node."""
    if not args:
        return
    parts = [program]
    table: list[tuple[int, int, ScalarNode]] = []  # (start in text, quote width, node)
    offset = len(program)
    for arg in args:
        text = scalar_str(arg) or ""
        quoted, width = _quote(text)
        offset += 1
        table.append((offset, width, arg))  # type: ignore[arg-type]
        parts.append(quoted)
        offset += len(quoted)
    script = " ".join(parts)
    first = node_span(args[0])

    def position(at: int) -> tuple[int, int]:
        current = None
        for start, width, node in table:
            if start <= at:
                current = (start, width, node)
        if current is None:
            return first.line, first.column
        start, width, node = current
        inner = max(0, at - start - width)
        text = scalar_str(node) or ""
        span = ci.sub_span(node, min(inner, len(text)), min(inner, len(text)))
        return span.line, span.column

    from taglint.shell import analyze_script

    found = analyze_script(script, path=ci.source.path, kind=KIND, scope=SCOPE, position=position,
                           env=env, editable=False)
    ci.facts.commands.extend(found.commands)
    ci.facts.images.extend(found.images)


_SAFE = re.compile(r"[A-Za-z0-9_@%+=:,./${}-]+")


def _quote(text: str) -> tuple[str, int]:
    """``text`` as one shell word that still expands ``$VAR`` (Cloud Build
    substitutes before the step runs), and the width of the opening quote."""
    if _SAFE.fullmatch(text):
        return text, 0
    escaped = re.sub(r'(["\\`])', r"\\\1", text)
    return f'"{escaped}"', 1
