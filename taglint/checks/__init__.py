"""Check kinds: the logic that rules (YAML data under ``rules/``) name.

Each check kind is ``check(rule: Rule, project: Project) -> Iterator[Hit]``.
The registry maps a kind's name to ``"module:function"`` and imports the
module only when a rule that uses it runs.  No check registers itself.
"""
from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from taglint.model import Hit
    from taglint.project import Project
    from taglint.ruleset import Rule

    CheckKind = Callable[[Rule, Project], Iterator[Hit]]

CHECK_KINDS: dict[str, str] = {
    # image references (any file kind)
    "image-tag-class": "taglint.checks.images:check_tag_class",
    "partial-version-tag": "taglint.checks.partial_versions:check_partial_version",
    "image-invalid": "taglint.checks.images:check_invalid",
    "image-policy": "taglint.checks.images:check_policy",
    "image-registry": "taglint.checks.images:check_registry",
    "image-missing-digest": "taglint.checks.images:check_missing_digest",
    "image-tag-and-digest": "taglint.checks.images:check_tag_and_digest",
    "stale-pin": "taglint.checks.images:check_stale_pin",
    "inconsistent-tags": "taglint.checks.consistency:check_inconsistent_tags",
    "yaml-number-tag": "taglint.checks.yaml_numbers:check_yaml_number_tags",
    # push, build and login commands
    "push-tag-class": "taglint.checks.commands:check_push_tag_class",
    "push-latest-only": "taglint.checks.commands:check_push_latest_only",
    "push-all-tags": "taglint.checks.commands:check_push_all_tags",
    "push-implicit-docker-hub": "taglint.checks.commands:check_push_implicit_docker_hub",
    "push-registry": "taglint.checks.commands:check_push_registry",
    "insecure-registry": "taglint.checks.commands:check_insecure_registry",
    "password-in-argv": "taglint.checks.commands:check_password_in_argv",
    "push-without-login": "taglint.checks.commands:check_push_without_login",
    "build-untagged": "taglint.checks.commands:check_build_untagged",
    "login-default-registry": "taglint.checks.commands:check_login_default_registry",
    "hardcoded-credentials": "taglint.checks.commands:check_hardcoded_credentials",
    # CI component references
    "action-unpinned-branch": "taglint.checks.actions:check_unpinned_branch",
    "action-mutable-tag": "taglint.checks.actions:check_mutable_tag",
    # meta
    "parse-error": "taglint.checks.meta:check_parse_errors",
    "unused-suppression": "taglint.checks.meta:check_unused_suppressions",
}

# Check kinds whose hits depend on more than one file at a time (TL104
# knows the tags the repository pushes; TL113 compares tags across the files
# of a deployable unit; TL002 needs every other finding).  Every
# other kind is *file-local*: its hits for a file depend only on that file's
# facts and the configuration, so the engine evaluates it right after
# extraction, in the worker process that extracted the file (and again in
# the main process for files a resolver changed).
# TL209 looks for the login of a composite action's pushes in the workflow
# jobs that use the action.
PROJECT_WIDE: frozenset[str] = frozenset({"partial-version-tag", "inconsistent-tags", "unused-suppression",
                                          "push-without-login"})


def is_file_local(name: str) -> bool:
    return name not in PROJECT_WIDE


@cache
def check_kind(name: str) -> CheckKind:
    module_name, _, function = CHECK_KINDS[name].partition(":")
    return getattr(importlib.import_module(module_name), function)  # type: ignore[no-any-return]
