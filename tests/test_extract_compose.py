"""Compose extractor: services, build, interpolation, .env, anchors."""
from __future__ import annotations

from pathlib import Path

import pytest

from taglint.extract.containers.compose import (
    EnvValue,
    extract,
    extract_with_env,
    interpolate,
    parse_dotenv,
)
from taglint.model import Location, Span
from taglint.source import ExtractContext, SourceFile


def env(**values: str) -> dict[str, EnvValue]:
    return {name: EnvValue(value) for name, value in values.items()}


@pytest.mark.parametrize(
    "text, known, expected",
    [
        ("app:${TAG}", {}, "app:${TAG}"),
        ("app:$TAG", {}, "app:$TAG"),
        ("app:${TAG}", {"TAG": "1.2"}, "app:1.2"),
        ("app:$TAG-x", {"TAG": "1.2"}, "app:1.2-x"),
        ("app:${TAG:-latest}", {}, "app:latest"),
        ("app:${TAG:-latest}", {"TAG": ""}, "app:latest"),
        ("app:${TAG-latest}", {"TAG": ""}, "app:"),
        ("app:${TAG-latest}", {}, "app:latest"),
        ("app:${TAG:?required}", {}, "app:${TAG:?required}"),
        ("app:${TAG:?required}", {"TAG": "2"}, "app:2"),
        ("app:${TAG?required}", {"TAG": ""}, "app:"),
        ("app:${TAG:+alt}", {"TAG": "x"}, "app:alt"),
        ("app:${TAG:+alt}", {}, "app:${TAG:+alt}"),
        ("app:${TAG:-${FALLBACK:-1.0}}", {}, "app:1.0"),
        ("app:${TAG:-${FALLBACK}}", {"FALLBACK": "3"}, "app:3"),
        ("price:$$5", {}, "price:$5"),
        ("$${NOT}", {}, "${NOT}"),
        ("${REGISTRY}/app:${TAG}", {"REGISTRY": "r.io"}, "r.io/app:${TAG}"),
        ("app:${", {}, "app:${"),
        ("app:$", {}, "app:$"),
        ("app:${1bad}", {}, "app:${1bad}"),
    ],
)
def test_interpolate(text: str, known: dict[str, str], expected: str) -> None:
    value, _ = interpolate(text, env(**known))
    assert value == expected


def test_interpolation_steps_name_the_source() -> None:
    location = Location(".env", Span(2, 5, 2, 8))
    value, steps = interpolate("app:${TAG}-${MISSING}-${D:-x}", {"TAG": EnvValue("1.0", location)})
    assert value == "app:1.0-${MISSING}-x"
    assert [(s.name, s.value, s.location) for s in steps] == [
        ("$TAG", "1.0", location),
        ("$MISSING", None, None),
        ("${D:-x}", "x", None),
    ]


def test_parse_dotenv() -> None:
    text = "# comment\nexport A=1\nB = two # note\nC='lit $x'\nD=\"q\\\"uote\"\nbad line\nA=3\n"
    parsed = parse_dotenv(text, "app/.env")
    assert {k: v.value for k, v in parsed.items()} == {"A": "3", "B": "two", "C": "lit $x", "D": 'q"uote'}
    assert parsed["B"].location == Location("app/.env", Span(3, 5, 3, 8))
    assert parsed["C"].location == Location("app/.env", Span(4, 4, 4, 10))


COMPOSE = """\
x-base: &base
  image: shared/base
  restart: always
services:
  web:
    image: "nginx:${NGINX:-1.27.3}"
  worker:
    <<: *base
  cron:
    <<: *base
    command: run
  api:
    build: .
    image: acme/api
  builder:
    build: ./b
  nothing:
"""


def test_services_built_images_and_merges() -> None:
    found = extract_with_env(SourceFile.from_text("compose.yaml", COMPOSE), {}).images
    assert [(r.context, r.value, r.built) for r in found] == [
        ("services.worker.image", "shared/base", False),
        ("services.web.image", "nginx:1.27.3", False),
        ("services.api.image", "acme/api", True),
    ]
    base, web, api = found
    assert base.span == Span(2, 10, 2, 21)
    assert web.span == Span(6, 13, 6, 35)
    assert web.written == "nginx:${NGINX:-1.27.3}"
    assert web.stage == "web"
    assert api.literal


def test_dotenv_beside_the_file(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  app:\n    image: app:${TAG}\n")
    (tmp_path / ".env").write_text("TAG=2.0.1\n")
    source = SourceFile("deploy/compose.yaml", tmp_path / "compose.yaml", (tmp_path / "compose.yaml").read_text())
    (ref,) = extract(source, ExtractContext()).images
    assert ref.value == "app:2.0.1"
    assert ref.via[0].location == Location("deploy/.env", Span(1, 5, 1, 10))


def test_parse_error_and_non_mapping_services() -> None:
    bad = extract_with_env(SourceFile.from_text("compose.yaml", "services:\n  web:\n    image: [x\n"), {})
    assert bad.problems and bad.problems[0].span.line == 4
    odd = extract_with_env(SourceFile.from_text("compose.yaml", "services: [image]\n---\nimage: x\n"), {})
    assert odd.images == [] and odd.problems == []
