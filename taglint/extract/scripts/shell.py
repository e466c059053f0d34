"""Shell scripts (``*.sh``, ``*.bash``, extension-less files with a shell
shebang): the whole file is one scope, analysed by :mod:`taglint.shell`;
manifests the script applies from heredocs (``kubectl apply -f - <<EOF``)
are read with their positions in the script (:mod:`taglint.shell.heredocs`)."""
from __future__ import annotations

from taglint.model import FileFacts
from taglint.source import ExtractContext, SourceFile

KIND = "shell"


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    from taglint.shell import analyze_script
    from taglint.shell.heredocs import manifest_images

    found = analyze_script(source.text, path=source.path, kind=KIND, scope=source.path)
    images = list(found.images)
    manifests = manifest_images(source.text, source.path)
    if manifests:
        images = sorted(images + manifests, key=lambda ref: ref.span)
    return FileFacts(
        path=source.path,
        kind=KIND,
        images=images,
        commands=found.commands,
        problems=found.problems,
    )
