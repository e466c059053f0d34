"""Kubeflow Pipelines v1 component files (``component.yaml``): the container
a component runs in is ``implementation.container.image``
(https://www.kubeflow.org/docs/components/pipelines/legacy-v1/reference/component-spec/)."""
from __future__ import annotations

from taglint.extract.ml.spec_reader import spec_extractor

KIND = "kfp-component"
PATTERNS = ("implementation.container.image",)

extract = spec_extractor(KIND, PATTERNS)
