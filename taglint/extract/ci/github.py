"""GitHub Actions: workflows (``.github/workflows/*.yml``) and ``action.yml``.

Images: ``jobs.<id>.container`` (string or ``image:``), ``services.*.image``,
``uses: docker://…`` steps, and ``runs.image: docker://…`` of a container
action (a ``Dockerfile`` path there is built, not pulled: not an image).
``${{ matrix.x }}`` in an image is expanded from ``strategy.matrix`` (the
key's list and ``include:`` entries): one reference per value, reported at
the matrix value, with the written image kept in ``via``/``origin``.  Other
expressions stay as written; the tag classifier names their source
(``github.sha`` commit, ``github.ref_name`` branch, ``github.run_id``
build id).  ``runs-on`` labels and action inputs named ``image`` are not
container references.

Commands: every ``run:`` script goes through the shell layer with the
workflow, job and step ``env:`` and a position mapper into the workflow
file; the scope is the job.  Action steps that act like commands:

- ``docker/build-push-action`` → ``docker build`` with ``push`` (input
  ``push``, or ``outputs`` with ``type=registry``/``push=true``; an
  expression such as ``${{ github.event_name != 'pull_request' }}`` counts
  as pushing), ``targets`` from ``tags`` (newline or comma separated;
  ``${{ env.X }}`` substituted), ``missing_tag`` when it pushes without
  tags.  ``${{ steps.<id>.outputs.tags }}`` of a ``docker/metadata-action``
  step in the same job is expanded from that step's ``images``, ``tags``
  and ``flavor`` inputs: each generated tag becomes a target at the line
  of the tag rule that produces it (``type=ref,event=branch`` →
  ``${{ github.ref_name }}``, ``type=sha`` → ``sha-${{ github.sha }}``,
  ``type=semver``/``ref,event=tag``/``match`` →
  ``${{ steps.<id>.outputs.version }}``, ``type=raw`` → its value,
  ``type=schedule`` → ``nightly``, ``type=edge`` → ``edge``, and
  ``latest`` from ``flavor: latest=true`` or, with ``latest=auto``, from a
  release rule).
- ``docker/login-action``, ``azure/docker-login``,
  ``redhat-actions/podman-login``, ``aliyun/acr-login`` → ``login``
  (``server`` from ``registry``/``login-server``; ``aliyun/acr-login``
  without one but with a ``region-id`` logs in to that region's ACR hosts;
  otherwise Docker Hub); ``aws-actions/amazon-ecr-login`` → ``login`` to
  the ECR hosts of its ``registries`` (``public.ecr.aws`` with
  ``registry-type: public``); ``redhat-actions/push-to-registry`` →
  ``push`` (``authenticated`` when it is given ``username`` and
  ``password``); ``docker/bake-action`` → a build whose targets the bake
  file names (``unknown_targets``), pushing when ``push`` is set.
  ``gcloud auth configure-docker`` after ``google-github-actions/auth`` is
  a ``run:`` step, read by the shell layer.

Local actions: a step ``uses: ./path`` runs the action at ``path`` from the
repository root (the folder holding ``.github``) in the same job; each is
recorded in ``extras["local_actions"]`` as (job, action folder, line).
An ``action.yml`` with ``runs.using: composite`` sets
``extras["composite_action"]``: its steps run in the job of each workflow
step that uses it (TL209 looks for the login there).

Component references: ``uses: owner/repo[/path]@ref`` in steps and jobs
(reusable workflows); never ``./local`` or ``docker://``.
"""
from __future__ import annotations

import itertools
import posixpath
import re
from dataclasses import dataclass, field
from typing import Iterator

from taglint import limits
from taglint.classify import GITHUB_ACTION, GITHUB_WORKFLOW, kind_from_path
from taglint.extract.ci.common import (
    CiFile,
    Env,
    MappingNode,
    Node,
    ScalarNode,
    Templates,
    as_list,
    get,
    items,
    iter_mapping,
    mapping_get,
    scalar_items,
    scalar_str,
    split_list,
    truthy,
)
from taglint.model import FileFacts, Location, Span, Step, Word
from taglint.source import ExtractContext, SourceFile
from taglint.yamlnodes import node_span

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_MATRIX = re.compile(r"matrix\.([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)")
_ENV = re.compile(r"env\.([A-Za-z_][\w]*)")
_STEP_OUTPUT = re.compile(r"steps\.([A-Za-z_][\w-]*)\.outputs\.tags")
_DOCKER = "docker://"
_NON_POSIX_SHELLS = ("pwsh", "powershell", "python", "cmd")
_MAX_COMBINATIONS = 256

_LOGIN_ACTIONS = {
    "docker/login-action": "registry",
    "azure/docker-login": "login-server",
    "redhat-actions/podman-login": "registry",
    "aliyun/acr-login": "login-server",
}
_TAG_WORD = re.compile(r"(?:\$\{\{.*?\}\}|[^\s$]|\$(?!\{\{))+")
# Folders whose workflows run from the repository root above them.
_CI_FOLDERS = (".github", ".gitea", ".forgejo")


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    kind = GITHUB_ACTION if kind_from_path(source.path) == GITHUB_ACTION else GITHUB_WORKFLOW
    ci = CiFile(source, kind)
    for doc in ci.documents():
        if not isinstance(doc, MappingNode):
            continue
        if kind == GITHUB_ACTION or (mapping_get(doc, "runs") is not None and mapping_get(doc, "jobs") is None):
            _action_file(ci, doc)
        else:
            _workflow(ci, doc)
    return ci.facts


# --------------------------------------------------------------------------
# Files


def _workflow(ci: CiFile, doc: MappingNode) -> None:
    workflow_env = ci.env_from(mapping_get(doc, "env"), "env.")
    default_shell = scalar_str(get(doc, "defaults", "run", "shell"))
    for job_id, _key, job in iter_mapping(mapping_get(doc, "jobs")):
        if not isinstance(job, MappingNode):
            continue
        _job(ci, job_id, job, workflow_env, default_shell)


def _action_file(ci: CiFile, doc: MappingNode) -> None:
    runs = mapping_get(doc, "runs")
    using = (scalar_str(mapping_get(runs, "using")) or "").strip().lower()
    image = mapping_get(runs, "image")
    text = scalar_str(image)
    if using == "docker" and text is not None and text.strip().startswith(_DOCKER):
        lead = len(text) - len(text.lstrip())
        ci.image(image, "runs.image", start=lead + len(_DOCKER))
    if using == "composite":
        ci.facts.extras["composite_action"] = True
    steps = mapping_get(runs, "steps")
    if steps is not None:
        job = _Job(ci, "action", "runs", {}, None, None)
        job.steps(steps)


def _job(ci: CiFile, job_id: str, job: MappingNode, workflow_env: Env, default_shell: str | None) -> None:
    where = f"jobs.{job_id}"
    uses = mapping_get(job, "uses")
    if uses is not None:
        _uses(ci, uses)
    matrix = get(job, "strategy", "matrix")
    env = ci.env_from(mapping_get(job, "env"), "env.", workflow_env)
    shell = scalar_str(get(job, "defaults", "run", "shell")) or default_shell
    state = _Job(ci, job_id, where, env, matrix if isinstance(matrix, MappingNode) else None, shell)

    container = mapping_get(job, "container")
    if isinstance(container, MappingNode):
        state.image(mapping_get(container, "image"), f"{where}.container.image")
        ci.credentials(mapping_get(container, "credentials"), job_id, image=mapping_get(container, "image"),
                       verb="container.credentials")
    elif container is not None:
        state.image(container, f"{where}.container")
    for name, _key, service in iter_mapping(mapping_get(job, "services")):
        if isinstance(service, MappingNode):
            state.image(mapping_get(service, "image"), f"{where}.services.{name}.image")
            ci.credentials(mapping_get(service, "credentials"), job_id, image=mapping_get(service, "image"),
                           verb=f"services.{name}.credentials")
        else:
            state.image(service, f"{where}.services.{name}")
    steps = mapping_get(job, "steps")
    if steps is not None:
        state.steps(steps)


def _uses(ci: CiFile, node: Node) -> tuple[str, str | None] | None:
    """Record ``owner/repo@ref`` as an ActionRef; return (name, ref)."""
    text = scalar_str(node)
    if text is None:
        return None
    stripped = text.strip()
    if not stripped or stripped.startswith((".", _DOCKER)) or "${{" in stripped:
        return None
    lead = len(text) - len(text.lstrip())
    name, at, ref = stripped.partition("@")
    ci.action(node, stripped, name, ref if at else None, start=lead)
    return name, ref if at else None


# --------------------------------------------------------------------------
# One job


@dataclass
class _Job:
    ci: CiFile
    scope: str
    where: str
    env: Env
    matrix: MappingNode | None
    shell: str | None
    by_id: dict[str, MappingNode] = field(default_factory=dict)

    # -- images ----------------------------------------------------------------

    def image(self, node: Node | None, context: str, start: int = 0) -> None:
        text = scalar_str(node)
        if text is None or not isinstance(node, ScalarNode):
            return
        body = text[start:]
        stripped = body.strip()
        if not stripped:
            return
        names = [m.group(1) for m in _EXPR.finditer(stripped) if _MATRIX.fullmatch(m.group(1))]
        expansions = self._matrix_expansions(stripped) if names else None
        if not expansions:
            self.ci.image(node, context, stage=self.scope, start=start)
            return
        lead = len(body) - len(body.lstrip())
        origin = Location(self.ci.source.path, self.ci.sub_span(node, start + lead, start + lead + len(stripped)))
        for value, via, span in expansions:
            self.ci.add_image(span, stripped, value, context, via=via, stage=self.scope, origin=origin)

    def _matrix_expansions(self, text: str) -> list[tuple[str, tuple[Step, ...], Span]] | None:
        """Every value of ``text`` over the matrix: (value, via, span of the
        first matrix value used), or None when a matrix value is unknown."""
        matches = [m for m in _EXPR.finditer(text) if _MATRIX.fullmatch(m.group(1))]
        options: list[list[tuple[str, Node]]] = []
        for match in matches:
            values = matrix_values(self.matrix, _MATRIX.fullmatch(match.group(1)).group(1))  # type: ignore[union-attr]
            if not values:
                return None
            options.append(values)
        out = []
        for combination in itertools.islice(itertools.product(*options), _MAX_COMBINATIONS):
            pieces, last, via = [], 0, []
            for match, (value, node) in zip(matches, combination):
                pieces.append(text[last : match.start()])
                pieces.append(value)
                last = match.end()
                via.append(Step(match.group(1), value, self.ci.location(node)))
            pieces.append(text[last:])
            out.append(("".join(pieces), tuple(via), node_span(combination[0][1])))
        return out

    # -- steps -----------------------------------------------------------------

    def steps(self, steps: Node) -> None:
        step_nodes = [s for s in items(steps) if isinstance(s, MappingNode)]
        for step in step_nodes:
            step_id = scalar_str(mapping_get(step, "id"))
            if step_id:
                self.by_id[step_id] = step
        for index, step in enumerate(step_nodes):
            self.step(index, step)

    def step(self, index: int, step: MappingNode) -> None:
        where = f"{self.where}.steps[{index}]"
        env = self.ci.env_from(mapping_get(step, "env"), "env.", self.env)
        uses = mapping_get(step, "uses")
        text = (scalar_str(uses) or "").strip()
        if text.startswith(_DOCKER):
            raw = scalar_str(uses) or ""
            lead = len(raw) - len(raw.lstrip())
            self.image(uses, f"{where}.uses", start=lead + len(_DOCKER))
        elif text.startswith("./"):
            self.local_action(text, uses)
        elif uses is not None:
            found = _uses(self.ci, uses)
            if found is not None:
                self.action_step(found[0].lower(), uses, step, env)
        run = mapping_get(step, "run")
        if run is not None:
            shell = (scalar_str(mapping_get(step, "shell")) or self.shell or "bash").strip().lower()
            if not shell.startswith(_NON_POSIX_SHELLS):
                self.run_script(run, env)

    def local_action(self, text: str, uses: Node) -> None:
        """``uses: ./path``: the action folder, from the repository root."""
        folder = posixpath.normpath(posixpath.join(repository_root(self.ci.source.path), text.partition("@")[0]))
        calls = self.ci.facts.extras.setdefault("local_actions", [])
        calls.append((self.scope, folder, node_span(uses).line))

    def run_script(self, node: Node, env: Env) -> None:
        """A ``run:`` script.  GitHub replaces ``${{ … }}`` before the shell
        starts, so ``${{ env.X }}`` and single-valued ``${{ matrix.x }}`` are
        substituted in the text handed to the shell layer (spans and
        written text still point at the expression in the file).  Other
        expressions stay as written."""

        def resolve(match: re.Match[str]) -> tuple[str, tuple[Step, ...]] | None:
            value, via = self.expand(match.group(0), env)
            return (value, via) if via else None

        self.ci.script([node], self.scope, env, templates=Templates(_EXPR, resolve))

    # -- expressions -------------------------------------------------------------

    def expand(self, text: str, env: Env) -> tuple[str, tuple[Step, ...]]:
        """Substitute ``${{ env.X }}`` and single-valued ``${{ matrix.x }}``."""
        via: list[Step] = []
        budget = limits.budget()

        def replace(match: re.Match[str]) -> str:
            inner = match.group(1)
            env_name = _ENV.fullmatch(inner)
            step: Step | None = None
            if env_name and env_name.group(1) in env and env[env_name.group(1)].value is not None:
                step = env[env_name.group(1)]
            matrix_name = _MATRIX.fullmatch(inner)
            if step is None and matrix_name:
                values = matrix_values(self.matrix, matrix_name.group(1))
                if values and len({v for v, _ in values}) == 1:
                    value, node = values[0]
                    step = Step(inner, value, self.ci.location(node))
            if step is None or step.value is None:
                return match.group(0)
            return limits.substituted(step, match.group(0), budget, via)

        value = _EXPR.sub(replace, text) if "${{" in text else text
        if limits.grew_too_large(text, value):
            return limits.unresolved(text, via)
        return value, tuple(via)

    def inputs(self, step: MappingNode) -> MappingNode | None:
        found = mapping_get(step, "with")
        return found if isinstance(found, MappingNode) else None

    # -- action steps ------------------------------------------------------------

    def action_step(self, name: str, uses: Node, step: MappingNode, env: Env) -> None:
        span = node_span(uses)
        written = f"uses: {scalar_str(uses)}"
        inputs = self.inputs(step)
        if name == "docker/build-push-action":
            self.build_push(span, written, inputs, env)
        elif name in _LOGIN_ACTIONS:
            server_node = mapping_get(inputs, _LOGIN_ACTIONS[name])
            server = self.scalar_word(server_node, env)
            servers = _acr_region_hosts(scalar_str(mapping_get(inputs, "region-id"))) \
                if name == "aliyun/acr-login" and server is None else ()
            self.ci.command(
                span, "podman" if "podman" in name else "docker", "login", self.scope, written=written,
                server=server,
                servers=servers or None,
                default_server=None if servers else "docker.io",
                user=self.scalar_word(mapping_get(inputs, "username"), env),
                password=self.scalar_word(mapping_get(inputs, "password"), env),
                password_stdin=True,
                verb=name,
                editable=False,
            )
        elif name == "aws-actions/amazon-ecr-login":
            registries = scalar_str(mapping_get(inputs, "registries"))
            servers = tuple(f"{r.strip()}.dkr.ecr.*.amazonaws.com" for r in (registries or "").split(",") if r.strip())
            if (scalar_str(mapping_get(inputs, "registry-type")) or "").strip().lower() == "public":
                servers = ("public.ecr.aws",)
            self.ci.command(
                span, "aws", "login", self.scope, written=written,
                servers=servers or ("*.dkr.ecr.*.amazonaws.com",), password_stdin=True, verb=name, editable=False,
            )
        elif name == "redhat-actions/push-to-registry":
            self.push_to_registry(span, written, inputs, env)
        elif name == "docker/bake-action":
            push = truthy(mapping_get(inputs, "push"))
            if push is None and mapping_get(inputs, "push") is not None:
                push = True
            sets = " ".join(scalar_str(n) or "" for n in as_list(mapping_get(inputs, "set")))
            if "output=type=registry" in sets.replace(" ", "") or "push=true" in sets.replace(" ", ""):
                push = True
            self.ci.command(  # the bake file names the targets and their tags
                span, "docker", "build", self.scope, written=written, push=bool(push), unknown_targets=True,
                verb=name, editable=False,
            )

    def scalar_word(self, node: Node | None, env: Env) -> Word | None:
        return self.ci.scalar_word(node, expand=lambda t: self.expand(t, env))

    def build_push(self, span: Span, written: str, inputs: MappingNode | None, env: Env) -> None:
        push_node = mapping_get(inputs, "push")
        push = truthy(push_node)
        if push is None and push_node is not None:
            push = True  # an expression: pushes on some events
        outputs = " ".join(scalar_str(o) or "" for o in as_list(mapping_get(inputs, "outputs")))
        lowered = outputs.replace(" ", "").lower()
        if "type=registry" in lowered or "push=true" in lowered:
            push = True
        by_digest = "push-by-digest=true" in lowered
        targets = self.tag_words(mapping_get(inputs, "tags"), env)
        has_name = "name=" in lowered
        pushes = bool(push)
        self.ci.command(
            span, "docker", "build", self.scope, args=tuple(targets), written=written,
            targets=tuple(targets),
            push=pushes,
            default_tag="latest",
            by_digest=by_digest or None,
            missing_tag=(pushes and not targets and not has_name) or None,
            verb="docker/build-push-action",
            editable=False,
        )

    def tag_words(self, node: Node | None, env: Env) -> list[Word]:
        out: list[Word] = []
        for item, text in scalar_items(node):
            for offset, part in split_list(text):
                meta = _EXPR.fullmatch(part)
                found = _STEP_OUTPUT.fullmatch(meta.group(1)) if meta else None
                step = self.by_id.get(found.group(1)) if found else None
                if step is not None and found is not None and _is_metadata(step):
                    out.extend(self.metadata_tags(found.group(1), step, env))
                    continue
                out.append(self.ci.word(item, offset, part, expand=lambda t: self.expand(t, env)))
        return out

    def push_to_registry(self, span: Span, written: str, inputs: MappingNode | None, env: Env) -> None:
        image = self.scalar_word(mapping_get(inputs, "image"), env)
        if image is None:
            return
        registry = self.scalar_word(mapping_get(inputs, "registry"), env)
        tags_node = mapping_get(inputs, "tags")
        tags: list[Word] = []
        for item, text in scalar_items(tags_node):
            for match in _TAG_WORD.finditer(text):  # space-separated, ${{ … }} kept whole
                tags.append(self.ci.word(item, match.start(), match.group(0), expand=lambda t: self.expand(t, env)))
        prefix = f"{registry.value.rstrip('/')}/" if registry is not None else ""
        targets = tuple(
            Word(tag.written, f"{prefix}{image.value}:{tag.value}", tag.span, image.via + tag.via) for tag in tags
        ) or (Word(image.written, f"{prefix}{image.value}", image.span, image.via),)
        # given username and password, the action logs in itself
        authenticated = mapping_get(inputs, "username") is not None and mapping_get(inputs, "password") is not None
        self.ci.command(
            span, "podman", "push", self.scope, args=targets, written=written,
            targets=targets, push=True, default_tag="latest", verb="redhat-actions/push-to-registry", editable=False,
            authenticated=authenticated or None,
        )

    # -- docker/metadata-action ---------------------------------------------------

    def metadata_tags(self, step_id: str, step: MappingNode, env: Env) -> list[Word]:
        inputs = self.inputs(step)
        images = [
            w for w in self.ci.words(mapping_get(inputs, "images"), expand=lambda t: self.expand(t, env))
        ]
        names = [_metadata_image_name(w.value) for w in images]
        names = [n for n in names if n is not None] or [""]
        flavor = _flavor(self.ci, mapping_get(inputs, "flavor"))
        tags = list(self.metadata_rules(step_id, mapping_get(inputs, "tags"), env, flavor))
        if not tags and mapping_get(inputs, "tags") is None:
            anchor = node_span(mapping_get(step, "uses") or step)
            for rule in ("type=schedule", "type=ref,event=branch", "type=ref,event=tag", "type=ref,event=pr"):
                value = _metadata_value(step_id, _parse_rule(rule), flavor)
                if value is not None:
                    tags.append((rule, value, anchor, ()))
        latest = flavor.get("latest", "auto").lower()
        latest_span: Span | None = None
        if latest == "true":
            latest_span = flavor.get("_span") or (tags[0][2] if tags else None)
        elif latest == "auto":
            for rule_text, _value, span, _via in tags:
                parsed = _parse_rule(rule_text)
                if parsed.get("type") in ("semver", "pep440", "match") or (
                    parsed.get("type") == "ref" and parsed.get("event") == "tag"
                ):
                    latest_span = span
                    break
        if latest_span is not None and not any(value == "latest" for _r, value, _s, _v in tags):
            prefix = flavor.get("prefix", "") if flavor.get("prefix_onlatest") else ""
            suffix = flavor.get("suffix", "") if flavor.get("suffix_onlatest") else ""
            tags.append(("latest", prefix + "latest" + suffix, latest_span, ()))
        out = []
        for rule_text, value, span, via in tags:
            step_note = Step(f"docker/metadata-action `{rule_text}`", value, Location(self.ci.source.path, span))
            for name in names:
                full = f"{name}:{value}" if name else value
                out.append(Word(rule_text, full, span, (step_note, *via)))
        return out

    def metadata_rules(
        self, step_id: str, node: Node | None, env: Env, flavor: dict
    ) -> Iterator[tuple[str, str, Span, tuple[Step, ...]]]:
        for item, text in scalar_items(node):
            for match in re.finditer(r"[^\n\r]+", text):
                line = match.group(0).strip()
                if not line or line.startswith("#"):
                    continue
                start = match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
                expanded, via = self.expand(line, env)
                rule = _parse_rule(expanded)
                value = _metadata_value(step_id, rule, flavor)
                if value is None:
                    continue
                yield line, value, self.ci.sub_span(item, start, start + len(line)), via


# --------------------------------------------------------------------------
# Helpers


def matrix_values(matrix: MappingNode | None, dotted: str) -> list[tuple[str, Node]]:
    """The values of ``matrix.<dotted>``: from the key's list and ``include``."""
    if not isinstance(matrix, MappingNode):
        return []
    key, *rest = dotted.split(".")
    out: list[tuple[str, Node]] = []

    def follow(node: Node | None) -> None:
        for part in rest:
            node = mapping_get(node, part)
        text = scalar_str(node)
        if text is not None and node is not None and "${{" not in text:
            out.append((text, node))

    listed = mapping_get(matrix, key)
    if listed is not None:
        if scalar_str(listed) is not None:
            return []  # an expression such as ${{ fromJSON(...) }}
        for item in items(listed):
            follow(item)
    for entry in items(mapping_get(matrix, "include")):
        value = mapping_get(entry, key)
        if value is not None:
            follow(value)
    return out


def repository_root(path: str) -> str:
    """The repository root of a workflow or action file: the folder holding
    its ``.github`` folder, else the file's own folder."""
    parts = path.replace("\\", "/").split("/")
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] in _CI_FOLDERS:
            return "/".join(parts[:index])
    return posixpath.dirname(path)


def _acr_region_hosts(region: str | None) -> tuple[str, ...]:
    """The hosts ``aliyun/acr-login`` logs in to for a region (personal and
    enterprise editions)."""
    if not region or "${{" in region:
        return ("registry.*.aliyuncs.com", "*.cr.aliyuncs.com") if region else ()
    region = region.strip().lower()
    return (f"registry.{region}.aliyuncs.com", f"registry-vpc.{region}.aliyuncs.com", f"*.{region}.cr.aliyuncs.com",
            f"*.{region}.personal.cr.aliyuncs.com")


def _is_metadata(step: MappingNode) -> bool:
    uses = (scalar_str(mapping_get(step, "uses")) or "").strip().lower()
    return uses.partition("@")[0] == "docker/metadata-action"


def _metadata_image_name(line: str) -> str | None:
    fields = [f.strip() for f in line.split(",")]
    name = None
    for item in fields:
        key, eq, value = item.partition("=")
        if not eq:
            name = item
        elif key == "name":
            name = value
        elif key == "enable" and value.strip().lower() == "false":
            return None
    return name


def _parse_rule(text: str) -> dict[str, str]:
    if "type=" not in text:
        return {"type": "raw", "value": text}
    out: dict[str, str] = {}
    for item in text.split(","):
        key, _, value = item.partition("=")
        out[key.strip().lower()] = value.strip()
    return out


def _flavor(ci: CiFile, node: Node | None) -> dict:
    """metadata-action ``flavor`` (``latest``, ``prefix``, ``suffix``); ``_span``
    is where ``latest=…`` is written."""
    out: dict = {}
    for item, text in scalar_items(node):
        for match in re.finditer(r"[^\n\r]+", text):
            offset = match.start()
            line = match.group(0).replace(" ", "")
            for which in ("prefix", "suffix"):
                if line.startswith(f"{which}=") and "onlatest=true" in line:
                    out[f"{which}_onlatest"] = True
            for part in match.group(0).split(","):
                key, eq, value = part.partition("=")
                name = key.strip()
                if eq and name in ("latest", "prefix", "suffix"):
                    out[name] = value.strip()
                    if name == "latest":
                        start = offset + len(part) - len(part.lstrip())
                        out["_span"] = ci.sub_span(item, start, start + len(part.strip()))
                offset += len(part) + 1
    return out


_TEMPLATES = {
    "{{branch}}": "${{ github.ref_name }}",
    "{{tag}}": "${{ github.ref_name }}",
    "{{sha}}": "${{ github.sha }}",
    "{{base_ref}}": "${{ github.base_ref }}",
}


def _metadata_value(step_id: str, rule: dict[str, str], flavor: dict) -> str | None:
    """The tag one metadata-action rule produces (placeholders for run-time parts)."""
    if rule.get("enable", "true").lower() == "false":
        return None
    kind = rule.get("type", "raw")
    version = f"${{{{ steps.{step_id}.outputs.version }}}}"
    if kind == "raw":
        value = rule.get("value", "")
    elif kind == "schedule":
        value = rule.get("pattern", "nightly")
    elif kind in ("semver", "pep440", "match"):
        value = version
    elif kind == "ref":
        event = rule.get("event", "")
        if event == "branch":
            value = "${{ github.ref_name }}"
        elif event == "tag":
            value = version
        elif event == "pr":
            value = "pr-${{ github.event.number }}"
        else:
            return None
    elif kind == "sha":
        value = rule.get("prefix", "sha-") + "${{ github.sha }}"
        return _templates(value + rule.get("suffix", flavor.get("suffix", "")))
    elif kind == "edge":
        value = "edge"
    else:
        return None
    if not value:
        return None
    return _templates(rule.get("prefix", flavor.get("prefix", "")) + value + rule.get("suffix", flavor.get("suffix", "")))


def _templates(value: str) -> str:
    """metadata-action's own ``{{branch}}``/``{{sha}}``/``{{date …}}`` templates."""
    for template, replacement in _TEMPLATES.items():
        value = value.replace(template, replacement)
    return re.sub(r"\{\{\s*date[^}]*\}\}", "$(date)", value)
