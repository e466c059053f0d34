"""Makefile extraction: variables, recipes, positions mapped into the file."""
from __future__ import annotations

from taglint.extract.makefile import extract
from taglint.model import Span
from taglint.source import ExtractContext, SourceFile


def facts(text: str):
    return extract(SourceFile.from_text("Makefile", text), ExtractContext())


def pushes(text: str) -> list[tuple[str, str]]:
    return [
        (c.scope, w.value)
        for c in facts(text).commands
        if c.attributes.get("push")
        for w in c.attributes["targets"]
    ]


def test_variables_and_recursive_expansion() -> None:
    text = "TAG ?= latest\nIMG ?= org/app:$(TAG)\n\npush:\n\tdocker push $(IMG)\n"
    (command,) = facts(text).commands
    (word,) = command.attributes["targets"]
    assert word.value == "org/app:latest"
    assert word.written == "$(IMG)"
    assert word.span == Span(5, 14, 5, 20)
    assert [s.describe() for s in word.via] == ["Makefile variable IMG=org/app:latest", "Makefile variable TAG=latest"]
    assert word.via[0].location is not None and word.via[0].location.span.line == 2
    assert command.scope == "push"
    assert command.written == "docker push $(IMG)"


def test_assignment_flavours() -> None:
    text = (
        "A = 1\nA ?= 2\nB := $(A)\nA = 3\nC = $(A)\nD += x\nD += y\nE != git rev-parse HEAD\n"
        "override F := f\nexport G = g\n"
        "t:\n\tdocker push r/$(A)$(B)$(C):$(D)\n\tdocker push r/$(F)$(G):$(E)\n"
    )
    # make substitutes text before the shell splits words: `x y` is two words
    assert pushes(text) == [("t", "r/313:x"), ("t", "r/fg:$(git rev-parse HEAD)")]
    first = facts(text).commands[0].attributes["targets"][0]
    assert "Makefile variable D=x y" in [s.describe() for s in first.via]


def test_shell_function_and_unknown_variables() -> None:
    text = "SHA := $(shell git rev-parse --short HEAD)\nt:\n\tdocker push r.io/a:$(SHA)\n\tdocker push r.io/a:$(VERSION)\n"
    found = pushes(text)
    assert found == [("t", "r.io/a:$(git rev-parse --short HEAD)"), ("t", "r.io/a:$(VERSION)")]
    second = facts(text).commands[1].attributes["targets"][0]
    assert [s.describe() for s in second.via] == ["Makefile variable VERSION (no value)"]


def test_dollar_dollar_prefixes_and_continuations() -> None:
    text = (
        "t:\n"
        "\t@TAG=1.0; docker push r.io/a:$$TAG\n"
        "\t-docker push \\\n"
        "\t   r.io/b:2.0\n"
        "\t+@ docker push r.io/c:3.0\n"
    )
    assert pushes(text) == [("t", "r.io/a:1.0"), ("t", "r.io/b:2.0"), ("t", "r.io/c:3.0")]
    commands = facts(text).commands
    assert commands[0].attributes["targets"][0].written == "r.io/a:$$TAG"
    assert commands[1].span == Span(3, 3, 4, 15)
    assert commands[1].attributes["targets"][0].span == Span(4, 5, 4, 15)
    assert commands[2].span.column == 5


def test_each_recipe_line_is_its_own_shell() -> None:
    text = "t:\n\tTAG=1\n\tdocker push r.io/a:$${TAG:-none}\n"
    assert pushes(text) == [("t", "r.io/a:none")]
    oneshell = ".ONESHELL:\n" + text
    assert pushes(oneshell) == [("t", "r.io/a:1")]


def test_target_specific_variables_and_automatic() -> None:
    text = "TAG = dev\nrelease: TAG = 1.2.3\nrelease:\n\tdocker push r.io/a:$(TAG)\ndev:\n\tdocker push r.io/a:$(TAG)\nr.io/x:\n\tdocker push $@\n"
    assert pushes(text) == [("release", "r.io/a:1.2.3"), ("dev", "r.io/a:dev"), ("r.io/x", "r.io/x")]


def test_inline_recipe_and_multiple_targets() -> None:
    text = "a b: ; docker push r.io/a:1\n"
    assert pushes(text) == [("a b", "r.io/a:1")]


def test_functions() -> None:
    text = (
        "V := v1.2.3\nNAMES := a b\n"
        "t:\n\tdocker push r.io/a:$(subst v,,$(V))\n\tdocker push r.io/$(firstword $(NAMES)):1\n"
        "\tdocker push r.io/a:$(patsubst v%,%,$(V))\n\tdocker push r.io/a:$(strip  $(V) )\n"
        "\tdocker push r.io/a:$(V:v1.2.3=2)\n"
    )
    assert [v for _s, v in pushes(text)] == ["r.io/a:1.2.3", "r.io/a:1", "r.io/a:1.2.3", "r.io/a:v1.2.3", "r.io/a:2"]


def test_docker_variable_and_word_splitting() -> None:
    text = "DOCKER ?= podman\nFLAGS = -t r.io/a:1 \\\n  -t r.io/a:latest\nt:\n\t$(DOCKER) build $(FLAGS) .\n\t$(DOCKER) push r.io/a:1\n"
    build, push = facts(text).commands
    assert build.tool == "podman" and push.tool == "podman"
    assert [w.value for w in build.attributes["targets"]] == ["r.io/a:1", "r.io/a:latest"]
    assert all(w.span == Span(5, 18, 5, 26) for w in build.attributes["targets"])


def test_comments_directives_define_and_crlf() -> None:
    text = (
        "# docker push nope\nifdef CI\nTAG = ci\nendif\ndefine HELP\n\tdocker push nope:1\nendef\n"
        "t: # a comment\n\t# docker push nope:2\n\tdocker push r.io/a:$(TAG)\r\n"
    )
    assert pushes(text) == [("t", "r.io/a:ci")]


def test_tab_lines_outside_rules_are_not_recipes() -> None:
    assert pushes("\tdocker push r.io/a:1\nA = 1\n\tdocker push r.io/a:2\n") == []


def test_recipe_prefix() -> None:
    text = ".RECIPEPREFIX = >\nt:\n> docker push r.io/a:1\n"
    assert pushes(text) == [("t", "r.io/a:1")]


def test_never_raises_on_odd_makefiles() -> None:
    for text in ["$(", "a: $(", "\t$(", "A = $(A)\nt:\n\techo $(A)\n", "t:\n\t$(shell\n", "x:=\\\n", "t::\n\t$$", "\\"]:
        facts(text)


def test_conditional_definitions() -> None:
    text = "ifdef CI_COMMIT_TAG\nTAG := $(CI_COMMIT_TAG)\nelse\nTAG := latest\nendif\nt:\n\tdocker push r.io/a:$(TAG)\n"
    assert pushes(text) == [("t", "r.io/a:$(TAG)")]
    text = "ifndef TAG\nTAG = latest\nendif\nt:\n\tdocker push r.io/a:$(TAG)\n"
    assert pushes(text) == [("t", "r.io/a:latest")]
    text = "TAG = dev\nifdef RELEASE\nTAG = 1.0\nendif\nt:\n\tdocker push r.io/a:$(TAG)\n"
    assert pushes(text) == [("t", "r.io/a:$(TAG)")]
