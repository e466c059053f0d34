"""Kustomize: images entries, numeric tags, and overrides of included resources."""
from __future__ import annotations

from pathlib import Path

from taglint.extract.kubernetes import manifests as kubernetes
from taglint.extract.kubernetes import kustomize
from taglint.model import FileFacts, Location, Span
from taglint.resolve import ResolveContext, run_all
from taglint.resolve.kustomize import image_name
from taglint.source import ExtractContext, SourceFile

DIGEST = "sha256:" + "ab" * 32


def kfacts(text: str, path: str = "kustomization.yaml") -> FileFacts:
    return kustomize.extract(SourceFile.from_text(path, text), ExtractContext())


def test_images_entries() -> None:
    text = f"""\
delimiter: =
images:
- name: app
  newTag: latest
- name: scorer
  newName: acme/scorer
  newTag: v2.0.1
- name: renamed
  newName: acme/renamed
- name: pinned
  digest: {DIGEST}
- name: both
  newTag: "1.0.0"
  digest: {DIGEST}
- name: float
  newTag: 1.10
- newTag: nameless
"""
    result = kfacts(text)
    assert [(r.value, r.span.line) for r in result.images] == [
        ("app:latest", 4),
        ("acme/scorer:v2.0.1", 7),
        (f"pinned@{DIGEST}", 11),
        (f"both:1.0.0@{DIGEST}", 13),
        ("float:1.1", 16),
    ]
    app = result.images[0]
    assert app.span == Span(4, 11, 4, 17) and app.written == "latest"
    assert app.context == "images[0].newTag (name app)"
    assert result.images[-1].written == "1.10"
    assert result.extras["kustomize_numeric_tags"] == [
        {"span": Span(16, 11, 16, 15), "written": "1.10", "value": "1.1", "name": "float"}
    ]
    assert [b["name"] for b in result.extras["kustomize_tag_and_digest"]] == ["both"]
    entries = result.extras["kustomize"]["images"]
    assert [e["name"] for e in entries] == ["app", "scorer", "renamed", "pinned", "both", "float"]
    assert entries[2] == {
        "name": "renamed", "new_name": "acme/renamed", "new_tag": None, "digest": None,
        "span": Span(9, 12, 9, 24), "written": "acme/renamed", "index": 2,
    }


def test_resources_and_components() -> None:
    text = "resources:\n- deploy.yaml\n- ../base\n- https://github.com/x/y//z\n- github.com/x/y/z?ref=v1\nbases: [../old]\ncomponents: [../c]\npatchesStrategicMerge: [p.yaml]\npatches:\n- path: q.yaml\n- patch: '[]'\n"
    data = kfacts(text).extras["kustomize"]
    assert data["resources"] == ["deploy.yaml", "../base", "../old", "p.yaml", "q.yaml"]
    assert data["components"] == ["../c"]


def test_parse_error() -> None:
    result = kfacts("images:\n- name: [x\n")
    assert result.problems and result.images == []


def test_image_name() -> None:
    assert image_name("reg:5000/a/b:1.0@sha256:x") == "reg:5000/a/b"
    assert image_name("reg:5000/a/b") == "reg:5000/a/b"
    assert image_name("app") == "app"


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      containers:
      - name: app
        image: app
      - name: scorer
        image: scorer:replace
      - name: other
        image: other
"""


def _tree(tmp_path: Path, overlay: str, base_kustomization: str = "resources:\n- deployment.yaml\n") -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "overlays" / "prod").mkdir(parents=True)
    (tmp_path / "base" / "deployment.yaml").write_text(DEPLOYMENT)
    (tmp_path / "base" / "kustomization.yaml").write_text(base_kustomization)
    (tmp_path / "overlays" / "prod" / "kustomization.yaml").write_text(overlay)


def _scan(tmp_path: Path, rels: list[str]) -> list[FileFacts]:
    files = []
    for rel in rels:
        path = tmp_path / rel
        source = SourceFile(rel, path, path.read_text())
        module = kustomize if path.name == "kustomization.yaml" else kubernetes
        files.append(module.extract(source, ExtractContext()))
    run_all(files, ResolveContext(cwd=tmp_path))
    return files


OVERLAY = """\
resources:
- ../../base
images:
- name: app
  newTag: 1.2.3
- name: scorer
  newName: acme/scorer
  newTag: v2.0.1
- name: other
  newName: registry.example.com/other
"""


def test_overlay_decides_tags_of_the_base(tmp_path: Path) -> None:
    _tree(tmp_path, OVERLAY)
    deployment, _base, overlay = _scan(
        tmp_path, ["base/deployment.yaml", "base/kustomization.yaml", "overlays/prod/kustomization.yaml"]
    )
    # app and scorer are decided by the overlay; other is only renamed.
    (other,) = deployment.images
    assert other.value == "registry.example.com/other"
    assert other.span == Span(13, 16, 13, 21)
    assert other.via[-1].value == "registry.example.com/other"
    assert [(r.value, r.span.line) for r in overlay.images] == [("app:1.2.3", 5), ("acme/scorer:v2.0.1", 8)]
    assert overlay.images[0].origin == Location("base/deployment.yaml", Span(9, 16, 9, 19))


def test_overlay_found_on_disk_when_only_the_base_is_scanned(tmp_path: Path) -> None:
    _tree(tmp_path, OVERLAY)
    (tmp_path / "kustomization.yaml").write_text("resources:\n- overlays/prod\n")
    files = _scan(tmp_path, ["base/deployment.yaml"])
    assert len(files) == 1  # no facts are invented for files outside the scan
    # The decided references move to the overlay's lines, in the base's facts.
    assert [(r.path, r.value, r.span.line, r.origin.span.line if r.origin else None) for r in files[0].images] == [
        ("overlays/prod/kustomization.yaml", "app:1.2.3", 5, 9),
        ("overlays/prod/kustomization.yaml", "acme/scorer:v2.0.1", 8, 11),
        ("base/deployment.yaml", "registry.example.com/other", 13, None),
    ]


def test_two_overlays_one_undecided_keeps_the_base_reference(tmp_path: Path) -> None:
    _tree(tmp_path, OVERLAY)
    (tmp_path / "overlays" / "dev").mkdir()
    (tmp_path / "overlays" / "dev" / "kustomization.yaml").write_text("resources:\n- ../../base\n")
    files = _scan(
        tmp_path,
        ["base/deployment.yaml", "overlays/prod/kustomization.yaml", "overlays/dev/kustomization.yaml"],
    )
    assert [r.value for r in files[0].images] == ["app", "scorer:replace", "other"]


def test_same_folder_kustomization(tmp_path: Path) -> None:
    (tmp_path / "deployment.yaml").write_text(DEPLOYMENT)
    (tmp_path / "kustomization.yaml").write_text("resources: [deployment.yaml]\nimages:\n- name: app\n  newTag: latest\n")
    deployment, kust = _scan(tmp_path, ["deployment.yaml", "kustomization.yaml"])
    assert [r.value for r in deployment.images] == ["scorer:replace", "other"]
    assert [r.value for r in kust.images] == ["app:latest"]


def test_not_included_files_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "deployment.yaml").write_text(DEPLOYMENT)
    (tmp_path / "kustomization.yaml").write_text("resources: []\nimages:\n- name: app\n  newTag: 1.0.0\n")
    deployment, _ = _scan(tmp_path, ["deployment.yaml", "kustomization.yaml"])
    assert [r.value for r in deployment.images] == ["app", "scorer:replace", "other"]


def test_cycles_between_kustomizations_terminate(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "kustomization.yaml").write_text("resources: [../b, d.yaml]\n")
    (tmp_path / "b" / "kustomization.yaml").write_text("resources: [../a]\nimages: [{name: app, newTag: 1.0.0}]\n")
    (tmp_path / "a" / "d.yaml").write_text(DEPLOYMENT)
    files = _scan(tmp_path, ["a/d.yaml", "a/kustomization.yaml", "b/kustomization.yaml"])
    assert files[0].images  # no hang; result depends on which build is the root


def test_sibling_overlay_found_when_only_the_base_is_scanned(tmp_path: Path) -> None:
    _tree(tmp_path, OVERLAY)  # app/base + app/overlays/prod, nothing above
    files = _scan(tmp_path, ["base/deployment.yaml"])
    assert [(r.path, r.value) for r in files[0].images] == [
        ("overlays/prod/kustomization.yaml", "app:1.2.3"),
        ("overlays/prod/kustomization.yaml", "acme/scorer:v2.0.1"),
        ("base/deployment.yaml", "registry.example.com/other"),
    ]


def test_resolvers_are_not_imported_without_their_kinds() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from taglint.model import FileFacts;"
        "from taglint.resolve import ResolveContext, run_all;"
        "run_all([FileFacts('Dockerfile', 'dockerfile')], ResolveContext(cwd=Path('.')));"
        "print('yaml' in sys.modules, 'taglint.resolve.kustomize' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_every_kustomization_file_name_is_found_on_disk(tmp_path: Path) -> None:
    # Folders are probed for the three names without reading (one `access`
    # per name); each name must still be found when only the base is scanned.
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        root = tmp_path / name.replace(".", "-")
        root.mkdir()
        _tree(root, OVERLAY)
        (root / "overlays" / "prod" / "kustomization.yaml").rename(root / "overlays" / "prod" / name)
        (root / name).write_text("resources:\n- overlays/prod\n")
        files = _scan(root, ["base/deployment.yaml"])
        assert [(r.path, r.value) for r in files[0].images] == [
            (f"overlays/prod/{name}", "app:1.2.3"),
            (f"overlays/prod/{name}", "acme/scorer:v2.0.1"),
            ("base/deployment.yaml", "registry.example.com/other"),
        ], name


def test_folder_resources_and_missing_resources(tmp_path: Path) -> None:
    # `resources` naming a folder (followed) and a file that does not exist
    # (not a folder: ignored), as os.path.isdir tells them apart.
    _tree(tmp_path, OVERLAY.replace("- ../../base\n", "- ../../base\n- ../../missing\n- ../../base/deployment.yaml/..\n"))
    files = _scan(tmp_path, ["base/deployment.yaml", "overlays/prod/kustomization.yaml"])
    assert [r.value for r in files[0].images] == ["registry.example.com/other"]
    assert [r.value for r in files[1].images] == ["app:1.2.3", "acme/scorer:v2.0.1"]
