"""Ray cluster launcher configs (``docker.image``/``head_image``/
``worker_image``, per node type too) and Ray Serve configs (the
``runtime_env`` of applications and deployments: ``image_uri``, or the
older ``container.image``)
(https://docs.ray.io/en/latest/cluster/vms/references/ray-cluster-configuration.html,
https://docs.ray.io/en/latest/ray-core/handling-dependencies.html)."""
from __future__ import annotations

from taglint.extract.ml.spec_reader import spec_extractor

KIND = "ray-config"
PATTERNS = (
    "docker.image",
    "docker.head_image",
    "docker.worker_image",
    "available_node_types.*.docker.image",
    "available_node_types.*.docker.head_image",
    "available_node_types.*.docker.worker_image",
    "**.runtime_env.image_uri",
    "**.runtime_env.container.image",
)

extract = spec_extractor(KIND, PATTERNS)
