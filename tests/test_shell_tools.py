"""Tool recognisers: which commands become which facts."""
from __future__ import annotations

import pytest

from taglint.model import Command
from taglint.shell import analyze_script


def one(text: str) -> Command:
    found = analyze_script(text, path="x.sh", kind="shell", scope="x.sh").commands
    assert len(found) == 1, found
    return found[0]


def none(text: str) -> None:
    assert analyze_script(text, path="x.sh", kind="shell", scope="x.sh").commands == []


def values(words) -> list[str]:
    return [w.value for w in words or ()]


@pytest.mark.parametrize(
    "script, tool, targets",
    [
        ("docker push r.io/a:1", "docker", ["r.io/a:1"]),
        ("podman push r.io/a:1", "podman", ["r.io/a:1"]),
        ("podman push localhost/a:1 docker://r.io/a:1", "podman", ["r.io/a:1"]),
        ("nerdctl -n k8s.io push r.io/a:1", "nerdctl", ["r.io/a:1"]),
        ("finch push r.io/a:1", "docker", ["r.io/a:1"]),
        ("docker image push --quiet r.io/a:1", "docker", ["r.io/a:1"]),
        ("buildah push --creds-file x r.io/a:1", "buildah", ["r.io/a:1"]),
        ("buildah push img docker://r.io/a:1", "buildah", ["r.io/a:1"]),
        ("skopeo copy docker://a:1 docker://r.io/a:1", "skopeo", ["r.io/a:1"]),
        ("skopeo --debug copy --retry-times 3 oci:dir:a docker://r.io/a:1", "skopeo", ["r.io/a:1"]),
        ("crane push img.tar r.io/a:1", "crane", ["r.io/a:1"]),
        ("crane copy r.io/a:1 m.io/a:1", "crane", ["m.io/a:1"]),
        ("crane cp r.io/a:1 m.io/a:1", "crane", ["m.io/a:1"]),
        ("crane tag r.io/a:sha-1 1.2.3", "crane", ["r.io/a:1.2.3"]),
        ("crane mutate r.io/a:1 -t r.io/a:2 --label x=y", "crane", ["r.io/a:2"]),
        ("oras push r.io/a:1,latest f.txt", "oras", ["r.io/a:1", "r.io/a:latest"]),
        ("oras push r.io/a f.txt", "oras", ["r.io/a"]),
        ("oras cp r.io/a:1 m.io/a:1", "oras", ["m.io/a:1"]),
        ("/kaniko/executor --context . -d r.io/a:1 --destination=r.io/a:latest", "kaniko", ["r.io/a:1", "r.io/a:latest"]),
        ("executor --dockerfile Dockerfile --destination r.io/a:1", "kaniko", ["r.io/a:1"]),
        ("KO_DOCKER_REPO=r.io/a ko build ./cmd/app", "ko", ["r.io/a:latest"]),
        ("ko build --tags=v1,latest ./cmd/app", "ko", ["$KO_DOCKER_REPO:v1", "$KO_DOCKER_REPO:latest"]),
        ("helm push chart.tgz oci://r.io/charts", "helm", ["r.io/charts"]),
        ("docker manifest push r.io/a:1", "docker", ["r.io/a:1"]),
        ("docker buildx imagetools create -t r.io/a:1 r.io/a:1-amd64 r.io/a:1-arm64", "docker", ["r.io/a:1"]),
        ("gcloud builds submit --tag gcr.io/p/a:1 .", "gcloud", ["gcr.io/p/a:1"]),
        ("az acr build -r myreg -t a:1 .", "az", ["myreg.azurecr.io/a:1"]),
    ],
)
def test_pushes(script: str, tool: str, targets: list[str]) -> None:
    command = one(script)
    assert command.tool == tool
    assert command.attributes["push"] is True
    assert values(command.attributes["targets"]) == targets


def test_push_defaults_and_flags() -> None:
    command = one("docker push -a r.io/a")
    assert command.attributes["all_tags"].value == "-a" and command.attributes["unknown_targets"]
    command = one("docker push r.io/a")
    assert command.attributes["default_tag"] == "latest"
    command = one("oras push r.io/a f.txt")
    assert command.attributes["default_tag"] is None if "default_tag" in command.attributes else True
    assert command.attributes["by_digest"] and command.attributes["registry_required"]
    command = one("docker compose -f c.yml push web")
    assert command.attributes["unknown_targets"] and command.attributes["targets"] == ()
    command = one("docker-compose push")
    assert command.action == "push"


@pytest.mark.parametrize(
    "script",
    [
        "skopeo copy docker://a:1 oci:out",
        "skopeo copy docker://a:1 docker-archive:a.tar",
        "podman push a:1 oci-archive:/tmp/a.tar",
        "ko build --local ./cmd/app",
        "ko build --push=false ./cmd/app",
        "KO_DOCKER_REPO=ko.local ko build ./cmd/app",
        "docker buildx imagetools create --dry-run -t r.io/a:1 r.io/a:0",
        "kubectl push r.io/a:1",
        "docker logout r.io",
    ],
)
def test_not_registry_pushes(script: str) -> None:
    found = analyze_script(script, path="x.sh", kind="shell", scope="x.sh").commands
    assert not [c for c in found if c.attributes.get("push")], found


@pytest.mark.parametrize(
    "script, push, targets, extra",
    [
        ("docker build -t a:1 -t a:latest .", False, ["a:1", "a:latest"], {}),
        ("docker build --tag=a:1 --build-arg X=1 -f Dockerfile .", False, ["a:1"], {}),
        ("docker build -ta:1 .", False, ["a:1"], {}),
        ("docker buildx build -t r.io/a:1 --push .", True, ["r.io/a:1"], {}),
        ("docker build --push -t r.io/a:1 .", True, ["r.io/a:1"], {}),
        ("docker buildx build --push .", True, [], {"missing_tag": True}),
        ("docker buildx build --output type=registry .", True, [], {"missing_tag": True}),
        ("docker buildx build -o type=image,name=r.io/a:1,push=true .", True, ["r.io/a:1"], {}),
        ('docker buildx build --output "type=image,\\"name=r.io/a:1,r.io/a:2\\",push=true" .', True, ["r.io/a:1", "r.io/a:2"], {}),
        ("docker buildx build --output type=image,name=r.io/a,push-by-digest=true,push=true .", True, ["r.io/a"], {"by_digest": True}),
        ("docker buildx build -o type=local,dest=out .", False, [], {}),
        ("docker buildx build -o out .", False, [], {}),
        ("docker buildx build --load -t a:1 .", False, ["a:1"], {}),
        ("buildah bud -t a:1 .", False, ["a:1"], {}),
        ("buildah build --layers -t a:1 .", False, ["a:1"], {}),
        ("podman build -t a:1 .", False, ["a:1"], {}),
        ("/kaniko/executor --context . --no-push --destination a", False, ["a"], {}),
        ("docker buildx bake --push", True, [], {"unknown_targets": True}),
    ],
)
def test_builds(script: str, push: bool, targets: list[str], extra: dict) -> None:
    command = one(script)
    assert command.action == "build"
    assert command.attributes["push"] is push
    assert values(command.attributes["targets"]) == targets
    for key, value in extra.items():
        assert command.attributes[key] == value


@pytest.mark.parametrize(
    "script, sources, targets",
    [
        ("docker tag a:1 r.io/a:1", ["a:1"], ["r.io/a:1"]),
        ("docker image tag a:1 r.io/a", ["a:1"], ["r.io/a"]),
        ("podman tag a:1 r.io/a:1 r.io/a:latest", ["a:1"], ["r.io/a:1", "r.io/a:latest"]),
        ("buildah tag a:1 r.io/a:1", ["a:1"], ["r.io/a:1"]),
        ("buildah commit --format docker ctr r.io/a:1", ["ctr"], ["r.io/a:1"]),
    ],
)
def test_tags(script: str, sources: list[str], targets: list[str]) -> None:
    command = one(script)
    assert command.action == "tag" and not command.attributes["push"]
    assert values(command.attributes["sources"]) == sources
    assert values(command.attributes["targets"]) == targets


@pytest.mark.parametrize(
    "script, tool, server, argv, stdin",
    [
        ('docker login -u "$U" -p "$P" r.io', "docker", "r.io", ["-p", "$P"], False),
        ('docker login -u "$U" --password "$P" r.io', "docker", "r.io", ["--password", "$P"], False),
        ('docker login -u "$U" --password="$P" r.io', "docker", "r.io", ["--password=$P"], False),
        ('docker login -u "$U" -p"$P" r.io', "docker", "r.io", ["-p$P"], False),
        ('docker login -u "$U" --password - r.io', "docker", "r.io", [], True),
        ('docker login -u "$U" -p - r.io', "docker", "r.io", [], True),
        ('docker login -u "$U" --password-stdin r.io', "docker", "r.io", [], True),
        ('podman login --creds "u:$P" r.io', "podman", "r.io", ["--creds", "u:$P"], False),
        ('podman login --tls-verify=false -u u -p x r.io', "podman", "r.io", ["-p", "x"], False),
        ('buildah login -u u -p "$P" r.io', "buildah", "r.io", ["-p", "$P"], False),
        ('skopeo login -u u --password-stdin r.io', "skopeo", "r.io", [], True),
        ('nerdctl login -u u -p "$P" r.io', "nerdctl", "r.io", ["-p", "$P"], False),
        ('crane auth login r.io -u u -p "$P"', "crane", "r.io", ["-p", "$P"], False),
        ('helm registry login r.io --username u --password "$P"', "helm", "r.io", ["--password", "$P"], False),
        ('oras login r.io -u u --password-stdin', "oras", "r.io", [], True),
        ("az acr login --name myreg", "az", "myreg", [], False),
    ],
)
def test_logins(script: str, tool: str, server: str, argv: list[str], stdin: bool) -> None:
    command = one(script)
    assert (command.tool, command.action) == (tool, "login")
    assert command.attributes["server"].value == server
    assert values(command.attributes.get("password_in_argv")) == argv
    assert bool(command.attributes.get("password_stdin")) is stdin


def test_login_defaults_and_cloud_helpers() -> None:
    assert one("docker login -u u --password-stdin").attributes["default_server"] == "docker.io"
    assert "default_server" not in one("podman login -u u --password-stdin").attributes
    gcloud = one("gcloud auth configure-docker europe-docker.pkg.dev,gcr.io --quiet")
    assert gcloud.attributes["servers"] == ("europe-docker.pkg.dev", "gcr.io")
    assert "gcr.io" in one("gcloud auth configure-docker").attributes["servers"]
    assert one("az acr login -n myreg").attributes["servers"] == ("myreg.azurecr.io",)
    assert one("eval $(aws ecr get-login --no-include-email)").tool == "aws"
    kaniko = one('echo "{}" > /kaniko/.docker/config.json')
    assert (kaniko.tool, kaniko.action) == ("docker-config", "login")
    tee = one('echo "$AUTH" | tee "$HOME/.docker/config.json"')
    assert tee.action == "login"
    none("az acr login --name myreg --expose-token")


@pytest.mark.parametrize(
    "script, tool, server, servers, any_server",
    [
        ("ibmcloud cr login", "ibmcloud", None, ("icr.io", "*.icr.io"), False),
        ("ibmcloud cr login --client podman", "ibmcloud", None, ("icr.io", "*.icr.io"), False),
        ("ic cr login", "ic", None, ("icr.io", "*.icr.io"), False),
        ("oc registry login", "oc", None, None, True),
        ("oc registry login --registry=registry.apps.example.com", "oc", "registry.apps.example.com", None, False),
        ("oc registry login -z builder --registry r.example.com", "oc", "r.example.com", None, False),
        ("doctl registry login --expiry-seconds 1200", "doctl", None, ("registry.digitalocean.com",), False),
        ("heroku container:login", "heroku", None, ("registry.heroku.com",), False),
        ("flyctl auth docker", "flyctl", None, ("registry.fly.io",), False),
        ("scw registry login", "scw", None, ("rg.*.scw.cloud",), False),
        ("regctl registry login ghcr.io -u me --pass-stdin", "regctl", "ghcr.io", None, False),
        ("sudo -E ibmcloud cr login", "ibmcloud", None, ("icr.io", "*.icr.io"), False),
    ],
)
def test_cloud_cli_logins(script: str, tool: str, server: str | None, servers: tuple | None, any_server: bool) -> None:
    command = one(script)
    assert (command.tool, command.action) == (tool, "login")
    found = command.attributes.get("server")
    assert (found.value if found is not None else None) == server
    assert command.attributes.get("servers") == servers
    assert bool(command.attributes.get("any_server")) is any_server
    assert "default_server" not in command.attributes


@pytest.mark.parametrize(
    "script",
    ["oc login --token=x https://api.example.com", "ibmcloud login --apikey k", "doctl registry get",
     "ibmcloud cr images", "heroku container:push web", "fly deploy"],
)
def test_not_registry_logins(script: str) -> None:
    none(script)


def test_token_pipelines_are_docker_logins() -> None:
    ecr = analyze_script(
        "aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin "
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com", path="x", kind="shell", scope="s").commands
    assert [(c.tool, c.attributes["server"].value) for c in ecr] == [
        ("docker", "123456789012.dkr.ecr.eu-west-1.amazonaws.com")]
    gcr = analyze_script("gcloud auth print-access-token | docker login -u oauth2accesstoken --password-stdin "
                         "https://europe-docker.pkg.dev", path="x", kind="shell", scope="s").commands
    assert [(c.tool, c.attributes["server"].value) for c in gcr] == [("docker", "https://europe-docker.pkg.dev")]
    assert gcr[0].attributes["stdin_from"] == "gcloud auth print-access-token"


def test_password_fixable_only_when_stdin_is_free() -> None:
    assert one('docker login -u u -p "$P" r.io').attributes["fixable"] is True
    assert one('docker login -u u --password="$P" r.io').attributes["fixable"] is True
    found = analyze_script('echo x | docker login -u u -p "$P" r.io', path="x", kind="shell", scope="s").commands
    assert found[0].attributes["fixable"] is False
    assert one('docker login -u u -p "$P" r.io < f').attributes["fixable"] is False
    assert one('docker login -u u -p \\\n  "$P" r.io').attributes["fixable"] is False
    found = analyze_script('docker login -u u -p "$P" r.io', path="x", kind="shell", scope="s", editable=False)
    assert found.commands[0].attributes["fixable"] is False


def test_echoed_password_is_recorded() -> None:
    found = analyze_script('echo "s3cret" | docker login -u u --password-stdin r.io', path="x", kind="shell", scope="s")
    (login,) = found.commands
    assert login.attributes["password"].value == "s3cret"
    assert login.attributes["password"].span.column == 6


@pytest.mark.parametrize(
    "script, flag",
    [
        ("skopeo copy --dest-tls-verify=false docker://a:1 docker://r.io/a:1", "--dest-tls-verify=false"),
        ("skopeo copy --src-tls-verify=false docker://a:1 docker://r.io/a:1", "--src-tls-verify=false"),
        ("skopeo --tls-verify=false copy docker://a:1 docker://r.io/a:1", "--tls-verify=false"),
        ("podman push --tls-verify=false r.io/a:1", "--tls-verify=false"),
        ("buildah push --tls-verify=false r.io/a:1", "--tls-verify=false"),
        ("crane --insecure push a.tar r.io/a:1", "--insecure"),
        ("crane push --insecure a.tar r.io/a:1", "--insecure"),
        ("oras push --plain-http r.io/a:1 f", "--plain-http"),
        ("oras push --insecure r.io/a:1 f", "--insecure"),
        ("helm push c.tgz oci://r.io/c --plain-http", "--plain-http"),
        ("helm registry login r.io --insecure -u u --password-stdin", "--insecure"),
        ("/kaniko/executor -c . -d r.io/a:1 --insecure", "--insecure"),
        ("/kaniko/executor -c . -d r.io/a:1 --skip-tls-verify", "--skip-tls-verify"),
        ("/kaniko/executor -c . -d r.io/a:1 --insecure-registry r.io", "--insecure-registry"),
        ("nerdctl --insecure-registry push r.io/a:1", "--insecure-registry"),
        ("docker manifest push --insecure r.io/a:1", "--insecure"),
        ("docker buildx build -t r.io/a:1 -o type=image,push=true,registry.insecure=true .", "type=image,push=true,registry.insecure=true"),
    ],
)
def test_insecure_flags(script: str, flag: str) -> None:
    command = one(script)
    assert command.attributes["insecure"].value == flag


@pytest.mark.parametrize(
    "script",
    [
        "skopeo copy --dest-tls-verify=true docker://a:1 docker://r.io/a:1",
        "podman push --tls-verify r.io/a:1",
        "podman push --tls-verify true r.io/a:1",
    ],
)
def test_secure_flags(script: str) -> None:
    command = one(script)
    assert "insecure" not in command.attributes


def test_images_run_and_pulled() -> None:
    facts = analyze_script(
        "docker run --rm -it -p 8080:80 -e A=1 --name web nginx:1.27.3\n"
        "podman run -dp 80:80 docker.io/library/httpd:2.4\n"
        "docker container run --entrypoint sh busybox -c true\n"
        "docker pull --platform linux/amd64 redis:7.4\n"
        "buildah from registry.access.redhat.com/ubi9:9.5\n",
        path="x.sh", kind="shell", scope="s",
    )
    assert [i.value for i in facts.images] == [
        "nginx:1.27.3", "docker.io/library/httpd:2.4", "busybox", "redis:7.4", "registry.access.redhat.com/ubi9:9.5",
    ]


def test_verb_names_the_command() -> None:
    assert one("docker buildx build -t a:1 --push .").attributes["verb"] == "docker buildx build"
    assert one("skopeo copy docker://a:1 docker://r.io/a:1").attributes["verb"] == "skopeo copy"
    assert one("sudo docker push r.io/a:1").attributes["verb"] == "docker push"
    assert one("gcloud docker -- push r.io/a:1").attributes["verb"] == "gcloud docker -- push"


def test_nested_sh_c_scripts() -> None:
    found = analyze_script("sh -c 'docker push myorg/app'", path="x.sh", kind="shell", scope="s").commands
    (push,) = found
    assert push.attributes["targets"][0].span.column == 20 and push.attributes["editable"] is True
    found = analyze_script('bash -ec "docker push r.io/a:$TAG"', path="x.sh", kind="shell", scope="s",
                           env={"TAG": "1.0"}).commands
    assert [w.value for w in found[0].attributes["targets"]] == ["r.io/a:1.0"]
    assert found[0].attributes["editable"] is False
    assert analyze_script("sh script.sh docker push a", path="x", kind="shell", scope="s").commands == []


def test_herestring_password() -> None:
    (login,) = analyze_script('docker login -u u --password-stdin r.io <<< "hunter2"', path="x", kind="shell",
                              scope="s").commands
    assert login.attributes["password"].value == "hunter2"


def test_images_built_here_or_computed_are_not_references() -> None:
    facts = analyze_script(
        "docker build -t myapp .\ndocker run --rm myapp\ndocker run --rm myapp:dev\n"
        "docker run $(docker build -q .)\ndocker run redis:7.4\n",
        path="x.sh", kind="shell", scope="s",
    )
    assert [i.value for i in facts.images] == ["redis:7.4"]


def test_arrays_and_opaque_arguments() -> None:
    command = one('args=(--platform "$P" --tag "r.io/a:1")\nargs+=(--push)\ndocker buildx build "${args[@]}" .')
    assert [w.value for w in command.attributes["targets"]] == ["r.io/a:1"] and command.attributes["push"]
    assert [w.value for w in one("a=(r.io/x:1 r.io/y:2)\ndocker push ${a[1]}").attributes["targets"]] == ["r.io/y:2"]
    assert "missing_tag" not in one('docker buildx build "${EXTRA[@]}" --push .').attributes
    assert "missing_tag" not in one('docker buildx build "$@" --push .').attributes
    assert "missing_tag" not in one("docker buildx build $BUILD_ARGS --push .").attributes
    assert one("docker buildx build --push .").attributes["missing_tag"] is True
