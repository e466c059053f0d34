"""GitHub Actions extractor: images, matrix expansion, scripts, action steps, refs."""
from __future__ import annotations

import textwrap

from taglint.extract.ci.github import extract
from taglint.model import Span
from taglint.source import ExtractContext, SourceFile

WORKFLOW = ".github/workflows/ci.yml"


def facts(text: str, path: str = WORKFLOW):
    return extract(SourceFile.from_text(path, textwrap.dedent(text).lstrip("\n")), ExtractContext())


def images(text: str, path: str = WORKFLOW):
    return [(i.value, i.span.line, i.span.column) for i in facts(text, path).images]


_METADATA_STEP = """\
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: meta
        uses: docker/metadata-action@v5
        with:
"""
_BUILD_PUSH_OF_METADATA_TAGS = """\
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ${{ steps.meta.outputs.tags }}
"""


def metadata_then_build_push(metadata_inputs: str):
    """Facts of a job whose step ``meta`` runs docker/metadata-action with the
    ``with:`` inputs ``metadata_inputs`` (written from line 8) and whose next
    step pushes ``${{ steps.meta.outputs.tags }}`` with docker/build-push-action."""
    inputs = textwrap.indent(textwrap.dedent(metadata_inputs).strip("\n"), " " * 10)
    return facts(_METADATA_STEP + inputs + "\n" + _BUILD_PUSH_OF_METADATA_TAGS)


def test_container_services_and_docker_uses():
    found = images(
        """
        on: push
        jobs:
          test:
            runs-on: ubuntu-latest
            container: python:3.12
            services:
              db:
                image: postgres:16.4
              cache:
                image: 'redis'
            steps:
              - uses: docker://alpine:3.20.3
        """
    )
    assert found == [("python:3.12", 5, 16), ("postgres:16.4", 8, 16), ("redis", 10, 17), ("alpine:3.20.3", 12, 24)]


def test_container_mapping_form():
    found = facts(
        """
        jobs:
          test:
            runs-on: ubuntu-latest
            container:
              image: node:20.18.0
              credentials:
                username: u
        """
    ).images
    assert [(i.value, i.context) for i in found] == [("node:20.18.0", "jobs.test.container.image")]


def test_runner_labels_and_action_inputs_are_not_images():
    found = facts(
        """
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: aquasecurity/trivy-action@0.28.0
                with:
                  image: alpine
                  image-ref: ubuntu
        """
    )
    assert found.images == []


def test_matrix_expansion_reports_at_each_value():
    found = facts(
        """
        jobs:
          test:
            runs-on: ubuntu-latest
            strategy:
              matrix:
                py: ["3.11.10", latest]
                include:
                  - py: "3.13"
            container: python:${{ matrix.py }}
        """
    ).images
    assert [(i.value, i.span.line, i.span.column) for i in found] == [
        ("python:3.11.10", 6, 15),
        ("python:latest", 6, 25),
        ("python:3.13", 8, 18),
    ]
    assert all(i.written == "python:${{ matrix.py }}" for i in found)
    assert found[1].via[0].name == "matrix.py" and found[1].via[0].value == "latest"
    assert found[1].origin is not None and found[1].origin.span.line == 9


def test_matrix_from_json_stays_unresolved():
    found = facts(
        """
        jobs:
          test:
            runs-on: ubuntu-latest
            strategy:
              matrix:
                image: ${{ fromJSON(needs.plan.outputs.images) }}
            container: ${{ matrix.image }}
        """
    ).images
    assert [i.value for i in found] == ["${{ matrix.image }}"]


def test_run_block_spans_point_into_the_workflow():
    found = facts(
        """
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - name: push
                run: |
                  echo start
                  docker push org/app:latest
        """
    )
    push = [c for c in found.commands if c.action == "push"]
    assert len(push) == 1
    assert push[0].span == Span(8, 11, 8, 37)
    assert push[0].attributes["targets"][0].span == Span(8, 23, 8, 37)
    assert push[0].scope == "build"


def test_run_uses_workflow_job_and_step_env():
    found = facts(
        """
        env:
          REPO: org/app
        jobs:
          build:
            runs-on: ubuntu-latest
            env:
              TAG: latest
            steps:
              - run: docker push "$REPO:$TAG-$SUFFIX"
                env:
                  SUFFIX: slim
        """
    )
    (push,) = [c for c in found.commands if c.action == "push"]
    target = push.attributes["targets"][0]
    assert target.value == "org/app:latest-slim"
    assert {step.name for step in target.via} == {"env.REPO", "env.TAG", "env.SUFFIX"}


def test_powershell_steps_are_not_shell():
    found = facts(
        """
        jobs:
          build:
            runs-on: windows-latest
            steps:
              - run: docker push org/app
                shell: pwsh
        """
    )
    assert found.commands == []


def test_build_push_action_with_multiline_and_csv_tags():
    found = facts(
        """
        env:
          IMAGE: ghcr.io/org/app
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/build-push-action@v6
                with:
                  push: ${{ github.event_name != 'pull_request' }}
                  tags: |
                    user/app:latest
                    ${{ env.IMAGE }}:${{ github.sha }}
              - uses: docker/build-push-action@v6
                with:
                  push: false
                  tags: a/b:1.0.0,a/b:latest
        """
    )
    first, second = [c for c in found.commands if c.action == "build"]
    assert first.attributes["push"] is True
    assert [(w.value, w.span.line, w.span.column) for w in first.attributes["targets"]] == [
        ("user/app:latest", 11, 13),
        ("ghcr.io/org/app:${{ github.sha }}", 12, 13),
    ]
    assert first.attributes["targets"][1].via[0].name == "env.IMAGE"
    assert first.scope == "build"
    assert second.attributes["push"] is False
    assert [(w.value, w.span.column) for w in second.attributes["targets"]] == [("a/b:1.0.0", 17), ("a/b:latest", 27)]


def test_build_push_without_tags_is_missing_a_tag():
    found = facts(
        """
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/build-push-action@v6
                with:
                  push: true
        """
    )
    (build,) = found.commands
    assert build.attributes["missing_tag"] is True


def test_metadata_action_feeds_build_push_tags():
    found = metadata_then_build_push(
        """
        images: ghcr.io/org/app
        tags: |
          type=ref,event=branch
          type=sha
          type=raw,value=latest
        """
    )
    (build,) = [c for c in found.commands if c.action == "build"]
    values = [(w.value, w.span.line) for w in build.attributes["targets"]]
    assert values == [
        ("ghcr.io/org/app:${{ github.ref_name }}", 10),
        ("ghcr.io/org/app:sha-${{ github.sha }}", 11),
        ("ghcr.io/org/app:latest", 12),
    ]


def test_metadata_semver_with_latest_auto():
    found = metadata_then_build_push(
        """
        images: |
          org/app
        tags: type=semver,pattern={{version}}
        """
    )
    (build,) = [c for c in found.commands if c.action == "build"]
    assert [w.value for w in build.attributes["targets"]] == [
        "org/app:${{ steps.meta.outputs.version }}",
        "org/app:latest",
    ]


def test_login_action_records_the_registry():
    found = facts(
        """
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/login-action@v3
                with:
                  registry: ghcr.io
                  username: ${{ github.actor }}
                  password: ${{ secrets.GITHUB_TOKEN }}
              - uses: docker/login-action@v3
                with:
                  username: me
                  password: hunter2
        """
    )
    first, second = found.commands
    assert first.action == "login" and first.attributes["server"].value == "ghcr.io"
    assert second.attributes.get("server") is None and second.attributes["default_server"] == "docker.io"
    assert second.attributes["password"].value == "hunter2"
    assert second.attributes["password"].span == Span(13, 21, 13, 28)


def test_action_refs():
    found = facts(
        """
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@main
              - uses: ./local
              - uses: docker://alpine:3.20.3
              - uses: octo/repo/sub/dir@v1
              - uses: no/ref
          call:
            uses: org/wf/.github/workflows/x.yml@4f58ea79222b3b9dc2c8bbdd6debcef730109a75
          local:
            uses: ./.github/workflows/y.yml
        """
    ).actions
    assert [(a.name, a.ref, a.span.line, a.span.column) for a in found] == [
        ("actions/checkout", "main", 5, 15),
        ("octo/repo/sub/dir", "v1", 8, 15),
        ("no/ref", None, 9, 15),
        ("org/wf/.github/workflows/x.yml", "4f58ea79222b3b9dc2c8bbdd6debcef730109a75", 11, 11),
    ]


def test_action_yml_runs_image():
    docker = facts(
        """
        name: a
        runs:
          using: docker
          image: docker://ghcr.io/org/tool:1.2.3
        """,
        "action.yml",
    )
    assert [(i.value, i.span.column, i.kind) for i in docker.images] == [("ghcr.io/org/tool:1.2.3", 19, "github-action")]
    built = facts(
        """
        name: a
        runs:
          using: docker
          image: Dockerfile
        """,
        "action.yml",
    )
    assert built.images == []


def test_composite_action_steps():
    found = facts(
        """
        name: a
        runs:
          using: composite
          steps:
            - uses: actions/cache@main
            - run: docker push org/app:1.0.0
              shell: bash
        """,
        "action.yml",
    )
    assert [a.ref for a in found.actions] == ["main"]
    assert [c.action for c in found.commands] == ["push"]


def test_invalid_yaml_is_a_problem_not_a_crash():
    found = facts("jobs:\n  a: [\n")
    assert len(found.problems) == 1
    assert found.problems[0].message.startswith("invalid YAML")


def test_alias_bomb_does_not_explode():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 12):
        bomb += f"{'b' * i}: &{'b' * i} [{', '.join(['*' + ('b' * (i - 1) if i > 1 else 'a')] * 9)}]\n"
    bomb += "jobs:\n  t:\n    runs-on: x\n    steps: *bbbbbbbbbbb\n"
    found = extract(SourceFile.from_text(WORKFLOW, bomb), ExtractContext())
    assert found.images == []


def test_env_and_matrix_expressions_in_run_are_substituted_with_file_spans():
    found = facts(
        """
        env:
          REGISTRY: ghcr.io
        jobs:
          build:
            runs-on: ubuntu-latest
            strategy:
              matrix:
                variant: [slim]
            steps:
              - run: |
                  docker push ${{ env.REGISTRY }}/org/app:${{ matrix.variant }}-${{ github.sha }}
        """
    )
    (push,) = [c for c in found.commands if c.action == "push"]
    target = push.attributes["targets"][0]
    assert target.value == "ghcr.io/org/app:slim-${{ github.sha }}"
    assert target.written == "${{ env.REGISTRY }}/org/app:${{ matrix.variant }}-${{ github.sha }}"
    assert target.span == Span(11, 23, 11, 23 + len(target.written))
    assert {step.name for step in target.via} >= {"env.REGISTRY", "matrix.variant"}
    assert push.attributes.get("editable") is False


def test_bake_action_pushes_unknown_targets():
    found = facts(
        """
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/bake-action@v5
                with:
                  push: true
        """
    )
    (bake,) = found.commands
    assert bake.attributes["push"] is True and bake.attributes["unknown_targets"] is True


def test_metadata_templates_in_prefixes():
    found = metadata_then_build_push(
        """
        images: ghcr.io/o/a
        tags: |
          type=sha,prefix={{branch}}-
          type=raw,value=latest,enable={{is_default_branch}}
          type=raw,value=off,enable=false
        """
    )
    (build,) = found.commands
    assert [w.value for w in build.attributes["targets"]] == [
        "ghcr.io/o/a:${{ github.ref_name }}-${{ github.sha }}",
        "ghcr.io/o/a:latest",
    ]


def _scan(tmp_path, files: dict[str, str], select: tuple[str, ...]):
    from taglint.config import Config
    from taglint.engine import scan

    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    result = scan(["."], Config().with_overrides(select=select), cwd=tmp_path)
    assert not result.errors
    return [(f.rule, f.path, f.span.line, f.span.column) for f in result.findings]


def test_acceptance_end_to_end(tmp_path):
    found = _scan(
        tmp_path,
        {
            WORKFLOW: """
                on: push
                jobs:
                  image:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/checkout@main
                      - uses: docker/login-action@v3
                        with:
                          username: ${{ vars.USER }}
                          password: ${{ secrets.TOKEN }}
                      - uses: docker/build-push-action@v6
                        with:
                          push: true
                          tags: user/app:latest
                      - run: |
                          docker login -u me -p "$PW" ghcr.io
            """,
            ".gitlab-ci.yml": """
                build:
                  script:
                    - docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"
            """,
        },
        ("TL202", "TL208", "TL209", "TL301", "TL101", "TL102"),
    )
    assert found == [
        ("TL301", ".github/workflows/ci.yml", 6, 15),
        ("TL202", ".github/workflows/ci.yml", 14, 17),
        ("TL208", ".github/workflows/ci.yml", 16, 30),
        ("TL209", ".gitlab-ci.yml", 3, 19),
    ]


def test_metadata_flavor_latest_true_is_reported_at_the_flavor_line():
    found = metadata_then_build_push(
        """
        images: org/app
        tags: type=ref,event=branch
        flavor: |
          prefix=v-,onlatest=false
          latest=true
        """
    )
    (build,) = found.commands
    assert [(w.value, w.span.line, w.span.column) for w in build.attributes["targets"]] == [
        ("org/app:v-${{ github.ref_name }}", 9, 17),
        ("org/app:latest", 12, 13),
    ]


def test_local_action_calls_and_composite_actions():
    found = facts(
        """
        jobs:
          release:
            runs-on: ubuntu-latest
            steps:
              - uses: ./.github/actions/publish
              - uses: ./tools/action/@main
              - uses: ./
        """,
        "repo/.github/workflows/release.yml",
    )
    assert found.extras["local_actions"] == [
        ("release", "repo/.github/actions/publish", 5),
        ("release", "repo/tools/action", 6),
        ("release", "repo", 7),
    ]
    assert found.actions == []
    composite = facts(
        """
        runs:
          using: composite
          steps:
            - uses: ./.github/actions/login
            - run: docker push ghcr.io/org/app:1.0.0
              shell: bash
        """,
        ".github/actions/publish/action.yml",
    )
    assert composite.extras["composite_action"] is True
    assert composite.extras["local_actions"] == [("action", ".github/actions/login", 4)]
    assert [c.scope for c in composite.commands] == ["action"]
    docker = facts("runs:\n  using: docker\n  image: Dockerfile\n", "action.yml")
    assert "composite_action" not in docker.extras


def test_repository_root():
    from taglint.extract.ci.github import repository_root

    assert repository_root(".github/workflows/ci.yml") == ""
    assert repository_root("svc/.github/workflows/ci.yml") == "svc"
    assert repository_root("svc/.github/actions/a/action.yml") == "svc"
    assert repository_root("svc/.gitea/workflows/ci.yml") == "svc"
    assert repository_root("action.yml") == ""
    assert repository_root("tools/push/action.yml") == "tools/push"


def test_cloud_login_actions():
    found = facts(
        """
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: aliyun/acr-login@v1
                with:
                  login-server: https://registry.cn-hangzhou.aliyuncs.com
                  username: ${{ secrets.ACR_USERNAME }}
                  password: ${{ secrets.ACR_PASSWORD }}
              - uses: aliyun/acr-login@v1
                with:
                  region-id: cn-beijing
                  access-key-id: ${{ secrets.AK }}
                  access-key-secret: ${{ secrets.SK }}
              - uses: aws-actions/amazon-ecr-login@v2
                with:
                  registry-type: public
              - uses: aws-actions/amazon-ecr-login@v2
                with:
                  registries: "123456789012,210987654321"
        """
    )
    first, second, public, private = found.commands
    assert first.attributes["server"].value == "https://registry.cn-hangzhou.aliyuncs.com"
    assert second.attributes.get("server") is None and "default_server" not in second.attributes
    assert "registry.cn-beijing.aliyuncs.com" in second.attributes["servers"]
    assert "*.cn-beijing.cr.aliyuncs.com" in second.attributes["servers"]
    assert public.attributes["servers"] == ("public.ecr.aws",)
    assert private.attributes["servers"] == ("123456789012.dkr.ecr.*.amazonaws.com", "210987654321.dkr.ecr.*.amazonaws.com")


def test_push_to_registry_with_its_own_credentials():
    found = facts(
        """
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: redhat-actions/push-to-registry@v2
                with:
                  image: api
                  tags: latest ${{ github.sha }} v-${{ github.ref_name }}-x
                  registry: quay.io/acme
                  username: ${{ secrets.QUAY_USER }}
                  password: ${{ secrets.QUAY_TOKEN }}
              - uses: redhat-actions/push-to-registry@v2
                with:
                  image: api
                  tags: ${{ github.sha }}
                  registry: quay.io/acme
        """
    )
    with_creds, without = found.commands
    assert [w.value for w in with_creds.attributes["targets"]] == [
        "quay.io/acme/api:latest", "quay.io/acme/api:${{ github.sha }}", "quay.io/acme/api:v-${{ github.ref_name }}-x"]
    assert with_creds.attributes["authenticated"] is True
    assert "authenticated" not in without.attributes
