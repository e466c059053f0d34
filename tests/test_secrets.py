"""Secrets never echoed (issue 14 item 2): a secret taglint has seen in a
scanned file appears in no output of any format, in no message, fix text,
note, edit, code frame, diff or baseline; variable references stay visible.

The corpus below is a small repository with every kind of file that can
hold a literal registry secret; ``SECRETS`` are the literal secrets it
holds.  The formats come from the command line's own list, so a new format
is covered without touching this file."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from taglint.cli import FORMATS, main
from taglint.config import Config
from taglint.docs import rule_markdown
from taglint.engine import scan
from taglint.model import Command, Secret, Span, Word
from taglint.ruleset import builtin_rules
from taglint.secrets import (
    MASK, SecretTable, command_secret_texts, is_reference, literal_runs, mask_text, masked_line, secret_word,
)

FIXTURES = Path(__file__).parent / "fixtures"

CORPUS: dict[str, str] = {
    "scripts/release.sh": """\
#!/usr/bin/env bash
set -euo pipefail
REGISTRY=registry.example.com
DEPLOY_TOKEN=dT0k-Sh3llVar-2024
docker login -u deploy -p Sh3ll-Argv-Pass1 "$REGISTRY" && docker push "$REGISTRY/shop/api"
podman login -u deploy --password=P0dman-Eq-Pass2 quay.io
buildah login -u deploy -pBu1ldah-Attached3 quay.io
skopeo copy --src-creds reader:Sk0peo-Src-Cred4 --dest-creds=writer:Sk0peo-Dst-Cred5 docker://quay.io/shop/api:1.0.0 docker://registry.example.com/shop/api:1.0.0
skopeo copy --dest-registry-token Sk0peo-Reg-Token6 docker://quay.io/shop/api:1.0.0 docker://registry.example.com/shop/api:1.0.0
helm registry login registry.example.com -u deploy -p He1m-Reg-Pass7
crane auth login registry.example.com -u deploy -p Cr4ne-Auth-Pass8
oras login registry.example.com -u deploy -p Or4s-Login-Pass9
regctl registry login registry.example.com -u deploy --pass R3gctl-Pass10
echo 'Ech0-Stdin-Pass11' | docker login -u deploy --password-stdin registry.example.com
docker login -u deploy --password-stdin registry.example.com <<< "H3re-String-Pass12"
docker login -u deploy -p "$DEPLOY_TOKEN" registry.example.com
docker login -u deploy -p "$REGISTRY_PASSWORD" registry.example.com
helm repo add shop https://deploy:Ur1-Userinfo-Pass13@charts.example.com/shop && docker push registry.example.com/shop/worker
az acr login --name shopregistry -u shop -p Az-Acr-Pass28
""",
    "Makefile": """\
include deploy/creds.mk
REGISTRY ?= registry.example.com
IMAGE := $(REGISTRY)/shop/web
LOGIN_PASS = Mak3-Var-Pass15

push:
\tdocker login -u ci -p $(REG_PASSWORD) $(REGISTRY)
\tdocker login -u ci -p $(LOGIN_PASS) $(REGISTRY)
\tdocker push $(IMAGE)
""",
    "deploy/creds.mk": "REG_PASSWORD := Mak3-Include-Pass14\n",
    "Dockerfile": """\
FROM docker:27.3.1-cli
ARG MIRROR_PASSWORD=Arg-Default-Pass29
RUN docker login -u ci -p D0ckerfile-Run-Pass16 registry.example.com && docker push registry.example.com/shop/tools
RUN docker login -u ci -p $MIRROR_PASSWORD mirror.example.com && docker pull mirror.example.com/shop/base:1.2.0
""",
    ".github/workflows/release.yml": """\
name: release
on:
  push:
    tags: ["v*"]
env:
  MIRROR_PASS: Wf-Env-Pass30
jobs:
  publish:
    runs-on: ubuntu-latest
    container:
      image: registry.example.com/ci/builder:2.3.0
      credentials:
        username: ci
        password: Gh-C0ntainer-Pass18
    steps:
      - uses: actions/checkout@v4
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: shop-bot
          password: Gh-Act10n-Pass17
      - uses: docker/login-action@v3
        with:
          registry: registry.example.com
          username: shop-bot
          password: ${{ secrets.REGISTRY_TOKEN }}
      - run: docker login -u bot -p Gh-Run-Pass27 registry.example.com && docker push registry.example.com/shop/api
      - run: echo "$MIRROR_PASS" | docker login -u bot --password-stdin mirror.example.com
""",
    ".gitlab-ci.yml": """\
variables:
  DOCKER_AUTH_CONFIG: '{"auths":{"registry.example.com":{"auth":"R2l0bGFiLUF1dGhzLVRva2VuMTk="}}}'
  MIRROR_PASSWORD: Gl-Var-Pass31

build:
  image: docker:27.3.1
  services:
    - docker:27.3.1-dind
  script:
    - docker login -u gitlab-ci-token -p G1tlab-Script-Pass20 $CI_REGISTRY
    - docker login -u mirror -p "$MIRROR_PASSWORD" mirror.example.com
    - docker build -t $CI_REGISTRY_IMAGE .
    - docker push $CI_REGISTRY_IMAGE

kaniko:
  image:
    name: gcr.io/kaniko-project/executor:v1.23.2-debug
    entrypoint: [""]
  script:
    - echo "{\\"auths\\":{\\"registry.example.com\\":{\\"auth\\":\\"S2FuaWtvLUF1dGgtVG9rZW4yMQ==\\"}}}" > /kaniko/.docker/config.json
    - /kaniko/executor --context . --destination registry.example.com/shop/api:latest
""",
    ".drone.yml": """\
kind: pipeline
name: default
steps:
  - name: publish
    image: plugins/docker:20.18.4
    settings:
      repo: registry.example.com/shop/api
      registry: registry.example.com
      tags: latest
      username: drone
      password: Dr0ne-Plugin-Pass22
""",
    "bitbucket-pipelines.yml": """\
image:
  name: registry.example.com/ci/builder:2.3.0
  username: bitbucket
  password: Bb-Image-Pass23
pipelines:
  default:
    - step:
        script:
          - docker build -t registry.example.com/shop/api .
          - docker push registry.example.com/shop/api
""",
    ".circleci/config.yml": """\
version: 2.1
jobs:
  build:
    docker:
      - image: registry.example.com/ci/builder:latest
        auth:
          username: circle
          password: C1rcle-Auth-Pass24
    steps:
      - checkout
      - run: docker push registry.example.com/shop/api
""",
    "deploy/k8s/app.yaml": """\
apiVersion: v1
kind: Secret
metadata:
  name: regcred
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJhdXRoIjoiYTNoeExVUmpMVk5sWTNKbGRESTEifX19
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred-plain
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths":{"registry.example.com":{"username":"shop","password":"K8s-Str1ngData-Pass26"}}}'
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      imagePullSecrets:
        - name: regcred
      containers:
        - name: api
          image: registry.example.com/shop/api:latest
""",
}
# Enough files of their own that --jobs 2 evaluates some in a worker process.
FILLER = {f"services/svc{n:02d}/Dockerfile": "FROM python:3.12\n" for n in range(24)}

SECRETS = (
    "dT0k-Sh3llVar-2024", "Sh3ll-Argv-Pass1", "P0dman-Eq-Pass2", "Bu1ldah-Attached3", "Sk0peo-Src-Cred4",
    "Sk0peo-Dst-Cred5", "Sk0peo-Reg-Token6", "He1m-Reg-Pass7", "Cr4ne-Auth-Pass8", "Or4s-Login-Pass9",
    "R3gctl-Pass10", "Ech0-Stdin-Pass11", "H3re-String-Pass12", "Ur1-Userinfo-Pass13", "Mak3-Include-Pass14",
    "Mak3-Var-Pass15", "D0ckerfile-Run-Pass16", "Gh-Act10n-Pass17", "Gh-C0ntainer-Pass18",
    "R2l0bGFiLUF1dGhzLVRva2VuMTk=", "G1tlab-Script-Pass20", "S2FuaWtvLUF1dGgtVG9rZW4yMQ==", "Dr0ne-Plugin-Pass22",
    "Bb-Image-Pass23", "C1rcle-Auth-Pass24",
    "eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJhdXRoIjoiYTNoeExVUmpMVk5sWTNKbGRESTEifX19",
    "K8s-Str1ngData-Pass26", "Gh-Run-Pass27", "Az-Acr-Pass28", "Arg-Default-Pass29", "Wf-Env-Pass30",
    "Gl-Var-Pass31",
)
# Kinds of file whose literal secrets the corpus holds.
KINDS = {"shell", "makefile", "dockerfile", "github-workflow", "gitlab-ci", "drone", "bitbucket-pipelines",
         "circleci", "kubernetes"}


def _write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    _write_tree(root, {**CORPUS, **FILLER})
    monkeypatch.chdir(root)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return root


def _leaks(*texts: str) -> list[str]:
    return [secret for secret in SECRETS if any(secret in text for text in texts)]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--no-config", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_corpus_holds_every_secret_and_every_kind(corpus: Path) -> None:
    """The test below cannot pass by accident: the secrets are in the files,
    and the files are read as the kinds they stand for."""
    text = "".join(CORPUS.values())
    assert all(secret in text for secret in SECRETS)
    kinds = {facts.kind for facts in scan(["."], Config(), cwd=corpus).files}
    assert KINDS <= kinds


def test_every_literal_secret_is_identified_and_masked_on_every_line(corpus: Path) -> None:
    """Whatever line of a scanned file a report quotes, with the file's
    secret spans (``Finding.masks``) no secret is left on it."""
    result = scan(["."], Config(), cwd=corpus)
    table = SecretTable.of(result.files)
    for name, text in CORPUS.items():
        for number, line in enumerate(text.split("\n"), 1):
            shown = masked_line(line, number, table.spans(name)).text
            assert not _leaks(shown), f"{name}:{number}: {shown}"
    for secret in SECRETS:
        assert mask_text(f"x {secret} y", table.texts) == f"x {MASK} y", secret


@pytest.mark.parametrize("format_name", FORMATS)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_no_format_shows_a_secret(format_name: str, jobs: str, corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--jobs", jobs, "--format", format_name, "--verbose", ".")
    assert code == 1, err
    assert "TL208" in out and "TL212" in out  # the findings that quote secrets are there
    assert not _leaks(out, err)
    report = corpus.parent / f"report.{format_name}"
    code, out, err = _run(capsys, "--jobs", jobs, "--format", format_name, "--output", str(report), ".")
    written = report.read_text(encoding="utf-8")
    assert "TL208" in written
    assert not _leaks(out, err, written)


def test_every_format_at_once_from_one_scan(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = [f"{name}={corpus.parent / ('all.' + name)}" for name in FORMATS]
    args = [arg for output in outputs for arg in ("--output-format", output)]
    code, out, err = _run(capsys, *args, "--statistics", ".")
    assert code == 1
    texts = [(corpus.parent / f"all.{name}").read_text(encoding="utf-8") for name in FORMATS]
    assert all("TL212" in text for text in texts)
    assert not _leaks(out, err, *texts)


def test_diff_fix_and_baseline_show_no_secret(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, diff, err = _run(capsys, "--diff", "--unsafe-fixes", ".")
    assert "--password-stdin" in diff  # the TL208 fixes are in the diff
    assert not _leaks(diff, err)
    baseline = corpus.parent / "baseline.json"
    _run(capsys, "--write-baseline", str(baseline), ".")
    assert not _leaks(baseline.read_text(encoding="utf-8"))
    code, out, err = _run(capsys, "--fix", ".")
    assert not _leaks(out, err)
    # --fix writes the real password, where it moved: only reports mask it.
    fixed = (corpus / "scripts" / "release.sh").read_text(encoding="utf-8")
    assert "printf '%s' 'P0dman-Eq-Pass2' | podman login -u deploy --password-stdin quay.io" in fixed


def test_a_finding_on_the_line_of_a_login_masks_it_in_its_frame(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "--format", "text", ".")
    blocks = out.split("\n\n")
    tl201 = next(b for b in blocks if b.startswith("scripts/release.sh:5:") and "TL201" in b.split("\n")[0])
    frame = tl201.split("\n")[2]
    assert frame.endswith('docker login -u deploy -p *** "$REGISTRY" && docker push "$REGISTRY/shop/api"')
    caret = tl201.split("\n")[3]
    # the caret still sits under the pushed reference, after the shorter masked password
    start = frame.index('"$REGISTRY/shop/api"')
    assert caret.index("^") == start and caret.count("^") == len('"$REGISTRY/shop/api"')


def test_variable_references_stay_visible(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "--format", "text", ".")
    assert '`-p "$REGISTRY_PASSWORD"` passes the registry password' in out
    assert '`-p "$DEPLOY_TOKEN"` passes the registry password' in out
    assert "docker login -u ci -p $(REG_PASSWORD) $(REGISTRY)" in out
    assert "DEPLOY_TOKEN=***" in out  # its definition, though, is a secret


@pytest.mark.parametrize("case", sorted(str(p.relative_to(FIXTURES)) for p in (FIXTURES / "TL212").glob("*/fail")))
def test_the_rule_fixtures_leak_no_secret_in_any_format(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """The TL212 fixtures of every kind: the secrets the scan identified
    (their literal texts) appear in no format."""
    root = tmp_path / "case"
    shutil.copytree(FIXTURES / case, root)
    monkeypatch.chdir(root)
    secrets = {text for facts in scan(["."], Config(), cwd=root).files for s in facts.secrets for text in s.texts}
    assert secrets, "a failing fixture of TL212 holds a literal secret"
    # The rules' own documentation (in SARIF and HTML) uses some of the same samples.
    docs = "".join(rule_markdown(rule) for rule in builtin_rules().values())
    secrets = {s for s in secrets if s not in docs}
    for format_name in FORMATS:
        main(["--no-config", "--select", "TL208,TL212,TL201", "--format", format_name, "."])
        captured = capsys.readouterr()
        shown = captured.out + captured.err
        assert not [s for s in secrets if len(s) >= 4 and s in shown], (format_name, shown[-1500:])


@pytest.mark.parametrize("case", sorted(str(p.relative_to(FIXTURES)) for p in (FIXTURES / "TL208").glob("*/fail")))
def test_passwords_passed_by_reference_are_shown_as_written(
    case: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """The TL208 fixtures pass every password by reference (`-p "$P"`,
    `--password=$TOKEN`, `$$REGISTRY_PASSWORD`): nothing to mask."""
    monkeypatch.chdir(FIXTURES / case)
    main(["--no-config", "--select", "TL208", "--format", "json", "."])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert findings and all(MASK not in f["message"] and "$" in f["message"] for f in findings)


# -- units -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "runs"),
    [
        ("s3cret", ["s3cret"]),
        ("'s3 cret'", ["s3 cret"]),
        ('"$PASS"', []),
        ("${PASS}", []),
        ("${{ secrets.REGISTRY_TOKEN }}", []),
        ("$(cat /run/secrets/registry)", []),
        ("`cat token`", []),
        ("$(REG_PASS)", []),
        ("$$PASS", []),
        ("<< parameters.password >>", []),
        ("{{ .Values.password }}", []),
        ("%REG_PASS%", []),
        ('"$USER:$PASS"', []),
        ('"pre${PASS}post"', ["pre", "post"]),
        ("'pa$$word'", ["pa$$word"]),
    ],
)
def test_literal_runs(written: str, runs: list[str]) -> None:
    assert literal_runs(written) == runs
    assert is_reference(written) == (not runs)


def test_placeholders_and_references_are_not_secrets() -> None:
    span = Span(1, 1, 1, 10)
    for written in ("<password>", "***", "xxxx", "...", "-", '"$PASS"', "${{ secrets.X }}"):
        assert secret_word(span, written, None) is None, written
    assert secret_word(span, '"$PASS"', "s3cret") is None  # the definition holds the secret, not the word
    found = secret_word(span, "'s3cret'", "s3cret")
    assert found is not None and found.texts == ("s3cret",)


def test_masked_line_maps_columns() -> None:
    line = "docker login -p s3cretvalue reg && docker push reg/app"
    masked = masked_line(line, 3, [Span(3, 17, 3, 28)])
    assert masked.text == "docker login -p *** reg && docker push reg/app"
    push = line.index("reg/app") + 1
    assert masked.text[masked.column(push) - 1 :].startswith("reg/app")
    assert masked.column(17) == 17 and masked.column(28, end=True) == 20  # the secret's own span → the mask
    assert masked.column(20) == 17  # a column inside the secret → the start of the mask
    assert masked_line(line, 2, [Span(3, 17, 3, 28)]).text == line  # another line's mask


def test_masked_line_masks_multi_line_spans_and_url_passwords() -> None:
    masks = [Span(1, 11, 3, 5)]
    assert masked_line("password: |", 1, masks).text == "password: *"[:10] + MASK
    assert masked_line("  abcdefgh", 2, masks).text == "  " + MASK
    assert masked_line("  abcdefgh", 3, masks).text == "  " + MASK + "cdefgh"
    assert masked_line("git clone https://me:t0ken-x@example.com/r", 1).text == "git clone https://me:***@example.com/r"
    assert masked_line("curl https://me:$TOKEN@example.com", 1).text == "curl https://me:$TOKEN@example.com"
    assert masked_line("curl https://me@example.com", 1).text == "curl https://me@example.com"


def test_mask_text_short_secrets_only_as_words() -> None:
    assert mask_text("-p ab and tab", ["ab"]) == f"-p {MASK} and tab"
    assert mask_text("-p s3cret, s3cretly", ["s3cret"]) == f"-p {MASK}, {MASK}ly"
    assert mask_text("see https://u:pw1234@h/x and ${{ secrets.X }}", []) == "see https://u:***@h/x and ${{ secrets.X }}"


def test_command_texts_cover_every_login_form() -> None:
    def word(text: str, column: int) -> Word:
        return Word(text, text, Span(1, column, 1, column + len(text)))

    words = ["-u", "me", "--password=s3cret-eq", "--dest-creds", "me:s3cret-creds", "--registry-token", "t0ken-1"]
    args, column = [], 1
    for text in words:
        args.append(word(text, column))
        column += len(text) + 1
    command = Command("a.sh", Span(1, 1, 1, column), "shell", "skopeo", "copy", tuple(args), "a.sh",
                      written="skopeo copy " + " ".join(words))
    assert set(command_secret_texts(command)) == {"s3cret-eq", "s3cret-creds", "t0ken-1"}


def test_a_finding_is_masked_once_and_keeps_what_fix_writes() -> None:
    from taglint.model import Edit, Finding, Fix

    table = SecretTable([Secret("a.sh", Span(1, 17, 1, 23), ("s3cret",))])
    finding = Finding(
        "TL208", "password-in-argv", "error", "a.sh", Span(1, 14, 1, 23), "`-p s3cret` passes",
        fix=Fix("use `printf '%s' 's3cret' |`", "safe", (Edit(Span(1, 1, 1, 1), "printf '%s' 's3cret' | "),)),
    )
    masked = table.mask_finding(finding)
    assert masked.message == "`-p ***` passes" and "s3cret" not in masked.fix.description  # type: ignore[union-attr]
    (edit,) = masked.fix.edits  # type: ignore[union-attr]
    assert edit.text == "printf '%s' '***' | " and edit.replacement == "printf '%s' 's3cret' | "
    assert "s3cret" not in repr(masked)
    assert masked.masks == (Span(1, 17, 1, 23),)
    assert table.mask_finding(masked) is masked  # idempotent
    clean = Finding("TL101", "untagged-image", "warning", "b", Span(1, 1, 1, 2), "no secret here")
    assert table.mask_finding(clean) is clean


def test_auths_tokens_are_found_in_json_escaped_json_and_yaml(tmp_path: Path) -> None:
    _write_tree(tmp_path, {
        ".gitlab-ci.yml": (
            "variables:\n"
            '  DOCKER_AUTH_CONFIG: \'{"auths": {"r.example.com": {"auth": "dG9rZW4tb25l", "identitytoken": "idt-two"}}}\'\n'
            "job:\n  script:\n"
            '    - echo "{\\"auths\\":{\\"$CI_REGISTRY\\":{\\"auth\\":\\"$(printf %s:%s u p | base64)\\"}}}" > c.json\n'
        ),
        "secret.yaml": (
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: r\nstringData:\n  config.yaml: |\n    auths:\n"
            "      r.example.com:\n        auth: dG9rZW4tdGhyZWU=\n"
        ),
    })
    result = scan(["."], Config(), cwd=tmp_path)
    table = SecretTable.of(result.files)
    assert set(table.texts) == {"dG9rZW4tb25l", "idt-two", "dG9rZW4tdGhyZWU="}  # the $(…) token is a reference


def test_many_secrets_mask_each_finding_with_its_own_files_secrets() -> None:
    """Past a few dozen secret texts in a scan, a finding is masked with
    those of its own file (written there, or used by its commands), so
    masking costs findings × secrets of one file, not of the repository."""
    from taglint.model import FileFacts, Finding

    noise = [FileFacts(f"f{n}.sh", "shell", secrets=[Secret(f"f{n}.sh", Span(1, 1, 1, 9), (f"noise-{n:03d}",))])
             for n in range(SecretTable.ALL_TEXTS_UP_TO + 1)]
    user = FileFacts("Makefile", "makefile", secrets=[Secret("creds.mk", Span(1, 17, 1, 23), ("s3cret",))])
    table = SecretTable.of([*noise, user])
    assert len(table.texts) > SecretTable.ALL_TEXTS_UP_TO
    assert table.texts_for("Makefile") == ("s3cret",) and table.texts_for("creds.mk") == ("s3cret",)
    note = Finding("TL212", "hardcoded-credentials", "error", "Makefile", Span(3, 1, 3, 9), "uses s3cret and noise-001")
    assert table.mask_finding(note).message == f"uses {MASK} and noise-001"
    assert table.mask("noise-001 and s3cret") == f"{MASK} and {MASK}"  # errors: every text


def test_url_passwords_cost_a_bounded_look_per_separator() -> None:
    """A 4 MB line of `a://` is read in linear time (no backtracking regex
    over the whole line)."""
    import time

    from taglint.secrets import url_passwords

    line = "a://" * 1_000_000 + "@"
    start = time.monotonic()
    assert url_passwords(line) == []
    assert url_passwords("see https://me:pw-1234@h.example.com/x") == [(15, 22)]
    assert time.monotonic() - start < 10
