"""Terraform extractor: image places of the docker, kubernetes, aws and helm
providers, variables of the module folder, exact spans, parse errors."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from taglint.classify import classify, kind_from_path
from taglint.extract import extractor_for
from taglint.model import Span
from taglint.source import ExtractContext, SourceFile


def facts(text: str, path: str = "main.tf", fs_path: Path | None = None):
    source = SourceFile(path, fs_path or Path(path), textwrap.dedent(text).lstrip("\n"))
    return extractor_for("terraform")(source, ExtractContext())


def test_tf_files_are_terraform() -> None:
    assert kind_from_path("infra/main.tf") == "terraform"
    assert kind_from_path("infra/main.tf.json") is None
    assert classify("modules/app/variables.tf", lambda: "") == "terraform"


def test_docker_kubernetes_and_ecs_images_with_exact_spans() -> None:
    found = facts(
        """
        resource "docker_image" "ubuntu" {
          name = "ubuntu:24.04"
        }
        resource "docker_container" "web" {
          image = docker_image.ubuntu.image_id
        }
        resource "kubernetes_deployment_v1" "app" {
          spec {
            template {
              spec {
                init_container {
                  image = "busybox:1.37.0"
                }
                container {
                  name  = "app"
                  image = "ghcr.io/acme/app:v1.2.3"
                }
              }
            }
          }
        }
        resource "aws_ecs_task_definition" "svc" {
          container_definitions = jsonencode([{ name = "a", image = "nginx:1.27.3" }])
        }
        """
    )
    assert [(i.value, i.span, i.context) for i in found.images] == [
        ("ubuntu:24.04", Span(2, 11, 2, 23), "docker_image.ubuntu.name"),
        ("busybox:1.37.0", Span(12, 20, 12, 34), "kubernetes_deployment_v1.app.init_container.image"),
        ("ghcr.io/acme/app:v1.2.3", Span(16, 20, 16, 43), "kubernetes_deployment_v1.app.container[app].image"),
        ("nginx:1.27.3", Span(23, 62, 23, 74), "aws_ecs_task_definition.svc.container_definitions[0].image"),
    ]
    assert all(i.kind == "terraform" for i in found.images)


def test_built_image_is_not_a_pull() -> None:
    found = facts(
        """
        resource "docker_image" "app" {
          name = "app"
          build {
            context = "."
          }
        }
        """
    )
    assert found.images == []


def test_json_heredoc_positions_are_the_files() -> None:
    found = facts(
        """
        resource "aws_ecs_task_definition" "svc" {
          container_definitions = <<-EOT
            [
              {"name": "web", "image": "nginx:1.27.3"}
            ]
          EOT
        }
        """
    )
    (ref,) = found.images
    assert ref.span == Span(4, 33, 4, 45)
    assert ref.context == "aws_ecs_task_definition.svc.container_definitions[0].image"


def test_variables_and_locals_are_substituted_with_steps() -> None:
    found = facts(
        """
        variable "tag" {
          default = "latest"
        }
        variable "unknown" {}
        locals {
          image = "redis:7.4.1"
        }
        resource "docker_image" "a" {
          name = "nginx:${var.tag}"
        }
        resource "docker_container" "b" {
          image = local.image
        }
        resource "docker_image" "c" {
          name = "app:${var.unknown}"
        }
        """
    )
    a, b, c = found.images
    assert (a.written, a.value) == ("nginx:${var.tag}", "nginx:latest")
    assert [(s.name, s.value, s.location.span if s.location else None) for s in a.via] == [
        ("var.tag", "latest", Span(2, 14, 2, 20))
    ]
    assert (b.written, b.value, b.span) == ("local.image", "redis:7.4.1", Span(12, 11, 12, 22))
    assert c.value == "app:${var.unknown}"
    assert [(s.name, s.value) for s in c.via] == [("var.unknown", None)]


def test_variables_of_the_other_files_of_the_module_folder(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text('variable "tag" {\n  default = "1.4.2"\n}\n', encoding="utf-8")
    main = tmp_path / "main.tf"
    text = 'resource "docker_image" "a" {\n  name = "nginx:${var.tag}"\n}\n'
    main.write_text(text, encoding="utf-8")
    found = facts(text, path="infra/main.tf", fs_path=main)
    (ref,) = found.images
    assert ref.value == "nginx:1.4.2"
    (step,) = ref.via
    assert step.location is not None
    assert (step.location.path, step.location.span) == ("infra/variables.tf", Span(2, 14, 2, 19))


def test_helm_release_set_blocks_and_lists() -> None:
    found = facts(
        """
        resource "helm_release" "redis" {
          chart = "redis"
          set {
            name  = "image.repository"
            value = "bitnami/redis"
          }
          set {
            name  = "image.tag"
            value = "latest"
          }
        }
        resource "helm_release" "ingress" {
          chart = "ingress-nginx"
          set = [
            { name = "controller.image.tag", value = "v1.12" },
            { name = "replicaCount", value = "2" },
          ]
        }
        """
    )
    assert [(i.value, i.span, i.written) for i in found.images] == [
        ("bitnami/redis:latest", Span(9, 14, 9, 20), "latest"),
        ("ingress-nginx:v1.12", Span(15, 47, 15, 52), "v1.12"),
    ]


def test_registry_image_is_a_push_target() -> None:
    found = facts(
        """
        resource "docker_registry_image" "app" {
          name = "registry.example.com/team/app"
        }
        """
    )
    (push,) = found.commands
    assert push.attributes["push"] is True
    assert [w.value for w in push.attributes["targets"]] == ["registry.example.com/team/app"]
    assert push.attributes["default_tag"] == "latest"
    assert found.images == []


def test_parse_error_is_a_problem_at_its_place() -> None:
    found = facts('resource "docker_image" "a" {\n  name = "x"\n  = broken\n}\n')
    (problem,) = found.problems
    assert problem.span.line == 3
    assert problem.message.startswith("invalid HCL")


def test_dockerfile_only_run_does_not_import_the_hcl_parser(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20.3\n", encoding="utf-8")
    code = (
        "import sys; from taglint.engine import scan; from taglint.config import Config; "
        f"scan(['.'], Config(), cwd={str(tmp_path)!r}); "
        "print('hcl2' in sys.modules, 'lark' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_files_naming_no_image_resource_are_not_parsed() -> None:
    found = facts('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n  = broken\n}\n')
    assert found.images == [] and found.problems == []


def test_tfvars_replace_defaults(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text('variable "tag" {\n  default = "latest"\n}\n', encoding="utf-8")
    (tmp_path / "terraform.tfvars").write_text('tag = "1.4.2"\n', encoding="utf-8")
    (tmp_path / "z.auto.tfvars").write_text('# later files win\ntag = "1.4.3"\n', encoding="utf-8")
    main = tmp_path / "main.tf"
    text = 'resource "docker_image" "a" {\n  name = "nginx:${var.tag}"\n}\n'
    main.write_text(text, encoding="utf-8")
    (ref,) = facts(text, path="main.tf", fs_path=main).images
    assert ref.value == "nginx:1.4.3"
    (step,) = ref.via
    assert step.location is not None
    assert (step.location.path, step.location.span) == ("z.auto.tfvars", Span(2, 8, 2, 13))


def _big_module(extra: str = "") -> str:
    filler = "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b{i}"\n}}\n\n' for i in range(1500))
    return (
        'variable "tag" {\n  default = "latest"\n}\n\n' + filler
        + 'resource "docker_image" "a" {\n  name = "nginx:${var.tag}"\n}\n' + extra
    )


def test_big_files_parse_only_the_blocks_that_matter_with_the_files_positions() -> None:
    from taglint.extract.infra import terraform

    text = _big_module()
    assert len(text) > terraform.WHOLE_PARSE_SIZE
    (ref,) = facts(text).images
    line = text.split("\n").index('  name = "nginx:${var.tag}"') + 1
    assert (ref.value, ref.span) == ("nginx:latest", Span(line, 11, line, 27))
    assert ref.via[0].location is not None and ref.via[0].location.span == Span(2, 14, 2, 20)


def test_big_files_not_cut_at_blocks_are_parsed_whole() -> None:
    heredoc = (
        'resource "aws_ecs_task_definition" "t" {\n  container_definitions = <<EOF\n[\n{"image": "redis:7.4.1"}\n'
        "]\nEOF\n}\n"
    )
    text = _big_module(heredoc.replace('{"image"', '{\n"image"').replace('7.4.1"}', '7.4.1"\n}'))
    found = facts(text)
    assert [i.value for i in found.images] == ["nginx:latest", "redis:7.4.1"]
    assert found.problems == []
