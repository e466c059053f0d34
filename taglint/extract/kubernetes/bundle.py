"""Manifest files read one document at a time, skipping those that cannot
name an image without building their nodes.

A release bundle (``kubectl apply -f kserve.yaml``) is a few megabytes of
CustomResourceDefinition schemas followed by the controller's workloads;
a kubebuilder project or a Helm chart's ``crds/`` holds one CRD a file.
Composing it whole costs seconds and a node tree ten times its size, for
the few ``image:`` keys near its end.  Here each document
(:mod:`taglint.yaml_documents`) gets a cheap look at its top-level
``apiVersion:`` and ``kind:`` lines first, and is skipped when
:func:`cannot_hold_image` is sure that the manifest walk would find
nothing in it:

* objects the walk skips whole (``CustomResourceDefinition``, ``Secret``,
  machine images...: ``taglint/data/not_container_images.yaml``), unless an
  object reader (:mod:`taglint.extract.kubernetes.object_readers`) reads
  that kind: a ConfigMap with image settings in its data is read;
* documents whose text has no ``mage``, in any letter case (every image key, ``image`` or
  ``*Image``, has it; a document with a ``\\`` is looked at whole, as an
  escape in a quoted key could write it).

A skipped document is not parsed at all: the cut at the ``---`` lines is
exact whatever a document holds (:mod:`taglint.yaml_documents`), so what
it holds, broken or not, cannot change what the others say.  taglint
reads what can name an image; it is no YAML validator, and a syntax
error inside a CRD schema is not reported (parsing the schemas, even in
C without nodes, cost more than the rest of the scan together).  The
other documents are composed one by one with the marks of the whole
file, their images read, and their nodes dropped before the next: memory
follows the largest document that can hold an image, not the file.

:func:`images_by_document` returns None whenever the whole file must be
read the usual way: a text the splitter refuses (directives, odd line
breaks), or a document it composes that does not parse, so such a file
gets exactly the error, its place and the image-line recovery it gets
when read whole.  Setting the environment variable
``TAGLINT_WHOLE_FILE_YAML=1`` (or :data:`ENABLED` to False) turns this
path off; the tests compare both paths' findings.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable

from taglint.extract.kubernetes.object_readers import has_reader
from taglint.extract.not_container_images import api_group, skips_for
from taglint.model import ImageRef
from taglint.yaml_documents import compose, split_documents
from taglint.yamlnodes import Node, YamlError

ENABLED = os.environ.get("TAGLINT_WHOLE_FILE_YAML", "") != "1"

_TOP_KEY_VALUE = re.compile(r"""["']?(apiVersion|kind)["']?[ \t]*:[ \t]*(.*)""")
# A line that starts with a top-level key the peek reads, or with a quoted
# or complex key (group 1 None): the peek's one pass over a document.
_KEY_LINE = re.compile("\n(?:(apiVersion|kind)|[\"'?])")
_MAGE_ANY_CASE = re.compile("[mM][aA][gG][eE]")
_PLAIN_VALUE = re.compile(r"""(["']?)([A-Za-z0-9][A-Za-z0-9./-]*)\1[ \t]*(?:#.*)?""")


def images_by_document(text: str, read: Callable[[list[Node]], list[ImageRef]]) -> list[ImageRef] | None:
    """The images ``read`` finds in the documents of ``text`` that can hold
    one, or None when the text must be read whole (see the module docstring)."""
    if not ENABLED:
        return None
    pieces = split_documents(text)
    if pieces is None:
        return None
    refs: list[ImageRef] = []
    for piece in pieces:
        if cannot_hold_image(text, piece.start, piece.end):
            continue  # never copied, never parsed
        try:
            documents = compose(text, piece)
        except YamlError:
            return None
        refs.extend(read(documents))
        del documents
    return refs


def cannot_hold_image(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether the manifest walk finds no image in the document
    ``text[start:end]``, told from its text alone (False when unsure)."""
    end = len(text) if end is None else end
    if text.find("mage", start, end) < 0 and _MAGE_ANY_CASE.search(text, start, end) is None:
        # No image key is written here; an escape in a quoted key could write one.
        return text.find("\\", start, end) < 0
    found = peek_api_kind(text, start, end)
    if found is None:
        return False
    api_version, kind = found
    group = api_group(api_version)
    if kind.endswith("List") or has_reader(group, kind):
        return False
    return skips_for(group, kind).whole


def peek_api_kind(text: str, start: int = 0, end: int | None = None) -> tuple[str, str] | None:
    """The top-level ``apiVersion`` and ``kind`` the document
    ``text[start:end]`` writes at column 0 as plain (or simply quoted)
    words, each exactly once; else None.

    None too when a top-level key could be written in a way the look does
    not see: quoted (escapes) or as a complex key (``? kind``).  One pass
    over the document finds every line that matters."""
    end = len(text) if end is None else end
    lines: dict[str, list[int]] = {"apiVersion": [], "kind": []}
    if text.startswith(("apiVersion", "kind"), start, end):
        lines["apiVersion" if text.startswith("apiVersion", start, end) else "kind"].append(start)
    elif text.startswith(('"', "'", "?"), start, end):
        return None
    for match in _KEY_LINE.finditer(text, start, end):
        key = match.group(1)
        if key is None:
            return None  # a quoted or complex key at column 0
        lines[key].append(match.start(1))
    found: dict[str, str] = {}
    for key, starts in lines.items():
        if len(starts) != 1:
            return None  # not written, or twice (or a longer key starts the same way)
        line_end = text.find("\n", starts[0], end)
        match = _TOP_KEY_VALUE.fullmatch(text[starts[0] : line_end if line_end >= 0 else end].rstrip("\r"))
        if match is None or match.group(1) != key:
            return None
        value = _PLAIN_VALUE.fullmatch(match.group(2).rstrip())
        if value is None:
            return None
        found[key] = value.group(2)
    return found["apiVersion"], found["kind"]
