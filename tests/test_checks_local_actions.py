"""TL209 across a workflow and the local composite actions its jobs use."""
from __future__ import annotations

import textwrap
from pathlib import Path

from taglint.config import Config
from taglint.engine import scan

PUBLISH = """\
runs:
  using: composite
  steps:
    - shell: bash
      run: docker push ghcr.io/acme/api:${{ github.sha }}
"""
LOGIN = """\
runs:
  using: composite
  steps:
    - uses: docker/login-action@v3
      with:
        registry: ghcr.io
        username: ${{ github.actor }}
        password: ${{ inputs.token }}
"""
LOGIN_STEP = """\
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def workflow(*steps: str) -> str:
    return "on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n" + "".join(steps)


def tl209(root: Path, jobs: int = 1):
    result = scan(["."], Config(select=("TL209",)), cwd=root, jobs=jobs)
    assert not result.errors
    return [(f.path, f.span.line, f.severity, f.message) for f in result.findings]


def test_caller_logs_in_before_the_action(tmp_path: Path) -> None:
    write(tmp_path, {
        ".github/actions/publish/action.yml": PUBLISH,
        ".github/workflows/release.yml": workflow(LOGIN_STEP, "      - uses: ./.github/actions/publish\n"),
    })
    assert tl209(tmp_path) == []


def test_caller_logs_in_after_the_action(tmp_path: Path) -> None:
    write(tmp_path, {
        ".github/actions/publish/action.yml": PUBLISH,
        ".github/workflows/release.yml": workflow("      - uses: ./.github/actions/publish\n", LOGIN_STEP),
    })
    ((path, line, severity, message),) = tl209(tmp_path)
    assert (path, line, severity) == (".github/actions/publish/action.yml", 5, "warning")
    assert "job `release` of `.github/workflows/release.yml`, which uses this action, never logs in" in message


def test_one_caller_without_login_is_enough(tmp_path: Path) -> None:
    write(tmp_path, {
        ".github/actions/publish/action.yml": PUBLISH,
        ".github/workflows/release.yml": workflow(LOGIN_STEP, "      - uses: ./.github/actions/publish\n"),
        ".github/workflows/nightly.yml": workflow("      - uses: ./.github/actions/publish\n"),
    })
    ((path, _line, severity, message),) = tl209(tmp_path)
    assert severity == "warning" and "`.github/workflows/nightly.yml`" in message


def test_no_caller_in_the_scan_is_info(tmp_path: Path) -> None:
    write(tmp_path, {".github/actions/publish/action.yml": PUBLISH})
    ((path, line, severity, message),) = tl209(tmp_path)
    assert (path, line, severity) == (".github/actions/publish/action.yml", 5, "info")
    assert "no workflow in the scan uses it" in message


def test_login_through_a_composite_action(tmp_path: Path) -> None:
    write(tmp_path, {
        ".github/actions/registry-auth/action.yml": LOGIN,
        ".github/workflows/nightly.yml": workflow(
            "      - uses: ./.github/actions/registry-auth\n",
            "      - run: docker push ghcr.io/acme/api:${{ github.sha }}\n",
        ),
    })
    assert tl209(tmp_path) == []


def test_nested_composite_actions(tmp_path: Path) -> None:
    outer = "runs:\n  using: composite\n  steps:\n    - uses: ./.github/actions/publish\n"
    files = {
        ".github/actions/publish/action.yml": PUBLISH,
        ".github/actions/release-all/action.yml": outer,
        ".github/workflows/release.yml": workflow(LOGIN_STEP, "      - uses: ./.github/actions/release-all\n"),
    }
    write(tmp_path, files)
    assert tl209(tmp_path) == []
    files[".github/workflows/release.yml"] = workflow("      - uses: ./.github/actions/release-all\n")
    write(tmp_path, files)
    ((path, _line, severity, _message),) = tl209(tmp_path)
    assert (path, severity) == (".github/actions/publish/action.yml", "warning")
    # the login inside the outer action, before it uses the inner one, covers it
    files[".github/actions/release-all/action.yml"] = LOGIN + "    - uses: ./.github/actions/publish\n"
    write(tmp_path, files)
    assert tl209(tmp_path) == []


def test_repository_in_a_subfolder_and_parallel_scan(tmp_path: Path) -> None:
    write(tmp_path, {
        "svc/.github/actions/publish/action.yml": PUBLISH,
        "svc/.github/workflows/release.yml": workflow("      - uses: ./.github/actions/publish\n"),
        "other/.github/workflows/release.yml": workflow(LOGIN_STEP, "      - uses: ./.github/actions/publish\n"),
    })
    # the other repository's caller is not a caller of svc's action
    expected = [("svc/.github/actions/publish/action.yml", 5, "warning")]
    assert [f[:3] for f in tl209(tmp_path)] == expected
    assert [f[:3] for f in tl209(tmp_path, jobs=2)] == expected
