"""Earthly Earthfiles: FROM images (not targets, not FROM DOCKERFILE),
WITH DOCKER --pull, SAVE IMAGE push targets, ARG scopes, continuations."""
from __future__ import annotations

import textwrap

from taglint.classify import kind_from_path
from taglint.extract import extractor_for
from taglint.model import Span
from taglint.source import ExtractContext, SourceFile


def facts(text: str):
    source = SourceFile.from_text("Earthfile", textwrap.dedent(text).lstrip("\n"))
    return extractor_for("earthfile")(source, ExtractContext())


def test_earthfile_path() -> None:
    assert kind_from_path("Earthfile") == "earthfile"
    assert kind_from_path("services/api/Earthfile") == "earthfile"
    assert kind_from_path("Earthfile.md") is None


def test_from_images_targets_and_dockerfiles() -> None:
    found = facts(
        """
        VERSION 0.8
        FROM golang:1.23.4-alpine3.20
        deps:
            FROM +base
            FROM ./lib+build
            FROM DOCKERFILE -f Dockerfile.dev .
            FROM --platform linux/amd64 alpine:3.20.3
        """
    )
    assert [(i.value, i.span, i.stage) for i in found.images] == [
        ("golang:1.23.4-alpine3.20", Span(2, 6, 2, 30), "base"),
        ("alpine:3.20.3", Span(7, 33, 7, 46), "deps"),
    ]


def test_args_global_and_local_and_continuations() -> None:
    found = facts(
        """
        VERSION 0.8
        ARG --global PY=3.12.8
        ARG LOCAL_ONLY=1
        build:
            ARG tag
            FROM python:$PY
            FROM \\
                app:$tag
            FROM other:$LOCAL_ONLY
        """
    )
    py, app, other = found.images
    assert (py.value, [s.name for s in py.via]) == ("python:3.12.8", ["ARG PY"])
    assert py.via[0].location is not None and py.via[0].location.span == Span(2, 17, 2, 23)
    assert (app.value, app.span) == ("app:$tag", Span(8, 9, 8, 17))
    assert [(s.name, s.value) for s in app.via] == [("ARG tag", None)]
    assert other.value == "other:$LOCAL_ONLY"  # a base-target ARG without --global stays there


def test_with_docker_pull_and_save_image() -> None:
    found = facts(
        """
        VERSION 0.8
        FROM alpine:3.20.3
        test:
            WITH DOCKER --pull redis:7.4.1 --pull=postgres:16.6 --load app=+image
                RUN true
            END
        image:
            SAVE IMAGE --push registry.example.com/app:1.4.2 registry.example.com/app
            SAVE IMAGE local-only
        """
    )
    assert [(i.value, i.context, i.span.column) for i in found.images] == [
        ("alpine:3.20.3", "FROM", 6),
        ("redis:7.4.1", "WITH DOCKER --pull", 24),
        ("postgres:16.6", "WITH DOCKER --pull", 43),
    ]
    push, local = found.commands
    assert push.attributes["push"] is True and local.attributes["push"] is False
    assert [w.value for w in push.attributes["targets"]] == ["registry.example.com/app:1.4.2",
                                                             "registry.example.com/app"]
    assert push.attributes["default_tag"] == "latest"
    assert push.scope == "image"
