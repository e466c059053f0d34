"""Makefile extraction: variables, recipes, positions mapped into the file."""
from __future__ import annotations

import pytest

from taglint.extract.scripts.makefile import extract
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


# -- conditionals evaluated on the file's values (issue 8) ----------------------------------


def targets(text: str) -> list[tuple[int, str, tuple]]:
    return [
        (c.span.line, w.value, c.attributes.get("branch", ()))
        for c in facts(text).commands if c.attributes.get("push")
        for w in c.attributes["targets"]
    ]


def test_line_inside_ifneq_is_not_judged_with_the_value_that_makes_it_false() -> None:
    text = (
        "TAG ?= latest\nIMG := r.io/a:$(TAG)\nLATEST := r.io/a:latest\n"
        "push-latest:\nifneq ($(TAG),latest)\n\tdocker push $(IMG)\n\tdocker push $(LATEST)\nendif\n"
    )
    (first, *_), (second, *_) = [(v, b) for _l, v, b in targets(text)]
    assert first == "r.io/a:$(TAG)" and second == "r.io/a:latest"
    (command, _) = facts(text).commands
    steps = [s.describe() for s in command.attributes["targets"][0].via]
    assert "Makefile variable TAG inside `ifneq ($(TAG),latest)` (no value)" in steps
    # the whole conditional is one branch point: the part and the part not taken
    assert command.attributes["branch"] == (("Makefile:5:1", 0, 2),)


def test_ifeq_pins_the_value_and_else_excludes_it() -> None:
    text = (
        "TAG ?= 1.0\nIMG = r.io/a:$(TAG)\n"
        "t:\nifeq ($(TAG),latest)\n\tdocker push $(IMG)\nelse\n\tdocker push $(IMG)\nendif\n"
    )
    assert [(line, value) for line, value, _b in targets(text)] == [(5, "r.io/a:latest"), (7, "r.io/a:1.0")]
    branches = [b for _l, _v, b in targets(text)]
    assert branches == [(("Makefile:4:1", 0, 2),), (("Makefile:4:1", 1, 2),)]
    # the default is latest: the else part runs only with another TAG
    text = text.replace("TAG ?= 1.0", "TAG ?= latest")
    assert [value for _l, value, _b in targets(text)] == ["r.io/a:latest", "r.io/a:$(TAG)"]


@pytest.mark.parametrize(
    "condition, expected",
    [
        ('ifeq "$(TAG)" "latest"', "r.io/a:latest"),
        ("ifeq '$(TAG)' 'latest'", "r.io/a:latest"),
        ("ifeq ($(strip $(TAG)),latest)", "r.io/a:latest"),
        ("ifeq ( $(TAG) , latest )", "r.io/a:latest"),
        ('ifneq "$(TAG)" "latest"', "r.io/a:$(TAG)"),
        ("ifdef TAG", "r.io/a:latest"),  # defined with a value: true, nothing changes
        ("ifndef TAG", "r.io/a:"),  # false with the file's value: runs only with TAG empty
    ],
)
def test_condition_forms(condition: str, expected: str) -> None:
    text = f"TAG ?= latest\nt:\n{condition}\n\tdocker push r.io/a:$(TAG)\nendif\n"
    assert [value for _l, value, _b in targets(text)] == [expected]


def test_else_if_chains() -> None:
    text = (
        "ENV ?= dev\n"
        "ifeq ($(ENV),prod)\nTAG := 1.0\nelse ifeq ($(ENV),dev)\nTAG := latest\nelse\nTAG := edge\nendif\n"
        "t:\n\tdocker push r.io/a:$(TAG)\n"
    )
    # only the dev part happens with the file's values: the other assignments do not
    assert [value for _l, value, _b in targets(text)] == ["r.io/a:latest"]
    text = (
        "t:\nifeq ($(ENV),prod)\n\tdocker push r.io/a:$(ENV)\nelse ifeq ($(ENV),dev)\n\tdocker push r.io/a:$(ENV)\n"
        "else\n\tdocker push r.io/a:$(ENV)\nendif\n"
    )
    found = targets(text)
    assert [value for _l, value, _b in found] == ["r.io/a:prod", "r.io/a:dev", "r.io/a:$(ENV)"]
    assert [b[0][1:] for _l, _v, b in found] == [(0, 3), (1, 3), (2, 3)]


def test_assignments_in_decided_and_undecided_parts() -> None:
    # decidably true: the assignment is certain
    text = "DEBUG ?= 0\nTAG = 1.0\nifeq ($(DEBUG),0)\nTAG = 1.1\nendif\nt:\n\tdocker push r.io/a:$(TAG)\n"
    assert [value for _l, value, _b in targets(text)] == ["r.io/a:1.1"]
    # decidably false: it does not happen
    text = text.replace("ifeq ($(DEBUG),0)", "ifeq ($(DEBUG),1)")
    assert [value for _l, value, _b in targets(text)] == ["r.io/a:1.0"]
    # undecidable (the environment decides): unknown, as before
    text = text.replace("ifeq ($(DEBUG),1)", "ifeq ($(CI),true)")
    assert [value for _l, value, _b in targets(text)] == ["r.io/a:$(TAG)"]


def test_nested_conditionals_and_unreadable_conditions() -> None:
    text = (
        "TAG ?= latest\n"
        "ifneq ($(STABILITY_TAG),)\n  ifneq ($(TAG),latest)\n    override TAG := $(TAG)-$(STABILITY_TAG)\n  endif\nendif\n"
        "t:\nifeq ($(shell uname),Darwin)\n\tdocker push r.io/a:$(TAG)\nendif\n"
    )
    # with TAG=latest the inner condition is false: the override does not happen
    assert [value for _l, value, _b in targets(text)] == ["r.io/a:latest"]
    # with TAG=1.0 it happens when STABILITY_TAG (from the environment) is set: undecidable
    text = text.replace("TAG ?= latest", "TAG ?= 1.0")
    assert [value for _l, value, _b in targets(text)] == ["r.io/a:$(TAG)"]
    assert targets("t:\nifeq ($(A),1\n\tdocker push r.io/a:1\nendif\n")[0][1] == "r.io/a:1"  # unparsable: kept


def test_includes_define_variables(tmp_path) -> None:
    (tmp_path / "build").mkdir()
    (tmp_path / "app").mkdir()
    (tmp_path / "build" / "image.mk").write_text(
        "REGISTRY := registry.example.com/team\nIMAGE := $(REGISTRY)/app\n"
        "# make reads included names from where it runs (app/)\n-include ../build/more/*.mk\n"
        "rule:\n\tdocker push nope.example.com/x:1\n"
    )
    (tmp_path / "build" / "more").mkdir()
    (tmp_path / "build" / "more" / "variant.mk").write_text("TAG ?= 2.0\nSUFFIX := -gpu\n")
    (tmp_path / "app" / ".env").write_text('# comment\nexport TAG=1.4.2\n')
    (tmp_path / "app" / "Makefile").write_text(
        "-include .env\ninclude ../build/image.mk missing.mk\nsinclude $(CONFIG)\n"
        "push:\n\tdocker push $(IMAGE):$(TAG)$(SUFFIX)\n"
    )
    path = tmp_path / "app" / "Makefile"
    source = SourceFile("app/Makefile", path, path.read_text())
    (command,) = extract(source, ExtractContext()).commands
    (word,) = command.attributes["targets"]
    assert word.value == "registry.example.com/team/app:1.4.2-gpu"
    where = {s.name: s.location.path for s in word.via if s.location is not None}
    assert where["Makefile variable TAG"] == "app/.env"
    assert where["Makefile variable IMAGE"] == "build/image.mk"
    assert where["Makefile variable SUFFIX"] == "build/more/variant.mk"


def test_include_cycles_and_folders_are_harmless(tmp_path) -> None:
    (tmp_path / "a.mk").write_text("include b.mk\nA := 1\n")
    (tmp_path / "b.mk").write_text("include a.mk\nB := 2\n")
    (tmp_path / "dir.mk").mkdir()
    (tmp_path / "Makefile").write_text("include a.mk dir.mk\nt:\n\tdocker push r.io/a:$(A).$(B)\n")
    path = tmp_path / "Makefile"
    (command,) = extract(SourceFile("Makefile", path, path.read_text()), ExtractContext()).commands
    assert command.attributes["targets"][0].value == "r.io/a:1.2"


def test_recipe_that_certainly_errors_never_runs() -> None:
    text = (
        "REGISTRY ?=\nIMAGE_NAME ?= api\nTAG ?= latest\n"
        "ifneq ($(REGISTRY),)\n    FULL_IMAGE := $(REGISTRY)/$(IMAGE_NAME):$(TAG)\n"
        "else\n    FULL_IMAGE := $(IMAGE_NAME):$(TAG)\nendif\n"
        "push:\nifeq ($(strip $(REGISTRY)),)\n\t$(error REGISTRY must be set to push)\nendif\n"
        "\tdocker push $(FULL_IMAGE)\n"
        "other:\n\tdocker push $(FULL_IMAGE)\n"
    )
    # with the file's values `push` stops at $(error ...); `other` pushes the default name
    assert [(c.scope, c.attributes["targets"][0].value) for c in facts(text).commands] == [("other", "api:latest")]
    # undecidable (REGISTRY from the environment only): the recipe is read as before
    text = text.replace("REGISTRY ?=\n", "")
    assert [c.scope for c in facts(text).commands] == ["push", "other"]
