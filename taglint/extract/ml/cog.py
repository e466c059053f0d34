"""Cog ``cog.yaml``: ``image:`` names where ``cog push`` publishes the
model's image (https://cog.run/yaml/#image), so it is a push target, not a
pull: a name without a tag goes out as ``:latest`` (TL201).

The push is recorded as a ``cog push`` :class:`~taglint.model.Command`
with the attribute conventions of :mod:`taglint.shell` (``push``,
``targets``, ``default_tag``, ``verb``).  ``cog login`` keeps its
credentials outside the repository, so the push counts as authenticated.
The base image Cog builds from is chosen by Cog from ``build.gpu``,
``python_version`` and the CUDA version; ``cog.yaml`` names no image to
pull.  A push to Replicate (``r8.im/owner/model``) creates a model version
that Replicate names itself, so no tag is expected there."""
from __future__ import annotations

from taglint.extract.ci.common import CiFile, MappingNode, mapping_get
from taglint.model import FileFacts
from taglint.source import ExtractContext, SourceFile

KIND = "cog"
# Registries that make each push a new model version (named by digest),
# where an untagged name is the documented way to push: Replicate.
VERSIONED_BY_THE_REGISTRY = frozenset({"r8.im"})
SCOPE = "cog push"


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    ci = CiFile(source, KIND)
    for document in ci.documents():
        if not isinstance(document, MappingNode):
            continue
        target = ci.scalar_word(mapping_get(document, "image"))
        if target is None:
            continue
        replicate = target.value.split("/", 1)[0] in VERSIONED_BY_THE_REGISTRY
        ci.command(
            target.span, "cog", "push", SCOPE,
            args=(target,), written=f"image: {target.written}",
            push=True, targets=(target,), default_tag=None if replicate else "latest", verb="cog push",
            authenticated=True,
        )
    return ci.facts
