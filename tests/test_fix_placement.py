"""Where fixes land (issue 11, item 1): the place that decides the value,
never inside a template expression."""
from __future__ import annotations

from pathlib import Path

from taglint.config import Config
from taglint.engine import scan
from taglint.fix import apply_edits
from taglint.fix.placement import Target, pin_edits
from taglint.model import ImageRef, Span

VERSIONS = Config(fix_versions={"app": "2.4.1", "python": "3.12.7", "nginx": "1.27.3"})


def _edits(tmp_path: Path, files: dict[str, str], config: Config = VERSIONS) -> dict[str, list]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    result = scan(["."], config, cwd=tmp_path)
    out: dict[str, list] = {}
    for finding in result.findings:
        out.setdefault(finding.path, []).extend(finding.fix.edits if finding.fix else ())
    return out


def test_no_edit_inside_a_shell_default_or_a_template_expression(tmp_path: Path) -> None:
    edits = _edits(tmp_path, {
        "Dockerfile": "ARG TAG\nFROM app:${TAG:-latest}\n",
        "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        "chart/values.yaml": "image:\n  repository: nginx\n",
        "chart/templates/d.yaml": (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n"
            '      image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default "latest" }}"\n'
        ),
    })
    assert edits.get("Dockerfile", []) == []
    assert all(not e for path, e in edits.items() if path.startswith("chart/"))


def test_an_arg_default_is_edited_only_when_the_text_around_the_variable_stays(tmp_path: Path) -> None:
    edits = _edits(tmp_path, {
        "Dockerfile": "ARG BASE=python:3.12\nARG V=3\nFROM ${BASE}\nFROM python:${V}-alpine AS a\n",
    })
    text = (tmp_path / "Dockerfile").read_text()
    fixed, _ = apply_edits(text, edits["Dockerfile"])
    assert fixed == "ARG BASE=python:3.12.7\nARG V=3.12.7\nFROM ${BASE}\nFROM python:${V}-alpine AS a\n"


def test_a_quoted_arg_default_keeps_its_quotes(tmp_path: Path) -> None:
    edits = _edits(tmp_path, {"Dockerfile": 'ARG BASE="nginx:1.27"\nFROM ${BASE}\n'})
    fixed, _ = apply_edits((tmp_path / "Dockerfile").read_text(), edits["Dockerfile"])
    assert fixed == 'ARG BASE="nginx:1.27.3"\nFROM ${BASE}\n'


def _ref(kind: str, written: str, line: str, context: str = "spec.containers[0].image") -> ImageRef:
    column = line.index(written) + 1
    return ImageRef("f", Span(1, column, 1, column + len(written)), written, written, kind, context)


def test_a_digest_comment_goes_only_where_the_line_allows_it() -> None:
    target = Target("nginx", None, "sha256:" + "a" * 64, comment="1.27.3")
    plain = "      image: nginx"
    fixed, _ = apply_edits(plain, pin_edits(_ref("kubernetes", "nginx", plain), None, target, None, plain))
    assert fixed == f"      image: nginx@sha256:{'a' * 64} # 1.27.3"
    for line in ("      image: nginx  # ours", "    - {name: a, image: nginx, args: [x]}"):
        edits = pin_edits(_ref("kubernetes", "nginx", line), None, target, None, line)
        assert len(edits) == 1  # the reference, no comment
    # Dockerfile: the comment on the line above a FROM, never after it (Docker reads a trailing # as an argument)
    from_line = "FROM nginx AS web"
    fixed, _ = apply_edits(from_line, pin_edits(_ref("dockerfile", "nginx", from_line, "FROM"), None, target, None,
                                                from_line))
    assert fixed == f"# 1.27.3\nFROM nginx@sha256:{'a' * 64} AS web"
