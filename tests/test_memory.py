"""Peak memory (issue 13, target 4): a scan runs with the cyclic garbage
collector paused (``taglint.gcpause``), so what it builds must be freed by
reference counting alone; and the Helm resolver holds the loaded state of
a bounded number of charts at a time, whatever the repository's size."""
from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Iterator

import pytest

import taglint.resolve.helm as helm_resolver
from taglint.config import Config
from taglint.engine import scan
from taglint.extract.kubernetes.helm import values_table
from taglint.helmtemplate.values import from_table
from taglint.report import ReportOptions, render
from taglint.yamlnodes import load_documents

VALUES = """\
global: &global
  imageRegistry: mirror.example.com
image:
  registry: docker.io
  repository: bitnami/redis
  tag: 7.2.4
  pullPolicy: IfNotPresent
sidecars:
  - name: exporter
    image: {repository: bitnami/redis-exporter, tag: "1.58"}
merged:
  <<: *global
  replicas: 2
"""


@pytest.fixture
def collector_paused() -> Iterator[None]:
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def test_template_values_from_a_table_are_freed_without_the_cyclic_collector(collector_paused: None) -> None:
    table = values_table(load_documents(VALUES)[0], VALUES)
    values = from_table(table, "chart/values.yaml")
    assert str(values["image"]["repository"]) == "bitnami/redis"
    assert str(values["merged"]["imageRegistry"]) == "mirror.example.com"
    del values
    assert gc.collect() == 0  # nothing was left in a reference cycle


def _charts(root: Path, count: int) -> None:
    """``count`` charts that share a library chart kept beside them, each
    with a subchart that takes the parent's values."""
    files = {
        "libs/common/Chart.yaml": "apiVersion: v2\nname: common\nversion: 2.0.0\ntype: library\n",
        "libs/common/templates/_images.tpl": (
            '{{- define "common.images.image" -}}\n'
            '{{- printf "%s/%s:%s" .imageRoot.registry .imageRoot.repository (.imageRoot.tag | toString) -}}\n'
            "{{- end -}}\n"
        ),
    }
    for n in range(count):
        chart = f"charts/app{n}"
        files.update({
            f"{chart}/Chart.yaml": (
                f'apiVersion: v2\nname: app{n}\nversion: 0.1.0\nappVersion: "1.{n}.0"\n'
                "dependencies:\n- name: common\n  repository: file://../../libs/common\n  version: 2.x.x\n"
            ),
            f"{chart}/values.yaml": (
                f"image:\n  registry: docker.io\n  repository: acme/app{n}\n  tag: {'latest' if n % 2 else ''}\n"
                "worker:\n  image:\n    tag: latest\n"
            ),
            f"{chart}/templates/deployment.yaml": (
                "spec:\n  containers:\n"
                '    - image: {{ include "common.images.image" (dict "imageRoot" .Values.image) }}\n'
                "    - image: busybox:{{ .Chart.AppVersion }}\n"
            ),
            f"{chart}/charts/worker/Chart.yaml": "apiVersion: v2\nname: worker\nversion: 0.1.0\nappVersion: 3.0.0\n",
            f"{chart}/charts/worker/values.yaml": "image:\n  repository: acme/worker\n  tag: 3.0.0\n",
            f"{chart}/charts/worker/templates/job.yaml": (
                "spec:\n  containers:\n    - image: {{ .Values.image.repository }}:{{ .Values.image.tag }}\n"
            ),
        })
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _report(root: Path) -> dict[str, object]:
    result = scan(["."], Config(), cwd=root)
    assert not result.errors, result.errors
    return json.loads(render("json", result, ReportOptions()))  # type: ignore[no-any-return]


def test_helm_charts_give_the_same_findings_however_few_are_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _charts(tmp_path, 5)
    forgotten: list[int] = []
    forget = helm_resolver._HeldCharts.forget

    def counting(self: helm_resolver._HeldCharts) -> None:
        forgotten.append(len(self.folders))
        forget(self)

    monkeypatch.setattr(helm_resolver._HeldCharts, "forget", counting)
    all_held = _report(tmp_path)
    assert forgotten == [10]  # five charts and their subcharts, forgotten once at the end
    forgotten.clear()
    monkeypatch.setattr(helm_resolver, "CHARTS_HELD", 1)
    one_held = _report(tmp_path)
    assert len(forgotten) == 10 and max(forgotten) == 1
    assert one_held == all_held
    rendered = {(f["path"], f["line"], f["rule"]) for f in all_held["findings"]}  # type: ignore[index, union-attr]
    # the subchart's tag comes from the parent's values (`worker.image.tag`) in every chart
    assert {("charts/app3/values.yaml", 7, "TL102"), ("charts/app0/values.yaml", 7, "TL102")} <= rendered


def test_the_helm_resolver_leaves_nothing_in_the_shared_cache(tmp_path: Path) -> None:
    from taglint.resolve import ResolveContext, run_all

    _charts(tmp_path, 2)
    result = scan(["."], Config(), cwd=tmp_path)
    ctx = ResolveContext(cwd=tmp_path)
    run_all(result.files, ctx)
    assert [key for key in ctx.cache if key[0] == "helm"] == []
    assert ctx.read_keys() == []


def test_the_shell_layer_leaves_no_reference_cycle(collector_paused: None) -> None:
    from taglint.shell import analyze_script

    facts = analyze_script(
        "docker build -t acme/app:1.2 .\nsh -c 'docker push acme/app:1.2'\n", path="build.sh", kind="shell", scope="build.sh",
    )
    assert [c.action for c in facts.commands] == ["build", "push"]
    assert facts.commands[1].span.line == 2
    del facts
    assert gc.collect() == 0


def test_digests_are_recorded_only_when_asked(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM nginx\n")
    assert list(scan(["."], Config(), cwd=tmp_path).digests) == ["Dockerfile"]  # for --fix
    spared = scan(["."], Config(), cwd=tmp_path, digests=False)
    assert spared.digests == {} and [f.rule for f in spared.findings] == ["TL101"]


def test_rendering_helm_charts_leaves_no_reference_cycle(tmp_path: Path) -> None:
    _charts(tmp_path, 3)
    scan(["."], Config(), cwd=tmp_path)  # imports and caches made once, outside the count
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        result = scan(["."], Config(), cwd=tmp_path)
        assert any(ref.origin is not None for facts in result.files for ref in facts.images)  # rendered
        del result
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()
