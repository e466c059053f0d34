"""The Dockerfile extractor: which images, exact spans, ARG substitution."""
from __future__ import annotations

from taglint.extract.containers.dockerfile import extract
from taglint.model import Span
from taglint.source import ExtractContext, SourceFile


def images(text: str, **build_args: str):
    facts = extract(SourceFile.from_text("Dockerfile", text), ExtractContext(build_args=build_args))
    return facts


def values(text: str, **build_args: str) -> list[str]:
    return [ref.value for ref in images(text, **build_args).images]


def test_from_span_points_at_the_image_text():
    (ref,) = images("FROM --platform=$BUILDPLATFORM python:3.12 AS build\n").images
    assert ref.written == "python:3.12"
    assert ref.span == Span(1, 32, 1, 43)
    assert ref.context == "FROM"
    assert ref.stage == "stage build"


def test_stage_names_scratch_and_indexes_are_not_images():
    text = (
        "FROM golang:1.23.2 AS Builder\n"
        "FROM builder\n"
        "FROM scratch\n"
        "COPY --from=builder /a /a\n"
        "COPY --from=0 /b /b\n"
        "COPY --from=example/tools:1.0.0 /c /c\n"
        "ADD --from=7 /d /d\n"
    )
    # stage names are case-insensitive; index 7 does not exist so it names an image
    assert values(text) == ["golang:1.23.2", "example/tools:1.0.0", "7"]


def test_copy_from_span():
    refs = images("FROM a:1.0.0\nCOPY --chown=1 --from=example/tools / /\n").images
    assert refs[1].span == Span(2, 23, 2, 36)
    assert refs[1].context == "COPY --from"


def test_run_mount_from_image():
    refs = images("FROM a:1.0.0 AS s\nRUN --mount=type=bind,from=img:2.0.0,target=/x --mount=type=cache,from=s true\n").images
    assert [r.value for r in refs] == ["a:1.0.0", "img:2.0.0"]
    assert refs[1].span == Span(2, 28, 2, 37)


def test_syntax_directive_is_an_image():
    refs = images("# syntax=docker/dockerfile:1.7.0\nFROM a:1.0.0\n").images
    assert refs[0].value == "docker/dockerfile:1.7.0"
    assert refs[0].span == Span(1, 10, 1, 33)


def test_directive_after_instruction_is_a_comment():
    assert values("FROM a:1.0.0\n# syntax=docker/dockerfile:1\n") == ["a:1.0.0"]


def test_arg_chain_and_nested_defaults():
    text = "ARG PY=3.12\nARG BASE=python:${PY}-slim\nFROM ${BASE}\n"
    (ref,) = images(text).images
    assert ref.value == "python:3.12-slim"
    assert [s.describe() for s in ref.via] == ["ARG BASE=python:3.12-slim", "ARG PY=3.12"]
    assert ref.span == Span(3, 6, 3, 13)


def test_arg_without_default_stays_unresolved_and_defaults_apply():
    text = "ARG TAG\nFROM img:${TAG}\nFROM img:${TAG:-latest}\nFROM img:$TAG\n"
    assert values(text) == ["img:${TAG}", "img:latest", "img:$TAG"]


def test_build_args_override_defaults():
    assert values("ARG TAG=latest\nFROM img:${TAG}\n", TAG="1.2.3") == ["img:1.2.3"]
    (ref,) = images("ARG TAG\nFROM img:${TAG}\n", TAG="1.2.3").images
    assert ref.via[0].name == "--build-arg TAG"


def test_stage_args_do_not_leak_into_from():
    text = "FROM a:1.0.0\nARG TAG=latest\nFROM img:${TAG}\n"
    assert values(text) == ["a:1.0.0", "img:${TAG}"]


def test_comments_between_continuation_lines():
    text = "FROM \\\n# a comment\n   python:3.12.7 \\\n   AS base\n"
    (ref,) = images(text).images
    assert ref.span == Span(3, 4, 3, 17)
    assert ref.stage == "stage base"


def test_escape_directive_backtick():
    text = "# escape=`\nFROM `\n  mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  c:\\\n"
    (ref,) = images(text).images
    assert ref.value == "mcr.microsoft.com/windows/servercore:ltsc2022"
    assert ref.span.line == 3


def test_heredoc_does_not_confuse_positions():
    text = "FROM a:1.0.0\nRUN <<EOF\nFROM not-an-image\nEOF\nFROM b:2.0.0\n"
    refs = images(text).images
    assert [(r.value, r.span.line) for r in refs] == [("a:1.0.0", 1), ("b:2.0.0", 5)]


def test_parse_error_is_a_problem_not_a_crash():
    facts = images("FROM a:1.0.0\nRUN <<EOF\necho\n")
    assert facts.problems and "parse error" in facts.problems[0].message
    assert facts.problems[0].span.line == 2  # the unterminated heredoc's opener


def test_from_without_image_is_a_problem():
    assert images("FROM\n").problems[0].message == "FROM names no image"


def test_crlf_and_tabs():
    (ref,) = images("FROM\tpython:3.12.7\r\nRUN x\r\n").images
    assert ref.span == Span(1, 6, 1, 19)  # 13 characters


def test_run_lines_with_image_commands_reach_the_shell_layer():
    text = "FROM a:1.0.0\nRUN apt-get install -y curl\nRUN $ENGINE push org/app\nRUN docker push org/app:1.0.0\n"
    commands = images(text).commands
    assert [(c.action, c.span.line) for c in commands] == [("push", 3), ("push", 4)]


def test_onbuild_copy_and_mount_images_with_exact_spans():
    text = (
        "FROM python:3.12.7-slim AS base\n"
        "ONBUILD COPY --from=example/tool:v2 /bin/tool /usr/local/bin/tool\n"
        "onbuild   add --from=registry.example.com/assets:1.0.0 /a /b\n"
        "ONBUILD RUN --mount=type=bind,from=busybox:1.36.1,target=/b ls /b\n"
    )
    refs = images(text).images[1:]
    assert [(r.written, r.span, r.context, r.stage) for r in refs] == [
        ("example/tool:v2", Span(2, 21, 2, 36), "ONBUILD COPY --from", "ONBUILD"),
        ("registry.example.com/assets:1.0.0", Span(3, 22, 3, 55), "ONBUILD ADD --from", "ONBUILD"),
        ("busybox:1.36.1", Span(4, 36, 4, 50), "ONBUILD RUN --mount from", "ONBUILD"),
    ]


def test_onbuild_bare_from_may_be_a_stage_of_the_child_build():
    text = "FROM alpine:3.20.3\nONBUILD COPY --from=builder /out /out\nONBUILD COPY --from=0 /a /a\n"
    assert values(text) == ["alpine:3.20.3"]


def test_onbuild_run_commands_reach_the_shell_layer_with_exact_spans():
    text = (
        "FROM docker:27.3.1-cli\n"
        "ONBUILD RUN docker push registry.example.com/app\n"
        "ONBUILD RUN echo hi && \\\n"
        "    docker push registry.example.com/app:$(date +%s)\n"
    )
    pushes = [c for c in images(text).commands if c.action == "push"]
    targets = [(c.attributes["targets"][0].value, c.attributes["targets"][0].span) for c in pushes]
    assert targets == [
        ("registry.example.com/app", Span(2, 25, 2, 49)),
        ("registry.example.com/app:$(date +%s)", Span(4, 17, 4, 53)),
    ]
