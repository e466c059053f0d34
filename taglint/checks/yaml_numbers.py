"""Check kind ``yaml-number-tag`` (TL114): image tags written as bare YAML numbers.

The extractors record every tag that YAML reads as a number, one entry per
written scalar: Kustomize ``newTag: 1.10`` in
``extras["kustomize_numeric_tags"]`` and Helm values ``tag: 1.10`` /
``imageTag: 2`` in ``extras["helm_numeric_tags"]`` (``{"span", "written",
"value", "name"}``).  This check decides which of them to report:

* a **float** always: even when the tool happens to give back the written
  text (``2.5``), the next bump (``2.10``) silently becomes ``2.1``;
* an **integer** only when the tool does not give back the written text:
  ``010`` (octal, 8), ``0x1F``, ``1_000``, ``+5``, and in Helm values any
  integer of seven digits or more, which Helm holds as a float64 and prints
  in exponent form (``20230615`` → ``2.0230615e+07``).  A small plain
  integer (``newTag: 3``) is typed as a number but the tag the tool uses is
  exactly what is written, so quoting it would change nothing.

Each hit carries the safe fix: the scalar's span replaced by the written
text in double quotes (a number's text never needs escaping).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

from taglint.model import Edit, Hit, ImageRef, Span

if TYPE_CHECKING:
    from taglint.project import Project
    from taglint.ruleset import Rule

# extras key → (tool name, key as written when the entry does not say)
_SOURCES = {
    "kustomize_numeric_tags": ("kustomize", "newTag"),
    "helm_numeric_tags": ("Helm", "tag"),
}


def _number(written: str) -> int | float | None:
    import yaml  # here: a run without numeric tags (most) never loads YAML

    try:
        value = yaml.safe_load(written)
    except yaml.YAMLError:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _refs_by_place(project: Project) -> dict[tuple[str, Span], list[ImageRef]]:
    """Image references by (path, span), built once per check run."""
    by_place: dict[tuple[str, Span], list[ImageRef]] = {}
    for ref in project.images():
        by_place.setdefault((ref.path, ref.span), []).append(ref)
    return by_place


def _reference(
    by_place: dict[tuple[str, Span], list[ImageRef]], path: str, span: Span, name: str, used: str, recorded: str
) -> str:
    """The image as the tool sees it: the reference reported on this scalar
    (the file's own one before those a resolver moved here), with the tag
    the tool really uses."""
    refs = sorted(by_place.get((path, span), ()), key=lambda ref: ref.origin is not None)
    reference = refs[0].value if refs else f"{name}:{recorded}"
    prefix = f"{name}:{recorded}"
    if used != recorded and reference.startswith(prefix):
        reference = f"{name}:{used}" + reference[len(prefix) :]
    return reference


def check_yaml_number_tags(rule: Rule, project: Project) -> Iterator[Hit]:
    """One hit per image tag written as a bare YAML number (see the module docstring)."""
    seen: set[tuple[str, Span]] = set()
    by_place: dict[tuple[str, Span], list[ImageRef]] | None = None
    for facts in project.files:
        for extra, (tool, default_key) in _SOURCES.items():
            for entry in facts.extras.get(extra) or ():
                span: Span = entry["span"]
                if (facts.path, span) in seen or span.line != span.end_line:
                    continue
                written, recorded = str(entry["written"]), str(entry["value"])
                number = _number(written)
                if number is None:
                    continue
                from taglint.yamlnodes import go_float_text

                used = go_float_text(float(number)) if tool == "Helm" else recorded
                if isinstance(number, int) and used == written:
                    continue  # `newTag: 3`: a number, but the tag is what is written
                seen.add((facts.path, span))
                if by_place is None:
                    by_place = _refs_by_place(project)
                yield _hit(by_place, facts.path, span, entry, tool, default_key, written, used, recorded, number)


def _hit(
    by_place: dict[tuple[str, Span], list[ImageRef]],
    path: str,
    span: Span,
    entry: dict[str, Any],
    tool: str,
    default_key: str,
    written: str,
    used: str,
    recorded: str,
    number: float,
) -> Hit:
    name = str(entry["name"])
    reference = _reference(by_place, path, span, name, used, recorded)
    if used != written:
        consequence = f"{tool} turns it into `{used}`, so the image used is `{reference}`"
    else:
        consequence = (
            f"{tool} gives back `{used}` today only by luck: a number drops trailing zeros "
            "(`1.10` becomes `1.1`), so the next version bump can silently pull another tag"
        )
    fields = {
        "reference": reference,
        "written": written,
        "value": used,
        "name": name,
        "key": str(entry.get("key") or default_key),
        "tool": tool,
        "type": "float" if isinstance(number, float) else "integer",
        "consequence": consequence,
    }
    return Hit(
        path=path,
        span=span,
        fields=fields,
        reference=reference,
        edits=(Edit(span, f'"{written}"'),),
        applicability="safe",
    )
