"""Per-image policies: which policy covers an image and what `require` accepts."""
from __future__ import annotations

from pathlib import Path

import pytest

from taglint.config import Config, ImagePolicy, from_mapping
from taglint.image_policy import allowed_tag, exact_by_policy, meets, policy_for
from taglint.tags import classify_reference

SHA = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    "reference,require,expected",
    [
        ("reg.example.com/model:v1.0", "semver", True),
        ("reg.example.com/model:v1.0", "semver-strict", False),
        ("reg.example.com/model:v1.0.2", "semver-strict", True),
        ("reg.example.com/model:v2", "semver", False),
        ("reg.example.com/model:a1b2c3d", "semver", False),
        (f"reg.example.com/model@{SHA}", "semver", False),
        (f"reg.example.com/model:1.2.3@{SHA}", "semver", True),
        ("reg.example.com/model:v1.0", "version", False),  # a partial version is not an exact version tag
        ("reg.example.com/model:1.4.2", "version", True),
        (f"reg.example.com/model@{SHA}", "version", True),
        ("reg.example.com/model:1.4.2", "digest", False),
        (f"reg.example.com/model:1.4.2@{SHA}", "digest", True),
    ],
)
def test_meets(reference, require, expected):
    assert meets(require, classify_reference(reference)) is expected


def test_the_first_matching_policy_applies_by_familiar_or_canonical_name():
    config = Config(images=(
        ImagePolicy("docker.io/library/python", "version"),
        ImagePolicy("reg.example.com/ml/**", "semver", allow_tags=("stable-*",)),
    ))
    python = policy_for(config, classify_reference("python:3.12"))
    assert python is not None and python.require == "version"
    model = policy_for(config, classify_reference("reg.example.com/ml/team/model:stable-2024"))
    assert model is not None and model.require == "semver"
    assert allowed_tag(model, classify_reference("reg.example.com/ml/team/model:stable-2024"))
    assert policy_for(config, classify_reference("reg.example.com/other:1")) is None


def test_a_tag_that_meets_its_policy_is_an_exact_release():
    config = from_mapping({"images": [{"match": "mlregistry.example.com/**", "require": "semver"}]}, base=Path("."))
    assert exact_by_policy(config, classify_reference("mlregistry.example.com/model:v1.0"))
    assert not exact_by_policy(config, classify_reference("mlregistry.example.com/model:v1"))
    assert not exact_by_policy(config, classify_reference("python:3.12"))  # no policy covers it


def test_semver_strict_is_a_valid_config_value(tmp_path):
    from taglint.config import read_config_file

    path = tmp_path / ".taglint.yaml"
    path.write_text('images:\n  - match: "reg.example.com/**"\n    require: semver-strict\n', encoding="utf-8")
    assert read_config_file(path).images[0].require == "semver-strict"
