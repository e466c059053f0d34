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
_ON = re.compile(r"\n(?:on|\"on\"|'on')[ \t]*:")
_JOBS = re.compile(r"\njobs[ \t]*:[ \t]*(?:#[^\n]*)?\r?\n")
_NEXT_TOP_LEVEL = re.compile(r"\n[^\s#]")
_JOB_KEY = re.compile(r"\n[ \t]+(?:runs-on|steps|uses)[ \t]*:")

_GITLAB_TOP_KEYWORDS = re.compile(r"\n(?:stages|include|default|workflow)[ \t]*:")
_GITLAB_JOB_KEYWORDS = re.compile(r"\n[ \t]+(?:stage|extends|needs|rules|only|except|artifacts|when)[ \t]*:")
# The header document of a CI/CD component: `spec:` with `inputs:`, then `---`.
_COMPONENT_SPEC = re.compile(r"\nspec[ \t]*:[ \t]*\r?\n[ \t]+inputs[ \t]*:")
# A `script:` key indented under something (the cheap test before the job test).
_NESTED_SCRIPT = re.compile(r"\n[ \t]+script[ \t]*:")
# A top-level key (with an anchor, `.template: &template`, or not) holding
# a mapping whose first level has `script:`: the first nested line sets the
# indent (group 1); the lines in between are at that indent or deeper,
# blank, or comments.
_SCRIPT_JOB = re.compile(
    r"\n[^\s#\-][^\n]*:[ \t]*(?:&[^\s#]+[ \t]*)?(?:#[^\n]*)?\r?\n"
    r"(?:[ \t]*(?:#[^\n]*)?\r?\n)*"
    r"([ \t]+)(?:script[ \t]*:|\S[^\n]*\n(?:(?:\1[ \t]*\S|[ \t]*#)[^\n]*\n|[ \t]*\r?\n)*?\1script[ \t]*:)"
)
# Folders that hold pipeline parts (`templates/`: CI/CD components).
_GITLAB_FOLDERS = frozenset({"ci", ".gitlab", "gitlab-ci", "gitlab", ".ci", "templates"})
_NOT_GITLAB_NAMES = frozenset({".travis.yml", ".travis.yaml"})


def is_github_workflow_text(text: str) -> bool:
    """Top-level ``on:`` and ``jobs:``, a job key under ``jobs:`` with
    ``runs-on:``, ``steps:`` or ``uses:``."""
    if "jobs" not in text:
        return False
    # Every pattern starts at a line break (a literal prefix the regular
    # expression engine finds fast): the text gets one before its first line.
    text = "\n" + text
    jobs = _JOBS.search(text)
    if jobs is None or not _ON.search(text):
        return False
    # The job keys must come under `jobs:`, before the next top-level key.
    following = _NEXT_TOP_LEVEL.search(text, jobs.end() - 1)
    end = len(text) if following is None else following.start()
    return _JOB_KEY.search(text, jobs.end() - 1, end) is not None


def is_gitlab_ci_text(path: str, text: str) -> bool:
    """A top-level job with ``script:`` and a sign of GitLab (see the module)."""
    if "script" not in text:
        return False
    text = "\n" + text  # as in is_github_workflow_text
    if not _NESTED_SCRIPT.search(text):
        return False
    p = PurePosixPath(path.replace("\\", "/"))
    if p.name.lower() in _NOT_GITLAB_NAMES or not _SCRIPT_JOB.search(text):
        return False
    if "$CI_" in text or _GITLAB_TOP_KEYWORDS.search(text) or _GITLAB_JOB_KEYWORDS.search(text):
        return True
    if "inputs" in text and _COMPONENT_SPEC.search(text):
        return True
    return any(part.lower() in _GITLAB_FOLDERS for part in p.parts[:-1])
