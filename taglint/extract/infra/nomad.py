"""Nomad job specifications (``*.nomad``, ``*.nomad.hcl``, and ``*.hcl``
files whose top level is a ``job "name" {`` block), parsed by python-hcl2.

The image of each ``task`` (``job > group > task``) is its
``config { image = … }``: the drivers that run containers (``docker``,
``podman``, ``containerd-driver``) all name it so, and drivers that run no
image have no such key.  ``${var.x}``/``var.x`` are substituted from the
job file's ``variable`` defaults and ``locals``, and
``${NOMAD_META_key}``/``${meta.key}`` from the ``meta { … }`` blocks of
the job, its group and the task (the innermost wins, as Nomad merges
them); other runtime interpolations (``${NOMAD_ALLOC_ID}``, ``${node.…}``)
have no value here and stay as written (TL108).
"""
from __future__ import annotations

from taglint.extract.ci.common import CiFile
from taglint.extract.infra import hcl
from taglint.model import FileFacts, Location, Problem, Step
from taglint.source import ExtractContext, SourceFile

KIND = "nomad"


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    ci = CiFile(source, KIND)
    try:
        tree = hcl.parse(source.text)
    except hcl.HclError as error:
        ci.facts.problems.append(Problem(source.path, error.span, f"invalid HCL: {error.message}"))
        return ci.facts
    blocks = hcl.top_blocks(tree)
    variables = hcl.Variables(source.path)
    variables.read(blocks, source.lines)
    for job in blocks:
        if job.type != "job":
            continue
        job_name = job.labels[0] if job.labels else "job"
        job_meta = _meta(source, job, variables)
        for group in [job, *job.descendants("group")]:
            group_name = group.labels[0] if group.type == "group" and group.labels else None
            group_meta = _meta(source, group, job_meta) if group is not job else job_meta
            for task in group.blocks("task"):
                _task(ci, source, _meta(source, task, group_meta), task, job_name, group_name)
    return ci.facts


def _meta(source: SourceFile, block: hcl.Block, outer: hcl.Variables) -> hcl.Variables:
    """``outer`` with the string values of ``block``'s ``meta { … }``, as
    Nomad interpolates them: ``${NOMAD_META_key}`` and ``${meta.key}``."""
    inner = hcl.Variables(outer.path, dict(outer.values))
    for meta in block.blocks("meta"):
        for key, expr in meta.attributes().items():
            text = hcl.string_text(expr, source.lines)
            if text is None or "${" in text.written:
                continue
            location = Location(source.path, text.span)
            for name in (f"NOMAD_META_{key}", f"NOMAD_META_{key.upper()}", f"meta.{key}"):
                inner.values[name] = Step(name, text.written, location)
    return inner


def _task(ci: CiFile, source: SourceFile, variables: hcl.Variables, task: hcl.Block, job: str,
          group: str | None) -> None:
    for config in task.blocks("config"):
        image = config.attributes().get("image")
        if image is None:
            continue
        where = ".".join(part for part in (job, group, task.labels[0] if task.labels else "task") if part)
        text = hcl.string_text(image, source.lines)
        if text is not None:
            value, via = variables.substitute(text.written)
        else:
            reference = hcl.reference_name(image, source.lines)
            if reference is None:
                continue
            text = reference
            value, via = variables.reference(reference.written)
        if value.strip():
            ci.add_image(text.span, text.written, value, f"job.{where}.config.image", via=via, stage=where)
