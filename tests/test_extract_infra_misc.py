"""Nomad, Ansible and Podman Quadlet extractors, and how the infra family
recognises their files."""
from __future__ import annotations

import textwrap

from taglint.classify import classify, kind_from_path
from taglint.extract import extractor_for
from taglint.model import Span
from taglint.source import ExtractContext, SourceFile


def facts(kind: str, path: str, text: str):
    source = SourceFile.from_text(path, textwrap.dedent(text).lstrip("\n"))
    return extractor_for(kind)(source, ExtractContext())


def kind_of(path: str, text: str) -> str | None:
    return classify(path, lambda: textwrap.dedent(text).lstrip("\n"))


# -- classification -------------------------------------------------------------


def test_nomad_by_name_and_by_content() -> None:
    assert kind_from_path("jobs/web.nomad") == "nomad"
    assert kind_from_path("jobs/web.nomad.hcl") == "nomad"
    assert kind_of("deploy/web.hcl", 'job "web" {\n  group "g" {}\n}\n') == "nomad"
    assert kind_of("packer/build.pkr.hcl", 'source "docker" "x" {\n  image = "a"\n}\n') is None


def test_quadlet_units_need_their_section() -> None:
    assert kind_of("systemd/web.container", "[Container]\nImage=nginx\n") == "quadlet"
    assert kind_of("systemd/web.image", "[Image]\nImage=nginx\n") == "quadlet"
    assert kind_of("disk/os.image", "not a unit\n") is None


def test_ansible_by_a_container_module_in_a_yaml_list() -> None:
    tasks = """
    - name: Start
      community.docker.docker_container:
        image: nginx
    """
    assert kind_of("roles/web/tasks/main.yml", tasks) == "ansible"
    not_a_list = """
    docker_container:
      image: nginx
    """
    assert kind_of("config/settings.yml", not_a_list) is None
    other_tasks = """
    - name: Install
      ansible.builtin.package:
        name: nginx
    """
    assert kind_of("roles/web/tasks/main.yml", other_tasks) is None


# -- Nomad ----------------------------------------------------------------------


def test_nomad_task_images_with_variables() -> None:
    found = facts(
        "nomad",
        "cache.nomad",
        """
        variable "tag" {
          default = "7.4.1"
        }
        job "cache" {
          group "cache" {
            task "redis" {
              driver = "docker"
              config {
                image = "redis:${var.tag}"
              }
            }
            task "meta" {
              driver = "docker"
              config {
                image = "app:${NOMAD_META_version}"
              }
            }
          }
        }
        """,
    )
    assert [(i.value, i.span, i.context) for i in found.images] == [
        ("redis:7.4.1", Span(9, 18, 9, 34), "job.cache.cache.redis.config.image"),
        ("app:${NOMAD_META_version}", Span(15, 18, 15, 43), "job.cache.cache.meta.config.image"),
    ]
    assert [s.name for s in found.images[0].via] == ["var.tag"]


# -- Ansible --------------------------------------------------------------------


def test_ansible_modules_and_their_arguments() -> None:
    found = facts(
        "ansible",
        "site.yml",
        """
        - hosts: all
          vars:
            tag: "1.27.3"
          tasks:
            - name: web
              community.docker.docker_container:
                name: web
                image: "nginx:{{ tag }}"
            - block:
                - name: pull
                  docker_image:
                    name: redis
                    tag: "7.4"
                    source: pull
            - name: legacy form
              docker_container: name=db image=mysql:8.4.3 state=started
            - name: built here
              community.docker.docker_image:
                name: app
                source: build
                build: {path: .}
        """,
    )
    assert [(i.value, i.span) for i in found.images] == [
        ("nginx:1.27.3", Span(8, 17, 8, 32)),
        ("redis:7.4", Span(13, 19, 13, 22)),
        ("mysql:8.4.3", Span(16, 39, 16, 50)),
    ]
    assert found.images[0].via[0].name == "vars.tag"
    assert found.commands == []


def test_ansible_push_targets() -> None:
    found = facts(
        "ansible",
        "publish.yml",
        """
        - name: push
          community.docker.docker_image_push:
            name: registry.example.com/team/app
            tag: 1.4.2
        - name: build and push
          containers.podman.podman_image:
            name: app
            push: true
        """,
    )
    targets = [[w.value for w in c.attributes["targets"]] for c in found.commands]
    assert targets == [["registry.example.com/team/app:1.4.2"], ["app"]]
    assert all(c.attributes["push"] and c.attributes["default_tag"] == "latest" for c in found.commands)


# -- Quadlet --------------------------------------------------------------------


def test_quadlet_image_keys_only_in_their_sections() -> None:
    found = facts(
        "quadlet",
        "web.container",
        """
        [Unit]
        Description=Web
        Image=not-read:1

        [Container]
        # Image=commented:1
        Image = "docker.io/library/nginx:1.27.3"
        Image=web.build

        [Install]
        WantedBy=default.target
        """,
    )
    assert [(i.value, i.span, i.context) for i in found.images] == [
        ("docker.io/library/nginx:1.27.3", Span(7, 10, 7, 40), "[Container] Image"),
    ]


def test_nomad_meta_values_are_interpolated_innermost_first() -> None:
    found = facts(
        "nomad",
        "web.nomad.hcl",
        """
        job "web" {
          meta {
            version = "1.0.0"
          }
          group "web" {
            task "a" {
              config {
                image = "app:${NOMAD_META_version}"
              }
            }
            task "b" {
              meta {
                version = "2.0.1"
              }
              config {
                image = "app:${meta.version}"
              }
            }
          }
        }
        """,
    )
    assert [i.value for i in found.images] == ["app:1.0.0", "app:2.0.1"]
    assert [s.location.span.line for i in found.images for s in i.via if s.location] == [3, 13]


def test_ansible_role_defaults_and_vars(tmp_path) -> None:
    role = tmp_path / "roles" / "cache"
    (role / "tasks").mkdir(parents=True)
    (role / "defaults").mkdir()
    (role / "vars").mkdir()
    (role / "defaults" / "main.yml").write_text('redis_tag: latest\nrepo: redis\n', encoding="utf-8")
    (role / "vars" / "main.yml").write_text('redis_tag: "7.4.1"\n', encoding="utf-8")
    text = '- name: redis\n  docker_container:\n    name: cache\n    image: "{{ repo }}:{{ redis_tag }}"\n'
    tasks = role / "tasks" / "main.yml"
    tasks.write_text(text, encoding="utf-8")
    source = SourceFile("roles/cache/tasks/main.yml", tasks, text)
    (ref,) = extractor_for("ansible")(source, ExtractContext()).images
    assert ref.value == "redis:7.4.1"
    assert [(s.name, s.location.path if s.location else None) for s in ref.via] == [
        ("defaults.repo", "roles/cache/defaults/main.yml"),
        ("vars.redis_tag", "roles/cache/vars/main.yml"),
    ]


def test_ansible_play_vars_belong_to_their_play() -> None:
    found = facts(
        "ansible",
        "site.yml",
        """
        - hosts: a
          vars:
            tag: "1.27.3"
          tasks:
            - docker_container:
                image: "nginx:{{ tag }}"
        - hosts: b
          tasks:
            - docker_container:
                image: "nginx:{{ tag }}"
        """,
    )
    assert [i.value for i in found.images] == ["nginx:1.27.3", "nginx:{{ tag }}"]
