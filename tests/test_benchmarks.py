"""The benchmark generator and runner (``python -m benchmarks``): seeded,
shaped like real repositories, and the CI guard's verdict.  Nothing here
is timed: speed is the benchmark's business, not a test's."""
from __future__ import annotations

import hashlib
import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from benchmarks import bundles, run
from benchmarks.repository import SIZES, generate

REPO = Path(__file__).resolve().parent.parent


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def test_a_seed_always_gives_the_same_repository(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", "small", files=120, bundles=(150_000,))
    second = generate(tmp_path / "b", "small", files=120, bundles=(150_000,))
    assert first == second and first.files == 120
    assert _tree_digest(tmp_path / "a") == _tree_digest(tmp_path / "b")
    other = generate(tmp_path / "c", "small", files=120, bundles=(150_000,), seed=14)
    assert other.files == 120 and _tree_digest(tmp_path / "c") != _tree_digest(tmp_path / "a")


def test_a_repository_mixes_what_taglint_reads(tmp_path: Path) -> None:
    generate(tmp_path, "small", files=400, bundles=(100_000,))
    names = {p.name for p in tmp_path.rglob("*") if p.is_file()}
    for expected in ("install.yaml", "Dockerfile", "docker-compose.yml", "Chart.yaml", "values.yaml",
                     "kustomization.yaml", "release.sh", "README.md"):
        assert expected in names
    assert list(tmp_path.rglob(".github/workflows/*.yml"))
    assert list(tmp_path.rglob("charts/*/crds/*.yaml")), "no Helm chart that ships CRDs"


def test_the_sizes_are_the_issues() -> None:
    assert SIZES["large"].files == 20_000
    assert SIZES["small"].files < 1000 and SIZES["small"].bundles


def test_a_release_bundle_is_crds_first_then_workloads() -> None:
    text = bundles.release_bundle(random.Random(2), 1_000_000)
    assert 900_000 <= len(text) <= 1_100_000
    documents = [doc for doc in yaml.safe_load_all(text) if doc]
    kinds = [doc["kind"] for doc in documents]
    crds = [i for i, kind in enumerate(kinds) if kind == "CustomResourceDefinition"]
    assert crds and kinds.index("Deployment") > max(crds)
    schema_bytes = sum(len(yaml.safe_dump(documents[i])) for i in crds)
    assert schema_bytes > 0.8 * sum(len(yaml.safe_dump(doc)) for doc in documents)  # nearly all of it
    deployment = documents[kinds.index("Deployment")]
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] in bundles.IMAGES
    config = documents[kinds.index("ConfigMap")]
    assert '"image" :' in config["data"]["storageInitializer"]  # image settings as JSON in data


def _depth(node: object) -> int:
    if isinstance(node, dict):
        return 1 + max((_depth(v) for v in node.values()), default=0)
    if isinstance(node, list):
        return 1 + max((_depth(v) for v in node), default=0)
    return 0


def test_crd_schemas_are_deep() -> None:
    crd = yaml.safe_load(bundles.crd(random.Random(4), "Thing", "example.io", 200_000))
    assert crd["kind"] == "CustomResourceDefinition"
    assert _depth(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]) >= 20


def test_a_crd_chart_ships_its_crds() -> None:
    chart = bundles.crd_chart(random.Random(6), "workflows", 50_000)
    assert "Chart.yaml" in chart and "values.yaml" in chart and "templates/deployment.yaml" in chart
    crd_files = [name for name in chart if name.startswith("crds/")]
    assert crd_files
    for name in crd_files:
        assert yaml.safe_load(chart[name])["kind"] == "CustomResourceDefinition"


def test_the_generator_runs_as_a_module(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.repository", str(tmp_path / "r"), "--files", "30"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=True,
    )
    assert proc.stdout.startswith("30 files")


@pytest.mark.parametrize(("failures", "code"), [([], 0), (["start-up 9.0x python -c pass"], 1)])
def test_the_guard_fails_only_on_a_gross_ratio(failures: list[str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert run._guard_verdict(failures) == code
    out = capsys.readouterr()
    assert ("GUARD FAILED" in out.err) is bool(failures)
