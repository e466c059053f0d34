"""The distribution/reference grammar: taglint.reference."""

from __future__ import annotations

import contextlib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from taglint.reference import Reference, ReferenceError, parse_reference, validate_tag

SHA256 = "sha256:" + "0123456789abcdef" * 4
SHA512 = "sha512:" + "0123456789abcdef" * 8


# text, domain, path, tag, digest, explicit domain
VALID = [
    ("python", "docker.io", "library/python", None, None, False),
    ("python:3.12", "docker.io", "library/python", "3.12", None, False),
    ("user/app", "docker.io", "user/app", None, None, False),
    ("user/app:1.0", "docker.io", "user/app", "1.0", None, False),
    ("docker.io/python", "docker.io", "library/python", None, None, True),
    ("docker.io/library/python:3", "docker.io", "library/python", "3", None, True),
    ("index.docker.io/library/alpine:3", "docker.io", "library/alpine", "3", None, True),
    ("ghcr.io/o/a", "ghcr.io", "o/a", None, None, True),
    ("localhost/app", "localhost", "app", None, None, True),
    ("localhost:5000/app", "localhost:5000", "app", None, None, True),
    ("localhost:5000/app:1.2", "localhost:5000", "app", "1.2", None, True),
    ("img:5000", "docker.io", "library/img", "5000", None, False),
    ("localhost:5000", "docker.io", "library/localhost", "5000", None, False),
    (
        "kind-registry:5000/apiserver:latest",
        "kind-registry:5000",
        "apiserver",
        "latest",
        None,
        True,
    ),
    ("[::1]:5000/app", "[::1]:5000", "app", None, None, True),
    ("[::1]/app:v1", "[::1]", "app", "v1", None, True),
    ("[2001:db8::1]:443/team/app:1.0", "[2001:db8::1]:443", "team/app", "1.0", None, True),
    ("Registry.Example.COM/app", "Registry.Example.COM", "app", None, None, True),
    ("MYREG/app", "MYREG", "app", None, None, True),
    (
        "gcr.io/google.com/cloudsdktool/cloud-sdk",
        "gcr.io",
        "google.com/cloudsdktool/cloud-sdk",
        None,
        None,
        True,
    ),
    ("a__b/c.d_e-f--g", "docker.io", "a__b/c.d_e-f--g", None, None, False),
    (
        "percona_xtradb_cluster_5_6:beta",
        "docker.io",
        "library/percona_xtradb_cluster_5_6",
        "beta",
        None,
        False,
    ),
    ("python@" + SHA256, "docker.io", "library/python", None, SHA256, False),
    ("python:3.12@" + SHA256, "docker.io", "library/python", "3.12", SHA256, False),
    ("ghcr.io/o/a@" + SHA512, "ghcr.io", "o/a", None, SHA512, True),
    ("ghcr.io/o/a@sha384:" + "ab" * 48, "ghcr.io", "o/a", None, "sha384:" + "ab" * 48, True),
    (
        "app@multihash+base58:" + "0" * 32,
        "docker.io",
        "library/app",
        None,
        "multihash+base58:" + "0" * 32,
        False,
    ),
    ("app:LATEST", "docker.io", "library/app", "LATEST", None, False),
    ("app:_x", "docker.io", "library/app", "_x", None, False),
]


@pytest.mark.parametrize("text, domain, path, tag, digest, explicit", VALID)
def test_valid_references(text, domain, path, tag, digest, explicit):
    ref = parse_reference(text)
    assert (ref.domain, ref.path, ref.tag, ref.digest, ref.explicit_domain) == (
        domain,
        path,
        tag,
        digest,
        explicit,
    )


# text, exact message, hint (None = not checked)
INVALID = [
    ("", "image reference is empty", None),
    ("App:1.0", "repository name must be lowercase", "did you mean `app:1.0`?"),
    ("user/MyApp", "repository name must be lowercase", "did you mean `user/myapp`?"),
    ("img:-1", "tag may not start with '-'", None),
    ("img:.x", "tag may not start with '.'", None),
    ("img:1.0+build", "invalid character '+' in tag", None),
    ("img:a:b", "invalid character ':' in tag", None),
    ("img:" + "a" * 129, "tag is longer than 128 characters", None),
    ("img:", "tag is empty after ':'", None),
    ("redis@sha256:abc", "digest must be 64 lowercase hex characters", None),
    (
        "redis@sha256:" + "A" * 64,
        "digest must be 64 lowercase hex characters",
        "use lower-case hex",
    ),
    ("redis@sha512:" + "a" * 64, "digest must be 128 lowercase hex characters", None),
    ("redis@md5:abc", "digest must be at least 32 lowercase hex characters", None),
    ("redis@SHA256:" + "a" * 64, "invalid digest algorithm 'SHA256'", None),
    ("redis@sha256", "'sha256' is not a digest; did you mean `redis:sha256`?", None),
    (
        "mysql@8.0.44",
        "'8.0.44' is not a digest; did you mean `mysql:8.0.44`?",
        "did you mean `mysql:8.0.44`?",
    ),
    ("mysql:8@8.0.44", "'8.0.44' is not a digest (expected algorithm:hex, e.g. sha256:…)", None),
    ("redis@", "digest is empty after '@'", None),
    ("a@b@c", "invalid character '@' in digest", None),
    ("a/" + "b" * 244, "repository name is longer than 255 characters", None),
    ("b" * 238, "repository name is longer than 255 characters", None),
    ("/app", "repository name must not start with '/'", None),
    ("app/", "repository name must not end with '/'", None),
    ("a//b", "repository name contains an empty path component ('//')", None),
    ("gcr.io//b", "repository name contains an empty path component ('//')", None),
    ("gcr.io/", "repository path is missing after 'gcr.io/'", None),
    ("app-", "path component 'app-' must end with a lowercase letter or digit", None),
    ("-app", "path component '-app' must start with a lowercase letter or digit", None),
    ("...", "path component '...' must start with a lowercase letter or digit", None),
    ("a..b", "invalid separator '..' in path component 'a..b'", None),
    ("a___b", "invalid separator '___' in path component 'a___b'", None),
    ("a.-b", "invalid separator '.-' in path component 'a.-b'", None),
    ("my app", "invalid character ' ' in repository name", None),
    ("<YOUR-CONTAINER>", "invalid character '<' in repository name", None),
    ("ubuntu\t", "invalid character '\\t' in repository name", None),
    ("caf\u00e9", "invalid character '\u00e9' in repository name", None),
    ("host:abc/app", "registry port 'abc' must be a number", None),
    ("host:/app", "registry port is empty in 'host:'", None),
    ("my_reg.io/app", "invalid character '_' in registry host 'my_reg.io'", None),
    ("-reg.io/app", "registry host label '-reg' must not start or end with '-'", None),
    ("reg..io/app", "registry host 'reg..io' has an empty label", None),
    ("[zz::1]:5000/app", "invalid IPv6 registry host '[zz::1]'", None),
    (
        "docker://alpine:3.8",
        "'docker://' is a URL scheme, not part of an image reference",
        "remove 'docker://'",
    ),
    ("a" * 64, "repository name cannot be a 64-character hexadecimal string", None),
    ("0123456789abcdef" * 4, "repository name cannot be a 64-character hexadecimal string", None),
]


@pytest.mark.parametrize("text, message, hint", INVALID)
def test_invalid_references(text, message, hint):
    with pytest.raises(ReferenceError) as caught:
        parse_reference(text)
    assert caught.value.message == message
    assert str(caught.value) == message
    if hint is not None:
        assert caught.value.hint == hint


def test_reference_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_reference("App")


def test_hints():
    with pytest.raises(ReferenceError) as caught:
        parse_reference("img:1.0+build")
    assert "`img:1.0_build`" in (caught.value.hint or "")
    with pytest.raises(ReferenceError) as caught:
        parse_reference("<image_url>")
    assert "placeholder" in (caught.value.hint or "")
    with pytest.raises(ReferenceError) as caught:
        parse_reference("CONTAINER_IMAGES_REGISTRY/adservice")
    assert caught.value.message == (
        "invalid character '_' in registry host 'CONTAINER_IMAGES_REGISTRY'"
    )
    assert "upper-case" in (caught.value.hint or "")


def test_error_positions():
    with pytest.raises(ReferenceError) as caught:
        parse_reference("img:1.0+build")
    assert caught.value.position == 7
    with pytest.raises(ReferenceError) as caught:
        parse_reference("ghcr.io/o/App")
    assert caught.value.position == 10


def test_name_length_limit_is_on_the_canonical_name():
    # docker.io/library/ (18) + 237 = 255: allowed; one more is not.
    assert parse_reference("b" * 237).canonical_name == "docker.io/library/" + "b" * 237
    with pytest.raises(ReferenceError):
        parse_reference("b" * 238)
    host = "r.io/"
    assert len(parse_reference(host + "c" * 250).canonical_name) == 255


def test_tag_length_limit():
    assert parse_reference("img:" + "a" * 128).tag == "a" * 128
    with pytest.raises(ReferenceError, match="longer than 128"):
        parse_reference("img:" + "a" * 129)


@pytest.mark.parametrize(
    "text, familiar_name, canonical_name, familiar",
    [
        ("python", "python", "docker.io/library/python", "python"),
        ("docker.io/library/python:3", "python", "docker.io/library/python", "python:3"),
        ("index.docker.io/python", "python", "docker.io/library/python", "python"),
        ("user/app:1", "user/app", "docker.io/user/app", "user/app:1"),
        ("docker.io/user/app", "user/app", "docker.io/user/app", "user/app"),
        ("library/x/y", "library/x/y", "docker.io/library/x/y", "library/x/y"),
        # without the host, `a.b` would be read as a registry: keep docker.io
        ("docker.io/a.b/c:1", "docker.io/a.b/c", "docker.io/a.b/c", "docker.io/a.b/c:1"),
        ("ghcr.io/o/a:1@" + SHA256, "ghcr.io/o/a", "ghcr.io/o/a", "ghcr.io/o/a:1@" + SHA256),
        ("localhost:5000/app", "localhost:5000/app", "localhost:5000/app", "localhost:5000/app"),
    ],
)
def test_normalisation(text, familiar_name, canonical_name, familiar):
    ref = parse_reference(text)
    assert ref.familiar_name == familiar_name
    assert ref.canonical_name == canonical_name
    assert ref.familiar == familiar


def test_positions_for_fix_edits():
    text = "ghcr.io/o/app:1.2@" + SHA256
    ref = parse_reference(text)
    assert ref.name_end == len("ghcr.io/o/app")
    assert ref.tag_start is not None and text[ref.tag_start : ref.tag_start + 3] == "1.2"
    assert ref.digest_start is not None and text[ref.digest_start :] == SHA256
    untagged = parse_reference("localhost:5000/app")
    assert untagged.tag is None and untagged.tag_start is None and untagged.name_end == 18


def test_canonical_string():
    assert parse_reference("python:3").canonical == "docker.io/library/python:3"


def test_reference_is_frozen():
    ref = parse_reference("python")
    with pytest.raises(AttributeError):
        ref.tag = "x"  # type: ignore[misc]


def test_validate_tag():
    validate_tag("3.12.7-slim")
    with pytest.raises(ReferenceError, match="may not start with '-'"):
        validate_tag("-x")


# --- properties ---------------------------------------------------------------

_COMPONENT = st.from_regex(r"[a-z0-9]{1,6}(?:(?:[._]|__|-{1,2})[a-z0-9]{1,6}){0,2}", fullmatch=True)
_DOMAINS = st.sampled_from(
    [
        "",
        "ghcr.io/",
        "localhost/",
        "localhost:5000/",
        "registry.example.com:443/",
        "[::1]:5000/",
        "docker.io/",
        "index.docker.io/",
        "Quay.IO/",
    ]
)
_TAGS = st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,30}", fullmatch=True))
_DIGESTS = st.one_of(st.none(), st.from_regex(r"sha256:[a-f0-9]{64}", fullmatch=True))


@st.composite
def valid_references(draw: st.DrawFn) -> str:
    components = draw(st.lists(_COMPONENT, min_size=1, max_size=4))
    tag, digest, domain = draw(_TAGS), draw(_DIGESTS), draw(_DOMAINS)
    if not domain and len(components) > 1:
        # A first component with '.' (or `localhost`) would be read as a registry host.
        components[0] = "ns-" + components[0].replace(".", "-")
    text = domain + "/".join(components)
    text += f":{tag}" if tag is not None else ""
    text += f"@{digest}" if digest is not None else ""
    return text


@given(st.text(max_size=300))
def test_parse_raises_only_reference_error(text: str):
    try:
        ref = parse_reference(text)
    except ReferenceError as error:
        assert error.message and error.message == str(error)
        return
    assert isinstance(ref, Reference)


@given(st.from_regex(r"[a-zA-Z0-9:/@._+\-\[\]]{0,80}", fullmatch=True))
def test_parse_raises_only_reference_error_near_the_grammar(text: str):
    with contextlib.suppress(ReferenceError):
        parse_reference(text)


@given(valid_references())
def test_familiar_and_canonical_round_trip(text: str):
    ref = parse_reference(text)
    again = parse_reference(ref.familiar)
    assert again.canonical_name == ref.canonical_name
    assert (again.tag, again.digest) == (ref.tag, ref.digest)
    assert parse_reference(ref.canonical).familiar == ref.familiar
    assert parse_reference(ref.canonical).canonical == ref.canonical
