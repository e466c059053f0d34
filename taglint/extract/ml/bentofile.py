"""BentoML ``bentofile.yaml``: the image a Bento's container is built
``FROM`` is ``docker.base_image``
(https://docs.bentoml.com/en/latest/reference/bentoml/bento-build-options.html)."""
from __future__ import annotations

from taglint.extract.ml.spec_reader import spec_extractor

KIND = "bentofile"
PATTERNS = ("docker.base_image",)

extract = spec_extractor(KIND, PATTERNS)
