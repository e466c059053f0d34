"""Image keys of known schemas that are not container images (issue 8 §4):
the data list and how the Kubernetes walker uses it."""
from __future__ import annotations

import importlib.resources

import pytest
import yaml

from taglint.extract.kubernetes.manifests import extract
from taglint.extract.not_container_images import Skips, combine, parse_entries, shipped_entries, skips_for
from taglint.source import ExtractContext, SourceFile

ENTRY_KEYS = {"group", "kinds", "under", "keys", "why"}


def refs(text: str) -> list[tuple[str, str]]:
    facts = extract(SourceFile.from_text("m.yaml", text), ExtractContext())
    return [(ref.context, ref.value) for ref in facts.images]


def test_data_file_entries_are_well_formed() -> None:
    text = importlib.resources.files("taglint").joinpath("data", "not_container_images.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert data["version"] == 1
    groups = []
    for raw in data["entries"]:
        assert set(raw) <= ENTRY_KEYS, raw
        assert raw.get("why"), f"entry without a reason: {raw}"
        assert raw.get("group") or raw.get("kinds") or raw.get("under") or raw.get("keys"), raw
        if "group" in raw and not raw.get("under") and not raw.get("keys") and not raw.get("kinds"):
            groups.append(raw["group"])
    assert len(groups) == len(set(groups)), "a group is listed twice"
    assert len(shipped_entries()) == len(data["entries"])


def test_combine_whole_object_or_parts() -> None:
    entries = parse_entries({"entries": [
        {"group": "machines.example.com"},
        {"under": ["rbd"]},
        {"kinds": ["Widget"], "keys": ["baseImage"]},
        {"group": "other.example.com", "kinds": ["Gadget"], "under": ["vm"]},
    ]})
    assert combine(entries, "machines.example.com", "Anything").whole
    assert combine(entries, "apps", "Deployment") == Skips(under=frozenset({"rbd"}))
    assert combine(entries, "x.example.com", "Widget") == Skips(under=frozenset({"rbd"}), keys=frozenset({"baseimage"}))
    assert combine(entries, "other.example.com", "Gadget").under == frozenset({"rbd", "vm"})
    assert combine(entries, "other.example.com", "Widget").under == frozenset({"rbd"})


@pytest.mark.parametrize(
    "group,kind",
    [
        ("", "ConfigMap"),
        ("infrastructure.cluster.x-k8s.io", "OpenStackMachineTemplate"),
        ("compute.do.crossplane.io", "Droplet"),
        ("rke-machine-config.cattle.io", "HetznerConfig"),
        ("machine.sapcloud.io", "MachineClass"),
    ],
)
def test_shipped_whole_objects(group: str, kind: str) -> None:
    assert skips_for(group, kind).whole


def test_shipped_parts_for_any_workload() -> None:
    skips = skips_for("apps", "Deployment")
    assert not skips.whole
    assert {"rbd", "cloudProviderSpec", "providerSpec"} <= skips.under
    assert {"backingimage", "osimage"} <= skips.keys


RBD_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: rbd
spec:
  containers:
    - image: kubernetes/pause
      name: rbd-rw
  volumes:
    - name: rbdpd
      rbd:
        monitors: ['10.16.154.78:6789']
        pool: kube
        image: foo
"""


def test_rbd_volume_image_is_not_read_but_the_container_is() -> None:
    assert refs(RBD_POD) == [("spec.containers[0].image (container rbd-rw)", "kubernetes/pause")]


def test_persistent_volume_rbd_image_is_not_read() -> None:
    text = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec:\n  rbd:\n    pool: rbd\n    image: ceph-image\n"
    assert refs(text) == []


def test_rbd_under_a_pod_template_is_not_read() -> None:
    text = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      containers: [{name: db, image: "mysql:8.4.2"}]
      volumes:
      - name: data
        rbd: {pool: kube, image: mysql-data}
"""
    assert [value for _, value in refs(text)] == ["mysql:8.4.2"]


def test_machine_provider_spec_and_backing_image_are_not_read() -> None:
    text = """\
apiVersion: cluster.k8s.io/v1alpha1
kind: MachineDeployment
metadata: {name: w}
spec:
  template:
    spec:
      providerSpec:
        value:
          cloudProviderSpec: {image: ubuntu-20.04}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: lh}
parameters:
  backingImage: bi-test1
"""
    assert refs(text) == []


def test_kubevirt_container_disk_is_still_a_container_image() -> None:
    text = """\
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: vm}
spec:
  template:
    spec:
      volumes:
      - name: containerdisk
        containerDisk: {image: quay.io/kubevirt/cirros-container-disk-demo}
"""
    assert refs(text) == [("spec.template.spec.volumes[0].containerDisk.image", "quay.io/kubevirt/cirros-container-disk-demo")]


def test_ko_references_are_not_read() -> None:
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: controller}
spec:
  template:
    spec:
      containers:
      - name: controller
        image: ko://knative.dev/serving/cmd/controller
      - name: sidecar
        image: "gcr.io/example/sidecar:1.2.3"
"""
    assert [value for _, value in refs(text)] == ["gcr.io/example/sidecar:1.2.3"]
