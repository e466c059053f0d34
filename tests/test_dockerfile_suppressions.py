"""Suppression comments in Dockerfiles (issue 10, item 15): only a comment
line counts; a trailing one is an argument to Docker, suppresses nothing,
and is moved above by its fix."""
from __future__ import annotations

from pathlib import Path

from taglint.config import Config
from taglint.engine import scan
from taglint.fix import apply_edits
from taglint.suppress import parse_suppressions


def test_a_trailing_comment_suppresses_in_yaml_but_not_in_a_dockerfile(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM ubuntu # taglint: ignore[TL101]\n")
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "    - name: web\n      image: nginx  # taglint: ignore[TL101]\n"
    )
    findings = scan(["."], Config().with_overrides(extend_select=("TL002",)), cwd=tmp_path).findings
    assert sorted((f.path, f.rule, f.severity) for f in findings) == [
        ("Dockerfile", "TL002", "warning"), ("Dockerfile", "TL101", "warning"),
    ]
    tl002 = next(f for f in findings if f.rule == "TL002")
    assert "arguments" in tl002.message and tl002.fix is not None and tl002.fix.applicability == "safe"


def test_the_move_keeps_crlf_line_endings_and_indentation() -> None:
    text = "FROM alpine:3.20.3\r\n  RUN make # taglint: ignore[TL2]\r\n"
    (suppression,) = parse_suppressions("Dockerfile", text, "dockerfile")
    assert suppression.docker_argument
    fixed, _ = apply_edits(text, suppression.move_above)
    assert fixed == "FROM alpine:3.20.3\r\n  # taglint: ignore[TL2]\r\n  RUN make\r\n"
    (moved,) = parse_suppressions("Dockerfile", fixed, "dockerfile")
    assert not moved.docker_argument and moved.own_line


def test_a_comment_line_and_other_kinds_are_not_docker_arguments() -> None:
    assert not parse_suppressions("Dockerfile", "# taglint: ignore[TL101]\nFROM ubuntu\n", "dockerfile")[0].docker_argument
    assert not parse_suppressions("run.sh", "docker push app # taglint: ignore[TL201]\n", "shell")[0].docker_argument
