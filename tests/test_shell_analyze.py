"""The shell layer's walk: quoting, variables, positions, structure."""
from __future__ import annotations

import pytest

from taglint.model import Command, Span, Step
from taglint.shell import Binding, analyze_script


def commands(text: str, **kwargs) -> list[Command]:
    kwargs.setdefault("path", "x.sh")
    kwargs.setdefault("kind", "shell")
    kwargs.setdefault("scope", "x.sh")
    return analyze_script(text, **kwargs).commands


def pushed(text: str, **kwargs) -> list[str]:
    return [w.value for c in commands(text, **kwargs) if c.action == "push" for w in c.attributes["targets"]]


@pytest.mark.parametrize(
    "script, expected",
    [
        ('docker push "org/app:1.0"', "org/app:1.0"),
        ("docker push 'org/app:1.0'", "org/app:1.0"),
        ("docker push org/'app':\"1.0\"", "org/app:1.0"),
        ("docker push org/app\\:1.0", "org/app:1.0"),
        ("docker push $'org/app:1.0'", "org/app:1.0"),
        ("TAG=1.0\ndocker push org/app:$TAG", "org/app:1.0"),
        ("TAG=1.0\ndocker push org/app:${TAG}", "org/app:1.0"),
        ('TAG=1.0\ndocker push "org/app:$TAG"', "org/app:1.0"),
        ("docker push org/app:${TAG:-latest}", "org/app:latest"),
        ("docker push org/app:${TAG-latest}", "org/app:latest"),
        ("TAG=\ndocker push org/app:${TAG:-latest}", "org/app:latest"),
        ("TAG=\ndocker push org/app:${TAG-latest}x", "org/app:x"),
        ("docker push org/app:${TAG:=edge}\ndocker push other/app:$TAG", "org/app:edge"),
        ("TAG=${TAG:-latest}\ndocker push org/app:$TAG", "org/app:latest"),
        ("export IMG=org/app:2.0\ndocker push $IMG", "org/app:2.0"),
        ("readonly IMG=org/app:2.0\ndocker push $IMG", "org/app:2.0"),
        ("f() { local IMG=org/app:2.0; docker push $IMG; }", "org/app:2.0"),
        ("declare -x IMG=org/app:2.0\ndocker push $IMG", "org/app:2.0"),
        ("V=1\nV+=.2\ndocker push org/app:$V", "org/app:1.2"),
        ("SUFFIX=x\ndocker push org/app:1${SUFFIX:+-rc}", "org/app:1-rc"),
        ("docker push org/app:1${SUFFIX:+-rc}", "org/app:1"),
        ("REF=refs/tags/v1.2.3\ndocker push org/app:${REF#refs/tags/}", "org/app:v1.2.3"),
        ("V=v1.2.3\ndocker push org/app:${V#v}", "org/app:1.2.3"),
        ("F=app.tar.gz\ndocker push org/${F%%.*}:1", "org/app:1"),
        ("B=Feature/X\ndocker push org/app:${B,,}", "org/app:feature/x"),
        ("B=feature/x\ndocker push org/app:${B//\\//-}", "org/app:feature-x"),
        ("S=abcdef123456\ndocker push org/app:${S:0:7}", "org/app:abcdef1"),
        ("docker push org/app:$(git rev-parse --short HEAD)", "org/app:$(git rev-parse --short HEAD)"),
        ("docker push org/app:`date +%s`", "org/app:`date +%s`"),
        ("docker push org/app:$RANDOM", "org/app:$RANDOM"),
        ("RANDOM=4\ndocker push org/app:$RANDOM", "org/app:$RANDOM"),
        ("docker push org/app:$UNKNOWN", "org/app:$UNKNOWN"),
        ("docker push org/app:${UNKNOWN}", "org/app:${UNKNOWN}"),
        ("docker push org/app:${{ github.sha }}", "org/app:${{ github.sha }}"),
        ("for T in $LIST; do docker push org/app:$T; done", "org/app:$T"),
        ("for T in $(cat tags); do docker push org/app:$T; done", "org/app:$T"),
        ("for T in *.tar; do docker push org/app:$T; done", "org/app:$T"),
        ("T=1\nread T\ndocker push org/app:$T", "org/app:$T"),
        ("T=1\nunset T\ndocker push org/app:${T:-2}", "org/app:2"),
        ("docker push \\\n  org/app:1.0", "org/app:1.0"),
        ("(TAG=9; docker push org/app:$TAG)", "org/app:9"),
        ("(TAG=9)\ndocker push org/app:${TAG:-1}", "org/app:1"),
    ],
)
def test_word_values(script: str, expected: str) -> None:
    assert pushed(script)[0] == expected


def test_via_names_every_variable_outermost_first() -> None:
    (command,) = commands('TAG=${TAG:-latest}\nIMG="org/app:$TAG"\ndocker push "$IMG"')
    (word,) = command.attributes["targets"]
    assert word.written == '"$IMG"'
    assert [s.describe() for s in word.via] == ["$IMG=org/app:latest", "$TAG=latest"]
    assert word.via[0].location is not None and word.via[0].location.span.line == 2


def test_env_values_str_step_binding_and_nested() -> None:
    env = {
        "REG": "registry.example.com",
        "IMAGE": Step("variables IMAGE", "$REG/app", None),
        "SHA": Step("variables SHA", None, None),
        "VER": Binding("1.2.3", (Step("Makefile variable VER", "1.2.3"),)),
    }
    assert pushed("docker push $IMAGE:$VER", env=env) == ["registry.example.com/app:1.2.3"]
    assert pushed("docker push $IMAGE:${SHA:-x}", env=env) == ["registry.example.com/app:${SHA:-x}"]
    (command,) = commands("docker push $IMAGE:1", env=env)
    names = [s.name for s in command.attributes["targets"][0].via]
    assert names == ["variables IMAGE", "$REG"]


def test_script_assignment_overrides_env() -> None:
    assert pushed("TAG=2\ndocker push a/b:$TAG", env={"TAG": "1"}) == ["a/b:2"]


def test_positions_default_and_mapped() -> None:
    (command,) = commands("echo hi\n  docker push org/app")
    assert command.span == Span(2, 3, 2, 22)
    assert command.attributes["targets"][0].span == Span(2, 15, 2, 22)
    (command,) = commands("docker push org/app", position=lambda o: (10, o + 5))
    assert command.attributes["targets"][0].span == Span(10, 17, 10, 24)


def test_non_ascii_offsets_are_characters() -> None:
    (command,) = commands('echo "héllo wörld" && docker push org/app')
    assert command.attributes["targets"][0].span.column == 35


def test_crlf_is_blank() -> None:
    assert pushed("docker push org/app:1.0\r\necho ok\r\n") == ["org/app:1.0"]


@pytest.mark.parametrize(
    "script",
    [
        "a && docker push org/app:1 || b",
        "a | docker push org/app:1",
        "(docker push org/app:1)",
        "{ docker push org/app:1; }",
        "if true; then docker push org/app:1; fi",
        "while false; do docker push org/app:1; done",
        "case x in x) docker push org/app:1;; esac",
        "echo $(docker push org/app:1)",
        "X=$(docker push org/app:1)",
        "cat <(docker push org/app:1)",
        "docker push org/app:1 > log 2>&1",
        "time docker push org/app:1",
        "sudo -E -u ci docker push org/app:1",
        "env -i A=B docker push org/app:1",
        "command docker push org/app:1",
        "exec docker push org/app:1",
        "nohup docker push org/app:1 &",
        "timeout 60 docker push org/app:1",
        "timeout --foreground -k 10 10m docker push org/app:1",
        "retry 3 20 docker push org/app:1",
        "retry -t 3 -s 20 -- docker push org/app:1",
        "retry --times=3 --delay=20 -- docker push org/app:1",
        "retry -attempts 3 -sleep 5s docker push org/app:1",
        "RETRIES=5\nretry $RETRIES docker push org/app:1",
        "travis_retry docker push org/app:1",
        "run_with_retry docker push org/app:1",
        "retry -t 3 'docker push org/app:1'",
        "nice -n 10 docker push org/app:1",
        "stdbuf -oL -eL docker push org/app:1",
        "env - A=b docker push org/app:1",
        "flock -w 10 /tmp/push.lock docker push org/app:1",
        "flock /tmp/push.lock -c 'docker push org/app:1'",
        "chronic docker push org/app:1",
        "echo x | xargs -r -I{} docker push org/app:1",
        "/usr/bin/docker push org/app:1",
        "docker --config /tmp/c -H tcp://x:2375 push org/app:1",
        "gcloud docker -- push org/app:1",
        "$ENGINE push org/app:1",
        "${DOCKER} push org/app:1",
        "ENGINE=podman\n$ENGINE push org/app:1",
        "DOCKER='sudo docker'\n$DOCKER push org/app:1",
        "docker image push org/app:1",
        "cat <<EOF\nhello\nEOF\ndocker push org/app:1",
    ],
)
def test_structure_and_wrappers(script: str) -> None:
    assert pushed(script) == ["org/app:1"], script


def test_wrapper_functions_run_their_arguments_where_called() -> None:
    script = (
        "retry() {\n  local n=$1 delay=$2\n  shift 2\n"
        '  for i in $(seq "$n"); do "$@" && return 0; sleep "$delay"; done\n  return 1\n}\n'
        'run() { echo "+ $*"; "$@"; }\n'
        'retry 3 20 docker push "org/app:1"\n'
        "run docker push org/app:2\n"
    )
    found = commands(script)
    assert [(c.span.line, c.attributes["targets"][0].value, c.attributes["wrapper"]) for c in found] == [
        (8, "org/app:1", "retry"), (9, "org/app:2", "run")]


def test_xargs() -> None:
    (command,) = commands('printf "%s\\n" api worker | xargs -n1 -I {} docker push "r.io/team/{}:latest"')
    (target,) = command.attributes["targets"]
    assert target.value == "r.io/team/$(xargs):latest" and target.written == '"r.io/team/{}:latest"'
    assert [s.describe() for s in target.via] == ["xargs -I {} input (no value)"]
    (command,) = commands("xargs --replace=IMG docker push IMG < images.txt")
    assert command.attributes["targets"][0].value == "$(xargs)"
    # without a replace string the input lines are appended: the pushed images are not on the line
    (command,) = commands("docker images -q | xargs -r docker push")
    assert command.action == "push" and command.attributes["targets"] == ()
    assert command.attributes["unknown_targets"]
    assert pushed("xargs -a list.txt -n 1 docker push") == []


def test_not_commands() -> None:
    assert pushed("echo docker push org/app:1") == []
    assert pushed("command -v docker") == []
    assert pushed("# docker push org/app:1") == []
    assert pushed("x='docker push org/app:1'") == []
    assert pushed("$KUBECTL push org/app:1") == []


def test_engine_variable_resolves_to_podman() -> None:
    (command,) = commands("ENGINE=podman\n$ENGINE push org/app:1")
    assert command.tool == "podman"
    (command,) = commands("$PODMAN push org/app:1")
    assert command.tool == "podman"
    (command,) = commands("$CONTAINER_ENGINE push org/app:1")
    assert command.tool == "docker" and command.attributes["wrapper"] == "$CONTAINER_ENGINE"


def test_unquoted_expansion_splits_fields() -> None:
    (command,) = commands('TAGS="-t a/b:1 -t a/b:latest"\ndocker build $TAGS .')
    assert [w.value for w in command.attributes["targets"]] == ["a/b:1", "a/b:latest"]
    (command,) = commands('TAGS="-t a/b:1 -t a/b:latest"\ndocker build "$TAGS" .')
    assert [w.value for w in command.attributes["targets"]] == [" a/b:1 -t a/b:latest"]


def test_pipeline_feeds_stdin() -> None:
    (login,) = commands("aws ecr get-login-password --region eu-west-1 | docker login -u AWS --password-stdin 1.dkr.ecr.eu-west-1.amazonaws.com")
    assert login.attributes["stdin_from"].startswith("aws ecr get-login-password")
    assert login.attributes["password_stdin"] is True
    assert "password_in_argv" not in login.attributes
    (login,) = commands("cat <<EOF | docker login --password-stdin r.io\nsecret\nEOF")
    assert login.attributes["stdin_from"] == "cat"


def test_problems_and_images() -> None:
    facts = analyze_script("docker run --rm -v a:/b -e X=1 alpine:3.20 sh\ndocker pull redis", path="x.sh", kind="shell", scope="s")
    assert [(i.value, i.context) for i in facts.images] == [("alpine:3.20", "docker run"), ("redis", "docker pull")]
    assert facts.images[0].stage == "s"
    assert facts.problems == []


def test_unparsable_commands_are_skipped() -> None:
    text = "docker push org/app:1\nif then fi ((( \ndocker push org/app:2\n"
    facts = analyze_script(text, path="x.sh", kind="shell", scope="s")
    assert "org/app:1" in [w.value for c in facts.commands for w in c.attributes.get("targets", ())]


def test_original_text_is_used_for_written() -> None:
    (command,) = commands("docker push org/app:1", original=lambda s, e: "X" * (e - s))
    assert command.written == "X" * len("docker push org/app:1")
    assert command.attributes["targets"][0].written == "X" * len("org/app:1")


def test_via_ranges_and_end_position() -> None:
    step = Step("Makefile variable IMG", "org/app:1")
    (command,) = commands(
        "docker push org/app:1",
        via_ranges=[(12, 21, (step,))],
        end_position=lambda o: (1, o + 100),
    )
    word = command.attributes["targets"][0]
    assert word.via == (step,)
    assert word.span == Span(1, 13, 1, 121)


@pytest.mark.parametrize(
    "script, expected",
    [
        # a variable the branches set differently takes each branch's value
        ('if [ -n "$CI_COMMIT_TAG" ]; then T=$CI_COMMIT_TAG; else T=latest; fi\ndocker push a/b:$T',
         ["a/b:$CI_COMMIT_TAG", "a/b:latest"]),
        ("if x; then T=1; else T=1; fi\ndocker push a/b:$T", ["a/b:1"]),
        ("T=0\nif x; then T=1; fi\ndocker push a/b:$T", ["a/b:1", "a/b:0"]),
        ("T=0\nif x; then echo; fi\ndocker push a/b:$T", ["a/b:0"]),
        ("if x; then T=1; elif y; then T=2; else T=3; fi\ndocker push a/b:$T", ["a/b:1", "a/b:2", "a/b:3"]),
        ("case $E in prod) T=1;; *) T=2;; esac\ndocker push a/b:$T", ["a/b:1", "a/b:2"]),
        ("case $E in prod) T=1;; *) T=1;; esac\ndocker push a/b:$T", ["a/b:1"]),
        ("T=0\ncase $E in prod) T=1;; esac\ndocker push a/b:$T", ["a/b:1", "a/b:0"]),
        ("if x; then T=1; docker push a/b:$T; fi", ["a/b:1"]),
        # set on one path only: unset on the other (stays as written)
        ("if x; then T=1; fi\ndocker push a/b:$T", ["a/b:1", "a/b:$T"]),
        # an unknown value on one path stays unknown there
        ("if x; then read T; else T=2; fi\ndocker push a/b:$T", ["a/b:$T", "a/b:2"]),
        # nested branches: one value per path
        ("if a; then if b; then T=1; else T=2; fi; else T=3; fi\ndocker push a/b:$T", ["a/b:1", "a/b:3", "a/b:2"]),
        # more paths than MAX_WORLDS: unknown
        ("case $E in 1) T=1;; 2) T=2;; 3) T=3;; 4) T=4;; 5) T=5;; 6) T=6;; 7) T=7;; 8) T=8;; 9) T=9;; esac\n"
         "docker push a/b:$T", ["a/b:$T"]),
    ],
)
def test_branches(script: str, expected: list[str]) -> None:
    assert pushed(script) == expected


def test_branch_values_flow_through_assignments_and_calls() -> None:
    script = (
        'if [ "$BRANCH" = main ]; then TAG=latest; else TAG=$(git rev-parse --short HEAD); fi\n'
        'IMAGE="r.io/app:$TAG"\n'
        'push() { docker push "$1"; }\n'
        'push "$IMAGE"\n'
    )
    found = commands(script)
    assert [(c.span.line, c.attributes["targets"][0].value) for c in found if c.action == "push"] == [
        (3, "r.io/app:latest"), (3, "r.io/app:$(git rev-parse --short HEAD)")]
    latest, other = (c for c in found if c.action == "push")
    assert latest.attributes["branch"] and latest.attributes["branch"] != other.attributes["branch"]
    assert [s.describe() for s in latest.attributes["targets"][0].via] == ["$IMAGE=r.io/app:latest", "$TAG=latest"]
    assert latest.attributes["targets"][0].via[1].location.span.line == 1


def test_independent_branches_combine() -> None:
    script = "if a; then R=r1.io; else R=r2.io; fi\nif b; then T=1; else T=latest; fi\ndocker push $R/app:$T"
    found = commands(script)
    assert [c.attributes["targets"][0].value for c in found] == [
        "r1.io/app:1", "r1.io/app:latest", "r2.io/app:1", "r2.io/app:latest"]
    assert len({c.attributes["branch"] for c in found}) == 4


def test_for_loops_over_known_values() -> None:
    assert pushed('V=1.2.3\nfor t in "$V" latest; do docker push "org/app:$t"; done') == ["org/app:1.2.3", "org/app:latest"]
    (first, second) = commands("for t in a b; do docker push org/app:$t; done")
    assert first.span == second.span
    assert [s.describe() for s in second.attributes["targets"][0].via] == ["$t=b"]


def test_functions_run_where_called() -> None:
    script = (
        'push_image() {\n  local image="$1"\n  docker push "$image:${2:-latest}"\n}\n'
        "V=1.2.3\npush_image r.io/app \"$V\"\npush_image r.io/app\n"
        'build() { docker build "$@"; }\nbuild -t r.io/x:1 .\n'
        "never() { docker push r.io/never:1; }\n"
        "loop() { loop; docker push r.io/loop:1; }\nloop\n"
    )
    found = commands(script)
    values = [w.value for c in found for w in c.attributes.get("targets", ())]
    assert values[:3] == ["r.io/app:1.2.3", "r.io/app:latest", "r.io/x:1"]
    assert "r.io/never:1" in values and "r.io/loop:1" in values
    assert found[0].span.line == 3
