"""Check kinds over push, build and login commands: TL201–TL212.

Commands come from every place a shell line or a CI step acts like one
(:mod:`taglint.shell` documents ``Command.attributes``).  Per-command kinds
look at one command; scope kinds (TL202, TL209, TL211) look at all the
commands of one job, script or Makefile target (same path and scope).
"""
from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from taglint.model import Command, Edit, Hit, Span, Word
from taglint.origin_notes import merged_notes, substitution_notes

if TYPE_CHECKING:
    from taglint.project import Project
    from taglint.ruleset import Rule
    from taglint.tags import Classification

# Registries that take anonymous pushes or live on the machine itself.
_NO_LOGIN_HOSTS = ("localhost", "127.0.0.1", "[::1]", "ttl.sh", "kind.local", "ko.local", "host.docker.internal")
# Variables that hold a registry host or an image in one, by CI convention.
_REGISTRY_VARIABLES = {
    "CI_REGISTRY": "$CI_REGISTRY",
    "CI_REGISTRY_IMAGE": "$CI_REGISTRY",
}
_FIXABLE_LOGIN_TOOLS = ("docker", "podman", "nerdctl", "buildah", "skopeo", "crane", "helm", "oras")
_VARIABLE_WORD = re.compile(r"^\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})$")
_SAFE_LITERAL = re.compile(r"^[A-Za-z0-9_@%+=:,./-]+$")


# -- helpers -------------------------------------------------------------------


def _kinds_ok(rule: Rule, command: Command) -> bool:
    kinds = rule.params.get("kinds")
    skip = rule.params.get("skip-kinds") or ()
    return (not kinds or command.kind in kinds) and command.kind not in skip


def _commands(rule: Rule, project: Project) -> Iterator[Command]:
    for command in project.commands():
        if _kinds_ok(rule, command):
            yield command


def pushes(command: Command) -> bool:
    return bool(command.attributes.get("push"))


def targets(command: Command) -> tuple[Word, ...]:
    return tuple(command.attributes.get("targets") or ())


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(command: Command, text: str, limit: int = 120) -> str:
    """``text`` of ``command`` for a message: its secrets masked, then
    shortened (so no cut leaves the start of a secret behind)."""
    from taglint.secrets import command_secret_texts, mask_text

    return _short(mask_text(text, command_secret_texts(command)), limit)


def command_fields(command: Command) -> dict[str, Any]:
    from taglint.fix.suggestions import commit_expression

    return {
        "tool": command.tool,
        "action": command.action,
        "verb": command.attributes.get("verb") or f"{command.tool} {command.action}",
        "command": _shown(command, command.written),
        "scope": command.scope,
        "kind": command.kind,
        "owner": owner(command),
        "commit": commit_expression(command.kind),  # the commit as a tag, written for this kind of file
    }


def owner(command: Command) -> str:
    """How to name the command's scope in a sentence."""
    if command.kind == "makefile":
        return f"Makefile target `{command.scope}`"
    if command.kind == "shell":
        return "this script"
    if command.kind == "dockerfile":
        return f"`{command.scope}`" if command.scope else "this Dockerfile"
    return f"job `{command.scope}`" if command.scope else "this pipeline"


def word_hit(command: Command, word: Word | None, **fields: Any) -> Hit:
    base = command_fields(command)
    if word is not None:
        base.update(reference=word.value, written=word.written)
    base.update(fields)
    span = word.span if word is not None else command.span
    # How the value came to be ($IMG, Makefile variable IMG) goes on notes, not in the headline.
    related = substitution_notes(command.path, span, word.value, word.via) if word is not None else ()
    return Hit(path=command.path, span=span, fields=base, reference=word.value if word is not None else None,
               related=related)


def _name_part(value: str) -> str:
    """``reg:5000/app:1.0@sha256:…`` → ``reg:5000/app``."""
    name = value.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def _templated(text: str) -> bool:
    return "$" in text or "{{" in text or "`" in text


def _tag_class(classification: Classification) -> str:
    value = classification.tag_class
    return str(getattr(value, "value", value))


def registry_of(word: Word, project: Project) -> str | None:
    """The registry host a target goes to; None when it cannot be known."""
    name = _name_part(word.value)
    first = name.split("/", 1)[0]
    m = re.match(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$", first)
    if m and m.group(1) in _REGISTRY_VARIABLES:
        return _REGISTRY_VARIABLES[m.group(1)]
    if _templated(first):
        return None
    found = project.classify(word.value)
    reference = found.reference
    if reference is None:
        if "/" in name and ("." in first or ":" in first or first == "localhost"):
            return first.lower()
        return None
    return reference.domain


def _covered(host: str, servers: Iterable[str]) -> bool:
    from fnmatch import fnmatchcase

    host = host.lower()
    for server in servers:
        server = server.lower()
        server = re.sub(r"^[a-z]+://", "", server).split("/", 1)[0]
        if server in ("index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"):
            server = "docker.io"
        if host == server or fnmatchcase(host, server):
            return True
    return False


def _login_servers(command: Command) -> list[str]:
    out: list[str] = []
    server = command.attributes.get("server")
    if isinstance(server, Word):
        out.append(server.value)
    out.extend(command.attributes.get("servers") or ())
    if command.attributes.get("any_server"):
        out.append("*")  # a registry the line does not name (`oc registry login`): cannot tell
    if not out and command.attributes.get("default_server"):
        out.append(command.attributes["default_server"])
    return out


def _by_scope(commands: Iterable[Command]) -> dict[tuple[str, str], list[Command]]:
    groups: dict[tuple[str, str], list[Command]] = defaultdict(list)
    for command in commands:
        groups[(command.path, command.scope)].append(command)
    return groups


def _local(host: str | None) -> bool:
    return host is not None and host.split(":", 1)[0].lower() in {h.split(":", 1)[0] for h in _NO_LOGIN_HOSTS}


# -- TL201, TL204: pushed tag classes ------------------------------------------------


def check_push_tag_class(rule: Rule, project: Project) -> Iterator[Hit]:
    """Pushed targets whose tag class is in ``params.classes``."""
    classes = set(rule.params.get("classes") or ())
    for command in _commands(rule, project):
        if not pushes(command) or command.attributes.get("artifact") or command.attributes.get("all_tags"):
            continue
        for word in targets(command):
            found = project.classify(word.value)
            tag_class = _tag_class(found)
            if tag_class not in classes:
                continue
            consequence = ""
            if tag_class == "none":
                if command.attributes.get("default_tag") == "latest":
                    consequence = f"so it goes out as `{_name_part(word.value)}:latest`"
                elif command.attributes.get("by_digest"):
                    consequence = "so it is published by digest only, with no tag anyone can pull by name"
                else:
                    continue
            yield word_hit(
                command, word,
                consequence=consequence,
                reason=found.reason,
                source=found.source or "",
                repository=_name_part(word.value),
            )


# -- TL202: a scope publishes only moving tags ------------------------------------------

_MOVING = frozenset({"none", "latest", "floating"})
_MAX_PATHS = 64


def check_push_latest_only(rule: Rule, project: Project) -> Iterator[Hit]:
    """A scope whose pushes all carry moving tags.  A push whose target took
    its value from one branch of an ``if``/``case`` (``attributes["branch"]``)
    is judged on the paths through that branch: a scope that pushes only
    ``latest`` when ``TAG=latest`` is reported even if the other branch
    pushes a version."""
    for commands in _by_scope(_commands(rule, project)).values():
        pushes_here = [c for c in commands if pushes(c) and not c.attributes.get("artifact")]
        for path in _paths(pushes_here):
            hit = _latest_only(path, project)
            if hit is not None:
                yield hit
                break


def _paths(commands: list[Command]) -> list[list[Command]]:
    """The commands that run together on each combination of the branches
    they depend on (all of them when none depends on a branch)."""
    choices: dict[str, set[int]] = defaultdict(set)
    for command in commands:
        for point, index, count in command.attributes.get("branch") or ():
            choices[point].add(index)
            choices[point].update(range(count))  # a branch none of these commands runs in is a path too
    if not choices:
        return [commands]
    points = sorted(choices)
    out = []
    for combination in itertools.product(*(sorted(choices[p]) for p in points)):
        chosen = dict(zip(points, combination))
        out.append([c for c in commands
                    if all(chosen.get(point) == index for point, index, _n in c.attributes.get("branch") or ())])
        if len(out) >= _MAX_PATHS:
            break
    return out


def _latest_only(commands: list[Command], project: Project) -> Hit | None:
    pushed: list[tuple[Command, Word, str]] = []
    for command in commands:
        if command.attributes.get("unknown_targets") or command.attributes.get("by_digest"):
            return None
        for word in targets(command):
            pushed.append((command, word, _tag_class(project.classify(word.value))))
    if not pushed:
        return None
    if any(tag_class not in _MOVING for _c, _w, tag_class in pushed):
        return None
    if all(tag_class == "none" for _c, _w, tag_class in pushed):
        return None  # every push is untagged: TL201 already says so
    first_command, first_word, _ = pushed[0]
    tags = ", ".join(dict.fromkeys(f"`{w.value}`" for _c, w, _t in pushed))
    hit = word_hit(first_command, first_word, tags=tags, count=len(pushed))
    notes = merged_notes(
        note for command, word, _t in pushed for note in substitution_notes(command.path, word.span, word.value, word.via)
    )
    return replace(hit, related=notes)


# -- TL203: --all-tags ---------------------------------------------------------------------


def check_push_all_tags(rule: Rule, project: Project) -> Iterator[Hit]:
    scopes = _by_scope(project.commands())
    for command in _commands(rule, project):
        flag = command.attributes.get("all_tags")
        if not isinstance(flag, Word):
            continue
        target = next(iter(targets(command)), None)
        fields = {"flag": flag.value}
        hit = word_hit(command, target, **fields)
        edits = _push_built_tag(command, flag, target, scopes.get((command.path, command.scope), []))
        yield Hit(hit.path, flag.span, hit.fields, hit.reference, edits=edits, applicability="unsafe")


def _same_scope_tags(commands: Iterable[Command], name: str, pushed: bool) -> set[str]:
    """The tagged references (as written) named ``name`` that the commands
    of one job build or tag (``pushed`` False) or push (True)."""
    found: set[str] = set()
    for command in commands:
        if (command.action == "push" or pushes(command)) != pushed:
            continue
        for word in targets(command):
            text = _unquoted(word.written)
            if text != name and _name_part(text) == name and ":" in text[len(name):]:
                found.add(word.written)  # quotes and all: the shell reads it so
    return found


def _unquoted(written: str) -> str:
    """A shell word without the quotes around all of it."""
    if len(written) >= 2 and written[0] == written[-1] and written[0] in "\"'":
        return written[1:-1]
    return written


def _push_built_tag(command: Command, flag: Word, target: Word | None, scope: list[Command]) -> tuple[Edit, ...]:
    """TL203: ``docker push --all-tags app`` -> ``docker push app:1.0`` when
    the job builds exactly one tag of ``app`` (the flag and the name side by
    side on one line, written literally)."""
    if target is None or command.tool not in ("docker", "podman", "nerdctl") or command.action != "push":
        return ()
    if target.written != target.value or _templated(target.written):
        return ()
    built = _same_scope_tags([c for c in scope if c is not command], target.written, pushed=False)
    if len(built) != 1:
        return ()
    args = list(command.args)
    positions = [i for i, w in enumerate(args) if w is flag or w is target]
    if len(positions) != 2 or positions[1] - positions[0] != 1:
        return ()
    first, last = args[positions[0]], args[positions[1]]
    if first.span.line != last.span.end_line:
        return ()
    return (Edit(Span(first.span.line, first.span.column, last.span.end_line, last.span.end_column), built.pop()),)


# -- TL205: implicit Docker Hub --------------------------------------------------------------


def check_push_implicit_docker_hub(rule: Rule, project: Project) -> Iterator[Hit]:
    host_like = {w.lower() for w in rule.params.get("host-like") or ()}
    for command in _commands(rule, project):
        if not pushes(command) or command.attributes.get("artifact"):
            continue
        for word in targets(command):
            name = _name_part(word.value)
            if not name or _templated(name.split("/", 1)[0]) or _templated(name):
                continue
            found = project.classify(word.value)
            reference = found.reference
            if reference is None or reference.explicit_domain:
                continue
            components = name.split("/")
            severity = None
            if command.attributes.get("registry_required"):
                consequence = (
                    f"{command.tool} has no default registry, so it reads `{components[0]}` as the registry host"
                )
            elif len(components) == 1:
                consequence = (
                    f"it goes to Docker Hub as `docker.io/library/{name}`, the namespace of official images, "
                    "where you cannot push"
                )
            elif len(components) >= 3:
                consequence = (
                    f"it goes to Docker Hub as `docker.io/{name}`, and Docker Hub has no nested namespaces; "
                    f"`{components[0]}` reads like a registry host but has no `.` or `:`"
                )
            elif components[0].lower() in host_like:
                consequence = (
                    f"`{components[0]}` reads like a registry host, but without a `.` or `:` it is a Docker Hub "
                    f"account, so it goes to `docker.io/{name}`"
                )
            else:
                consequence = f"it goes to Docker Hub as `docker.io/{name}`"
                severity = "info"
            explicit = f"docker.io/<account>/{word.value}" if len(components) == 1 else f"docker.io/{word.value}"
            fields: dict[str, Any] = {"consequence": consequence, "canonical": f"docker.io/{reference.path}",
                                      "explicit": explicit}
            if severity:
                fields["severity"] = severity
            yield word_hit(command, word, **fields)


# -- TL206: push outside registries.allow ------------------------------------------------------


def check_push_registry(rule: Rule, project: Project) -> Iterator[Hit]:
    from taglint.checks.images import registry_allowed, registry_location

    allow, deny = project.config.registries_allow, project.config.registries_deny
    if not (allow or deny):
        return
    for command in _commands(rule, project):
        if not pushes(command):
            continue
        for word in targets(command):
            name = _name_part(word.value)
            if _templated(name):
                continue
            found = project.classify(word.value)
            location = registry_location(found)
            if location is None:
                continue
            if not registry_allowed(location, allow, deny):
                yield word_hit(command, word, location=location)


# -- TL207: TLS off ------------------------------------------------------------------------------


def check_insecure_registry(rule: Rule, project: Project) -> Iterator[Hit]:
    for command in _commands(rule, project):
        flag = command.attributes.get("insecure")
        if not isinstance(flag, Word):
            continue
        fields = command_fields(command)
        fields.update(reference=_registry_text(command), flag=flag.value)
        yield Hit(command.path, flag.span, fields, fields["reference"])


# -- TL208: password in argv -----------------------------------------------------------------------


def check_password_in_argv(rule: Rule, project: Project) -> Iterator[Hit]:
    for command in _commands(rule, project):
        words: Sequence[Word] = command.attributes.get("password_in_argv") or ()
        if not words:
            continue
        first, last = words[0], words[-1]
        span = Span(first.span.line, first.span.column, last.span.end_line, last.span.end_column)
        edits = _stdin_edits(command, words)
        fields = command_fields(command)
        fields.update(
            reference=_registry_text(command),
            flag=first.value.split("=", 1)[0] if len(words) == 1 else first.value,
            argument=_shown(command, " ".join(w.written for w in words), 60),
            suggestion=_suggestion(command, words),
        )
        yield Hit(command.path, span, fields, reference=fields["reference"] or None,
                  edits=edits, applicability="safe" if edits else "none")


def _registry_text(command: Command) -> str:
    """What a login or copy talks to, as the user would name it."""
    server = command.attributes.get("server")
    if isinstance(server, Word):
        return server.value
    if command.attributes.get("servers"):
        return ", ".join(command.attributes["servers"])
    words = targets(command) or tuple(command.attributes.get("sources") or ())
    if words:
        return words[0].value
    return str(command.attributes.get("default_server") or "the default registry")


def _password_written(words: Sequence[Word]) -> str | None:
    if len(words) == 2:
        return words[1].written
    written = words[0].written
    for prefix in ("--password=", "-p="):
        if written.startswith(prefix):
            return written[len(prefix):]
    if written.startswith("-p") and not written.startswith("--"):
        return written[2:]
    return None


def _quoted(written: str) -> str | None:
    """``written`` as one shell word that expands to the same string."""
    if not written:
        return None
    if len(written) >= 2 and written[0] == written[-1] == '"' and written.count('"') == 2 and "\\" not in written:
        return written
    if len(written) >= 2 and written[0] == written[-1] == "'" and written.count("'") == 2:
        return written
    if _VARIABLE_WORD.match(written) or _VARIABLE_WORD.match(written.replace("$$", "$", 1)):
        return f'"{written}"'
    if _SAFE_LITERAL.match(written):
        return f"'{written}'"
    return None


def _stdin_edits(command: Command, words: Sequence[Word]) -> tuple[Edit, ...]:
    attributes = command.attributes
    if not attributes.get("fixable") or not attributes.get("editable", True):
        return ()
    if command.action != "login" or command.tool not in _FIXABLE_LOGIN_TOOLS:
        return ()
    written = _password_written(words)
    quoted = _quoted(written) if written is not None else None
    if quoted is None:
        return ()
    first, last = words[0], words[-1]
    if first.span.line != last.span.end_line:
        return ()
    start = command.span
    insert = Edit(Span(start.line, start.column, start.line, start.column), f"printf '%s' {quoted} | ")
    replace = Edit(Span(first.span.line, first.span.column, last.span.end_line, last.span.end_column),
                   "--password-stdin")
    return (insert, replace)


def _suggestion(command: Command, words: Sequence[Word]) -> str:
    if command.action == "login" and command.tool in _FIXABLE_LOGIN_TOOLS:
        written = _password_written(words)
        quoted = (_quoted(written) if written is not None else None) or '"$PASSWORD"'
        verb = {"crane": "crane auth login", "helm": "helm registry login"}.get(command.tool, f"{command.tool} login")
        return f"`printf '%s' {quoted} | {verb} … --password-stdin`"
    if command.tool == "skopeo":
        return "an auth file (`--authfile`/`--dest-authfile`, filled by `skopeo login --password-stdin`)"
    return "an auth file written by a `login --password-stdin` step (e.g. `--authfile`)"


# -- TL209: push with no login in the scope ----------------------------------------------------------


def check_push_without_login(rule: Rule, project: Project) -> Iterator[Hit]:
    """A job that pushes and never logs in, reported once at its first push.
    A local composite action a job uses runs in that job: its login counts
    for the job, and its own pushes are covered when every job that uses it
    has logged in before the step (project-wide: the callers are other
    files)."""
    from taglint.checks.local_actions import LocalActions

    scoped = list(_commands(rule, project))
    actions = LocalActions(project, project.commands())
    for (path, scope), commands in _by_scope(scoped).items():
        if any(c.action == "login" for c in commands) or actions.job_logs_in(path, scope, None):
            continue
        fields: dict[str, Any] = {}
        if actions.is_composite(path):
            callers = actions.callers_logging_in(path)
            missing = [call for call, logged in callers if logged is False]
            if callers and not missing and all(logged for _c, logged in callers):
                continue
            if missing:
                first = missing[0]
                more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
                fields["owner"] = f"job `{first.scope}` of `{first.path}`{more}, which uses this action,"
            else:
                # no workflow in the scan uses it: its callers' login cannot be seen
                fields["owner"] = "this composite action"
                fields["note"] = " and no workflow in the scan uses it, so its callers' login cannot be seen"
                fields["severity"] = "info"
        for command in commands:
            if not pushes(command) or command.attributes.get("authenticated"):
                continue
            words = targets(command)
            hosts = [registry_of(w, project) for w in words]
            if words and all(_local(h) for h in hosts):
                continue
            word = words[0] if words else None
            registry = next((h for h in hosts if h), None) or "the registry"
            yield word_hit(command, word, registry=registry, **fields)
            break


# -- TL210: builds that create :latest ---------------------------------------------------------------


def check_build_untagged(rule: Rule, project: Project) -> Iterator[Hit]:
    scopes = _by_scope(project.commands())
    for command in _commands(rule, project):
        if command.action not in ("build", "tag", "push"):
            continue
        if command.attributes.get("missing_tag"):
            fields = {"severity": "error",
                      "consequence": "pushes an image that has no name; "
                                     f"{command.tool} refuses it (`tag is needed when pushing to registry`)"}
            hit = word_hit(command, None, **fields)
            written = _shown(command, command.written, 80)
            yield Hit(hit.path, hit.span, {**hit.fields, "reference": written, "name": "registry.example.com/app"},
                      None)
            continue
        if pushes(command) or command.action == "push":
            continue  # pushed targets: TL201
        for word in targets(command):
            if _tag_class(project.classify(word.value)) == "none":
                verb = f"{command.tool} {command.action}"
                verb = command.attributes.get("verb") or verb
                hit = word_hit(command, word, consequence=f"has no tag, so `{verb}` names the image `:latest`",
                               name=_name_part(word.value))
                edits = _build_pushed_tag(word, scopes.get((command.path, command.scope), []))
                yield replace(hit, edits=edits, applicability="unsafe") if edits else hit


def _build_pushed_tag(word: Word, scope: list[Command]) -> tuple[Edit, ...]:
    """TL210: ``docker build -t app .`` -> ``-t app:1.0`` when the same job
    pushes exactly one tag of ``app`` (written literally).  Unsafe: a later
    ``docker tag app …`` of the job would no longer find ``app:latest``."""
    if word.written != word.value or _templated(word.written) or word.span.line != word.span.end_line:
        return ()
    pushed = _same_scope_tags(scope, word.written, pushed=True)
    return (Edit(word.span, pushed.pop()),) if len(pushed) == 1 else ()


# -- TL211: login to Docker Hub, push elsewhere ----------------------------------------------------------


def check_login_default_registry(rule: Rule, project: Project) -> Iterator[Hit]:
    for commands in _by_scope(_commands(rule, project)).values():
        logins = [c for c in commands if c.action == "login"]
        defaults = [c for c in logins if c.attributes.get("server") is None
                    and c.attributes.get("default_server") == "docker.io" and not c.attributes.get("servers")]
        if not defaults:
            continue
        covered: list[str] = []
        for login in logins:
            if login not in defaults:
                covered.extend(_login_servers(login))
        elsewhere: list[str] = []
        first_target: Word | None = None
        for command in commands:
            if not pushes(command):
                continue
            for word in targets(command):
                host = registry_of(word, project)
                if host is None or host == "docker.io" or _local(host) or _covered(host, covered):
                    continue
                if host not in elsewhere:
                    elsewhere.append(host)
                first_target = first_target or word
        if not elsewhere:
            continue
        for login in defaults:
            fields = command_fields(login)
            reference = first_target.value if first_target is not None else ""
            fields.update(reference=reference, registry=", ".join(f"`{h}`" for h in elsewhere),
                          first_registry=elsewhere[0])
            yield Hit(login.path, login.span, fields, reference or None)


# -- TL212: literal credentials ------------------------------------------------------------------------------


def check_hardcoded_credentials(rule: Rule, project: Project) -> Iterator[Hit]:
    ignore = {str(v) for v in rule.params.get("ignore-values") or ()}
    for command in _commands(rule, project):
        password = command.attributes.get("password")
        if not isinstance(password, Word):
            continue
        value = password.value
        if not value or value in ignore or _templated(value) or any(s.value is None for s in password.via):
            continue
        if re.fullmatch(r"<[^<>]*>|\*+|x+|X+|\.\.\.|…", value):
            continue  # a placeholder in documentation-style scripts
        defined = next((s for s in password.via if s.location is not None and s.value == value), None)
        fields = command_fields(command)
        fields.update(
            reference=_registry_text(command),
            where=f" (defined as {defined.name})" if defined is not None else "",
            written=password.written,
        )
        if defined is not None and defined.location is not None:
            yield Hit(defined.location.path, defined.location.span, fields)
        else:
            yield Hit(command.path, password.span, fields)
