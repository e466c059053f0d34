"""Tag classes (SPEC §2): taglint.tags."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taglint.tags import (
    SOURCES,
    Classification,
    TagClass,
    Vocabulary,
    classify_reference,
    classify_tag,
    find_placeholders,
)

TABLE = Path(__file__).parent / "data" / "tag_classes.tsv"
SHA256 = "sha256:" + "0123456789abcdef" * 4


def _rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        tag, expected, note = line.split("\t")
        rows.append((tag, expected, note))
    return rows


ROWS = _rows()


def test_table_is_big_and_covers_every_tag_class():
    assert len(ROWS) >= 300
    assert len({tag for tag, _, _ in ROWS}) == len(ROWS), "duplicate tags in the table"
    tag_only = {c.value for c in TagClass} - {"none", "digest-pinned"}  # need a reference
    assert tag_only <= {expected for _, expected, _ in ROWS}


@pytest.mark.parametrize("tag, expected, note", ROWS, ids=[row[0][:60] for row in ROWS])
def test_real_tags(tag: str, expected: str, note: str):
    tag_class, reason = classify_tag(tag)
    assert tag_class.value == expected, f"{tag} ({note}): {reason}"
    assert reason


def test_no_random_false_positives_on_real_tags():
    """classify_tag never calls a version/partial/commit/prerelease tag random."""
    checked = [
        tag
        for tag, expected, _ in ROWS
        if expected in ("version", "partial-version", "commit", "prerelease")
        and not find_placeholders(tag)
    ]
    wrong = [tag for tag in checked if classify_tag(tag)[0] is TagClass.RANDOM]
    print(
        f"\nrandom false-positive check: {len(checked)} versioned tags, {len(wrong)} called random"
    )
    assert len(checked) >= 200
    assert wrong == []


# --- reasons -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag, reason",
    [
        ("lts", "'lts' is a release channel"),
        ("3.12", "'3.12' names no patch version"),
        ("20-alpine", "'20' names only a major version"),
        ("alpine", "'alpine' is a variant-only tag"),
        ("slim-bookworm", "'slim-bookworm' is a variant-only tag"),
        ("bookworm", "'bookworm' is a distribution codename"),
        ("main", "'main' is a branch name"),
        ("latest-alpine", "'latest-alpine' follows latest"),
        ("1.0.0-rc.1", "'rc.1' marks a prerelease"),
        ("3.12.7", "'3.12.7' names an exact version"),
        ("sha-a1b2c3d4", "'a1b2c3d4' is a commit"),
        ("1732694400", "'1732694400' is a Unix timestamp (seconds)"),
        (
            "550e8400-e29b-41d4-a716-446655440000",
            "'550e8400-e29b-41d4-a716-446655440000' contains a UUID",
        ),
        ("2024.11.27", "'2024.11.27' names an exact version"),
        ("20241127", "'20241127' carries a release date"),
        ("replace", "'replace' carries no version, commit or build id"),
        ("${CI_COMMIT_REF_NAME}", "tag comes from ${CI_COMMIT_REF_NAME}, a branch name"),
        ("-1", "tag may not start with '-'"),
    ],
)
def test_reasons(tag: str, reason: str):
    assert classify_tag(tag)[1] == reason


# --- references ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("python", TagClass.NONE),
        ("localhost:5000/app", TagClass.NONE),
        ("python:latest", TagClass.LATEST),
        ("python:LATEST", TagClass.LATEST),
        ("img:5000", TagClass.PARTIAL),
        ("python:3.12.7", TagClass.VERSION),
        ("python@" + SHA256, TagClass.DIGEST),
        ("python:3.12@" + SHA256, TagClass.DIGEST),
        ("python:latest@" + SHA256, TagClass.DIGEST),
        ("App:1.0", TagClass.INVALID),
        ("img:-1", TagClass.INVALID),
        ("redis@sha256:abc", TagClass.INVALID),
        ("mysql@8.0.44", TagClass.INVALID),
        ("img:1.0+build", TagClass.INVALID),
        ("ko://github.com/kserve/kserve/cmd/manager", TagClass.UNRESOLVED),
    ],
)
def test_classify_reference(text: str, expected: TagClass):
    found = classify_reference(text)
    assert found.tag_class is expected, found.reason
    if expected is TagClass.INVALID:
        assert found.error is not None and found.reason == found.error.message
        assert found.reference is None
    elif expected is not TagClass.UNRESOLVED:
        assert found.reference is not None and found.error is None


def test_invalid_reference_carries_the_error():
    found = classify_reference("mysql@8.0.44")
    assert found.error is not None
    assert found.error.message == "'8.0.44' is not a digest; did you mean `mysql:8.0.44`?"
    assert found.error.hint == "did you mean `mysql:8.0.44`?"


# --- placeholders -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, names",
    [
        ("app:${TAG}", ("TAG",)),
        ("app:${TAG:-latest}", ("TAG",)),
        ("app:$TAG", ("TAG",)),
        ("app:$$TAG", ("TAG",)),
        ("app:$(Build.BuildId)", ("Build.BuildId",)),
        ("app:$(params.image-tag)", ("params.image-tag",)),
        ("app:$(git rev-parse --short HEAD)", ("git rev-parse --short HEAD",)),
        ("app:`date +%s`", ("date +%s",)),
        (
            "app:{{ .Values.image.tag | default .Chart.AppVersion }}",
            (".Values.image.tag", ".Chart.AppVersion"),
        ),
        ("app:${{ github.sha }}", ("github.sha",)),
        (
            "app:${{ format('{0}-{1}', github.ref_name, github.sha) }}",
            ("github.ref_name", "github.sha"),
        ),
        ("app:{{workflow.parameters.tag}}", ("workflow.parameters.tag",)),
        ("gcr.io/@PROJECT_ID@/app", ("PROJECT_ID",)),
        ("app:#{Build.Tag}#", ("Build.Tag",)),
        (
            "CONTAINER_IMAGES_REGISTRY/app:CONTAINER_IMAGES_TAG",
            ("CONTAINER_IMAGES_REGISTRY", "CONTAINER_IMAGES_TAG"),
        ),
        ("app:1.0", ()),
        ("app:RELEASE_1_0", ()),
    ],
)
def test_find_placeholders(text: str, names: tuple[str, ...]):
    found = find_placeholders(text)
    assert tuple(name for p in found for name in p.names) == names
    for placeholder in found:
        assert text[placeholder.start : placeholder.end] == placeholder.text


@pytest.mark.parametrize(
    "text, expected, source",
    [
        # whole reference
        ("${IMAGE}", TagClass.UNRESOLVED, "unknown"),
        ("{{ .Values.image }}", TagClass.UNRESOLVED, "unknown"),
        ("IMAGE_URL", TagClass.UNRESOLVED, "unknown"),
        # name templated, tag literal
        ("${REGISTRY}/app:latest", TagClass.LATEST, None),
        ("${REGISTRY}/app", TagClass.NONE, None),
        ("$CI_REGISTRY_IMAGE:1.2.3", TagClass.VERSION, None),
        ("CONTAINER_IMAGES_REGISTRY/adservice", TagClass.NONE, None),
        ("${REGISTRY}/${IMAGE}", TagClass.UNRESOLVED, "unknown"),
        # tag templated: by source
        ("app:$RANDOM", TagClass.RANDOM, "random"),
        ("app:$(uuidgen)", TagClass.RANDOM, "random"),
        ("app:$(date +%s)", TagClass.RANDOM, "random"),
        ("app:$(date +%Y%m%d)", TagClass.RANDOM, "random"),
        ("app:$(mktemp -u)", TagClass.RANDOM, "random"),
        ("app:$(openssl rand -hex 4)", TagClass.RANDOM, "random"),
        ("app:$(cat /proc/sys/kernel/random/uuid)", TagClass.RANDOM, "random"),
        ("app:${CI_COMMIT_REF_NAME}", TagClass.FLOATING, "branch"),
        ("app:${CI_COMMIT_BRANCH}", TagClass.FLOATING, "branch"),
        ("app:${{ github.ref_name }}", TagClass.FLOATING, "branch"),
        ("app:$GITHUB_REF_NAME", TagClass.FLOATING, "branch"),
        ("app:$(Build.SourceBranchName)", TagClass.FLOATING, "branch"),
        ("app:${BRANCH}", TagClass.FLOATING, "branch"),
        ("app:${CI_COMMIT_SHA}", TagClass.COMMIT, "commit"),
        ("app:${{ github.sha }}", TagClass.COMMIT, "commit"),
        ("app:$(Build.SourceVersion)", TagClass.COMMIT, "commit"),
        ("app:$(git rev-parse --short HEAD)", TagClass.COMMIT, "commit"),
        ("app:$(echo $CI_COMMIT_SHA | cut -c1-8)", TagClass.COMMIT, "commit"),
        ("app:${CI_COMMIT_TAG}", TagClass.VERSION, "release"),
        ("app:$(git describe --tags)", TagClass.VERSION, "release"),
        ("app:v${VERSION}", TagClass.VERSION, "release"),
        ("app:${VERSION}-slim", TagClass.VERSION, "release"),
        ("app:{{ .Values.image.tag | default .Chart.AppVersion }}", TagClass.VERSION, "release"),
        ("app:${BUILD_NUMBER}", TagClass.UNRESOLVED, "build id"),
        ("app:$(Build.BuildId)", TagClass.UNRESOLVED, "build id"),
        ("app:${{ github.run_id }}", TagClass.UNRESOLVED, "build id"),
        ("app:${TAG}", TagClass.UNRESOLVED, "unknown"),
        ("app:${TAG}-slim", TagClass.UNRESOLVED, "unknown"),
        ("app:$(params.tag)", TagClass.UNRESOLVED, "unknown"),
        ("app:{{workflow.parameters.tag}}", TagClass.UNRESOLVED, "unknown"),
        # combinations: the strongest source decides
        ("app:${CI_COMMIT_REF_SLUG}-${CI_COMMIT_SHORT_SHA}", TagClass.COMMIT, "commit"),
        ("app:${CI_COMMIT_REF_SLUG}-${CI_PIPELINE_ID}", TagClass.UNRESOLVED, "build id"),
        ("app:${VERSION}-$RANDOM", TagClass.RANDOM, "random"),
        # digests
        ("ghcr.io/o/app@${{ steps.build.outputs.digest }}", TagClass.DIGEST, None),
        ("${REGISTRY}/app:${TAG}@" + SHA256, TagClass.DIGEST, None),
        # still invalid where the literal part is
        ("App:${TAG}", TagClass.INVALID, None),
        ("app:-${TAG}", TagClass.INVALID, None),
    ],
)
def test_templated_references(text: str, expected: TagClass, source: str | None):
    found = classify_reference(text)
    assert found.tag_class is expected, found.reason
    assert found.source == source
    assert found.variables


def test_templated_reason_and_variables():
    found = classify_reference("${CI_REGISTRY_IMAGE}/app:${CI_COMMIT_REF_NAME}")
    assert found.reason == "tag comes from ${CI_COMMIT_REF_NAME}, a branch name"
    assert found.variables == ("CI_REGISTRY_IMAGE", "CI_COMMIT_REF_NAME")
    assert found.source == "branch"


def test_templated_reference_keeps_original_text_and_indexes():
    text = "${REGISTRY}/team/app:v${VERSION}"
    found = classify_reference(text)
    ref = found.reference
    assert ref is not None
    assert (ref.domain, ref.path, ref.tag) == ("${REGISTRY}", "team/app", "v${VERSION}")
    assert ref.tag_start is not None and text[ref.tag_start :] == "v${VERSION}"
    assert text[: ref.name_end] == "${REGISTRY}/team/app"


def test_templated_errors_name_the_placeholder():
    found = classify_reference("${REGISTRY}/${NAME}-/app:1.0")
    assert found.tag_class is TagClass.INVALID
    assert found.reason == "path component '${NAME}-' must end with a lowercase letter or digit"
    assert found.error is not None and found.error.message == found.reason


def test_long_templated_tag_is_not_invalid():
    expression = "${{ " + "steps.meta.outputs.x" * 10 + " }}"
    found = classify_reference("app:" + expression)
    assert found.tag_class is TagClass.UNRESOLVED
    assert found.reference is not None and found.reference.tag == expression


def test_classify_tag_accepts_placeholders():
    assert classify_tag("${CI_COMMIT_SHORT_SHA}") == (
        TagClass.COMMIT,
        "tag comes from ${CI_COMMIT_SHORT_SHA}, a commit SHA",
    )


# --- vocabulary ---------------------------------------------------------------------


def test_default_vocabulary_is_cached_and_complete():
    vocab = Vocabulary.default()
    assert vocab is Vocabulary.default()
    assert {"stable", "lts", "edge", "nightly", "current", "rolling", "canary"} <= vocab.channels
    assert {"main", "master", "dev"} <= vocab.branches
    assert {"bookworm", "jammy"} <= vocab.codenames
    assert {"alpine", "slim", "windowsservercore", "nanoserver"} <= vocab.variants
    assert vocab.floating >= vocab.channels | vocab.branches | vocab.codenames
    assert 0 < vocab.entropy_threshold < 8
    assert {source for _, source in vocab.source_names} <= set(SOURCES)
    assert {source for _, source in vocab.source_patterns} <= set(SOURCES)
    assert {source for _, source in vocab.command_patterns} <= set(SOURCES)


def test_extended_vocabulary():
    base = Vocabulary.default()
    assert classify_tag("blessed")[1] == "'blessed' carries no version, commit or build id"
    more = base.extended(floating=["Blessed"], variants=["beta"])
    assert more is not base and base.extended() is base
    assert "blessed" in more.floating and "beta" in more.variants
    assert classify_tag("blessed", more) == (TagClass.FLOATING, "'blessed' is a floating tag")
    # a team that uses -beta as a build flavour, not a prerelease
    assert classify_tag("1.0.0-beta")[0] is TagClass.PRERELEASE
    assert classify_tag("1.0.0-beta", more)[0] is TagClass.VERSION
    assert classify_reference("app:1.0.0-beta", more).tag_class is TagClass.VERSION
    # configured words may span several tokens and may even look like versions
    pinned = base.extended(floating=["prod-eu", "v2-stable"])
    assert classify_tag("prod-eu", pinned) == (TagClass.FLOATING, "'prod-eu' is a floating tag")
    assert classify_tag("v2-stable", pinned)[0] is TagClass.FLOATING


def test_entropy_threshold_is_data():
    strict = Vocabulary.from_mapping({"random": {"entropy_threshold": 7.9}})
    assert classify_tag("aZ3kP9qL2xW7")[0] is TagClass.RANDOM
    assert classify_tag("aZ3kP9qL2xW7", strict)[0] is TagClass.FLOATING


def test_classification_is_frozen():
    found = classify_reference("python")
    assert isinstance(found, Classification)
    with pytest.raises(AttributeError):
        found.reason = "x"  # type: ignore[misc]


def test_import_is_cheap():
    """Importing taglint.tags does not load PyYAML (the data loads on first use)."""
    code = (
        "import sys, taglint; before = 'yaml' in sys.modules; import taglint.tags; "
        "print(before or 'yaml' not in sys.modules)"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True"


@given(st.text(max_size=200))
def test_classify_reference_never_raises(text: str):
    found = classify_reference(text)
    assert isinstance(found.tag_class, TagClass) and found.reason


@given(st.from_regex(r"[a-z0-9/:@.$`{}()_ A-Z-]{0,60}", fullmatch=True))
def test_classify_reference_never_raises_on_template_soup(text: str):
    found = classify_reference(text)
    assert found.reason


@pytest.mark.parametrize(
    "text",
    ["cimg/node:<< pipeline.trigger_source >>", "org/app:<< parameters.tag >>", "org/app:$[[ inputs.tag ]]", "$[[ inputs.image ]]"],
)
def test_ci_system_placeholders_are_unresolved_not_invalid(text):
    assert classify_reference(text).tag_class is TagClass.UNRESOLVED


# --- release versions and semantic versions --------------------------------------

from taglint.tags import ReleaseVersion, release_version, semantic_version  # noqa: E402


@pytest.mark.parametrize(
    "tag,parts,prerelease,exact,text",
    [
        ("v3.14.0", (3, 14, 0), "", True, "v3.14.0"),
        ("v3.14.0-distroless", (3, 14, 0), "", True, "v3.14.0"),
        ("3.12-slim", (3, 12), "", False, "3.12"),
        ("20-alpine", (20,), "", False, "20"),
        ("v1.0", (1, 0), "", False, "v1.0"),
        ("1.0.0-rc1-slim", (1, 0, 0), "rc1", True, "1.0.0-rc1"),
        ("3.14.0rc1", (3, 14, 0), "rc1", True, "3.14.0rc1"),
        ("2024-11-27", (2024, 11, 27, 0), "", True, "2024-11-27"),
        ("1.2-3", (1, 2, 3), "", True, "1.2-3"),
        ("V1.2.3", (1, 2, 3), "", True, "V1.2.3"),
    ],
)
def test_release_version_reads_the_version_without_variants(tag, parts, prerelease, exact, text):
    assert release_version(tag) == ReleaseVersion(parts, prerelease, exact, text)


@pytest.mark.parametrize("tag", ["latest", "a1b2c3d", "stable", "bookworm", "ubuntu-22.04", "${TAG}", "main-a1b2c3d"])
def test_tags_without_a_version_have_no_release_version(tag):
    assert release_version(tag) is None


def test_release_version_order():
    def version(tag: str) -> ReleaseVersion:
        found = release_version(tag)
        assert found is not None
        return found

    assert version("1.25.0").older_than(version("1.27.3"))
    assert not version("1.27.3").older_than(version("1.25.0"))
    assert version("1.27.3-rc1").older_than(version("1.27.3"))
    assert not version("1.27").older_than(version("1.27.3"))  # same line: a partial version is not older
    assert version("1.26").older_than(version("1.27.3"))
    assert not version("v3.14.0").older_than(version("v3.14.0-distroless"))
    assert version("v1.0.3").refines(version("v1.0"))
    assert not version("v1.1.0").refines(version("v1.0"))


@pytest.mark.parametrize(
    "tag,semver,strict",
    [
        ("v1.0", True, False),
        ("1.0", True, False),
        ("v1.1", True, False),
        ("v2.0-rc.1", True, False),
        ("1.4.2", True, True),
        ("v1.4.2", True, True),
        ("1.0.0-rc.1", True, True),
        ("v2", False, False),  # a major version alone moves across minor releases
        ("a1b2c3d", False, False),
        ("1.0.0.1", False, False),
        ("01.0", False, False),
        ("latest", False, False),
    ],
)
def test_semantic_version(tag, semver, strict):
    assert semantic_version(tag, require_patch=False) is semver
    assert semantic_version(tag, require_patch=True) is strict
