"""GitLab CI extractor: images, extends/default/anchors, variables, scripts, includes."""
from __future__ import annotations

import textwrap

from taglint.extract.ci.gitlab import extract
from taglint.model import Span
from taglint.source import ExtractContext, SourceFile


def facts(text: str):
    return extract(SourceFile.from_text(".gitlab-ci.yml", textwrap.dedent(text).lstrip("\n")), ExtractContext())


def test_image_string_and_name_forms_and_services():
    found = facts(
        """
        build:
          image:
            name: gcr.io/kaniko-project/executor:v1.23.2-debug
            entrypoint: [""]
          services:
            - docker:27.3.1-dind
            - name: postgres:16.4
              alias: db
          script:
            - echo hi
        test:
          image: python:3.12.7
          script: [pytest]
        """
    ).images
    assert [(i.value, i.span.line, i.span.column, i.context) for i in found] == [
        ("gcr.io/kaniko-project/executor:v1.23.2-debug", 3, 11, "build.image"),
        ("docker:27.3.1-dind", 6, 7, "build.services[0]"),
        ("postgres:16.4", 7, 13, "build.services[1]"),
        ("python:3.12.7", 12, 10, "test.image"),
    ]


def test_default_image_is_reported_once_where_written():
    found = facts(
        """
        default:
          image: ruby:3.3
        a:
          script: [rake]
        b:
          script: [rake test]
        """
    ).images
    assert [(i.value, i.span.line, i.context) for i in found] == [("ruby:3.3", 2, "default.image")]


def test_extends_and_variables_substitute_into_images():
    found = facts(
        """
        variables:
          PY: "3.12"
        .py:
          image: python:$PY
        lint:
          extends: .py
          script: [ruff check]
        """
    ).images
    (image,) = found
    assert image.value == "python:3.12" and image.written == "python:$PY"
    assert image.via[0].name == "variables.PY" and image.span == Span(4, 10, 4, 20)


def test_yaml_anchors_and_merge_keys():
    found = facts(
        """
        .base: &base
          image: node:latest
        test:
          <<: *base
          script: [npm test]
        """
    ).images
    assert [(i.value, i.span.line) for i in found] == [("node:latest", 2)]


def test_script_lines_run_as_one_script_in_the_job_scope():
    found = facts(
        """
        variables:
          IMAGE: $CI_REGISTRY_IMAGE
        build:
          before_script:
            - TAG=latest
          script:
            - docker build -t "$IMAGE:$TAG" .
            - docker push "$IMAGE:$TAG"
        """
    )
    push = [c for c in found.commands if c.action == "push"]
    assert len(push) == 1
    target = push[0].attributes["targets"][0]
    assert target.value == "$CI_REGISTRY_IMAGE:latest"
    assert push[0].scope == "build"
    assert target.span.line == 8


def test_block_script_spans_point_into_the_file():
    found = facts(
        """
        deploy:
          script: |
            echo start
            docker push registry.example.com/app:$CI_COMMIT_SHA
        """
    )
    (push,) = found.commands
    assert push.span == Span(4, 5, 4, 56)


def test_reference_tags_are_spliced():
    found = facts(
        """
        .login:
          script:
            - echo "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"
        push:
          script:
            - !reference [.login, script]
            - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"
        """
    )
    push_scope = {c.action for c in found.commands if c.scope == "push"}
    assert push_scope == {"login", "push"}


def test_include_components_and_projects():
    found = facts(
        """
        include:
          - component: $CI_SERVER_FQDN/org/comp/build@~latest
          - component: gitlab.com/org/comp/test@1.2.3
          - project: org/templates
            ref: main
            file: /a.yml
          - project: org/templates
            file: /b.yml
          - local: /c.yml
        """
    ).actions
    assert [(a.name, a.ref, a.span.line) for a in found] == [
        ("$CI_SERVER_FQDN/org/comp/build", "~latest", 2),
        ("gitlab.com/org/comp/test", "1.2.3", 3),
        ("org/templates", "main", 5),
        ("org/templates", None, 7),
    ]


def test_component_spec_header_document_is_skipped():
    found = facts(
        """
        spec:
          inputs:
            image:
              default: alpine
        ---
        job:
          image: $[[ inputs.image ]]
          script: [echo]
        """
    ).images
    assert [(i.value, i.written, i.via[0].name) for i in found] == [("alpine", "$[[ inputs.image ]]", "inputs.image")]


def test_component_inputs_in_scripts_and_without_defaults():
    found = facts(
        """
        spec:
          inputs:
            tag:
              default: latest
            registry:
        ---
        publish:
          image: docker:27.3.1
          script:
            - docker push "$[[ inputs.registry ]]/app:$[[ inputs.tag ]]"
        """
    )
    (push,) = found.commands
    target = push.attributes["targets"][0]
    assert target.value == "${registry}/app:latest"
    assert target.written == '"$[[ inputs.registry ]]/app:$[[ inputs.tag ]]"'
    assert target.span.line == 10 and target.span.column == 19


def test_inherit_default_false():
    found = facts(
        """
        default:
          image: ruby:3.3.6
        job:
          inherit:
            default: false
          script: [echo]
        """
    )
    assert [i.context for i in found.images] == ["default.image"]


def test_invalid_yaml():
    found = facts("job: {script: [a\n")
    assert found.problems and found.problems[0].span.line >= 1


def test_ref_name_is_a_tag_in_tag_only_jobs():
    found = facts(
        """
        release:
          only: [tags]
          script:
            - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_REF_NAME"
        release-rules:
          rules:
            - if: $CI_COMMIT_TAG =~ /^v/
          script:
            - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_REF_SLUG"
        branch:
          script:
            - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_REF_NAME"
        """
    )
    values = [c.attributes["targets"][0].value for c in found.commands]
    assert values == ["$CI_REGISTRY_IMAGE:$CI_COMMIT_TAG", "$CI_REGISTRY_IMAGE:$CI_COMMIT_TAG",
                      "$CI_REGISTRY_IMAGE:$CI_COMMIT_REF_NAME"]


def test_recursive_anchor_does_not_recurse_forever():
    found = facts(
        """
        .base: &base
          image: python:3.12.7
          inner: *base
        job:
          extends: .base
          <<: *base
          script: [echo]
        """
    )
    assert [i.value for i in found.images] == ["python:3.12.7"]
