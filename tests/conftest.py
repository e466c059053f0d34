from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The real Distribution registry (session fixtures `registry`,
# `registry_basic_auth`, `registry_token_auth`): registered here, once, so
# every test module shares one running registry per auth mode (a fixture
# imported into several modules would start one per module).
from tests.registry_fixture import registry, registry_basic_auth, registry_token_auth  # noqa: E402,F401
