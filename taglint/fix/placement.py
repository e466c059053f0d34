"""Where a fix of an image reference is written: the place that decides the value.

A reference is not always written where it is used.  The edit that pins it
goes where the value is decided:

* written literally (``FROM python:3.12``, ``image: nginx``): the reference
  itself;
* a place that holds only the tag (a Helm values ``tag:``, the Kustomize
  ``newTag`` of the overlay that wins; resolvers move such references
  there, see :class:`taglint.model.ImageRef`): the tag alone;
* a Dockerfile ``ARG`` default (``ARG PY=3.12`` / ``FROM python:${PY}-slim``):
  the default, so the ARG keeps working for ``--build-arg``;
* never inside a template expression (``{{ .Values.tag | default "x" }}``,
  ``${TAG:-latest}``): no edit is offered there.

:func:`pin_edits` answers the edits, or ``()`` when no place can take the
new reference as it is.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from taglint.model import Edit, FileFacts, ImageRef, Span

# File kinds whose syntax has `#` comments after a value on its line.
YAML_KINDS = frozenset(
    {
        "kubernetes", "kustomization", "helm-values", "compose", "skaffold", "github-workflow",
        "github-action", "gitlab-ci", "circleci", "azure-pipelines", "bitbucket-pipelines",
        "cloudbuild", "drone",
    }
)


@dataclass(frozen=True)
class Target:
    """The reference a fix writes: ``name`` as written, then ``:tag`` and
    ``@digest`` when set; ``comment`` (the version tag of a digest pin) goes
    in a comment where the file's syntax has one."""

    name: str
    tag: str | None = None
    digest: str | None = None
    comment: str | None = None

    @property
    def text(self) -> str:
        return self.name + (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")

    @property
    def tag_text(self) -> str | None:
        """What a place holding only the tag gets: ``1.2.3`` or
        ``1.2.3@sha256:…`` (a digest alone cannot follow the ``:`` a
        template puts before the tag)."""
        if not self.tag:
            return None
        return self.tag + (f"@{self.digest}" if self.digest else "")


def _has_placeholder(text: str) -> bool:
    from taglint.tags import find_placeholders

    return bool(find_placeholders(text))


def pin_edits(
    ref: ImageRef, current_tag: str | None, target: Target, facts: FileFacts | None = None,
    line_text: str | None = None,
) -> tuple[Edit, ...]:
    """The edits that make ``ref`` read ``target``, at the place that decides
    its value.  ``current_tag`` is the tag of ``ref.value``; ``facts`` are the
    facts of ``ref.path`` (for Dockerfile ``ARG`` defaults); ``line_text`` is
    the line of ``ref.span`` when known (a digest pin's comment is added only
    where the rest of that line is known to allow it)."""
    span = ref.span
    if span.line != span.end_line:
        return ()
    written = ref.written
    if written == ref.value and not _has_placeholder(written):
        return (Edit(span, target.text), *_comment_edits(ref, target, line_text))
    if current_tag and written == current_tag and _holds_tag_only(ref) and not _has_placeholder(written):
        tag_text = target.tag_text
        return () if tag_text is None else (Edit(span, tag_text),)
    if written == "" and ref.origin is not None and _between_quotes(span, line_text):
        # a Helm values `tag: ""` the template defaults (to the chart's appVersion): set the tag there
        tag_text = target.tag_text
        return () if tag_text is None else (Edit(span, tag_text),)
    if ref.kind == "dockerfile" and facts is not None:
        edit = _arg_default_edit(ref, target.text, facts.extras.get("arg-defaults", {}))
        return () if edit is None else (edit, *_comment_edits(ref, target, line_text))
    return ()


def _between_quotes(span: Span, line_text: str | None) -> bool:
    """``span`` is the empty inside of ``""`` or ``''`` on ``line_text``."""
    if line_text is None or span.line != span.end_line or span.column != span.end_column or span.column < 2:
        return False
    before, after = line_text[span.column - 2 : span.column - 1], line_text[span.column - 1 : span.column]
    return before in ('"', "'") and before == after


def _holds_tag_only(ref: ImageRef) -> bool:
    """``ref.span`` is a place that holds only the tag: a resolver moved the
    reference there (``origin``), or a substitution read its value there
    (a Helm values ``tag:`` beside its ``repository:``)."""
    if ref.origin is not None:
        return True
    return any(
        step.location is not None and step.location.path == ref.path and step.location.span == ref.span
        for step in ref.via
    )


def _arg_default_edit(ref: ImageRef, new_value: str, defaults: Mapping[str, Span]) -> Edit | None:
    """``FROM python:${PY}-slim`` with ``ARG PY=3.12``: the edit of the
    ARG's default that makes the reference read ``new_value``, when the
    reference holds exactly one plain ``$NAME``/``${NAME}`` and the text
    around it stays as it is."""
    from taglint.tags import find_placeholders

    placeholders = find_placeholders(ref.written)
    if len(placeholders) != 1:
        return None
    placeholder = placeholders[0]
    inner = placeholder.text.removeprefix("$").removeprefix("{").removesuffix("}")
    if not inner.isidentifier():  # ${TAG:-latest}: the default is a template expression
        return None
    before, after = ref.written[: placeholder.start], ref.written[placeholder.end :]
    if len(new_value) < len(before) + len(after) or not (new_value.startswith(before) and new_value.endswith(after)):
        return None
    middle = new_value[len(before) : len(new_value) - len(after)]
    steps = [s for s in ref.via if s.name == f"ARG {inner}" and s.location is not None]
    if len(steps) != 1 or not middle or _has_placeholder(middle):
        return None
    location = steps[0].location
    span = defaults.get(f"{location.span.line}:{inner}") if location is not None else None
    if span is None or location is None or location.path != ref.path:
        return None
    return Edit(span, middle)


def _comment_edits(ref: ImageRef, target: Target, line_text: str | None) -> tuple[Edit, ...]:
    """The ``# 1.2.3`` comment of a digest pin: a line above a Dockerfile
    instruction (a trailing ``#`` is an argument to Docker), or after a YAML
    value that ends its line (known from ``line_text``)."""
    if not target.comment:
        return ()
    span = ref.span
    if ref.kind == "dockerfile":
        if ref.context != "FROM":  # COPY --from, RUN --mount: maybe a continued line, no comment there
            return ()
        indent = "" if line_text is None else line_text[: len(line_text) - len(line_text.lstrip())]
        return (Edit(Span(span.line, 1, span.line, 1), f"{indent}# {target.comment}\n"),)
    if ref.kind in YAML_KINDS and line_text is not None:
        rest = line_text[span.end_column - 1 :]
        if rest.strip() in ("", '"', "'") and "#" not in rest:
            end = len(line_text.rstrip("\r")) + 1
            return (Edit(Span(span.line, end, span.line, end), f" # {target.comment}"),)
    return ()
