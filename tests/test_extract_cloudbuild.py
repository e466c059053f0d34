"""Cloud Build `images:`: pushed with the tags the build gave them."""
from __future__ import annotations

from taglint.extract.ci.cloudbuild import extract
from taglint.model import Command
from taglint.source import ExtractContext, SourceFile


def _image_pushes(text: str) -> list[Command]:
    facts = extract(SourceFile.from_text("cloudbuild.yaml", text), ExtractContext())
    return [c for c in facts.commands if c.action == "push" and c.written.startswith("images[")]


BUILD = """\
steps:
  - name: gcr.io/cloud-builders/docker:24.0.9
    args: [build, -t, "gcr.io/$PROJECT_ID/app:$SHORT_SHA", -t, "gcr.io/$PROJECT_ID/app:latest", .]
  - name: gcr.io/cloud-builders/docker:24.0.9
    args: [tag, "gcr.io/$PROJECT_ID/app:$SHORT_SHA", "gcr.io/$PROJECT_ID/app:$TAG_NAME"]
  - name: gcr.io/cloud-builders/docker:24.0.9
    entrypoint: bash
    args: [-c, "docker build -t gcr.io/$PROJECT_ID/worker -f worker.Dockerfile ."]
images:
  - gcr.io/$PROJECT_ID/app
  - gcr.io/$PROJECT_ID/app:$SHORT_SHA
  - gcr.io/$PROJECT_ID/worker
  - gcr.io/$PROJECT_ID/other
"""


def test_an_untagged_entry_is_pushed_with_every_tag_the_build_gave_it() -> None:
    app, app_sha, worker, other = _image_pushes(BUILD)
    targets = app.attributes["targets"]
    assert [t.value for t in targets] == [
        "gcr.io/$PROJECT_ID/app:$SHORT_SHA", "gcr.io/$PROJECT_ID/app:latest", "gcr.io/$PROJECT_ID/app:$TAG_NAME",
    ]
    # reported where the entry is written, naming the step that gave the tag
    assert {t.span for t in targets} == {app.span}
    assert [t.via[-1].name for t in targets] == ["docker build -t", "docker build -t", "docker tag"]
    assert targets[0].via[-1].location is not None and targets[0].via[-1].location.span.line == 3
    assert not app.attributes.get("unknown_targets")
    # a tagged entry pushes that tag
    assert [t.value for t in app_sha.attributes["targets"]] == ["gcr.io/$PROJECT_ID/app:$SHORT_SHA"]
    # built with no tag (in a bash step): it exists only as :latest
    assert [t.value for t in worker.attributes["targets"]] == ["gcr.io/$PROJECT_ID/worker"]
    assert worker.attributes["default_tag"] == "latest"
    # built by no step taglint can read: its tags are unknown, not :latest
    assert other.attributes.get("unknown_targets") is True
    assert "default_tag" not in other.attributes


def test_substitutions_spelled_both_ways_name_the_same_image() -> None:
    text = """\
steps:
  - name: gcr.io/cloud-builders/docker:24.0.9
    args: [build, "--tag=gcr.io/${PROJECT_ID}/base:$SHORT_SHA", .]
  - name: gcr.io/cloud-builders/docker:24.0.9
    args: [tag, "gcr.io/$PROJECT_ID/base:$SHORT_SHA", "gcr.io/$PROJECT_ID/base"]
images:
  - gcr.io/$PROJECT_ID/base
"""
    (push,) = _image_pushes(text)
    # tagged $SHORT_SHA by the build and with no tag by `docker tag`: both go out, the latter as :latest
    assert [t.value for t in push.attributes["targets"]] == [
        "gcr.io/${PROJECT_ID}/base:$SHORT_SHA", "gcr.io/$PROJECT_ID/base:latest",
    ]


def test_bash_option_clusters_and_escaped_dollars() -> None:
    text = """\
steps:
  - name: gcr.io/cloud-builders/docker:24.0.9
    entrypoint: /bin/bash
    args:
      - -ceux
      - docker build -t gcr.io/$PROJECT_ID/app:$$(date +%s) .
"""
    facts = extract(SourceFile.from_text("cloudbuild.yaml", text), ExtractContext())
    (build,) = [c for c in facts.commands if c.action == "build"]
    (target,) = build.attributes["targets"]
    # the shell sees `$(date +%s)`; the span is the text in the file, `$$` included
    assert target.value == "gcr.io/$PROJECT_ID/app:$(date +%s)"
    assert (target.span.line, target.span.column, target.span.end_column) == (6, 25, 60)
