"""Local GitHub composite actions and the jobs that use them.

A workflow step ``uses: ./path`` runs the composite action at ``path`` in
its own job (the GitHub extractor records each call in
``extras["local_actions"]`` and marks composite ``action.yml`` files with
``extras["composite_action"]``; an action's steps have the scope
``action``).  So a login in the action counts for the job that uses it,
and a push in the action is covered by a login in each calling job before
the step that uses the action.
"""
from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from taglint.model import Command

if TYPE_CHECKING:
    from taglint.project import Project

ACTION_SCOPE = "action"
_MAX_DEPTH = 8


@dataclass(frozen=True)
class Call:
    """A step ``uses: ./folder`` at ``line`` of job ``scope`` in ``path``."""

    path: str
    scope: str
    line: int
    folder: str


class LocalActions:
    def __init__(self, project: Project, commands: Iterable[Command]) -> None:
        self.composite: dict[str, str] = {}  # action folder -> path of its action.yml
        self.calls: dict[tuple[str, str], list[Call]] = defaultdict(list)  # (path, job) -> calls in it
        self.callers: dict[str, list[Call]] = defaultdict(list)  # action folder -> calls of it
        for facts in project.files:
            if facts.extras.get("composite_action"):
                self.composite[posixpath.normpath(posixpath.dirname(facts.path))] = facts.path
            for scope, folder, line in facts.extras.get("local_actions") or ():
                call = Call(facts.path, scope, line, folder)
                self.calls[(facts.path, scope)].append(call)
                self.callers[folder].append(call)
        self.logins: dict[tuple[str, str], list[int]] = defaultdict(list)  # (path, scope) -> login lines
        for command in commands:
            if command.action == "login":
                self.logins[(command.path, command.scope)].append(command.span.line)

    def is_composite(self, path: str) -> bool:
        return self.composite.get(posixpath.normpath(posixpath.dirname(path))) == path

    def action_logs_in(self, folder: str, depth: int = 0) -> bool:
        """The composite action in ``folder`` stores registry credentials
        (itself, or through a local action it uses)."""
        path = self.composite.get(folder)
        if path is None or depth > _MAX_DEPTH:
            return False
        return self.job_logs_in(path, ACTION_SCOPE, None, depth + 1)

    def job_logs_in(self, path: str, scope: str, before: int | None, depth: int = 0) -> bool:
        """Job ``scope`` of ``path`` logs in (before line ``before``, when
        given), itself or through a local composite action it uses."""
        if any(before is None or line < before for line in self.logins.get((path, scope), ())):
            return True
        return any(
            (before is None or call.line < before) and self.action_logs_in(call.folder, depth + 1)
            for call in self.calls.get((path, scope), ())
        )

    def callers_logging_in(self, path: str, depth: int = 0) -> list[tuple[Call, bool | None]]:
        """Each workflow job that runs the composite action at ``path`` (through
        other composite actions too), and whether it has logged in before
        the step: True, False, or None when a composite action on the way is
        used by nothing in the scan."""
        folder = posixpath.normpath(posixpath.dirname(path))
        out: list[tuple[Call, bool | None]] = []
        for call in self.callers.get(folder, ()):
            if self.job_logs_in(call.path, call.scope, call.line):
                out.append((call, True))
            elif self.is_composite(call.path) and call.scope == ACTION_SCOPE:
                outer = self.callers_logging_in(call.path, depth + 1) if depth < _MAX_DEPTH else []
                out.extend(outer or [(call, None)])
            else:
                out.append((call, False))
        return out
