"""Shell scripts (``*.sh``, ``*.bash``, extension-less files with a shell
shebang): the whole file is one scope, analysed by :mod:`taglint.shell`
(which also reads the manifests a script applies from heredocs)."""
from __future__ import annotations

from taglint.model import FileFacts
from taglint.source import ExtractContext, SourceFile

KIND = "shell"


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    from taglint.shell import analyze_script

    found = analyze_script(source.text, path=source.path, kind=KIND, scope=source.path)
    return FileFacts(
        path=source.path,
        kind=KIND,
        images=found.images,
        commands=found.commands,
        problems=found.problems,
    )
