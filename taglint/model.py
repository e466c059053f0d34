"""The facts taglint extracts from files and the findings it reports.

Everything here is a plain frozen value.  Extractors (``taglint.extract``)
turn one source file into :class:`FileFacts`; resolvers (``taglint.resolve``)
may rewrite facts with knowledge from other files; check kinds
(``taglint.checks``) turn facts into :class:`Hit` values, and the engine turns
hits into :class:`Finding` values using the rule's data (message, severity).

Every class has ``__slots__``: a large scan holds hundreds of thousands
of these values (spans above all) until its report is written, and a
slotted instance is about a third smaller than one with a ``__dict__``.

Positions are 1-based.  ``end_column`` is exclusive: it is the column just
after the last character of the span (as in SARIF), so a span of the text
``nginx`` starting at column 16 ends at column 21.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

SEVERITIES = ("error", "warning", "info")


def severity_rank(severity: str) -> int:
    """Higher is more severe; unknown severities rank lowest."""
    return {"info": 1, "warning": 2, "error": 3}.get(severity, 0)


@dataclass(frozen=True, order=True, slots=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def at(cls, line: int, column: int, text: str) -> Span:
        """The span of ``text`` written at ``line``/``column`` (may be multi-line)."""
        parts = text.split("\n")
        if len(parts) == 1:
            return cls(line, column, line, column + len(text))
        return cls(line, column, line + len(parts) - 1, len(parts[-1]) + 1)

    def shifted(self, offset: int) -> Span:
        """A single-line sub-span starting ``offset`` characters later."""
        return Span(self.line, self.column + offset, self.end_line, self.end_column)


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    span: Span


@dataclass(frozen=True, slots=True)
class Related:
    """Another place a finding concerns (rendered as a note): where the value
    it reports is used, or where the rest of the reference is written."""

    location: Location
    message: str


@dataclass(frozen=True, slots=True)
class Step:
    """One substitution that led to a value: ``ARG BASE`` = ``python:${PY}``."""

    name: str  # how the source names it: "ARG BASE", "$TAG", "values.image.tag"
    value: str | None  # the value it supplied, None when unknown
    location: Location | None = None  # where it is defined, when known
    note: str | None = None  # why there is no value, when it is known: "value too large to expand"

    def describe(self) -> str:
        if self.value is None:
            return f"{self.name} ({self.note or 'no value'})"
        return f"{self.name}={self.value}"


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image named somewhere: ``FROM``, ``image:``, ``uses: docker://``...

    ``written`` is the text at ``span``; ``value`` is the reference after
    substituting what is known (unknown variables stay as written, e.g.
    ``app:${TAG}``).  ``via`` lists the substitutions that produced ``value``.
    ``span`` is where findings are reported; when another place decides the
    value (a Kustomize ``newTag``, a Helm values ``tag:``), the resolver
    moves ``span``/``path`` there and records the original in ``origin``.
    """

    path: str
    span: Span
    written: str
    value: str
    kind: str  # file kind: "dockerfile", "kubernetes", "compose", ...
    context: str  # where in the file: "FROM", "COPY --from", "spec.containers[0].image"
    via: tuple[Step, ...] = ()
    stage: str | None = None  # Dockerfile stage or CI job the reference belongs to
    origin: Location | None = None  # original place when the report moved elsewhere
    built: bool = False  # names an image that is built here (compose build+image)
    related: tuple[Related, ...] = ()  # other places the finding should name

    @property
    def literal(self) -> bool:
        """True when the span holds exactly ``value`` on one line (safe to edit)."""
        return not self.via and self.written == self.value and self.span.line == self.span.end_line


@dataclass(frozen=True, slots=True)
class Word:
    """One shell word: as written, after substitution, and where."""

    written: str
    value: str
    span: Span
    via: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class Command:
    """A shell command (or CI step acting like one) relevant to images.

    ``tool`` is the program (``docker``, ``podman``, ``skopeo``...),
    ``action`` its verb (``push``, ``tag``, ``build``, ``login``, ``copy``),
    ``args`` the words after the verb.  ``scope`` groups commands that run
    in sequence in one job, script or Makefile target.
    """

    path: str
    span: Span
    kind: str
    tool: str
    action: str
    args: tuple[Word, ...]
    scope: str
    written: str = ""  # the whole command line as written
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ActionRef:
    """A CI component reference: ``uses: owner/repo@ref``, GitLab component, orb."""

    path: str
    span: Span
    kind: str
    name: str
    ref: str | None
    written: str


@dataclass(frozen=True, slots=True)
class Problem:
    """A file that could not be (fully) parsed: becomes TL001."""

    path: str
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret written in a file (a literal registry password or token):
    where it is written, and the forms it takes in text (its value, and
    its literal text as written when that differs), by which messages
    are masked.  ``taglint.secrets`` finds them; no report shows them."""

    path: str
    span: Span
    texts: tuple[str, ...] = field(default=(), repr=False)


@dataclass(slots=True)
class FileFacts:
    """What one file says about images.  ``extras`` carries kind-specific
    data that project-level resolvers need (Kustomize ``images:``, Helm
    values...).  ``secrets`` are the secret values written in the file
    (``taglint.secrets.find_secrets``), masked in every report."""

    path: str
    kind: str
    images: list[ImageRef] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    actions: list[ActionRef] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    secrets: list[Secret] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``span`` with ``text``.  ``text`` is what reports show; an
    edit that writes a secret (TL208 moves the password into ``printf``)
    shows it masked and keeps what ``--fix`` writes in ``unmasked``."""

    span: Span
    text: str
    unmasked: str | None = field(default=None, repr=False)

    @property
    def replacement(self) -> str:
        """What ``--fix`` writes at ``span``."""
        return self.text if self.unmasked is None else self.unmasked


@dataclass(frozen=True, slots=True)
class Fix:
    description: str
    applicability: str = "none"  # "safe" | "unsafe" | "none"
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """What a check kind found, before the rule's data turns it into a finding.

    ``fields`` fill the rule's message and fix templates; ``reference`` is the
    image reference the hit is about (as the user would read it).
    """

    path: str
    span: Span
    fields: Mapping[str, Any]
    reference: str | None = None
    edits: tuple[Edit, ...] = ()
    applicability: str = "none"
    related: tuple[Related, ...] = ()
    kind: str | None = None  # the format the reference is read from, when not the file's own kind


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    name: str
    severity: str
    path: str
    span: Span
    message: str
    reference: str | None = None
    fix: Fix | None = None
    related: tuple[Related, ...] = ()  # other places it concerns (notes)
    # Where secrets are written in the finding's file: every report that
    # quotes the file's lines masks them (``taglint.secrets.masked_line``).
    masks: tuple[Span, ...] = ()
    # The format the finding was read from: the file's kind (``dockerfile``,
    # ``kfp-pipeline``…) or, for an object inside it, the object's
    # (``argocd-application`` in a manifest file).
    kind: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.line, self.span.column, self.rule)
