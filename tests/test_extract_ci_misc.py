"""CircleCI, Azure Pipelines, Bitbucket, Cloud Build, Drone/Woodpecker and Jenkinsfile extractors."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from taglint.classify import kind_from_path
from taglint.extract import extractor_for
from taglint.extract.ci.jenkinsfile import tokenize
from taglint.model import Span
from taglint.source import ExtractContext, SourceFile


def facts(path: str, text: str):
    kind = kind_from_path(path)
    assert kind is not None
    source = SourceFile.from_text(path, textwrap.dedent(text).lstrip("\n"))
    return extractor_for(kind)(source, ExtractContext())


def images(path: str, text: str):
    return [(i.value, i.span.line, i.span.column) for i in facts(path, text).images]


# -- CircleCI ------------------------------------------------------------------


def test_circleci_docker_images_not_machine_images():
    found = images(
        ".circleci/config.yml",
        """
        version: 2.1
        executors:
          py:
            docker:
              - image: cimg/python:3.12.7
        jobs:
          a:
            docker:
              - image: cimg/base:2024.11
              - image: redis
            steps: [checkout]
          b:
            machine:
              image: ubuntu-2204:current
            steps: [checkout]
        """,
    )
    assert found == [("cimg/python:3.12.7", 5, 16), ("cimg/base:2024.11", 9, 16), ("redis", 10, 16)]


def test_circleci_orbs_and_run_steps():
    found = facts(
        ".circleci/config.yml",
        """
        version: 2.1
        orbs:
          node: circleci/node@volatile
          inline:
            jobs:
              j:
                docker:
                  - image: alpine:3.20.3
        jobs:
          push:
            docker:
              - image: cimg/base:2024.11
            environment:
              TAG: latest
            steps:
              - run: docker push org/app:$TAG
              - run:
                  command: |
                    docker push org/other:1.0.0
        """,
    )
    assert [(a.name, a.ref) for a in found.actions] == [("circleci/node", "volatile")]
    assert ("alpine:3.20.3", "orbs.inline.jobs.j.docker[0].image") in [(i.value, i.context) for i in found.images]
    pushes = [(c.attributes["targets"][0].value, c.span.line, c.scope) for c in found.commands]
    assert pushes == [("org/app:latest", 16, "push"), ("org/other:1.0.0", 19, "push")]


# -- Azure Pipelines -------------------------------------------------------------


def test_azure_containers_and_aliases():
    found = facts(
        "azure-pipelines.yml",
        """
        resources:
          containers:
            - container: builder
              image: ubuntu:24.04
        pool:
          vmImage: ubuntu-latest
        jobs:
          - job: a
            container: builder
            services:
              db: postgres:16.4
            steps:
              - script: docker push org/app:$(Build.BuildId)
          - job: b
            container:
              image: python:3.12.7
        """,
    )
    assert [(i.value, i.span.line) for i in found.images] == [
        ("ubuntu:24.04", 4), ("postgres:16.4", 11), ("python:3.12.7", 16),
    ]
    (push,) = found.commands
    assert push.attributes["targets"][0].value == "org/app:$(Build.BuildId)" and push.scope == "a"


def test_azure_docker_task():
    found = facts(
        "azure-pipelines.yml",
        """
        steps:
          - task: Docker@2
            inputs:
              command: buildAndPush
              containerRegistry: my-acr
              repository: team/app
              tags: |
                latest
                $(Build.BuildId)
        """,
    )
    login, build = found.commands
    assert login.action == "login" and build.action == "build" and build.attributes["push"] is True
    assert [(w.value, w.span.line) for w in build.attributes["targets"]] == [
        ("$(containerRegistry)/team/app:latest", 8),
        ("$(containerRegistry)/team/app:$(Build.BuildId)", 9),
    ]


def test_azure_docker_task_default_tag_is_the_build_id():
    found = facts(
        "azure-pipelines.yml",
        """
        steps:
          - task: Docker@2
            inputs:
              command: push
              repository: myregistry.azurecr.io/app
        """,
    )
    (push,) = found.commands
    assert [w.value for w in push.attributes["targets"]] == ["myregistry.azurecr.io/app:$(Build.BuildId)"]


# -- Bitbucket -------------------------------------------------------------------


def test_bitbucket_images_pipes_and_step_scopes():
    found = facts(
        "bitbucket-pipelines.yml",
        """
        image: node:20.18.0
        definitions:
          services:
            redis:
              image: redis:7.4.1
          steps:
            - step: &build
                image: python:3.12.7
                script:
                  - docker push org/app
                  - pipe: atlassian/aws-ecr-push-image:2.4.2
        pipelines:
          default:
            - step: *build
            - parallel:
                - step:
                    script:
                      - docker push org/app:1.0.0
        """,
    )
    assert [(i.value, i.span.line) for i in found.images] == [
        ("node:20.18.0", 1), ("redis:7.4.1", 5), ("python:3.12.7", 8), ("atlassian/aws-ecr-push-image:2.4.2", 11),
    ]
    scopes = [c.scope for c in found.commands]
    assert len(set(scopes)) == 2


# -- Cloud Build -------------------------------------------------------------------


def test_cloudbuild_steps_args_and_images():
    found = facts(
        "cloudbuild.yaml",
        """
        substitutions:
          _TAG: latest
        steps:
          - name: gcr.io/cloud-builders/docker
            args: ["build", "-t", "gcr.io/$PROJECT_ID/app:$_TAG", "."]
          - name: ubuntu:24.04
            entrypoint: bash
            args: ["-c", "docker push gcr.io/$PROJECT_ID/other:$SHORT_SHA"]
        images:
          - gcr.io/$PROJECT_ID/app:$_TAG
        """,
    )
    assert [i.value for i in found.images] == ["gcr.io/cloud-builders/docker", "ubuntu:24.04"]
    by_action = {(c.tool, c.action): c for c in found.commands}
    build = by_action[("docker", "build")]
    assert build.attributes["targets"][0].value == "gcr.io/$PROJECT_ID/app:latest"
    assert build.attributes["targets"][0].span.line == 5
    assert by_action[("docker", "push")].attributes["targets"][0].span == Span(8, 31, 8, 66)
    pushed = by_action[("gcloud", "push")]
    assert pushed.attributes["targets"][0].value == "gcr.io/$PROJECT_ID/app:latest"
    assert by_action[("gcloud", "login")].attributes["implicit"] is True


# -- Drone / Woodpecker --------------------------------------------------------------


def test_drone_steps_services_and_docker_plugin():
    found = facts(
        ".drone.yml",
        """
        kind: pipeline
        name: ci
        steps:
          - name: test
            image: golang:1.23.3
            commands:
              - go test ./...
          - name: publish
            image: plugins/docker
            settings:
              repo: org/app
              tags: 1.0.0,latest
              username: bob
              password:
                from_secret: docker_password
        services:
          - name: db
            image: postgres:16.4
        ---
        kind: pipeline
        name: other
        steps:
          - name: publish
            image: plugins/docker:20
            settings:
              repo: org/other
              password: hunter2
        """,
    )
    assert [i.value for i in found.images] == ["golang:1.23.3", "plugins/docker", "postgres:16.4", "plugins/docker:20"]
    builds = [c for c in found.commands if c.action == "build"]
    assert [[w.value for w in c.attributes["targets"]] for c in builds] == [
        ["org/app:1.0.0", "org/app:latest"],
        ["org/other:latest"],
    ]
    logins = [c for c in found.commands if c.action == "login"]
    assert logins[0].attributes["password"].value.startswith("$")
    assert logins[1].attributes["password"].value == "hunter2"
    assert logins[1].attributes["password"].span.line == 27


def test_woodpecker_mapping_steps():
    found = images(
        ".woodpecker.yml",
        """
        steps:
          build:
            image: node:20.18.0
            commands: [npm ci]
        """,
    )
    assert found == [("node:20.18.0", 3, 12)]


# -- Jenkinsfile ---------------------------------------------------------------------


def test_jenkinsfile_images_builds_pushes_and_logins():
    found = facts(
        "Jenkinsfile",
        """
        pipeline {
          agent { docker { image 'maven:3.9.9' } }
          environment {
            TAG = 'latest'
          }
          stages {
            stage('b') {
              steps {
                sh "docker push org/app:${TAG}"
                script {
                  def app = docker.build("org/app:${env.BUILD_ID}")
                  docker.withRegistry('https://registry.example.com', 'creds') {
                    app.push()
                    app.push('latest')
                  }
                  docker.image('node:20.18.0').inside { sh 'npm test' }
                }
              }
            }
          }
        }
        """,
    )
    assert [(i.value, i.span.line, i.span.column) for i in found.images] == [
        ("maven:3.9.9", 2, 27), ("node:20.18.0", 16, 25),
    ]
    summary = [(c.action, [w.value for w in c.attributes.get("targets", ())], c.span.line) for c in found.commands]
    assert summary == [
        ("push", ["org/app:latest"], 9),
        ("build", ["org/app:${env.BUILD_ID}"], 11),
        ("login", [], 12),
        ("push", ["org/app:${env.BUILD_ID}"], 13),
        ("push", ["org/app:latest"], 14),
    ]
    login = found.commands[2]
    assert login.attributes["server"].value == "registry.example.com"


def test_jenkinsfile_triple_quoted_sh_spans():
    found = facts(
        "Jenkinsfile",
        '''
        node {
          sh """
            docker login -u me -p secret registry.example.com
          """
        }
        ''',
    )
    (login,) = found.commands
    assert login.span.line == 3 and login.span.column == 5
    assert login.attributes["password"].span == Span(3, 27, 3, 33)


def test_jenkinsfile_comments_and_strings_hide_patterns():
    found = facts(
        "Jenkinsfile",
        """
        // docker.image('commented:latest')
        /* sh 'docker push a/b' */
        echo "docker.image('quoted:latest')"
        """,
    )
    assert found.images == [] and found.commands == []


@pytest.mark.parametrize("text", ["'unterminated", '"""never closed', "/* open", "sh(", "docker.image(", "{{{{", "}}}"])
def test_jenkinsfile_never_crashes(text: str):
    facts("Jenkinsfile", text)
    tokenize(text)


@pytest.mark.parametrize(
    "path",
    [".circleci/config.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml", "cloudbuild.yaml", ".drone.yml"],
)
def test_invalid_yaml_is_a_problem(path: str):
    found = facts(path, "a: [\n")
    assert len(found.problems) == 1


@pytest.mark.parametrize(
    "path",
    [".circleci/config.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml", "cloudbuild.yaml", ".drone.yml"],
)
@pytest.mark.parametrize("text", ["", "[]", "- a\n- b\n", "42", "steps: 7\njobs: x\n", "pipelines: {default: [{step: 3}]}"])
def test_unexpected_shapes_do_not_crash(path: str, text: str):
    facts(path, text)


def test_literal_pull_credentials_are_recorded():
    bitbucket = facts(
        "bitbucket-pipelines.yml",
        """
        image:
          name: registry.example.com/build:1.0.0
          username: ci
          password: s3cret-pass
        pipelines:
          default:
            - step:
                script: [make]
        """,
    )
    (credentials,) = bitbucket.commands
    assert credentials.action == "credentials" and credentials.attributes["password"].value == "s3cret-pass"
    assert credentials.attributes["server"].value == "registry.example.com"
    circle = facts(
        ".circleci/config.yml",
        """
        jobs:
          a:
            docker:
              - image: org/private:1.0.0
                auth:
                  username: me
                  password: $DOCKERHUB_PASSWORD
            steps: [checkout]
        """,
    )
    (credentials,) = circle.commands
    assert credentials.attributes["password"].value == "$DOCKERHUB_PASSWORD"


# -- robustness: generated documents never crash an extractor ---------------------------

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_KEYS = [
    "jobs", "steps", "uses", "run", "with", "env", "container", "services", "image", "strategy", "matrix",
    "include", "tags", "push", "registry", "id", "script", "before_script", "extends", "default", "variables",
    "docker", "orbs", "executors", "environment", "command", "pipelines", "step", "definitions", "pipe",
    "resources", "containers", "task", "inputs", "repository", "name", "args", "images", "settings", "repo",
    "commands", "component", "project", "ref", "runs", "using", "password", "auth", "credentials", "inherit",
]
_SCALARS = st.one_of(
    st.sampled_from(["docker push a/b", "alpine", "${{ matrix.x }}", "$VAR", "a@main", "docker://x", "", "true",
                     "${{ steps.meta.outputs.tags }}", "type=sha", "!reference", "latest", "|"]),
    st.text(max_size=12),
    st.integers(),
    st.none(),
    st.booleans(),
)
_TREES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(_KEYS), children, max_size=5),
    ),
    max_leaves=30,
)
_YAML_PATHS = [
    ".github/workflows/ci.yml", "action.yml", ".gitlab-ci.yml", ".circleci/config.yml", "azure-pipelines.yml",
    "bitbucket-pipelines.yml", "cloudbuild.yaml", ".drone.yml",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=_TREES, path=st.sampled_from(_YAML_PATHS))
def test_generated_yaml_never_crashes(tree, path: str) -> None:
    import yaml

    text = yaml.safe_dump(tree, default_flow_style=False)
    kind = kind_from_path(path)
    extractor_for(kind)(SourceFile.from_text(path, text), ExtractContext())


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from([
            "sh", "'", '"', "'''", '"""', "(", ")", "{", "}", "docker", ".", "image", "build", "push",
            "withRegistry", "agent", "environment", "=", "TAG", "'x:1'", '"y:${env.B}"', "\\", "\n", " ",
            "//", "/*", "*/", "def", "app", ",", "script", ":",
        ]),
        max_size=40,
    )
)
def test_generated_groovy_never_crashes(parts: list[str]) -> None:
    facts("Jenkinsfile", "".join(parts))


_FIXTURES = Path(__file__).resolve().parent / "fixtures"
_CI_KINDS = (
    "github-workflow", "github-action", "gitlab-ci", "circleci", "azure-pipelines", "bitbucket-pipelines",
    "cloudbuild", "drone", "jenkinsfile",
)


def _ci_path(path: Path) -> str:
    """``tests/fixtures/TL101/gitlab-ci/fail/.gitlab-ci.yml`` → ``.gitlab-ci.yml``."""
    return "/".join(path.relative_to(_FIXTURES).parts[3:])


_SAMPLES = sorted(
    p for p in _FIXTURES.glob("TL*/*/*/**/*")
    if p.is_file() and not p.name.endswith(".fixed") and kind_from_path(_ci_path(p)) in _CI_KINDS
)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_mutated_fixtures_never_crash(data) -> None:
    assert _SAMPLES
    sample = data.draw(st.sampled_from(_SAMPLES))
    text = sample.read_text(encoding="utf-8")
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 40)))
    insert = data.draw(st.sampled_from(["", "\n", "  ", "- ", ": ", "'", '"', "{", "[", "&a ", "*a", "\t", "${{", "\\"]))
    mutated = text[:start] + insert + text[end:]
    path = _ci_path(sample)
    extractor_for(kind_from_path(path))(SourceFile(path, Path(path), mutated), ExtractContext())


def test_circleci_parameters_and_pipeline_values():
    found = facts(
        ".circleci/config.yml",
        """
        version: 2.1
        parameters:
          tag:
            type: string
            default: latest
        jobs:
          build:
            parameters:
              node:
                type: string
                default: "20.18.0"
              other:
                type: string
            docker:
              - image: cimg/node:<< parameters.node >>
              - image: cimg/redis:<< parameters.other >>
            steps:
              - run: docker push org/app:<< pipeline.git.revision >>
              - run: docker push org/app:<< pipeline.parameters.tag >>
        """,
    )
    assert [(i.value, i.span.column) for i in found.images] == [
        ("cimg/node:20.18.0", 16), ("cimg/redis:${other}", 16),
    ]
    first, second = [c.attributes["targets"][0] for c in found.commands]
    assert first.value == "org/app:${CIRCLE_SHA1}" and first.written == "org/app:<< pipeline.git.revision >>"
    assert first.span == Span(18, 26, 18, 61)
    assert second.value == "org/app:latest" and second.via[0].name == "parameters.tag"


def test_azure_macros_and_template_expressions():
    found = facts(
        "azure-pipelines.yml",
        """
        parameters:
          - name: pythonVersion
            default: "3.12.7"
        variables:
          imageTag: latest
        jobs:
          - job: a
            container: python:${{ parameters.pythonVersion }}
            steps:
              - script: docker push org/app:$(imageTag)
              - script: docker push org/app:$(Build.BuildId)
              - task: Docker@2
                inputs:
                  command: push
                  repository: registry.example.com/app
                  tags: $(imageTag)
        """,
    )
    assert [(i.value, i.via[0].name) for i in found.images] == [("python:3.12.7", "parameters.pythonVersion")]
    first, second, task = [c.attributes["targets"][0] for c in found.commands]
    assert first.value == "org/app:latest" and first.written == "org/app:$(imageTag)"
    assert first.span == Span(10, 29, 10, 48)
    assert second.value == "org/app:$(Build.BuildId)"
    assert task.value == "registry.example.com/app:latest" and task.span.line == 16


def test_jenkinsfile_gstrings_use_the_environment_block():
    found = facts(
        "Jenkinsfile",
        """
        pipeline {
          agent any
          environment {
            DOCKER_IMAGE = 'registry.example.com/app'
            DOCKER_TAG = 'latest'
          }
          stages {
            stage('p') {
              steps {
                script {
                  dockerImage = docker.build("${DOCKER_IMAGE}:${env.DOCKER_TAG}")
                  dockerImage.push()
                  sh "docker push ${env.DOCKER_IMAGE}:$DOCKER_TAG"
                  sh 'docker push ${DOCKER_IMAGE}:single'
                }
              }
            }
          }
        }
        """,
    )
    build, push, shell_push, single = found.commands
    assert build.attributes["targets"][0].value == "registry.example.com/app:latest"
    assert [s.name for s in build.attributes["targets"][0].via] == ["environment.DOCKER_IMAGE", "environment.DOCKER_TAG"]
    assert push.attributes["targets"][0].value == "registry.example.com/app:latest"
    target = shell_push.attributes["targets"][0]
    assert target.value == "registry.example.com/app:latest"
    assert target.written == "${env.DOCKER_IMAGE}:$DOCKER_TAG"
    assert target.span == Span(13, 27, 13, 27 + len(target.written))
    assert single.attributes["targets"][0].value == "registry.example.com/app:single"


def test_jenkinsfile_kubernetes_agent_pod_yaml():
    found = facts(
        "Jenkinsfile",
        """
        pipeline {
          agent {
            kubernetes {
              yaml '''
                apiVersion: v1
                kind: Pod
                spec:
                  containers:
                    - name: maven
                      image: maven:latest
                    - name: kaniko
                      image: "gcr.io/kaniko-project/executor:debug"
              '''
            }
          }
        }
        """,
    )
    assert [(i.value, i.span.line, i.span.column) for i in found.images] == [
        ("maven:latest", 10, 22), ("gcr.io/kaniko-project/executor:debug", 12, 23),
    ]


def test_cloudbuild_kaniko_step():
    found = facts(
        "cloudbuild.yaml",
        """
        steps:
          - name: gcr.io/kaniko-project/executor:v1.23.2
            args:
              - --destination=europe-docker.pkg.dev/$PROJECT_ID/app/app:latest
              - --cache=true
        """,
    )
    (kaniko,) = [c for c in found.commands if c.tool == "kaniko"]
    assert kaniko.attributes["push"] is True
    target = kaniko.attributes["targets"][0]
    assert target.value == "europe-docker.pkg.dev/$PROJECT_ID/app/app:latest"
    assert (target.span.line, target.span.column) == (4, 23)


def test_bitbucket_ecr_pipe_and_literal_pipe_secrets():
    found = facts(
        "bitbucket-pipelines.yml",
        """
        pipelines:
          default:
            - step:
                script:
                  - docker build -t app .
                  - pipe: atlassian/aws-ecr-push-image:2.4.2
                    variables:
                      AWS_ACCESS_KEY_ID: $AWS_ACCESS_KEY_ID
                      AWS_SECRET_ACCESS_KEY: not-a-real-secret-key
                      IMAGE_NAME: app
        """,
    )
    actions = {(c.tool, c.action) for c in found.commands}
    assert {("pipe", "credentials"), ("aws", "login"), ("aws", "push")} <= actions
    (push,) = [c for c in found.commands if c.action == "push"]
    assert [w.value for w in push.attributes["targets"]] == ["${AWS_ECR_REGISTRY}/app:latest"]
    (secret,) = [c for c in found.commands if c.action == "credentials"]
    assert secret.attributes["password"].value == "not-a-real-secret-key"
    assert secret.attributes["password"].span == Span(9, 38, 9, 59)


def test_jenkinsfile_image_names_from_the_environment_keep_their_origin():
    found = facts(
        "Jenkinsfile",
        """
        pipeline {
          environment { NODE = 'node:latest' }
          agent { docker { image "${NODE}" } }
        }
        """,
    )
    (image,) = found.images
    assert image.value == "node:latest" and image.written == "${NODE}" and image.via[0].name == "environment.NODE"
