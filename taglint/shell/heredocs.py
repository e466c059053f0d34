"""Kubernetes manifests written in shell heredocs and applied on the spot:

    kubectl apply -f - <<EOF          cat <<'EOF' | kubectl apply -f -
    apiVersion: v1                    apiVersion: apps/v1
    kind: Pod                         kind: Deployment
    …                                 …
    EOF                               EOF

A heredoc whose command line (with its ``\\`` continuation lines) runs
``kubectl``/``oc`` ``apply``, ``create`` or ``replace`` is parsed as YAML
with its positions in the script (:func:`taglint.extract.kubernetes.embedded.load_at`;
a ``<<-`` body's leading tabs are left out, as the shell does) and read
as a manifest file is (:func:`taglint.extract.kubernetes.manifests.images_of`):
its references have kind ``kubernetes`` and spans in the script.

The body is taken as written: an unquoted delimiter lets the shell expand
``$TAG`` in it, which stays as written here (TL108 names it).  A body that
is not YAML is left alone (a heredoc may be anything); nothing else of
the script is read here.
"""
from __future__ import annotations

import re

from taglint.model import ImageRef
from taglint.source import split_lines

_HEREDOC = re.compile(r"""(?<![<])<<(?P<dash>-?)[ \t]*(?:'(?P<single>[^'\n]+)'|"(?P<double>[^"\n]+)"|\\?(?P<bare>[A-Za-z0-9_.-]+))""")
_APPLIES = re.compile(r"(?<![\w-])(?:kubectl|oc)(?![\w-])[^|;&\n]*?(?<![\w-])(?:apply|create|replace)(?![\w-])")
MAX_BODY_LINES = 50_000


def manifest_images(text: str, path: str) -> list[ImageRef]:
    """The references of the manifests a script applies from heredocs."""
    if "<<" not in text or "mage" not in text or ("kubectl" not in text and "oc " not in text):
        return []
    from taglint.extract.kubernetes.embedded import load_at
    from taglint.extract.kubernetes.manifests import images_of
    from taglint.yamlnodes import YamlError

    lines = split_lines(text)
    refs: list[ImageRef] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" not in line and not line.endswith("\\"):
            index += 1
            continue
        end = index
        command = line
        while command.endswith("\\") and end + 1 < len(lines):
            end += 1
            command = command[:-1] + " " + lines[end]
        operators = [match for match in _HEREDOC.finditer(command) if not _quoted_or_comment(command, match.start())]
        if not operators:
            index = end + 1
            continue
        applies = _APPLIES.search(command) is not None
        body_start = end + 1
        for operator in operators:
            delimiter = operator.group("single") or operator.group("double") or operator.group("bare")
            dash = bool(operator.group("dash"))
            body, indents, after = _body(lines, body_start, delimiter, dash)
            if applies and "mage" in body:
                try:
                    documents = load_at(body, body_start + 1, indents)
                except YamlError:
                    documents = []
                refs.extend(images_of(documents, path, text))
            body_start = after
        index = max(body_start, end + 1)
    return refs


def _body(lines: list[str], start: int, delimiter: str, dash: bool) -> tuple[str, list[int], int]:
    """The heredoc body from line ``start`` (0-based): its text, the
    characters left out of each line, and the line after the delimiter."""
    kept: list[str] = []
    indents: list[int] = []
    index = start
    while index < len(lines) and index - start < MAX_BODY_LINES:
        raw = lines[index]
        content = raw.lstrip("\t") if dash else raw
        if content.rstrip("\r") == delimiter:
            return "\n".join(kept) + ("\n" if kept else ""), indents, index + 1
        kept.append(content)
        indents.append(len(raw) - len(content))
        index += 1
    return "\n".join(kept), indents, index


def _quoted_or_comment(line: str, position: int) -> bool:
    """Is ``position`` inside quotes, or after a ``#`` that starts a comment?"""
    quote = None
    escaped = False
    for index, char in enumerate(line[:position]):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return True
    return quote is not None
