"""Dev containers: where they are found, JSONC read with exact spans."""
from __future__ import annotations

import textwrap

from taglint.classify import kind_from_path
from taglint.extract import extractor_for
from taglint.extract.containers.jsonc import blank_comments
from taglint.model import Span
from taglint.source import ExtractContext, SourceFile


def facts(text: str, path: str = ".devcontainer/devcontainer.json"):
    source = SourceFile.from_text(path, textwrap.dedent(text).lstrip("\n"))
    return extractor_for("devcontainer")(source, ExtractContext())


def test_devcontainer_paths() -> None:
    assert kind_from_path(".devcontainer/devcontainer.json") == "devcontainer"
    assert kind_from_path("app/.devcontainer.json") == "devcontainer"
    assert kind_from_path(".devcontainer/python/devcontainer.json") == "devcontainer"
    assert kind_from_path("config/devcontainer.json") is None


def test_blanking_keeps_every_position_and_strings() -> None:
    text = '{\n  // line\n  "a": "http://x/*y*/", /* block\n  more */ "b": [1, 2,],\n}\n'
    blanked = blank_comments(text)
    assert len(blanked) == len(text)
    assert [len(line) for line in blanked.split("\n")] == [len(line) for line in text.split("\n")]
    assert '"http://x/*y*/"' in blanked
    assert "//" not in blanked.replace("http://", "")
    assert blanked.count(",") == 2  # the two trailing commas are gone, the separators stay


def test_image_with_comments_and_trailing_commas() -> None:
    found = facts(
        """
        // comment before the object
        {
          "name": "py", /* inline */
          "image": "mcr.microsoft.com/devcontainers/python:1.2.3-3.12", // after
          "build": {"dockerfile": "Dockerfile"},
          "dockerComposeFile": ["../compose.yaml"],
          "features": {"ghcr.io/devcontainers/features/node:1": {},},
        }
        """
    )
    assert [(i.value, i.span, i.context, i.kind) for i in found.images] == [
        ("mcr.microsoft.com/devcontainers/python:1.2.3-3.12", Span(4, 13, 4, 62), "image", "devcontainer"),
    ]


def test_broken_json_is_a_problem() -> None:
    found = facts('{\n  "image": "alpine:3.20.3"\n  "name": 1\n}\n')
    (problem,) = found.problems
    assert problem.message.startswith("invalid JSON")
    assert found.images == []
