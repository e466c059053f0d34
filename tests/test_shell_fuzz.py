"""No shell input makes the shell layer raise or hang.

The internal analyser runs with ``STRICT`` set, so a bug in one command's
recognition fails the test instead of being skipped silently."""
from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import taglint.shell._analyze as analyze_module
from taglint.model import Span
from taglint.shell import analyze_script

TOKENS = [
    "docker", "podman", "nerdctl", "buildah", "skopeo", "crane", "oras", "helm", "ko", "/kaniko/executor",
    "sudo", "env", "command", "time", "exec", "gcloud", "aws", "az", "echo", "printf", "cat", "tee",
    "push", "pull", "run", "tag", "build", "buildx", "bake", "imagetools", "create", "login", "copy", "cp",
    "auth", "registry", "manifest", "compose", "image", "--", "-a", "--all-tags", "-t", "--tag", "--push",
    "-o", "--output", "type=image,name=r.io/a,push=true", "-p", "--password", "--password-stdin", "-u",
    "--creds", "--tls-verify=false", "--insecure", "--plain-http", "-d", "--destination", "--dest-creds",
    "docker://r.io/a:1", "oci://r.io/c", "r.io/a:1", "a", "a:latest", "$X", "${X}", "${X:-latest}",
    "${X:=d}", "${X:+y}", "${X#v}", "${X/a/b}", "${X:0:3}", "${#X}", "$(uuidgen)", "`date`", "$((1+2))",
    "${{ github.sha }}", "$RANDOM", "X=1", "X=$(git rev-parse HEAD)", "export", "readonly", "local",
    "'", '"', "\\", "\\\n", "|", "||", "&&", ";", "&", "(", ")", "{", "}", "<", ">", ">>", "<<EOF", "<<<",
    "EOF", "\n", " ", "\t", "if", "then", "else", "fi", "for", "in", "do", "done", "case", "esac", ";;",
    "while", "function", "f()", "#", "$'\\t'", "$\"x\"", "~", "*", "?", "[", "]", "=", "+=", "é", "\r\n",
    "~/.docker/config.json", "$ENGINE", "${DOCKER}", "unset", "read", "declare", "-x",
]


def _strict_analyze(text: str, **kwargs):
    kwargs.setdefault("path", "f.sh")
    kwargs.setdefault("kind", "shell")
    kwargs.setdefault("scope", "s")
    analyze_module.STRICT = True
    try:
        return analyze_module.analyze(
            text,
            position=kwargs.pop("position", None),
            env=kwargs.pop("env", {}),
            original=None,
            editable=True,
            **kwargs,
        )
    finally:
        analyze_module.STRICT = False


def _check_facts(facts) -> None:
    for command in facts.commands:
        assert isinstance(command.span, Span)
        assert command.span.line >= 1 and command.span.column >= 1
        assert (command.span.end_line, command.span.end_column) >= (command.span.line, command.span.column)
        for word in command.args:
            assert word.span.line >= 1


token_scripts = st.lists(st.sampled_from(TOKENS), max_size=60).map(" ".join)
joined_scripts = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


@settings(max_examples=400, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(token_scripts)
def test_token_scripts(text: str) -> None:
    _check_facts(_strict_analyze(text))


@settings(max_examples=300, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(joined_scripts)
def test_glued_token_scripts(text: str) -> None:
    _check_facts(_strict_analyze(text))


@settings(max_examples=300, database=None, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    _check_facts(_strict_analyze(text))


CORPUS = """\
#!/bin/bash
set -euo pipefail
TAG=${TAG:-latest}
IMG="registry.example.com/team/app:${TAG}"
ENGINE=${ENGINE:-docker}
aws ecr get-login-password --region eu-west-1 | $ENGINE login --username AWS --password-stdin 1.dkr.ecr.eu-west-1.amazonaws.com
docker login -u "$U" -p "$P" registry.example.com
$ENGINE buildx build --platform linux/amd64,linux/arm64 \\
  -t "$IMG" -t "registry.example.com/team/app:$(git rev-parse --short HEAD)" \\
  --output "type=image,push=true" .
for t in a b; do sudo docker push "registry.example.com/team/app:$t"; done
skopeo copy --dest-tls-verify=false --dest-creds "u:$P" docker://a:1 docker://r.io/a:1
cat <<EOF | docker login --password-stdin r.io
$SECRET
EOF
crane tag "$IMG" "${VERSION#v}"
(cd sub && KO_DOCKER_REPO=r.io/x ko build --tags=v1 ./cmd/app)
echo "{\\"auths\\":{}}" > /kaniko/.docker/config.json
"""


@settings(max_examples=400, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_corpus(data: st.DataObject) -> None:
    text = CORPUS
    for _ in range(data.draw(st.integers(1, 6))):
        if not text:
            break
        at = data.draw(st.integers(0, len(text)))
        operation = data.draw(st.sampled_from(["delete", "insert", "duplicate", "truncate"]))
        if operation == "delete":
            end = data.draw(st.integers(at, min(len(text), at + 20)))
            text = text[:at] + text[end:]
        elif operation == "insert":
            text = text[:at] + data.draw(st.sampled_from(TOKENS)) + text[at:]
        elif operation == "duplicate":
            end = data.draw(st.integers(at, min(len(text), at + 40)))
            text = text[:end] + text[at:end] + text[end:]
        else:
            text = text[:at]
    _check_facts(_strict_analyze(text))


@settings(max_examples=100, database=None, deadline=None)
@given(st.text(max_size=200), st.dictionaries(st.from_regex(r"[A-Z_]{1,6}", fullmatch=True), st.text(max_size=20), max_size=5))
def test_env_values_never_break_expansion(text: str, env: dict) -> None:
    script = "docker push r.io/a:$" + "".join(env)[:6] + " " + text
    _check_facts(_strict_analyze(script, env=env))


@pytest.mark.parametrize(
    "text",
    [
        "(" * 5000 + "docker push a" + ")" * 5000,
        "$(" * 2000 + "docker push a" + ")" * 2000,
        "{ " * 3000 + "docker push a; " + "} " * 3000,
        "echo " + '"' * 10001,
        "docker push a:1 && " * 3000 + "true",
        "A=$B\nB=$A\ndocker push r.io/a:$A$B",
        "\\\n" * 10000,
        "x" * 200000,
        "\x00\x01\x02 docker push a \x7f",
        "docker push " + "${X:-" * 500 + "a" + "}" * 500,
        # tree-sitter-bash 0.25 crashed the process on these (non-ASCII is masked now)
        "\t{\U000d76bf",
        "\x0c{\U0009c6cc",
        "docker push r\u00e9g.io/app:1 && echo \U0001F600 {\U000d76bf",
    ],
    ids=["subshells", "substitutions", "groups", "quotes", "long-list", "cycle", "continuations", "long-word",
         "control", "nested-defaults", "segv-1", "segv-2", "non-ascii"],
)
def test_pathological_inputs_finish(text: str) -> None:
    started = time.perf_counter()
    facts = analyze_script(text, path="f.sh", kind="shell", scope="s")
    assert time.perf_counter() - started < 20
    _check_facts(facts)


def test_public_api_swallows_internal_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    import taglint.shell._tools as tools

    def boom(*args, **kwargs):
        raise ValueError("bug")

    monkeypatch.setattr(tools, "recognise", boom)
    facts = analyze_script("docker push a", path="f.sh", kind="shell", scope="s")
    assert facts.commands == []
