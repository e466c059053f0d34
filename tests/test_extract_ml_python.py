"""Images in Python code through ML SDKs (taglint.extract.ml.python_sdks):
exact spans (columns in characters, not UTF-8 bytes), values resolved from
module-level names, unknowns named, and the KFP default base image."""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from taglint.config import Config
from taglint.engine import scan
from taglint.extract import extractor_for
from taglint.extract.ml import python_sdks
from taglint.limits import MAX_VALUE_CHARS, TOO_LARGE
from taglint.source import ExtractContext, SourceFile


def refs(text: str, kind: str = "python-sdk", dedent: bool = True):
    body = textwrap.dedent(text).lstrip("\n") if dedent else text
    return extractor_for(kind)(SourceFile.from_text("x.py", body), ExtractContext()).images


def spans(text: str, kind: str = "python-sdk") -> list[tuple[str, int, int, int]]:
    return [(r.value, r.span.line, r.span.column, r.span.end_column) for r in refs(text, kind)]


def test_literal_inside_quotes_and_columns_in_characters() -> None:
    found = refs('import sagemaker\nest = sagemaker.estimator.Estimator(role="ümlaut-rôle", image_uri="acme/xgb:1.7.1")\n')
    (ref,) = found
    line = 'est = sagemaker.estimator.Estimator(role="ümlaut-rôle", image_uri="acme/xgb:1.7.1")'
    assert (ref.span.line, ref.span.column) == (2, line.index("acme") + 1)
    assert ref.span.end_column == line.index('")') + 1
    assert (ref.written, ref.value, ref.via, ref.literal) == ("acme/xgb:1.7.1", "acme/xgb:1.7.1", (), True)
    assert ref.context == "Estimator(image_uri=)"


def test_lone_carriage_returns_do_not_shift_lines() -> None:
    # Python breaks lines at a lone \r; taglint only at \n (a \r stays inside its line).
    text = "import ray  # a\rpass\nray.init(runtime_env={'image_uri': 'acme/ray:2.9.3'})\n"
    (ref,) = refs(text, dedent=False)
    assert (ref.span.line, ref.span.column, ref.span.end_column) == (2, 37, 51)


def test_module_level_names_and_fstrings_resolve_with_notes() -> None:
    (ref,) = refs("""
        from azure.ai.ml.entities import Environment

        REGISTRY = "mcr.microsoft.com/azureml"
        IMAGE = f"{REGISTRY}/openmpi4.1.0-ubuntu20.04:" + "20240304.v1"

        env = Environment(image=IMAGE, name="e")
        """)
    assert ref.value == "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:20240304.v1"
    assert (ref.written, ref.span.line, ref.span.column) == ("IMAGE", 6, 25)
    assert [(step.name, step.value, step.location.span.line, step.location.span.column) for step in ref.via] == [
        ("REGISTRY", "mcr.microsoft.com/azureml", 3, 13),
        ("IMAGE", ref.value, 4, 9),
    ]


def test_unknown_values() -> None:
    found = [(r.written, r.value, [(s.name, s.value) for s in r.via]) for r in sorted(refs("""
        import os
        from flytekit import task

        TAG = os.getenv("TAG", "1.0")
        RELEASE = os.environ["RELEASE"]
        REASSIGNED = "a:1.0.0"
        REASSIGNED = "a:2.0.0"

        @task(container_image=f"ghcr.io/acme/clean:{TAG}")
        def clean(): ...

        def build(version):
            return task(container_image=f"ghcr.io/acme/report:{version}")

        other = task(container_image=REASSIGNED)
        release = task(container_image=f"ghcr.io/acme/release:{RELEASE}")
        """), key=lambda ref: ref.span)]
    assert found == [
        # an environment read with a default is that default unless the variable is set (as an ARG default)
        ('f"ghcr.io/acme/clean:{TAG}"', "ghcr.io/acme/clean:1.0",
         [("os.getenv('TAG', '1.0')", "1.0"), ("TAG", "1.0")]),
        ('f"ghcr.io/acme/report:{version}"', "ghcr.io/acme/report:{{ version }}", [("version", None)]),
        ("REASSIGNED", "{{ REASSIGNED }}", [("REASSIGNED", None)]),
        ('f"ghcr.io/acme/release:{RELEASE}"', "ghcr.io/acme/release:${RELEASE}",
         [("os.environ['RELEASE']", None), ("RELEASE", None)]),
    ]


def test_expansion_bomb_of_names_is_bounded() -> None:
    lines = ["from google.cloud import aiplatform", 'A0 = "x"']
    lines += [f"A{n} = A{n - 1} + A{n - 1}" for n in range(1, 41)]
    lines.append("aiplatform.CustomContainerTrainingJob(display_name='j', container_uri=A40)")
    (ref,) = refs("\n".join(lines) + "\n", dedent=False)
    assert len(ref.value) <= MAX_VALUE_CHARS and len(ref.via) < 20  # names this deep stay unknown


def test_a_value_past_the_bound_is_too_large() -> None:
    lines = ["from google.cloud import aiplatform", f'A0 = "{"x" * 1000}"']
    lines += [f"A{n} = A{n - 1} + A{n - 1}" for n in range(1, 5)]
    lines.append("aiplatform.CustomContainerTrainingJob(display_name='j', container_uri=A4)")
    (ref,) = refs("\n".join(lines) + "\n", dedent=False)
    assert len(ref.value) <= MAX_VALUE_CHARS
    assert any(step.note == TOO_LARGE for step in ref.via)


def test_what_is_left_alone() -> None:
    found = refs("""
        from kfp import dsl
        from flytekit import ImageSpec, task

        spec = ImageSpec(base_image="python:3.11.9-slim", registry="ghcr.io/acme", name="clean")

        @task(container_image=spec)
        def clean(): ...

        @dsl.component(base_image="python:3.12.4", target_image="gcr.io/acme/add:v1",
                       packages_to_install=["numpy==1.26.4"])
        def add(a: int, b: int) -> int:
            return a + b

        @dsl.container_component
        def hello():
            return dsl.ContainerSpec(image=None)
        """, kind="kfp-dsl")
    assert [(r.value, r.context) for r in found] == [
        ("python:3.11.9-slim", "ImageSpec(base_image=)"),
        ("python:3.12.4", "component(base_image=)"),
    ]


def test_callee_names_count_only_with_their_sdk() -> None:
    # `kubernetes(image=…)` and `Environment(image=…)` are someone else's without Metaflow / Azure ML.
    assert refs("import ray\nkubernetes(image='a')\nEnvironment(image='b')\n", dedent=False) == []
    assert spans("from metaflow import kubernetes\nkubernetes(image='a:1.0.0')\n") == [("a:1.0.0", 2, 19, 26)]


def test_positional_container_spec_and_container_op() -> None:
    found = spans("""
        import kfp
        from kfp import dsl
        dsl.ContainerSpec("alpine:3.20.3", command=["echo"])
        dsl.ContainerOp("echo", "library/bash:4.4.23")
        """, kind="kfp-dsl")
    assert found == [("alpine:3.20.3", 3, 20, 33), ("library/bash:4.4.23", 4, 26, 45)]


def test_kfp_default_base_image_at_the_decorator() -> None:
    found = refs("""
        from kfp import dsl
        from kfp.dsl import component as comp

        @dsl.component
        def a(): ...

        @comp(packages_to_install=["pandas==2.2.2"])
        def b(): ...

        @dsl.container_component
        def c():
            return dsl.ContainerSpec(image="alpine:3.20.3")
        """, kind="kfp-dsl")
    defaults = [(r.written, r.span.line, r.span.column, r.value, r.via[0].value) for r in found if r.via]
    assert defaults == [
        ("dsl.component", 4, 2, python_sdks.KFP_DEFAULT_BASE_IMAGE, python_sdks.KFP_DEFAULT_BASE_IMAGE),
        ("comp", 7, 2, python_sdks.KFP_DEFAULT_BASE_IMAGE, python_sdks.KFP_DEFAULT_BASE_IMAGE),
    ]
    assert "default base_image" in found[0].via[0].name


def test_a_component_decorator_of_another_library_has_no_default() -> None:
    assert refs("import kfp\nfrom zenml import component\n@component\ndef a(): ...\n", kind="kfp-dsl", dedent=False) == []


def test_no_sdk_word_means_no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(python_sdks.ast, "parse", refuse)
    assert refs("import numpy\nimage_uri = 'x'\n", dedent=False) == []


def test_code_python_cannot_parse_gives_nothing() -> None:
    assert refs("import sagemaker\nprint 'python 2'\n", dedent=False) == []
    assert ast  # the module the extractor parses with


def test_acceptance_dsl_component_without_a_tag(tmp_path: Path) -> None:
    (tmp_path / "pipeline.py").write_text(
        'from kfp import dsl\n\n\n@dsl.component(base_image="python")\ndef add(a: int, b: int) -> int:\n    return a + b\n',
        encoding="utf-8",
    )
    result = scan(["."], Config().with_overrides(select=("TL101",)), cwd=tmp_path)
    assert [(f.rule, f.span.line, f.span.column, f.span.end_column) for f in result.findings] == [("TL101", 4, 28, 34)]
    assert [f.kind for f in result.files] == ["kfp-dsl"]


def test_warnings_of_the_scanned_code_are_not_printed(capfd: pytest.CaptureFixture[str]) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would raise here
        found = refs('import sagemaker\npattern = "\\d+"\nm = sagemaker.Model(image_uri="acme/m:1.0.0")\n', dedent=False)
    assert [r.value for r in found] == ["acme/m:1.0.0"]
    assert capfd.readouterr().err == ""


def test_dictionaries_of_ray_and_vertex_including_module_level_ones() -> None:
    found = spans("""
        import ray
        from google.cloud import aiplatform

        RUNTIME_ENV = {"container": {"image": "acme/ray-worker:2.9.3", "run_options": ["--cap-drop=ALL"]}}
        ray.init(runtime_env=RUNTIME_ENV)

        job = aiplatform.CustomJob(
            display_name="j",
            worker_pool_specs=[{"machine_spec": {"machine_type": "n1-standard-4"}, "replica_count": 1,
                                "container_spec": {"image_uri": "gcr.io/acme/trainer:1.0.0"}}],
        )
        """)
    assert sorted(found) == [("acme/ray-worker:2.9.3", 4, 40, 61), ("gcr.io/acme/trainer:1.0.0", 10, 58, 83)]


def test_a_trailing_suppression_comment_works_in_python(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        "import sagemaker\n"
        'a = sagemaker.Model(image_uri="acme/a")  # taglint: ignore[TL101]\n'
        'b = sagemaker.Model(image_uri="acme/b")\n',
        encoding="utf-8",
    )
    result = scan(["."], Config().with_overrides(select=("TL101",)), cwd=tmp_path)
    assert [(f.rule, f.span.line) for f in result.findings] == [("TL101", 3)]
