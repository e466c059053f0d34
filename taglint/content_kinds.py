"""CI files found by what they say, not where they lie.

GitHub workflows live outside ``.github/workflows/`` too (organisation
workflow templates in ``workflow-templates/``, starter workflows, shared
libraries of workflows), and GitLab pipelines are split into files that
``include: local:`` pulls in (``ci/build.yml``, ``templates/*.yml``).  A
YAML file that no name and no manifest check placed is looked at here, on
its text only: line-anchored regular expressions and one pass over the
lines, never a YAML parse (the extractor parses the file once, later).

* GitHub workflow: top-level ``on:`` and ``jobs:``, and under ``jobs:`` a
  job key holding ``runs-on:``, ``steps:`` or ``uses:``.
* GitLab CI: a top-level job (a mapping) whose first level holds
  ``script:``, and a sign that it is GitLab's: a GitLab keyword at the top
  level (``stages``, ``include``, ``default``, ``workflow``), the ``spec:
  inputs:`` header of a CI/CD component, a job keyword
  only GitLab uses beside ``script`` (``stage``, ``extends``, ``needs``,
  ``rules``, ``only``, ``except``, ``artifacts``, ``when``), a predefined
  ``$CI_…`` variable, or a folder that holds pipeline parts (``ci/``,
  ``.gitlab/``, ``gitlab-ci/``, a component's ``templates/``).
"""
from __future__ import annotations

import re
from pathlib import PurePosixPath

GITHUB_WORKFLOW = "github-workflow"
GITLAB_CI = "gitlab-ci"

# YAML 1.1 reads a bare `on` as true; workflows write it bare or quoted.
_ON = re.compile(r"^(?:on|\"on\"|'on')[ \t]*:", re.MULTILINE)
_JOBS = re.compile(r"^jobs[ \t]*:[ \t]*(?:#.*)?$", re.MULTILINE)
_JOB_KEY = re.compile(r"^[ \t]+(?:runs-on|steps|uses)[ \t]*:", re.MULTILINE)
_TOP_LEVEL_KEY = re.compile(r"^[^\s#\-]")

_GITLAB_TOP_KEYWORDS = re.compile(r"^(?:stages|include|default|workflow)[ \t]*:", re.MULTILINE)
# The header document of a CI/CD component: `spec:` with `inputs:`, then `---`.
_COMPONENT_SPEC = re.compile(r"^spec[ \t]*:[ \t]*\r?\n[ \t]+inputs[ \t]*:", re.MULTILINE)
# A `script:` key indented under something (the cheap test before the line scan).
_NESTED_SCRIPT = re.compile(r"^[ \t]+script[ \t]*:", re.MULTILINE)
_GITLAB_JOB_KEYWORDS = frozenset({"stage", "extends", "needs", "rules", "only", "except", "artifacts", "when"})
# Folders that hold pipeline parts (`templates/`: CI/CD components).
_GITLAB_FOLDERS = frozenset({"ci", ".gitlab", "gitlab-ci", "gitlab", ".ci", "templates"})
_NOT_GITLAB_NAMES = frozenset({".travis.yml", ".travis.yaml"})
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]|$)")


def is_github_workflow_text(text: str) -> bool:
    """Top-level ``on:`` and ``jobs:``, a job key under ``jobs:`` with
    ``runs-on:``, ``steps:`` or ``uses:``."""
    if "jobs" not in text or not _ON.search(text):
        return False
    jobs = _JOBS.search(text)
    if jobs is None:
        return False
    # The job keys must come under `jobs:`, before the next top-level key.
    rest = text[jobs.end():]
    following = re.search(r"^[^\s#]", rest, re.MULTILINE)
    block = rest if following is None else rest[: following.start()]
    return _JOB_KEY.search(block) is not None


def is_gitlab_ci_text(path: str, text: str) -> bool:
    """A top-level job with ``script:`` and a sign of GitLab (see the module)."""
    if "script" not in text or not _NESTED_SCRIPT.search(text):
        return False
    p = PurePosixPath(path.replace("\\", "/"))
    if p.name.lower() in _NOT_GITLAB_NAMES:
        return False
    job_keys = _script_job_keys(text)
    if job_keys is None:
        return False
    if job_keys & _GITLAB_JOB_KEYWORDS or _GITLAB_TOP_KEYWORDS.search(text) or "$CI_" in text:
        return True
    if "inputs" in text and _COMPONENT_SPEC.search(text):
        return True
    return any(part.lower() in _GITLAB_FOLDERS for part in p.parts[:-1])


def _script_job_keys(text: str) -> set[str] | None:
    """The first-level keys of the top-level mappings that hold ``script:``
    (all of them, merged), or None when no top-level mapping holds one."""
    found: set[str] | None = None
    keys: set[str] = set()
    child_indent: int | None = None
    in_mapping = False
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#") or stripped == "\r":
            continue
        indent = len(line) - len(stripped)
        if indent == 0:
            if found is not None or "script" in keys:
                found = (found or set()) | keys
            keys = set()
            child_indent = None
            in_mapping = bool(_TOP_LEVEL_KEY.match(line)) and re.match(r"[^:]*:[ \t]*(?:#.*)?\r?$", line) is not None
            continue
        if not in_mapping:
            continue
        if child_indent is None:
            child_indent = indent
        if indent == child_indent:
            key = _KEY.match(stripped)
            if key is not None:
                keys.add(key.group(1))
    if "script" in keys:
        found = (found or set()) | keys
    if found is None or "script" not in found:
        return None
    return found
