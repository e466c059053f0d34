"""Where a substituted value came from, as notes on a finding.

A finding's headline names the reference as taglint resolved it
(``python:3.12``); the substitutions that produced it (``ARG PY=3.12``,
``$TAG``, ``values.image.tag``) are notes (``Finding.related``), each at the
place the variable is set when that is known::

    = note: Dockerfile:1:5: the tag comes from ARG PY, set here to `3.12`

so every report format carries them with their location.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from taglint.model import Location, Related, Span, Step


def substitution_notes(path: str, span: Span, value: str, via: Sequence[Step]) -> tuple[Related, ...]:
    """One note per substitution of ``via`` (in order), about ``value``."""
    here = Location(path, span)
    return tuple(
        Related(step.location or here, _message(step, value, known_place=step.location is not None))
        for step in via
    )


def merged_notes(notes: Iterable[Related]) -> tuple[Related, ...]:
    """Notes without repeats (several words substituted by one variable)."""
    return tuple(dict.fromkeys(notes))


def _message(step: Step, value: str, known_place: bool) -> str:
    if step.value is None and step.note:  # "value too large to expand" (taglint.limits)
        return f"{step.name} has a {step.note}{', set here' if known_place else ''}"
    if step.value is None:
        declared = ", declared here" if known_place else ""
        return f"{step.name} has no value taglint can see{declared}"
    part = part_named(step.value, value)
    if step.value == "":
        shown = "an empty value"
    else:
        shown = f"`{step.value}`"
    if known_place:
        return f"the {part} comes from {step.name}, set here to {shown}"
    return f"the {part} comes from {step.name}, which is {shown}"


def part_named(supplied: str, value: str) -> str:
    """Which part of the reference ``value`` the text ``supplied`` makes:
    ``image reference``, ``registry``, ``image name``, ``tag``, ``digest``,
    or ``value`` (a step whose text is not in the result as such)."""
    if supplied == value:
        return "image reference"
    if not supplied:
        return "value"
    name, _, digest = value.partition("@")
    slash, colon = name.rfind("/"), name.rfind(":")
    tag = name[colon + 1:] if colon > slash else ""
    repository = name[:colon] if colon > slash else name
    if digest and supplied in digest:
        return "digest"
    if tag and supplied in tag:
        return "tag"
    if supplied in repository:
        first = repository.split("/", 1)[0]
        is_host = "/" in repository and ("." in first or ":" in first or first == "localhost")
        return "registry" if is_host and (supplied in first or repository.startswith(supplied)) else "image name"
    return "value"
