"""The test registry itself: started, populated as :data:`EXPECTED_TAGS` says, auth modes enforced.

These pin the fixture's behaviour (tests/registry_fixture.py) so the client
tests can trust what the registry holds.
"""
from __future__ import annotations

import json

import pytest

from tests.registry_fixture import (
    ACCEPT_ALL,
    EXPECTED_TAGS,
    OCI_INDEX,
    TestRegistry,
    binary_or_skip,
)


def _all_tags(reg: TestRegistry, repository: str) -> set[str]:
    status, _, body = reg.request("GET", f"/v2/{repository}/tags/list", scope=f"repository:{repository}:pull")
    assert status == 200
    return set(json.loads(body)["tags"])


def test_the_open_registry_holds_every_tag_and_a_multi_arch_index(registry: TestRegistry) -> None:
    for repository, groups in EXPECTED_TAGS.items():
        assert _all_tags(registry, repository) == {tag for group in groups for tag in group}
    status, headers, body = registry.request("GET", "/v2/ml/model/manifests/latest", headers={"Accept": ACCEPT_ALL})
    assert status == 200 and headers["Content-Type"] == OCI_INDEX
    assert len(json.loads(body)["manifests"]) == 2
    assert len(_all_tags(registry, "ml/model")) > 100
    same = {registry.digest_of("ml/model", tag) for tag in ("latest", "1.2.3", "1.2", "1")}
    assert len(same) == 1 and registry.digest_of("ml/model", "1.2.2") not in same


def test_basic_auth_registry_refuses_anonymous_callers(registry_basic_auth: TestRegistry) -> None:
    reg = registry_basic_auth
    saved, reg.auth = reg.auth, None
    try:
        status, headers, _ = reg.request("GET", "/v2/ml/model/tags/list")
    finally:
        reg.auth = saved
    assert status == 401 and headers["WWW-Authenticate"].startswith("Basic ")
    assert "1.2.3" in _all_tags(reg, "ml/model")


def test_token_auth_registry_sends_a_bearer_challenge(registry_token_auth: TestRegistry) -> None:
    reg = registry_token_auth
    status, headers, _ = reg.request("GET", "/v2/ml/model/tags/list")  # no scope: no token
    assert status == 401
    challenge = headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ") and reg.token_server.realm in challenge
    assert 'scope="repository:ml/model:pull"' in challenge
    assert "1.2.3" in _all_tags(reg, "ml/model")


def test_a_missing_registry_binary_fails_under_ci_and_skips_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="not installed"):
        binary_or_skip("docker-registry-that-does-not-exist")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        binary_or_skip("docker-registry-that-does-not-exist")
