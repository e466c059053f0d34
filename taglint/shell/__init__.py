"""Shell command analysis: scripts in, image-related :class:`Command` facts out.

One entry point, :func:`analyze_script`, serves every place a shell script
lives: ``*.sh`` files, Makefile recipes, Dockerfile ``RUN`` lines and CI
script fields (``run:``, ``script:``, ``sh '...'``).  It parses the text with
tree-sitter-bash (loaded on first use), walks simple commands in order
(pipelines, ``&&``/``||`` lists, subshells, ``{ ...; }`` groups, functions,
``if``/``for``/``while``/``case`` bodies, the contents of ``$(...)``),
removes quoting, substitutes variables it knows, strips wrappers, and
recognises the commands that build, tag, push, copy or log in.

It never raises: unparsable commands (tree-sitter ``ERROR`` nodes) are
skipped, and any internal failure yields the facts gathered so far.

Variables
---------
``$V``, ``${V}``, ``${V:-d}``, ``${V-d}``, ``${V:=d}``, ``${V=d}``,
``${V:+x}``, ``${V+x}``, ``${V#p}``, ``${V##p}``, ``${V%p}``, ``${V%%p}``,
``${V/a/b}``, ``${V,,}``, ``${V^^}`` and ``${V:o:l}`` are expanded from, in
order: assignments earlier in the same script (``TAG=latest``, ``export
IMG=...``, ``readonly``, ``local``, ``declare``, ``TAG=${TAG:-latest}``,
``X+=y``), then ``env``.  A variable nobody defines is *unset*: ``$V``
stays as written, ``${V:-d}`` gives ``d``.  A variable defined with an
unknown value (a :class:`Step` whose ``value`` is None, a ``for`` loop
variable, ``read V``) keeps every form as written.  Command substitution
(``$(uuidgen)``, backticks), arithmetic, ``$RANDOM`` and positional
parameters stay as written in ``Word.value`` so the tag classifier can name
their source.  GitHub-style ``${{ ... }}`` expressions are kept as written.
Every substitution used is recorded in ``Word.via`` as a :class:`Step`
named ``$NAME`` (or the name the ``env`` Step carries), with the value it
supplied, outermost first.

Command facts
-------------
``Command.tool`` is the program (``docker``, ``podman``, ``nerdctl``,
``buildah``, ``skopeo``, ``crane``, ``oras``, ``kaniko``, ``ko``, ``helm``,
``aws``, ``gcloud``, ``az``, ``docker-config``); ``Command.action`` one of:

``push``   publishes images (``docker push``, ``skopeo copy`` to ``docker://``,
           ``crane push|copy|tag``, ``oras push``, ``ko build``,
           ``docker compose push``, ``helm push``, ``docker manifest push``,
           ``docker buildx imagetools create``, ``gcloud builds submit --tag``,
           ``az acr build``);
``build``  builds an image (``docker build``, ``buildx build``, ``buildah bud``,
           kaniko ``executor``); ``attributes["push"]`` says whether it also
           pushes (``--push``, ``--output type=registry``, kaniko without
           ``--no-push``);
``tag``    gives an image a new name locally (``docker tag``, ``buildah tag``);
``login``  stores registry credentials (``docker|podman|nerdctl|buildah|skopeo|
           oras login``, ``crane auth login``, ``helm registry login``,
           ``gcloud auth configure-docker``, ``az acr login``,
           ``aws ecr get-login``, writing a ``.docker/config.json`` or
           ``auth.json`` through a redirect: tool ``docker-config``).

``Command.args`` are the words after the verb; ``Command.span`` covers the
whole simple command including wrappers (``sudo``...).

``attributes`` (only the keys that apply are present):

- ``targets``: tuple[Word, ...] — images pushed (push, pushing build) or
  created (tag, build -t).  ``Word.value`` is the reference with transport
  prefixes removed (``docker://``, ``oci://``); for ``crane tag IMG T`` the
  word is synthesised as ``repo:T`` at the span of ``T``.
- ``sources``: tuple[Word, ...] — the source image of ``tag``/``copy``.
- ``push``: bool — the command publishes to a registry.
- ``default_tag``: ``"latest"`` when an untagged target means ``:latest``
  for this tool, ``None`` when an untagged target is pushed by digest only
  (``oras push``).
- ``by_digest``: bool — publishes an immutable digest reference
  (``push-by-digest=true``, ``oras push`` without a tag, ``ko``).
- ``unknown_targets``: bool — pushes images not named on the line
  (``docker compose push``, ``buildx bake --push``, ``--all-tags``).
- ``all_tags``: Word — the ``-a``/``--all-tags`` flag.
- ``all_platforms``: Word — ``skopeo copy --all`` / ``--multi-arch all``.
- ``insecure``: Word — the flag that turns TLS verification off or
  allows plain HTTP.
- ``missing_tag``: bool — ``buildx build --push`` (or ``--output
  type=registry``) with no ``-t`` and no ``name=``: buildx refuses it.
- ``artifact``: ``"chart"`` for ``helm push`` (versions come from the chart).
- ``registry_required``: bool — the tool has no default registry (ORAS):
  its first path component is always read as a host.
- login only: ``server`` (Word | None), ``servers`` (tuple[str, ...]:
  hosts covered, e.g. ``gcloud auth configure-docker`` defaults),
  ``default_server`` (``"docker.io"`` when a missing server means Docker
  Hub), ``user`` (Word), ``password`` (Word: the value in argv or echoed
  into ``--password-stdin``), ``password_in_argv`` (tuple[Word, ...]: the
  flag word and the value word, or one ``--password=VALUE`` word, or
  ``--creds user:pass``), ``password_stdin`` (bool), ``stdin_from``
  (str: the pipeline element feeding stdin), ``fixable`` (bool: the TL208
  rewrite to ``--password-stdin`` is certain here).
- ``wrapper``: str — what was stripped in front (``sudo``, ``$ENGINE``...).
- ``branch``: tuple[tuple[str, int, int], ...] — the ``if``/``case``
  branches (branch point, index of the branch, number of branches) whose
  variable values this command used, or the Makefile conditional parts the
  recipe line sits in; absent when none.  Such a command is emitted once
  per combination.
- ``verb``: str — the command as users name it (``docker buildx build``,
  ``skopeo copy``, ``gcloud docker -- push``); CI steps put the action name.
- ``authenticated``: bool — the service pushes with its own credentials
  (``gcloud builds submit``, ``az acr build``; Cloud Build ``images:``).
- ``compose``: bool — ``docker compose push``; ``config_file``: Word — the
  auth file a ``docker-config`` login writes; ``ko_command``: str.
- ``editable``: bool — spans hold exactly ``Word.written`` (edits are safe).

Manifests a script applies from a heredoc (``kubectl apply -f - <<EOF``)
are read as Kubernetes manifests (:mod:`taglint.shell.heredocs`): their
images join ``ScriptFacts.images``, spanned in the file.

Scripts inside scripts: ``sh -c '...'``/``bash -ec "..."`` arguments are
analysed as scripts of their own (positions map into the quotes when the
argument is written verbatim).

Wrappers are seen through with their option syntax: ``sudo``/``doas``,
``env``, ``command``, ``exec``, ``time``, ``nice``, ``ionice``,
``stdbuf``, ``timeout``, ``nohup``, ``setsid``, ``chronic``, ``unbuffer``,
``flock FILE`` (and ``-c SCRIPT``), retry commands (``retry``,
``travis_retry``, ``run_with_retry``… with their counts, delays and
options; ``retry -t 3 'cmd'`` is a script), shell functions that run their
arguments (``retry() { …; "$@"; }``: the command is found at the call, not
in the body), and ``xargs`` (``-I R``/``-i``/``--replace``: each ``R`` in
its words becomes ``$(xargs)``, a run-time value; without it the input is
appended, so a ``push`` with no image on the line pushes
``unknown_targets``).

A variable the branches of an ``if``/``case`` set differently takes each
branch's value (and keeps its earlier value on the path where no branch
set it): a command that uses it is emitted once per combination of the
branches it depends on (``attributes["branch"]``), with that branch's
value; past 8 combinations the value is unknown.  Bash arrays (``a=(...)``,
``"${a[@]}"``, ``${a[1]}``) are expanded.  ``for v in a b`` over a short
list of known values runs its body once per value.  A function body is
analysed where the function is called, with ``$1``... ``"$@"`` bound to the
call's words (once more, unbound, if it is never called); its commands keep
the spans of the body.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Union

from taglint.model import Command, ImageRef, Problem, Step


@dataclass(frozen=True)
class Binding:
    """A variable value computed by the caller, with the substitutions that
    produced it (e.g. a Makefile variable defined from another one).
    ``value`` None means defined but unknown."""

    value: str | None
    via: tuple[Step, ...] = ()


EnvValue = Union[Step, str, Binding]


@dataclass
class ScriptFacts:
    commands: list[Command] = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)  # images a script runs/pulls
    problems: list[Problem] = field(default_factory=list)


def analyze_script(
    text: str,
    *,
    path: str,
    kind: str,
    scope: str,
    position: Callable[[int], tuple[int, int]] | None = None,
    env: Mapping[str, EnvValue] | None = None,
    original: Callable[[int, int], str] | None = None,
    editable: bool = True,
    end_position: Callable[[int], tuple[int, int]] | None = None,
    via_ranges: Sequence[tuple[int, int, tuple[Step, ...]]] = (),
    branch: Sequence[tuple[str, int, int]] = (),
) -> ScriptFacts:
    """Analyse one shell script.

    ``position(offset)`` maps a character offset in ``text`` to the 1-based
    ``(line, column)`` in the file (default: positions inside ``text``,
    starting at line 1, column 1).  ``original(start, end)`` returns the
    file text that ``text[start:end]`` stands for, when ``text`` was
    derived from the file (Makefile recipes: ``$$`` → ``$``); default
    ``text[start:end]``.  ``env`` supplies variables defined outside the
    script (CI ``env:``/``variables:``, Make variables): a plain ``str`` is
    a value, a :class:`Step` names the definition (``value`` None =
    defined, unknown), a :class:`Binding` carries a value with its own
    substitution chain.  String and Step values that themselves contain
    ``$V``/``${V}`` are expanded through ``env`` (as GitLab does).
    ``editable=False`` says the file text is not the script text verbatim
    (e.g. a quoted YAML scalar), so no fix edits may be derived.

    For text the caller built by substituting values (Makefile recipes):
    ``end_position(offset)`` maps an *exclusive end* offset (default:
    ``position``), so a span can cover a whole substituted reference; and
    ``via_ranges`` lists ``(start, end, steps)``: a word overlapping
    ``text[start:end]`` gets ``steps`` appended to its ``via``.
    ``branch`` names the branches the whole script runs in (a Makefile
    recipe line inside ``ifeq``…``else``: (conditional, part, parts)); its
    commands carry them in ``attributes["branch"]``.

    Never raises.
    """
    try:
        from taglint.shell._analyze import analyze

        found = analyze(
            text,
            path=path,
            kind=kind,
            scope=scope,
            position=position,
            env=env or {},
            original=original,
            editable=editable,
            end_position=end_position,
            via_ranges=via_ranges,
            branch=tuple(branch),
        )
    except RecursionError:
        return ScriptFacts()
    except Exception:  # the shell layer must never end a scan
        return ScriptFacts()
    if "<<" in text:  # manifests applied from heredocs (taglint.shell.heredocs)
        try:
            from taglint.shell.heredocs import manifest_images

            found.images.extend(manifest_images(text, path, position, end_position, original))
        except Exception:  # never ends a scan, never loses the commands found
            pass
    return found
