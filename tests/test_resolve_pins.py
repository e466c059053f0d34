"""``--resolve`` fixes from registry answers (issue 11, items 2-4), with a
fake that answers as :class:`taglint.registry.Registry` does: where each
edit lands, the pin styles, the unsafe digest pin, per-reference notices.
The real registry is exercised by ``tests/test_resolve_acceptance.py``."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pytest

from taglint.config import Config
from taglint.engine import scan
from taglint.fix import apply_fixes
from taglint.model import ActionRef, Span
from taglint.registry import Pin, RegistryError
from taglint.resolve_pins import ResolveSettings, action_fix, resolve_fixes

DIGEST = "sha256:" + "ab" * 32
OTHER = "sha256:" + "cd" * 32

FILES = {
    "Dockerfile": "ARG PY=3.12\nFROM python:${PY}-slim AS build\nFROM registry.test/ml/model:latest\n",
    "deploy.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: model\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: model\n          image: registry.test/ml/model\n"
    ),
    "chart/Chart.yaml": "apiVersion: v2\nname: model\nversion: 0.1.0\n",
    "chart/values.yaml": "image:\n  repository: registry.test/ml/model\n  tag: latest  # keep this comment\n",
    "chart/templates/deploy.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: m\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: m\n"
        '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n'
    ),
    "base/kustomization.yaml": "resources: [app.yaml]\n",
    "base/app.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n"
        "      image: registry.test/ml/model\n"
    ),
    "overlays/prod/kustomization.yaml": (
        "resources: [../../base]\nimages:\n  - name: registry.test/ml/model\n    newTag: latest\n"
    ),
}


class FakeRegistry:
    """Answers like ``Registry.pin_many``; records what it was asked."""

    def __init__(self, answers: dict[str, Pin | RegistryError]) -> None:
        self.answers = answers
        self.digests = {a.digest for a in answers.values() if isinstance(a, Pin)}
        self.asked: list[list[str]] = []
        self.closed = False

    def pin_many(self, images: Iterable[str]) -> dict[str, Pin | RegistryError]:
        images = list(images)
        self.asked.append(images)
        return {i: self.answers.get(i, RegistryError(i, "connection refused")) for i in images}

    def digest(self, image: str) -> str:
        answer = self.answers.get(image, RegistryError(image, "connection refused"))
        if isinstance(answer, RegistryError):
            raise answer
        return answer.digest

    def manifest_exists(self, image: str, digest: str) -> bool:
        self.asked.append([f"{image}@{digest}"])
        return digest in self.digests

    def close(self) -> None:
        self.closed = True


def _project(tmp_path: Path, files: dict[str, str] = FILES) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _answers(version: str | None = "1.2.3") -> dict[str, Pin | RegistryError]:
    model = {i: Pin(i, DIGEST, version) for i in ("registry.test/ml/model", "registry.test/ml/model:latest")}
    return {**model, "python:3.12-slim": Pin("python:3.12-slim", OTHER, "3.12.7-slim")}


def _fix(root: Path, registry: FakeRegistry, style: str = "tag", unsafe: bool = False):
    config = Config(pin_style=style)
    result = scan(["."], config, cwd=root)
    resolve_fixes(result, lambda _path: config, ResolveSettings(), root, registry=registry)
    outcome = apply_fixes(result.findings, root, unsafe=unsafe, write=True, digests=result.digests)
    return result, outcome


def test_one_request_for_every_reference_and_each_edit_where_the_value_is_decided(tmp_path: Path) -> None:
    root = _project(tmp_path)
    registry = FakeRegistry(_answers())
    result, outcome = _fix(root, registry)
    assert len(registry.asked) == 1  # one pin_many call
    assert sorted(registry.asked[0]) == ["python:3.12-slim", "registry.test/ml/model", "registry.test/ml/model:latest"]
    assert not result.errors and not outcome.errors
    assert (root / "Dockerfile").read_text() == (
        "ARG PY=3.12.7\nFROM python:${PY}-slim AS build\nFROM registry.test/ml/model:1.2.3\n"
    )
    assert (root / "deploy.yaml").read_text() == FILES["deploy.yaml"].replace("ml/model\n", "ml/model:1.2.3\n")
    assert (root / "chart/values.yaml").read_text() == FILES["chart/values.yaml"].replace("tag: latest", "tag: 1.2.3")
    assert (root / "overlays/prod/kustomization.yaml").read_text() == (
        FILES["overlays/prod/kustomization.yaml"].replace("newTag: latest", "newTag: 1.2.3")
    )
    # the template and the base are untouched: the values file and the overlay decide
    for name in ("chart/templates/deploy.yaml", "base/app.yaml", "chart/Chart.yaml"):
        assert (root / name).read_text() == FILES[name]
    # a second run has nothing left to fix
    again, second = _fix(root, FakeRegistry(_answers()))
    assert second.fixed == 0 and not second.diff


def test_tag_at_digest_style(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _fix(root, FakeRegistry(_answers()), style="tag@digest")
    assert (root / "deploy.yaml").read_text().endswith(f"image: registry.test/ml/model:1.2.3@{DIGEST}\n")
    assert f"tag: 1.2.3@{DIGEST}  # keep this comment\n" in (root / "chart/values.yaml").read_text()
    assert f"newTag: 1.2.3@{DIGEST}\n" in (root / "overlays/prod/kustomization.yaml").read_text()
    assert f"FROM registry.test/ml/model:1.2.3@{DIGEST}\n" in (root / "Dockerfile").read_text()


def test_digest_style_puts_the_version_in_a_comment(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _fix(root, FakeRegistry(_answers()), style="digest # tag")
    dockerfile = (root / "Dockerfile").read_text()
    # a trailing `#` is an argument to Docker: the comment goes on the line above
    assert f"# 1.2.3\nFROM registry.test/ml/model@{DIGEST}\n" in dockerfile
    assert (root / "deploy.yaml").read_text().endswith(f"image: registry.test/ml/model@{DIGEST} # 1.2.3\n")
    # a place that holds only a tag cannot take a digest alone: the tag stays in front of it
    assert f"newTag: 1.2.3@{DIGEST}\n" in (root / "overlays/prod/kustomization.yaml").read_text()


def test_no_version_tag_shares_the_digest_an_unsafe_digest_pin(tmp_path: Path) -> None:
    root = _project(tmp_path, {"deploy.yaml": FILES["deploy.yaml"]})
    result, outcome = _fix(root, FakeRegistry(_answers(version=None)))
    finding = next(f for f in result.findings if f.rule == "TL101")
    assert finding.fix is not None and finding.fix.applicability == "unsafe"
    assert "no version tag shares that digest" in finding.fix.description
    assert outcome.fixed == 0 and (root / "deploy.yaml").read_text() == FILES["deploy.yaml"]
    _fix(root, FakeRegistry(_answers(version=None)), unsafe=True)
    assert (root / "deploy.yaml").read_text().endswith(f"image: registry.test/ml/model@{DIGEST}\n")


def test_a_registry_that_cannot_answer_is_a_notice_per_reference(tmp_path: Path) -> None:
    root = _project(tmp_path)
    answers = {"python:3.12-slim": Pin("python:3.12-slim", OTHER, "3.12.7-slim")}
    result, outcome = _fix(root, FakeRegistry(answers))
    notices = [e for e in result.errors if e.startswith("--resolve:")]
    assert len(notices) == 2  # registry.test/ml/model and registry.test/ml/model:latest
    assert all("connection refused" in n for n in notices)
    assert any("deploy.yaml:10" in n for n in notices)
    # the scan went on: the answered reference is fixed, the others left as they were
    assert (root / "Dockerfile").read_text().startswith("ARG PY=3.12.7\n")
    assert (root / "deploy.yaml").read_text() == FILES["deploy.yaml"]


def test_nothing_to_resolve_asks_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path, {"Dockerfile": "FROM python:3.12.7-slim AS app\n"})
    registry = FakeRegistry({})
    _fix(root, registry)  # TL110, the only rule that would ask, is off
    assert registry.asked == []


def test_tl110_with_resolve_adds_the_digest_the_tag_points_at(tmp_path: Path) -> None:
    root = _project(tmp_path, {"Dockerfile": "FROM python:3.12.7-slim AS app\n"})
    answers = {"python:3.12.7-slim": Pin("python:3.12.7-slim", OTHER, "3.12.7-slim")}
    config = Config(select=("TL110",))
    result = scan(["."], config, cwd=root)
    resolve_fixes(result, lambda _path: config, ResolveSettings(), root, registry=FakeRegistry(answers))
    apply_fixes(result.findings, root, unsafe=False, write=True, digests=result.digests)
    assert (root / "Dockerfile").read_text() == f"FROM python:3.12.7-slim@{OTHER} AS app\n"


STALE = "sha256:" + "ef" * 32  # an older build the registry still has
GONE = "sha256:" + "99" * 32  # garbage-collected


def _check_pins(root: Path, answers: dict[str, Pin | RegistryError], unsafe: bool = True):
    config = Config()
    result = scan(["."], config, cwd=root)
    registry = FakeRegistry(answers)
    registry.digests.add(STALE)
    resolve_fixes(result, lambda _path: config, ResolveSettings(), root, registry=registry)
    outcome = apply_fixes(result.findings, root, unsafe=unsafe, write=True, digests=result.digests)
    return [f for f in result.findings if f.rule == "TL115"], result, outcome


def test_stale_pins_moved_tag_version_comment_and_missing_digest(tmp_path: Path) -> None:
    files = {
        "Dockerfile": f"FROM python:3.12.7-slim@{STALE} AS app\n# 3.12.7-slim\nFROM python@{STALE} AS tools\n",
        "pod.yaml": (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n"
            f"      image: registry.test/ml/model@{STALE}  # 1.2.3\n"
            "    - name: b\n"
            f"      image: registry.test/ml/gone@{GONE}\n"
        ),
    }
    root = _project(tmp_path, files)
    answers = {
        "python:3.12.7-slim": Pin("python:3.12.7-slim", OTHER, "3.12.7-slim"),
        "registry.test/ml/model:1.2.3": Pin("registry.test/ml/model:1.2.3", DIGEST, "1.2.3"),
    }
    stale, result, _ = _check_pins(root, answers)
    by_line = {(f.path, f.span.line): f for f in stale}
    assert set(by_line) == {("Dockerfile", 1), ("Dockerfile", 3), ("pod.yaml", 8), ("pod.yaml", 10)}
    assert all(f.severity == "info" for f in stale)
    assert "does not have" in by_line[("pod.yaml", 10)].message  # no tag, no comment: only missing
    assert not by_line[("pod.yaml", 10)].fix.edits
    assert "carries the comment `# 3.12.7-slim`" in by_line[("Dockerfile", 3)].message
    assert (root / "Dockerfile").read_text() == (
        f"FROM python:3.12.7-slim@{OTHER} AS app\n# 3.12.7-slim\nFROM python@{OTHER} AS tools\n"
    )
    assert f"image: registry.test/ml/model@{DIGEST}  # 1.2.3\n" in (root / "pod.yaml").read_text()
    assert not [e for e in result.errors if "cannot check" in e]


def test_a_current_pin_gives_no_finding_and_a_suppressed_one_none(tmp_path: Path) -> None:
    files = {
        "Dockerfile": (
            f"FROM python:3.12.7-slim@{OTHER} AS app\n"
            "# taglint: ignore[TL115] a rebuild we review separately\n"
            f"FROM python:3.12.6-slim@{STALE} AS old\n"
        ),
    }
    root = _project(tmp_path, files)
    answers = {
        "python:3.12.7-slim": Pin("python:3.12.7-slim", OTHER, "3.12.7-slim"),
        "python:3.12.6-slim": Pin("python:3.12.6-slim", OTHER, "3.12.6-slim"),
    }
    stale, _, _ = _check_pins(root, answers)
    assert stale == []
    assert (root / "Dockerfile").read_text() == files["Dockerfile"]


@pytest.mark.parametrize(
    "line,expected",
    [
        ("      - uses: actions/checkout@v4\n", "      - uses: actions/checkout@{sha} # v4.2.2\n"),
        ("      - uses: actions/checkout@v4 # pinned\n", "      - uses: actions/checkout@{sha} # pinned\n"),
    ],
)
def test_action_pin_edit(line: str, expected: str) -> None:
    from taglint.fix import apply_edits

    sha = "0123456789abcdef0123456789abcdef01234567"
    column = line.index("actions/") + 1
    action = ActionRef("ci.yml", Span(1, column, 1, column + len("actions/checkout@v4")), "github-workflow",
                       "actions/checkout", "v4", "actions/checkout@v4")
    fix = action_fix(action, sha, "v4.2.2", line.rstrip("\n"))
    assert fix.applicability == "safe"
    assert apply_edits(line, fix.edits)[0] == expected.format(sha=sha)


def test_insecure_hosts_from_the_command_line_and_every_configuration_reach_the_client(tmp_path: Path) -> None:
    from taglint.resolve_pins import _registry

    configs = {
        "a/Dockerfile": Config(resolve_insecure_registries=("registry.internal:5000",)),
        "b/Dockerfile": Config(resolve_insecure_registries=("mirror.internal", "registry.internal:5000")),
    }
    client = _registry(configs.__getitem__, ResolveSettings(insecure_hosts=("cli.internal",), refresh=True),
                       list(configs))
    try:
        assert client.options.insecure_hosts == ("cli.internal", "registry.internal:5000", "mirror.internal")
        assert client.options.refresh is True
    finally:
        client.close()


def test_cli_flags_reach_the_resolve_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--resolve, --refresh and --insecure-registry (repeatable) become the settings of one resolve step."""
    import taglint.resolve_pins as resolve_pins
    from taglint.cli import main

    seen: list[ResolveSettings] = []
    monkeypatch.setattr(resolve_pins, "resolve_fixes", lambda result, config_for, settings, cwd: seen.append(settings))
    _project(tmp_path, {"Dockerfile": "FROM python:3.12.7-slim\n"})
    monkeypatch.chdir(tmp_path)
    main(["--resolve", "--refresh", "--insecure-registry", "a.internal", "--insecure-registry", "b.internal:5000",
          "--quiet", "."])
    assert seen == [ResolveSettings(insecure_hosts=("a.internal", "b.internal:5000"), refresh=True)]
    seen.clear()
    main(["--quiet", "."])
    assert seen == []


def test_a_value_set_in_another_file_is_named_not_edited(tmp_path: Path) -> None:
    """A Compose tag from `.env`: the fix names the place; no edit (an edit
    in another file than the finding's is not made)."""
    root = _project(tmp_path, {
        "compose.yaml": 'services:\n  model:\n    image: "registry.test/ml/model:${MODEL_TAG}"\n',
        ".env": "MODEL_TAG=latest\n",
    })
    result, outcome = _fix(root, FakeRegistry(_answers()))
    finding = next(f for f in result.findings if f.rule == "TL102")
    assert finding.fix is not None and finding.fix.applicability == "none" and not finding.fix.edits
    assert "its value is set in .env:1: change it there" in finding.fix.description
    assert (root / ".env").read_text() == "MODEL_TAG=latest\n" and outcome.fixed == 0


def test_an_empty_helm_tag_that_defaults_to_the_app_version_gets_the_tag(tmp_path: Path) -> None:
    files = {
        "chart/Chart.yaml": "apiVersion: v2\nname: model\nversion: 0.1.0\nappVersion: latest\n",
        "chart/values.yaml": 'image:\n  repository: registry.test/ml/model\n  tag: ""\n',
        "chart/templates/deploy.yaml": (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: m\nspec:\n  containers:\n    - name: m\n"
            '      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"\n'
        ),
    }
    root = _project(tmp_path, files)
    _fix(root, FakeRegistry(_answers()))
    assert (root / "chart/values.yaml").read_text() == files["chart/values.yaml"].replace('tag: ""', 'tag: "1.2.3"')
    assert (root / "chart/Chart.yaml").read_text() == files["chart/Chart.yaml"]
