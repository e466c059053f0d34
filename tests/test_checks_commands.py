"""Check kinds TL201–TL212, on facts from the shell layer and through the engine."""
from __future__ import annotations

from pathlib import Path

import pytest

from taglint.checks import check_kind
from taglint.config import Config
from taglint.engine import scan
from taglint.model import FileFacts, Step
from taglint.project import Project
from taglint.ruleset import builtin_rules
from taglint.shell import analyze_script


def hits(code: str, script: str, *, kind: str = "shell", scope: str = "job", config: Config | None = None,
         env: dict | None = None):
    facts = analyze_script(script, path="f", kind=kind, scope=scope, env=env)
    project = Project([FileFacts("f", kind, images=facts.images, commands=facts.commands)], config or Config())
    rule = builtin_rules()[code]
    return list(check_kind(rule.check_kind)(rule, project))


def lines(code: str, script: str, **kwargs) -> list[int]:
    return [h.span.line for h in hits(code, script, **kwargs)]


# -- acceptance (issue 4) -------------------------------------------------------


def test_acceptance_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "release.sh").write_text(
        "#!/bin/sh\n"
        "docker push myorg/app\n"
        "docker push myapp:1.0\n"
        'docker login -u "$U" -p "$P" registry.example.com\n'
        'docker login -u "$U" --password - reg.example.com\n'
        "docker buildx build --push .\n"
        "skopeo copy --dest-tls-verify=false docker://a/b:1 docker://reg.example.com/b:1\n"
    )
    (tmp_path / "Makefile").write_text("TAG ?= latest\nIMG ?= org/app:$(TAG)\n\npush:\n\tdocker push $(IMG)\n")
    result = scan(["."], Config(select=("TL2",)), cwd=tmp_path)
    assert not result.errors
    found = {(f.path, f.span.line, f.rule, f.severity) for f in result.findings}
    assert ("release.sh", 2, "TL201", "warning") in found
    assert ("release.sh", 3, "TL205", "warning") in found
    assert ("release.sh", 4, "TL208", "error") in found
    assert not any(line == 5 for path, line, _r, _s in found if path == "release.sh")
    assert ("release.sh", 6, "TL210", "error") in found
    assert ("release.sh", 7, "TL207", "error") in found
    tl202 = [f for f in result.findings if f.rule == "TL202"]
    assert [(f.path, f.span.line) for f in tl202] == [("Makefile", 5)]
    notes = [r.message for r in tl202[0].related]
    assert any("Makefile variable IMG" in n for n in notes) and any("Makefile variable TAG" in n for n in notes)
    assert "Makefile variable" not in tl202[0].message  # the trail is on notes, not in the headline
    tl208 = next(f for f in result.findings if f.rule == "TL208")
    assert tl208.fix is not None and tl208.fix.applicability == "safe"


def test_tl208_fix_through_the_cli(tmp_path: Path) -> None:
    from taglint.fix import apply_fixes

    script = tmp_path / "login.sh"
    script.write_text('docker login -u "$U" -p "$P" registry.example.com  # ci\n')
    result = scan(["."], Config(select=("TL208",)), cwd=tmp_path)
    apply_fixes(result.findings, tmp_path, unsafe=False, write=True)
    assert script.read_text() == "printf '%s' \"$P\" | docker login -u \"$U\" --password-stdin registry.example.com  # ci\n"
    assert scan(["."], Config(select=("TL208",)), cwd=tmp_path).findings == []


# -- per rule ------------------------------------------------------------------------


def test_tl201_untagged_pushes() -> None:
    assert lines("TL201", "docker push r.io/a\ndocker push r.io/a:1\ndocker push -a r.io/a\nhelm push c.tgz oci://r.io/c") == [1]
    (hit,) = hits("TL201", "oras push r.io/a f.txt")
    assert "digest only" in hit.fields["consequence"]
    (hit,) = hits("TL201", "IMG=r.io/a\ndocker push $IMG")
    assert [(r.location.span.line, r.message) for r in hit.related] == [
        (1, "the image reference comes from $IMG, set here to `r.io/a`")
    ]


def test_tl202_latest_only_per_scope() -> None:
    assert lines("TL202", "docker push r.io/a:latest\ndocker push r.io/a:main") == [1]
    assert lines("TL202", "docker push r.io/a:latest\ndocker push r.io/a:1.2.3") == []
    assert lines("TL202", "docker push r.io/a:latest\ndocker push r.io/a:$(git rev-parse --short HEAD)") == []
    assert lines("TL202", "docker push r.io/a") == []  # TL201's
    assert lines("TL202", "docker push r.io/a:latest\ndocker compose push") == []
    assert lines("TL202", "docker push r.io/a:$CI_COMMIT_REF_NAME") == [1]
    assert lines("TL202", "docker push r.io/a:$CI_COMMIT_SHA") == []
    assert lines("TL202", "docker push r.io/a:$SOMETHING") == []
    (hit,) = hits("TL202", "docker push r.io/a:latest\ndocker push r.io/b:edge")
    assert hit.fields["tags"] == "`r.io/a:latest`, `r.io/b:edge`"


def test_tl202_judges_each_branch_of_an_if() -> None:
    latest_branch = (
        'if [ "$BRANCH" = main ]; then TAG=latest; else TAG="$(git rev-parse --short HEAD)"; fi\n'
        'docker push "r.io/a:$TAG"\n'
    )
    (hit,) = hits("TL202", latest_branch)
    assert hit.span.line == 2 and hit.fields["tags"] == "`r.io/a:latest`"
    assert any("$TAG" in r.message and "`latest`" in r.message for r in hit.related)
    # a version pushed on every path: nothing to report
    assert lines("TL202", latest_branch + "docker push r.io/a:1.4.2") == []
    # the version is pushed only on the other path
    one_path = (
        'if [ "$BRANCH" = main ]; then EXTRA=latest; else EXTRA=1.4.2; fi\n'
        'docker push "r.io/a:$EXTRA"\ndocker push r.io/a:edge\n'
    )
    assert lines("TL202", one_path) == [2]
    assert lines("TL202", 'if x; then T=1.0; else T=1.1; fi\ndocker push "r.io/a:$T"') == []
    # the branch that pushes latest also pushes a version
    both = 'if x; then T=latest; docker push r.io/a:1.0; else T=1.1; fi\ndocker push "r.io/a:$T"'
    assert lines("TL202", both) == []


def test_tl201_tl202_through_wrappers() -> None:
    assert lines("TL201", 'IMAGE=r.io/team/app\nretry 3 20 docker push "$IMAGE"') == [2]
    assert lines("TL201", "timeout 600 docker push r.io/team/app") == [1]
    assert lines("TL202", "printf '%s\\n' api worker | xargs -I{} docker push \"r.io/team/{}:latest\"") == [1]
    # the replace string is a run-time value: no untagged push is claimed
    assert lines("TL201", "cat images.txt | xargs -I{} docker push {}") == []


def test_tl203_all_tags() -> None:
    (hit,) = hits("TL203", "docker push --all-tags r.io/a")
    assert hit.span.column == 13 and hit.fields["reference"] == "r.io/a"
    assert hits("TL203", "skopeo copy --all docker://a:1 docker://r.io/a:1") == []


def test_tl204_random() -> None:
    assert lines("TL204", "docker push r.io/a:$(uuidgen)\nT=$(date +%s)\ndocker push r.io/a:$T\ndocker push r.io/a:1.0") == [1, 3]


@pytest.mark.parametrize(
    "target, severity",
    [
        ("myapp:1.0", None),
        ("registry/app:1.0", None),
        ("nexus/team/app:1.0", None),
        ("myorg/app:1.0", "info"),
    ],
)
def test_tl205_severity(target: str, severity: str | None) -> None:
    (hit,) = hits("TL205", f"docker push {target}")
    assert hit.fields.get("severity") == severity


@pytest.mark.parametrize("target", ["r.io/a:1", "localhost:5000/a:1", "docker.io/me/a:1", "$REG/a:1", "${REG}/a:1"])
def test_tl205_not_reported(target: str) -> None:
    assert hits("TL205", f"docker push {target}") == []


def test_tl205_oras_reads_host() -> None:
    (hit,) = hits("TL205", "oras push myorg/art:1 f")
    assert "reads `myorg` as the registry host" in hit.fields["consequence"]


def test_tl206_allow_and_deny() -> None:
    config = Config(registries_allow=("registry.example.com/**",))
    assert lines("TL206", "docker push registry.example.com/a:1\ndocker push me/a:1", config=config) == [2]
    config = Config(registries_deny=("docker.io",))
    assert lines("TL206", "docker push registry.example.com/a:1\ndocker push me/a:1", config=config) == [2]
    assert hits("TL206", "docker push me/a:1") == []


def test_tl207_points_at_flag() -> None:
    (hit,) = hits("TL207", "podman push --tls-verify=false r.io/a:1")
    assert hit.span.column == 13 and hit.fields["flag"] == "--tls-verify=false" and hit.reference == "r.io/a:1"


def test_tl208_edits_and_forms() -> None:
    (hit,) = hits("TL208", 'sudo docker login -u u -p $P r.io && echo ok')
    assert hit.applicability == "safe"
    assert [(e.span.column, e.span.end_column, e.text) for e in hit.edits] == [
        (1, 1, "printf '%s' \"$P\" | "),
        (24, 29, "--password-stdin"),
    ]
    (hit,) = hits("TL208", "docker login -u u --password=hunter2 r.io")
    assert [e.text for e in hit.edits] == ["printf '%s' 'hunter2' | ", "--password-stdin"]
    (hit,) = hits("TL208", 'echo x | docker login -u u -p "$P" r.io')
    assert hit.edits == () and hit.applicability == "none"
    (hit,) = hits("TL208", 'podman login --creds "u:$P" r.io')
    assert hit.edits == ()
    (hit,) = hits("TL208", 'skopeo copy --dest-creds "u:$P" docker://a:1 docker://r.io/a:1')
    assert "auth file" in hit.fields["suggestion"]
    (hit,) = hits("TL208", "docker login -u u -p `cat f` r.io")
    assert hit.edits == ()
    assert hits("TL208", "docker login -u u --password-stdin r.io < f") == []


def test_tl208_not_editable_when_caller_says_so() -> None:
    facts = analyze_script('docker login -u u -p "$P" r.io', path="f", kind="gitlab-ci", scope="j", editable=False)
    project = Project([FileFacts("f", "gitlab-ci", commands=facts.commands)], Config())
    rule = builtin_rules()["TL208"]
    (hit,) = check_kind(rule.check_kind)(rule, project)
    assert hit.edits == ()


def test_tl209_ci_jobs_only() -> None:
    assert lines("TL209", 'docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"', kind="gitlab-ci") == [1]
    assert lines("TL209", 'docker push "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"', kind="shell") == []
    login = 'printf %s "$P" | docker login -u u --password-stdin "$CI_REGISTRY"\n'
    assert lines("TL209", login + 'docker push "$CI_REGISTRY_IMAGE:1"', kind="gitlab-ci") == []
    assert lines("TL209", "docker push localhost:5000/a:1\ndocker push ttl.sh/a:1h", kind="gitlab-ci") == []
    assert lines("TL209", "gcloud builds submit --tag gcr.io/p/a:1 .", kind="gitlab-ci") == []
    assert lines("TL209", 'echo "$AUTH" > /kaniko/.docker/config.json\n/kaniko/executor -c . -d r.io/a:1', kind="gitlab-ci") == []
    (hit,) = hits("TL209", 'docker push "$CI_REGISTRY_IMAGE:1"', kind="gitlab-ci")
    assert hit.fields["registry"] == "$CI_REGISTRY"


def test_tl211_login_without_server() -> None:
    script = "printf %s \"$P\" | docker login -u u --password-stdin\ndocker push registry.example.com/a:1\n"
    (hit,) = hits("TL211", script)
    assert hit.span.line == 1 and hit.fields["registry"] == "`registry.example.com`"
    assert hits("TL211", script + "printf %s \"$P\" | docker login -u u --password-stdin registry.example.com") == []
    assert hits("TL211", "docker login -u u --password-stdin < f\ndocker push me/a:1") == []
    assert hits("TL211", "gcloud auth configure-docker\ndocker login -u u --password-stdin <f\ndocker push gcr.io/p/a:1") == []
    (hit,) = hits("TL211", "docker login -u u --password-stdin <f\ndocker push $CI_REGISTRY_IMAGE:1")
    assert hit.fields["registry"] == "`$CI_REGISTRY`"


def test_tl211_knows_cloud_logins() -> None:
    hub = "docker login -u u --password-stdin <f\n"
    assert hits("TL211", hub + "ibmcloud cr login\ndocker push us.icr.io/acme/a:1") == []
    assert hits("TL211", hub + "doctl registry login\ndocker push registry.digitalocean.com/acme/a:1") == []
    assert hits("TL211", hub + "az acr login -n acme\ndocker push acme.azurecr.io/a:1") == []
    # the cluster registry of `oc registry login` is not on the line: no claim about the push
    assert hits("TL211", hub + "oc registry login\ndocker push registry.apps.example.com/acme/a:1") == []
    (hit,) = hits("TL211", hub + "gcloud auth configure-docker\ndocker push europe-docker.pkg.dev/p/r/a:1")
    assert hit.fields["registry"] == "`europe-docker.pkg.dev`"


def test_tl209_cloud_logins_in_ci_jobs() -> None:
    for login in ("ibmcloud cr login", "oc registry login", "doctl registry login", "heroku container:login",
                  "gcloud auth configure-docker us-docker.pkg.dev", "$(aws ecr get-login --no-include-email)",
                  "aws ecr get-login-password | docker login -u AWS --password-stdin 1.dkr.ecr.eu-west-1.amazonaws.com"):
        assert lines("TL209", login + "\nretry 3 docker push r.example.com/a:1", kind="gitlab-ci") == [], login
    assert lines("TL209", "aws ecr get-login-password\ntimeout 60 docker push r.example.com/a:1", kind="gitlab-ci") == [2]


def test_tl212_literal_credentials() -> None:
    (hit,) = hits("TL212", 'echo "s3cret" | docker login -u u --password-stdin r.io')
    assert hit.span.column == 6
    (hit,) = hits("TL212", "P=hunter2\ndocker login -u u -p $P r.io")
    assert hit.span.line == 1 and "defined as $P" in hit.fields["where"]
    assert hits("TL212", 'docker login -u u -p "$P" r.io') == []
    assert hits("TL212", 'docker login -u u -p "$(cat f)" r.io') == []
    assert hits("TL212", "docker login -u u -p '<password>' r.io") == []
    assert len(hits("TL212", "skopeo copy --dest-creds u:pw docker://a:1 docker://r.io/a:1")) == 1
    env = {"REGISTRY_PASSWORD": Step("variables REGISTRY_PASSWORD", "hunter2")}
    assert len(hits("TL212", 'docker login -u u -p "$REGISTRY_PASSWORD" r.io', env=env)) == 1
    env = {"REGISTRY_PASSWORD": Step("variables REGISTRY_PASSWORD", None)}
    assert hits("TL212", 'docker login -u u -p "$REGISTRY_PASSWORD" r.io', env=env) == []


def test_tl210_build_untagged() -> None:
    assert lines("TL210", "docker build -t a .\ndocker build -t a:1 .\ndocker tag a:1 b\ndocker buildx build -t r.io/a --push .") == [1, 3]
    (hit,) = hits("TL210", "docker buildx build --platform linux/amd64 --push .")
    assert hit.fields["severity"] == "error"
    assert hits("TL210", "docker build .") == []
