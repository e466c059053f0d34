"""Buildkite pipelines: where they are found, step and plugin images,
plugin refs, docker-compose push targets, logins and command scripts."""
from __future__ import annotations

import textwrap

from taglint.classify import kind_from_path
from taglint.extract import extractor_for
from taglint.extract.ci.buildkite import plugin_name_and_ref, short_name
from taglint.model import Span
from taglint.source import ExtractContext, SourceFile


def facts(text: str, path: str = ".buildkite/pipeline.yml"):
    source = SourceFile.from_text(path, textwrap.dedent(text).lstrip("\n"))
    return extractor_for("buildkite")(source, ExtractContext())


def test_pipeline_paths() -> None:
    assert kind_from_path(".buildkite/pipeline.yml") == "buildkite"
    assert kind_from_path(".buildkite/pipelines/release.yaml") == "buildkite"
    assert kind_from_path("buildkite.yml") == "buildkite"
    assert kind_from_path("buildkite/pipeline.yaml") == "buildkite"
    assert kind_from_path(".buildkite/docker-compose.yml") == "compose"  # read as what it is
    assert kind_from_path("ci/pipeline.yml") is None


def test_plugin_names_and_refs() -> None:
    assert plugin_name_and_ref("docker#v5.12.0") == ("docker", "v5.12.0")
    assert plugin_name_and_ref("my-org/deploy") == ("my-org/deploy", None)
    assert short_name("buildkite-plugins/docker-compose-buildkite-plugin") == "docker-compose"
    assert short_name("https://github.com/acme/docker-buildkite-plugin.git") == "docker"


def test_images_of_steps_groups_and_docker_plugin_with_env() -> None:
    found = facts(
        """
        env:
          NODE: "22.11.0"
        image: ubuntu:24.04
        steps:
          - label: test
            command: yarn test
            plugins:
              - docker#v5.12.0:
                  image: "node:$NODE"
          - group: deploy
            steps:
              - key: ship
                image: alpine:3.20.3
                command: ./ship.sh
          - wait
        """
    )
    assert [(i.value, i.span, i.context) for i in found.images] == [
        ("ubuntu:24.04", Span(3, 8, 3, 20), "image"),
        ("node:22.11.0", Span(9, 19, 9, 29), "test.plugins.docker.image"),
        ("alpine:3.20.3", Span(13, 16, 13, 29), "ship.image"),
    ]
    assert found.images[1].via[0].name == "env.NODE"


def test_plugin_refs_are_action_refs() -> None:
    found = facts(
        """
        steps:
          - command: make
            plugins:
              - docker#v5.12.0: {image: "golang:1.23.4"}
              - my-org/deploy
              - kubernetes:
                  podSpec:
                    containers:
                      - image: golang:1.23.4
        """
    )
    assert [(a.name, a.ref, a.span) for a in found.actions] == [
        ("docker", "v5.12.0", Span(4, 9, 4, 23)),
        ("my-org/deploy", None, Span(5, 9, 5, 22)),
    ]
    assert [(i.value, i.span.line) for i in found.images] == [("golang:1.23.4", 4), ("golang:1.23.4", 9)]


def test_compose_push_targets_login_and_scripts() -> None:
    found = facts(
        """
        steps:
          - label: push
            command: docker push myorg/app:1.4.2
            plugins:
              - docker-login#v3.0.0:
                  username: myorg
                  password-env: DOCKER_PASSWORD
              - docker-compose#v5.5.0:
                  build: app
                  config: .buildkite/docker-compose.yml
                  push:
                    - app:index.docker.io/myorg/myapp
                    - worker
        """
    )
    by_action = {(c.tool, c.action): c for c in found.commands}
    compose = next(c for c in found.commands if c.written == "docker-compose#v5.5.0")
    assert [(w.value, w.span) for w in compose.attributes["targets"]] == [
        ("index.docker.io/myorg/myapp", Span(12, 19, 12, 46)),
    ]
    assert compose.attributes["default_tag"] == "latest"
    assert ("docker", "login") in by_action
    assert any(c.action == "push" and c.written.startswith("docker push") for c in found.commands)
    assert {c.scope for c in found.commands} == {"push"}
