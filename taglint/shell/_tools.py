"""Tool recognisers: one simple command's words → :class:`Command` facts.

Internal to :mod:`taglint.shell`; the attribute keys are documented there.
Option tables list the options that take a separate value, so positionals
are found the way the tool's own flag parser finds them.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from taglint.model import Command, ImageRef, Word

if TYPE_CHECKING:
    from taglint.shell._analyze import Analyzer, Arg, SimpleCommand

# -- wrappers --------------------------------------------------------------

_SUDO_VALUE = {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R", "--user", "--group",
               "--close-from", "--chdir", "--host", "--prompt", "--role", "--type", "--other-user",
               "--command-timeout", "--chroot"}
_ENV_VALUE = {"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}
_TIME_VALUE = {"-f", "--format", "-o", "--output"}
_EXEC_VALUE = {"-a"}
_NICE_VALUE = {"-n", "--adjustment"}
_IONICE_VALUE = {"-c", "-n", "-p", "-P", "-u", "--class", "--classdata"}
_TIMEOUT_VALUE = {"-s", "--signal", "-k", "--kill-after"}
_STDBUF_VALUE = {"-i", "-o", "-e", "--input", "--output", "--error"}
_FLOCK_VALUE = {"-w", "--timeout", "-E", "--conflict-exit-code"}
_XARGS_VALUE = {"-a", "--arg-file", "-d", "--delimiter", "-E", "-L", "--max-lines", "-n", "--max-args", "-P",
                "--max-procs", "-s", "--max-chars", "--process-slot-var", "-I", "-J", "-R", "-S"}
# retry tools and functions: kadwanev/retry (-t -s -m -x -f), minfrin/retry
# (--times --delay --until), joshdk/retry (-attempts -sleep ...), retry-cli (-n)
_RETRY_VALUE = {"-t", "--times", "--tries", "-s", "--sleep", "-sleep", "-d", "--delay", "-delay", "-m", "--min",
                "-x", "--max", "-f", "--fail", "-u", "--until", "-n", "--retries", "-r", "-a", "--attempts",
                "-attempts", "-c", "--count", "-i", "--interval", "-w", "--wait", "-b", "--backoff", "-backoff",
                "-jitter", "-max-time", "-task-time", "--message", "-e", "--timeout"}
# names of commands that run their arguments again on failure
_RETRY_NAME = re.compile(r"(?:^|[_-])retry(?:$|[_-])|^with[_-]?backoff$|^backoff$", re.IGNORECASE)
# what a retry wrapper takes before the command: counts and delays (3, 20, 5s, 1.5m)
_COUNT_OR_DURATION = re.compile(r"^\d+(?:\.\d+)?[smhd]?$")
_PASS_THROUGH = frozenset({"nohup", "winpty", "builtin", "chronic", "unbuffer", "setsid", "caffeinate", "catchsegv"})
# what xargs puts where its replace string was: a value known only at run time
XARGS_INPUT = "$(xargs)"
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_ENGINE_VAR = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|\(([A-Za-z_][A-Za-z0-9_]*)\)|([A-Za-z_][A-Za-z0-9_]*))$")
_ENGINE_NAME = re.compile(
    r"DOCKER|PODMAN|NERDCTL|BUILDAH|ENGINE|CONTAINER_(?:CLI|CMD|TOOL|RUNTIME|BIN|EXE|MANAGER)|OCI_(?:BIN|CLI|RUNTIME)"
    r"|^CRI$|^CLI$|^RUNTIME$|CONTAINER_ENGINE",
    re.IGNORECASE,
)
_DOCKER_LIKE = {"docker", "podman", "nerdctl", "finch", "podman-remote", "docker.exe", "podman.exe"}

# -- docker-like global options --------------------------------------------

_GLOBAL_VALUE = {
    # docker
    "--config", "-c", "--context", "-H", "--host", "-l", "--log-level", "--tlscacert", "--tlscert", "--tlskey",
    # podman
    "--connection", "--url", "--identity", "--root", "--runroot", "--storage-driver", "--storage-opt",
    "--cgroup-manager", "--module", "--events-backend", "--hooks-dir", "--imagestore", "--network-cmd-path",
    "--network-config-dir", "--runtime", "--runtime-flag", "--ssh", "--tmpdir", "--volumepath", "--conmon",
    "--registries-conf",
    # nerdctl
    "-n", "--namespace", "-a", "--address", "--snapshotter", "--cni-path", "--cni-netconfpath", "--data-root",
    "--host-gateway-ip", "--hosts-dir", "--bridge-ip",
}
_GLOBAL_INSECURE = {"--insecure-registry"}  # nerdctl global

# -- per-subcommand options that take a value -------------------------------

_PUSH_VALUE = {"--platform", "--creds", "--authfile", "--cert-dir", "--compression-format", "--compression-level",
               "--digestfile", "--format", "-f", "--sign-by", "--sign-by-sigstore", "--sign-by-sigstore-private-key",
               "--sign-passphrase-file", "--encryption-key", "--retry", "--retry-delay", "--cosign-key",
               "--notation-key-name", "--sign", "--signature-policy", "--ipfs-address", "--soci-span-size",
               "--soci-min-layer-size"}
_LOGIN_VALUE = {"-u", "--username", "-p", "--password", "--creds", "--authfile", "--cert-dir", "--secret",
                "--compat-auth-file", "--identity-token", "--registry-config", "--ca-file", "--cert-file",
                "--key-file", "--tls-verify", "--config", "--resolve", "--namespace", "-n"}
_BUILD_VALUE = {
    "-t", "--tag", "-f", "--file", "--build-arg", "--build-context", "--cache-from", "--cache-to", "--platform",
    "--target", "--label", "--network", "--secret", "--ssh", "-o", "--output", "--progress", "--iidfile",
    "--metadata-file", "--add-host", "--allow", "--annotation", "--attest", "--builder", "--cgroup-parent",
    "--cpu-period", "--cpu-quota", "-c", "--cpu-shares", "--cpuset-cpus", "--cpuset-mems", "--isolation",
    "-m", "--memory", "--memory-swap", "--shm-size", "--ulimit", "--call", "--sbom", "--provenance",
    "--no-cache-filter", "--security-opt", "--userns", "--squash-all", "--layers-from", "--authfile", "--creds",
    "--cert-dir", "--format", "--jobs", "--logfile", "--manifest", "--os", "--arch", "--variant",
    "--runtime", "--runtime-flag", "--sign-by", "--signature-policy", "--timestamp", "--volume", "-v",
    "--build-arg-file", "--env", "--from", "--hooks-dir", "--ignorefile", "--iidfile-raw", "--cache-ttl",
    "--unsetenv", "--unsetlabel", "--decryption-key", "--device", "--dns", "--dns-option", "--dns-search",
    "--group-add", "--ipc", "--pid", "--uts", "--cgroupns", "--retry", "--retry-delay", "--sbom-output",
    "--sbom-image-output", "--sbom-scanner-command", "--sbom-merge-strategy", "--source-date-epoch",
}
_RUN_VALUE = {
    "-a", "--attach", "--add-host", "--annotation", "--blkio-weight", "--blkio-weight-device", "--cap-add",
    "--cap-drop", "--cgroup-parent", "--cgroupns", "--cidfile", "--cpu-period", "--cpu-quota", "--cpu-rt-period",
    "--cpu-rt-runtime", "-c", "--cpu-shares", "--cpus", "--cpuset-cpus", "--cpuset-mems", "--device",
    "--device-cgroup-rule", "--device-read-bps", "--device-read-iops", "--device-write-bps", "--device-write-iops",
    "--dns", "--dns-option", "--dns-search", "--domainname", "--entrypoint", "-e", "--env", "--env-file",
    "--expose", "--gpus", "--group-add", "--health-cmd", "--health-interval", "--health-retries",
    "--health-start-period", "--health-start-interval", "--health-timeout", "-h", "--hostname", "--ip", "--ip6",
    "--ipc", "--isolation", "--kernel-memory", "-l", "--label", "--label-file", "--link", "--link-local-ip",
    "--log-driver", "--log-opt", "--mac-address", "-m", "--memory", "--memory-reservation", "--memory-swap",
    "--memory-swappiness", "--mount", "--name", "--network", "--net", "--network-alias", "--oom-score-adj",
    "--pid", "--pids-limit", "--platform", "-p", "--publish", "--pull", "--restart", "--runtime",
    "--security-opt", "--shm-size", "--stop-signal", "--stop-timeout", "--storage-opt", "--sysctl", "--tmpfs",
    "--ulimit", "-u", "--user", "--userns", "--uts", "-v", "--volume", "--volume-driver", "--volumes-from",
    "-w", "--workdir", "--detach-keys", "--arch", "--os", "--variant", "--authfile", "--creds", "--cert-dir",
    "--pod", "--secret", "--uidmap", "--gidmap", "--subuidname", "--subgidname", "--systemd", "--timeout",
    "--tz", "--umask", "--chrootdirs", "--passwd-entry", "--group-entry", "--hostuser", "--init-path",
    "--preserve-fds", "--rdt-class", "--requires", "--seccomp-policy", "--sdnotify", "--personality",
    "--pidfile", "--conmon-pidfile", "--cgroup-conf", "--cgroups", "--image-volume", "--decryption-key",
    "--retry", "--retry-delay", "--health-on-failure", "--log-level", "--cpu-count", "--cpu-percent",
    "--io-maxbandwidth", "--io-maxiops",
}
_RUN_SHORT_VALUE = set("acehlmpuvw")
_PULL_VALUE = {"--platform", "--creds", "--authfile", "--cert-dir", "--arch", "--os", "--variant",
               "--decryption-key", "--retry", "--retry-delay", "--policy", "--unpack"}
_SKOPEO_GLOBAL_VALUE = {"--override-arch", "--override-os", "--override-variant", "--policy", "--registries.d",
                        "--tmpdir", "--command-timeout", "--registries-conf", "--user-agent"}
_SKOPEO_COPY_VALUE = {
    "--authfile", "--src-authfile", "--dest-authfile", "--src-creds", "--dest-creds", "--src-cert-dir",
    "--dest-cert-dir", "--src-registry-token", "--dest-registry-token", "--src-username", "--src-password",
    "--dest-username", "--dest-password", "--format", "-f", "--multi-arch", "--digestfile", "--sign-by",
    "--sign-passphrase-file", "--sign-by-sigstore", "--sign-by-sigstore-private-key", "--sign-identity",
    "--src-shared-blob-dir", "--dest-shared-blob-dir", "--src-daemon-host", "--dest-daemon-host",
    "--dest-compress-format", "--dest-compress-level", "--encryption-key", "--encrypt-layer", "--decryption-key",
    "--additional-tag", "--retry-times", "--retry-delay", "--image-parallel-copies", "--sign-by-sq-fingerprint",
    "--dest-decompress",
}
_CRANE_GLOBAL_VALUE = {"--platform"}
_CRANE_SUB_VALUE = {
    "push": {"--image-refs"},
    "copy": {"-j", "--jobs"},
    "cp": {"-j", "--jobs"},
    "append": {"-b", "--base", "-t", "--new_tag", "-f", "--new_layer", "-o", "--output"},
    "mutate": {"-a", "--annotation", "-l", "--label", "--entrypoint", "--cmd", "-e", "--env", "--exposed-ports",
               "--user", "--workdir", "-t", "--tag", "-o", "--output", "--append", "--repo"},
    "auth": {"-u", "--username", "-p", "--password"},
}
_ORAS_VALUE = {"-u", "--username", "-p", "--password", "--config", "--artifact-type", "-a", "--annotation",
               "--annotation-file", "--export-manifest", "--concurrency", "--registry-config", "--ca-file",
               "--cert-file", "--key-file", "--resolve", "--format", "--oci-layout-path", "--image-spec",
               "--distribution-spec", "--template", "--identity-token", "--subject", "--from-oci-layout-path",
               "--to-username", "--to-password", "--from-username", "--from-password", "--to-registry-config",
               "--from-registry-config", "--to-ca-file", "--from-ca-file", "-r", "--platform"}
_KANIKO_VALUE = {"-d", "--destination", "-c", "--context", "-f", "--dockerfile", "--build-arg", "--cache-repo",
                 "--cache-dir", "--cache-ttl", "--digest-file", "--image-name-with-digest-file",
                 "--image-name-tag-with-digest-file", "--insecure-registry", "--skip-tls-verify-registry",
                 "--label", "--log-format", "--log-timestamp", "-v", "--verbosity", "--oci-layout-path",
                 "--registry-mirror", "--registry-map", "--registry-certificate", "--registry-client-cert",
                 "--snapshot-mode", "--tar-path", "--target", "--custom-platform", "--image-fs-extract-retry",
                 "--push-retry", "--compression", "--compression-level", "--ignore-path", "--kaniko-dir",
                 "--git", "--credential-helpers"}
_KO_VALUE = {"-t", "--tags", "--platform", "--image-refs", "--sbom", "--sbom-dir", "--image-label",
             "--image-annotation", "--image-user", "-f", "--filename", "--tag-only", "--debug"}
_HELM_VALUE = {"--ca-file", "--cert-file", "--key-file", "--username", "--password", "-u", "-p",
               "--kubeconfig", "--kube-context", "-n", "--namespace", "--registry-config", "--repository-config",
               "--repository-cache", "--burst-limit", "--qps", "--kube-apiserver", "--kube-as-group",
               "--kube-as-user", "--kube-ca-file", "--kube-insecure-skip-tls-verify", "--kube-tls-server-name",
               "--kube-token"}
_AZ_VALUE = {"-n", "--name", "-r", "--registry", "-t", "--image", "-f", "--file", "--subscription",
             "-g", "--resource-group", "--platform", "--build-arg", "--secret-build-arg", "--target", "--timeout",
             "--agent-pool", "--auth-mode", "--log-template", "--username", "-u", "--password", "-p", "--suffix",
             "--output", "-o", "--query", "--source-acr-auth-id"}
_GCLOUD_VALUE = {"--tag", "-t", "--config", "--project", "--region", "--account", "--machine-type",
                 "--substitutions", "--timeout", "--gcs-log-dir", "--gcs-source-staging-dir", "--pack",
                 "--service-account", "--worker-pool", "--default-buckets-behavior", "--ignore-file",
                 "--disk-size", "--impersonate-service-account", "--verbosity", "--format", "--configuration",
                 "--billing-project", "--flags-file", "--flatten", "--trace-token", "--git-source-dir",
                 "--git-source-revision", "--dir", "--polling-interval", "--memory"}

# Cloud CLIs whose registry login stores Docker credentials: program ->
# (verb words, the hosts it logs in to, options that take a value, the
# option naming the host).  () hosts: the host is not known from the line.
_CLOUD_LOGINS: dict[str, tuple[tuple[str, ...], tuple[str, ...], frozenset[str], str | None]] = {
    "ibmcloud": (("cr", "login"), ("icr.io", "*.icr.io"), frozenset({"--client"}), None),
    "ic": (("cr", "login"), ("icr.io", "*.icr.io"), frozenset({"--client"}), None),
    "oc": (("registry", "login"), (), frozenset({"--registry", "-z", "--service-account", "--registry-config",
                                                 "--to", "-a", "--auth-basic", "--kubeconfig", "--context", "-n",
                                                 "--namespace", "--server", "--token"}), "--registry"),
    "doctl": (("registry", "login"), ("registry.digitalocean.com",), frozenset({"--expiry-seconds", "--context",
                                                                              "-t", "--access-token"}), None),
    "heroku": (("container:login",), ("registry.heroku.com",), frozenset(), None),
    "flyctl": (("auth", "docker"), ("registry.fly.io",), frozenset(), None),
    "fly": (("auth", "docker"), ("registry.fly.io",), frozenset(), None),
    "scw": (("registry", "login"), ("rg.*.scw.cloud",), frozenset({"region", "program"}), None),
    "regctl": (("registry", "login"), (), frozenset({"-u", "--user", "-p", "--pass", "--host"}), ""),
}

GCR_DEFAULT_HOSTS = ("gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io", "staging-k8s.gcr.io", "marketplace.gcr.io")
_CONFIG_FILE = re.compile(r"(?:^|/)\.docker/config\.json$|(?:^|/)containers/auth\.json$|(?:^|/)auth\.json$|/kaniko/\.docker/config\.json$")


def _base(value: str) -> str:
    name = value.rsplit("/", 1)[-1]
    if name.lower().endswith(".exe"):
        name = name[:-4]
    return name


class _Cursor:
    """Options and positionals of one command, parsed against a table of
    value-taking options."""

    def __init__(self, args: Sequence[Arg], value_options: set[str] | frozenset[str],
                 short_value: set[str] | None = None) -> None:
        self.options: list[tuple[str, Arg, Arg | None, str | None]] = []  # (name, flag word, value word, value)
        self.positionals: list[Arg] = []
        i = 0
        n = len(args)
        while i < n:
            arg = args[i]
            v = arg.value
            if v == "--" and not arg.expanded:
                self.positionals.extend(args[i + 1:])
                break
            if v.startswith("--") and len(v) > 2:
                name, eq, val = v.partition("=")
                if eq:
                    self.options.append((name, arg, None, val))
                elif name in value_options and i + 1 < n:
                    self.options.append((name, arg, args[i + 1], args[i + 1].value))
                    i += 1
                else:
                    self.options.append((name, arg, None, None))
            elif v.startswith("-") and len(v) > 1 and v != "-":
                short = v[:2]
                if len(v) > 2:
                    if short in value_options and (short_value is None or short[1] in short_value):
                        # -tNAME, -pPASS
                        if v[2] == "=":
                            self.options.append((short, arg, None, v[3:]))
                        else:
                            self.options.append((short, arg, None, v[2:]))
                    elif short_value is not None and v[-1] in short_value and i + 1 < n:
                        # -dp 8080:80: clustered flags, the last takes a value
                        self.options.append(("-" + v[-1], arg, args[i + 1], args[i + 1].value))
                        i += 1
                    else:
                        for ch in v[1:]:
                            self.options.append(("-" + ch, arg, None, None))
                elif short in value_options and i + 1 < n:
                    self.options.append((short, arg, args[i + 1], args[i + 1].value))
                    i += 1
                else:
                    self.options.append((short, arg, None, None))
            else:
                self.positionals.append(arg)
            i += 1

    def has(self, *names: str) -> tuple[str, Arg, Arg | None, str | None] | None:
        for option in self.options:
            if option[0] in names:
                return option
        return None

    def all(self, *names: str) -> list[tuple[str, Arg, Arg | None, str | None]]:
        return [o for o in self.options if o[0] in names]

    def flag_false(self, *names: str) -> Arg | None:
        """The word of ``--name=false`` (Go bool flags take no separate value)."""
        for name, flag, _value_arg, value in self.options:
            if name in names and value is not None and value.strip().lower() in ("false", "0", "f"):
                return flag
        return None

    def flag_true(self, *names: str) -> Arg | None:
        for name, flag, _value_arg, value in self.options:
            if name in names and (value is None or value.strip().lower() in ("true", "1", "t", "")):
                return flag
        return None


def _value_word(option: tuple[str, Arg, Arg | None, str | None]) -> Word:
    """The word carrying an option's value (``-t x`` → ``x``; ``--tag=x`` → a
    word for ``x`` inside the flag word, when the text allows it)."""
    _name, flag, value_arg, value = option
    if value_arg is not None:
        return value_arg.word
    return _sub_word(flag.word, value or "")


def _sub_word(word: Word, value: str) -> Word:
    """A word for the tail ``value`` of ``word`` (``--tag=app`` → ``app``)."""
    span = word.span
    if word.written.endswith(value) and span.line == span.end_line and value and not word.via:
        start = span.end_column - len(value)
        from taglint.model import Span

        return Word(value, value, Span(span.line, start, span.end_line, span.end_column), ())
    return Word(word.written, value, span, word.via)


def _strip_transport(word: Word, prefixes: tuple[str, ...] = ("docker://",)) -> Word | None:
    value = word.value
    for prefix in prefixes:
        if value.startswith(prefix):
            return Word(word.written, value[len(prefix):], word.span, word.via)
    return word


class _Recogniser:
    def __init__(self, simple: SimpleCommand, analyzer: Analyzer) -> None:
        self.simple = simple
        self.analyzer = analyzer
        self.commands: list[Command] = []
        self.images: list[ImageRef] = []
        self.wrappers: list[str] = []
        self.forced_engine: str | None = None
        self.tool_index = 0
        self.appended_args = False  # xargs adds words the line does not show

    # -- output ------------------------------------------------------------

    def emit(self, tool: str, action: str, args: Sequence[Arg], **attributes: Any) -> None:
        simple = self.simple
        attributes = {k: v for k, v in attributes.items() if v is not None}
        if self.wrappers:
            attributes.setdefault("wrapper", " ".join(self.wrappers))
        attributes.setdefault("verb", self.verb(args))
        attributes.setdefault("editable", self.analyzer.editable)
        if simple.branch:
            counts = self.analyzer.branch_counts
            attributes.setdefault("branch", tuple((point, index, counts.get(point, 0)) for point, index in simple.branch))
        self.commands.append(
            Command(
                path=self.analyzer.path,
                span=self.analyzer.span(simple.start, simple.end),
                kind=self.analyzer.kind,
                tool=tool,
                action=action,
                args=tuple(a.word for a in args),
                scope=self.analyzer.scope,
                written=simple.written,
                attributes=attributes,
            )
        )

    def verb(self, args: Sequence[Arg]) -> str:
        """The command as users name it: ``docker buildx build``, ``skopeo copy``."""
        words = self.simple.args
        start = self.tool_index
        end = len(words)
        if args:
            for index, arg in enumerate(words):
                if arg is args[0]:
                    end = index
                    break
        names = [_base(words[start].value)] if start < len(words) else []
        if self.forced_engine is not None:
            names = ["gcloud docker --"] + names
        for arg in words[start + 1:end]:
            if re.fullmatch(r"[a-z][a-z-]*", arg.value):
                names.append(arg.value)
        return " ".join(names)

    def image(self, arg: Arg, context: str) -> None:
        value = arg.value
        if not value or value.startswith(("-", "$(", "`")):
            return  # an option, or an image id computed at run time (`$(docker build -q .)`)
        self.images.append(
            ImageRef(
                path=self.analyzer.path,
                span=arg.word.span,
                written=arg.written,
                value=value,
                kind=self.analyzer.kind,
                context=context,
                via=arg.word.via,
                stage=self.analyzer.scope,
            )
        )

    # -- entry -------------------------------------------------------------

    def run(self) -> None:
        args = list(self.simple.args)
        self.config_file_writes(args)
        args = self.strip_wrappers(args)
        if not args:
            return
        self.tool_index = next((i for i, a in enumerate(self.simple.args) if a is args[0]), 0)
        if self.forced_engine is not None:
            self.docker_like(self.forced_engine, args)
            return
        name = _base(args[0].value)
        rest = args[1:]
        if name in _SHELLS:
            script = _dash_c(args)
            if script is not None:
                self.nested(script)
            return
        engine = self.engine_of(args[0])
        if engine is not None:
            self.docker_like(engine, rest)
        elif name == "docker-compose":
            self.compose(rest, tool="docker")
        elif name == "buildah":
            self.buildah(rest)
        elif name == "skopeo":
            self.skopeo(rest)
        elif name in ("crane", "gcrane"):
            self.crane(name, rest)
        elif name == "oras":
            self.oras(rest)
        elif name == "executor" or (args[0].value.endswith("/executor") and "kaniko" in args[0].value):
            self.kaniko(rest)
        elif name == "ko":
            self.ko(rest)
        elif name == "helm":
            self.helm(rest)
        elif name == "aws":
            self.aws(rest)
        elif name == "gcloud":
            self.gcloud(rest)
        elif name == "az":
            self.az(rest)
        elif name in _CLOUD_LOGINS:
            self.cloud_login(name, rest)
        elif name == "docker-credential-gcr":
            if rest and rest[0].value == "configure-docker":
                cursor = _Cursor(rest[1:], {"--registries"})
                option = cursor.has("--registries")
                hosts = tuple(h.strip() for h in option[3].split(",") if h.strip()) if option and option[3] else GCR_DEFAULT_HOSTS
                self.emit("gcloud", "login", rest, servers=hosts, stdin_from=None)

    def nested(self, script: Arg) -> None:
        """``sh -c '...'``: the argument is a script of its own."""
        from taglint.shell._analyze import Analyzer

        outer = self.analyzer
        if outer.nesting >= 3:
            return
        text = script.value
        exact = len(script.written) == len(text) + 2 and script.written[1:-1] == text
        base = script.start + 1

        if exact:
            def position(offset: int) -> tuple[int, int]:
                return outer._position(base + offset)

            def end_position(offset: int) -> tuple[int, int]:
                return outer._end_position(base + offset)

            def original(start: int, end: int) -> str:
                return outer.original(base + start, base + end)
        else:
            def position(offset: int) -> tuple[int, int]:
                return outer._position(script.start)

            def end_position(offset: int) -> tuple[int, int]:
                return outer._end_position(script.end)

            def original(start: int, end: int) -> str:
                return text[start:end]

        inner = Analyzer(text, path=outer.path, kind=outer.kind, scope=outer.scope, position=position,
                         env=outer.env, original=original, editable=outer.editable and exact,
                         end_position=end_position,
                         via_ranges=[(0, len(text), script.word.via)] if script.word.via else ())
        inner.nesting = outer.nesting + 1
        inner.branch_context = self.simple.branch
        inner.branch_counts = outer.branch_counts
        for simple in inner.run():
            commands, images = recognise(simple, inner)
            self.commands.extend(commands)
            self.images.extend(images)

    def engine_of(self, arg: Arg) -> str | None:
        value = arg.value
        name = _base(value)
        if name in _DOCKER_LIKE:
            return {"docker.exe": "docker", "podman.exe": "podman", "podman-remote": "podman", "finch": "docker"}.get(
                name, name
            )
        m = _ENGINE_VAR.match(value)
        variable = m and (m.group(1) or m.group(2) or m.group(3))
        if variable and _ENGINE_NAME.search(variable):
            upper = variable.upper()
            self.wrappers.append(arg.written)
            for tool in ("podman", "nerdctl", "buildah"):
                if tool.upper() in upper:
                    return tool if tool != "buildah" else None
            return "docker"
        return None

    def strip_wrappers(self, args: list[Arg]) -> list[Arg]:
        guard = 0
        while args and guard < 20:
            guard += 1
            name = _base(args[0].value)
            if name in ("sudo", "doas"):
                args = self._skip_options(args[1:], _SUDO_VALUE)
                while args and _ASSIGNMENT.match(args[0].value):
                    args = args[1:]
            elif name == "env":
                args = self._skip_options(args[1:], _ENV_VALUE)
                if args and args[0].value == "-":  # env - A=b cmd: an empty environment
                    args = args[1:]
                while args and _ASSIGNMENT.match(args[0].value):
                    args = args[1:]
            elif name == "command":
                if len(args) > 1 and args[1].value in ("-v", "-V"):
                    return []
                args = self._skip_options(args[1:], set())
            elif name == "time":
                args = self._skip_options(args[1:], _TIME_VALUE)
            elif name == "exec":
                args = self._skip_options(args[1:], _EXEC_VALUE)
            elif name in _PASS_THROUGH:
                args = self._skip_options(args[1:], set())
            elif name == "flock":
                args = self._skip_options(args[1:], _FLOCK_VALUE)
                args = args[1:]  # the lock file
                if args and args[0].value in ("-c", "--command") and len(args) > 1:
                    self.nested(args[1])
                    return []
            elif name == "xargs":
                args = self._xargs(args[1:])
            elif _RETRY_NAME.search(name) or name in self.analyzer.wrapper_functions():
                args = self._retried(args[1:], known_tool=name not in self.analyzer.functions)
                if len(args) == 1 and " " in args[0].value.strip() and not args[0].expanded:
                    self.wrappers.append(name)
                    self.nested(args[0])  # retry -t 3 'docker push …': a script of its own
                    return []
            elif name == "nice":
                args = self._skip_options(args[1:], _NICE_VALUE)
            elif name == "ionice":
                args = self._skip_options(args[1:], _IONICE_VALUE)
            elif name == "stdbuf":
                args = self._skip_options(args[1:], _STDBUF_VALUE)
            elif name == "timeout":
                args = self._skip_options(args[1:], _TIMEOUT_VALUE)
                args = args[1:]  # the duration
            elif name == "lima" and len(args) > 1 and args[1].value == "nerdctl":
                args = args[1:]
            elif name == "gcloud" and "docker" in [a.value for a in args[1:4]]:
                values = [a.value for a in args]
                index = values.index("docker")
                if "--" in values[index:]:
                    self.wrappers.append("gcloud docker --")
                    self.forced_engine = "docker"
                    return args[values.index("--", index) + 1:]
                if "--authorize-only" in values or "-a" in values:
                    self.emit("gcloud", "login", args, servers=GCR_DEFAULT_HOSTS)
                return []
            else:
                break
            self.wrappers.append(name)
        return args

    def _retried(self, args: list[Arg], known_tool: bool) -> list[Arg]:
        """What a retry wrapper runs: its options (those of known retry
        tools), counts and delays, and ``--`` are skipped."""
        i = 0
        while i < len(args):
            arg = args[i]
            v = arg.value
            if v == "--":
                return args[i + 1:]
            if known_tool and v.startswith("-") and len(v) > 1:
                i += 2 if v in _RETRY_VALUE and i + 1 < len(args) else 1
            elif _COUNT_OR_DURATION.match(v) or _opaque(arg):
                i += 1
            else:
                break
        return args[i:]

    def _xargs(self, args: list[Arg]) -> list[Arg]:
        """The command ``xargs`` runs.  With ``-I R`` (``-i``, ``--replace``,
        BSD ``-J R``) each ``R`` in its words is an input line, known only at
        run time; without it the input lines are appended as more words."""
        replace: str | None = None
        i = 0
        while i < len(args):
            v = args[i].value
            if v == "--":
                i += 1
                break
            if not v.startswith("-") or v == "-":
                break
            name, eq, value = v.partition("=")
            if name in ("-I", "-J") and len(v) == 2 and i + 1 < len(args):
                replace = args[i + 1].value
                i += 2
                continue
            if v[:2] in ("-I", "-J") and not v.startswith("--"):
                replace = v[2:]
            elif v.startswith("-i") and not v.startswith("--"):
                replace = v[2:] or "{}"
            elif name == "--replace":
                replace = value if eq else "{}"
            elif not eq and v in _XARGS_VALUE and i + 1 < len(args):
                i += 2
                continue
            i += 1
        args = args[i:]
        if not replace:
            self.appended_args = True
            return args
        from taglint.model import Step

        step = Step(f"xargs -I {replace} input", None)
        out: list[Arg] = []
        for arg in args:
            if replace in arg.value:
                word = Word(arg.word.written, arg.value.replace(replace, XARGS_INPUT), arg.word.span,
                            arg.word.via + (step,))
                arg = type(arg)(word, arg.start, arg.end, arg.node_type, arg.expanded)
            out.append(arg)
        return out

    @staticmethod
    def _skip_options(args: list[Arg], value_options: set[str]) -> list[Arg]:
        i = 0
        while i < len(args):
            v = args[i].value
            if v == "--":
                return args[i + 1:]
            if not v.startswith("-") or v == "-":
                break
            if v in value_options and "=" not in v:
                i += 2
            else:
                i += 1
        return args[i:]

    # -- side channels -----------------------------------------------------

    def config_file_writes(self, args: list[Arg]) -> None:
        """Writing a registry auth file is a login (GitLab + kaniko)."""
        written_to: list[Arg] = list(self.simple.redirect_targets)
        name = _base(args[0].value) if args else ""
        if name in ("tee", "cp", "mv", "install", "ln") and len(args) > 1:
            written_to.append(args[-1])
        for target in written_to:
            if _CONFIG_FILE.search(target.value.rstrip()):
                self.emit("docker-config", "login", [target], server=None, config_file=target.word)
                return

    # -- docker, podman, nerdctl -------------------------------------------

    def docker_like(self, tool: str, args: list[Arg]) -> None:
        insecure: Arg | None = None
        i = 0
        while i < len(args) and args[i].value.startswith("-") and args[i].value != "-":
            v = args[i].value
            name = v.split("=", 1)[0]
            if name in _GLOBAL_INSECURE and ("=" not in v or v.split("=", 1)[1] != ""):
                insecure = args[i]
            if "=" not in v and name in _GLOBAL_VALUE:
                i += 2
            else:
                i += 1
        args = args[i:]
        if not args:
            return
        sub = args[0].value
        rest = args[1:]
        if sub in ("image", "container", "builder", "buildx", "manifest", "compose") and rest:
            sub2 = rest[0].value
            rest2 = rest[1:]
            if sub == "image" and sub2 in ("push", "tag", "build", "pull") or sub == "container" and sub2 in ("run", "create"):
                sub, rest = sub2, rest2
            elif sub == "builder" and sub2 == "build":
                sub, rest = "build", rest2
            elif sub == "buildx":
                rest2 = self._skip_buildx_globals(rest)
                if not rest2:
                    return
                sub2 = rest2[0].value
                if sub2 in ("build", "b"):
                    sub, rest = "build", rest2[1:]
                elif sub2 == "bake":
                    self.bake(tool, rest2[1:])
                    return
                elif sub2 == "imagetools" and len(rest2) > 1 and rest2[1].value == "create":
                    self.imagetools(tool, rest2[2:])
                    return
                else:
                    return
            elif sub == "manifest" and sub2 == "push":
                self.manifest_push(tool, rest2)
                return
            elif sub == "compose":
                self.compose(rest, tool=tool)
                return
            else:
                return
        if sub == "push":
            self.push(tool, rest, insecure)
        elif sub == "tag":
            self.tag(tool, rest)
        elif sub == "build":
            self.build(tool, rest, insecure)
        elif sub == "login":
            self.login(tool, rest, insecure)
        elif sub in ("run", "create"):
            self.run_image(tool, sub, rest)
        elif sub == "pull":
            cursor = _Cursor(rest, _PULL_VALUE)
            if cursor.positionals:
                self.image(cursor.positionals[0], f"{tool} pull")

    @staticmethod
    def _skip_buildx_globals(args: list[Arg]) -> list[Arg]:
        i = 0
        while i < len(args) and args[i].value.startswith("-"):
            v = args[i].value
            i += 2 if v in ("--builder",) else 1
        return args[i:]

    def push(self, tool: str, args: list[Arg], insecure: Arg | None) -> None:
        cursor = _Cursor(args, _PUSH_VALUE)
        insecure_flag = self._tls_off(cursor) or insecure
        if insecure_flag is None and tool == "nerdctl":
            found = cursor.flag_true("--insecure-registry")
            insecure_flag = found
        all_tags = cursor.has("-a", "--all-tags") if tool in ("docker", "nerdctl") else None
        positionals = cursor.positionals
        if not positionals:
            if self.appended_args:  # `… | xargs docker push`: the images come from the input
                self.emit(tool, "push", args, targets=(), push=True, unknown_targets=True)
            return
        if tool in ("podman",) and len(positionals) >= 2:
            dest = positionals[1]
        else:
            dest = positionals[0]
        target = _strip_transport(dest.word)
        if target is None or not _is_registry_destination(target.value, dest.value):
            return
        creds = self._creds(cursor, "--creds")
        self.emit(
            tool, "push", args,
            targets=(target,), push=True, default_tag="latest",
            all_tags=all_tags[1].word if all_tags else None,
            unknown_targets=True if all_tags else None,
            insecure=insecure_flag.word if insecure_flag else None,
            sources=(positionals[0].word,) if tool == "podman" and len(positionals) >= 2 else None,
            **creds,
        )

    def tag(self, tool: str, args: list[Arg]) -> None:
        cursor = _Cursor(args, set())
        if len(cursor.positionals) < 2:
            return
        self.emit(tool, "tag", args, sources=(cursor.positionals[0].word,),
                  targets=tuple(a.word for a in cursor.positionals[1:]), push=False, default_tag="latest")

    def build(self, tool: str, args: list[Arg], insecure: Arg | None) -> None:
        cursor = _Cursor(args, _BUILD_VALUE)
        tags = [_value_word(o) for o in cursor.all("-t", "--tag") if o[3]]
        push = cursor.flag_true("--push") is not None and cursor.flag_false("--push") is None
        by_digest = False
        registry_insecure: Word | None = None
        names: list[Word] = []
        for option in cursor.all("-o", "--output"):
            spec = option[3] or ""
            fields = _csv(spec)
            out_type = fields.get("type", "" if "=" in spec else "local")
            if out_type == "registry" or (out_type in ("image", "oci-image") and _truthy(fields.get("push"))):
                push = True
            if _truthy(fields.get("push-by-digest")):
                by_digest = True
            if _truthy(fields.get("registry.insecure")) or _truthy(fields.get("insecure")):
                registry_insecure = _value_word(option)
            if fields.get("name") and out_type in ("image", "registry", "oci-image"):
                for name in _split_names(fields["name"]):
                    names.append(Word(option[1].written if option[2] is None else option[2].written, name,
                                      (option[2] or option[1]).word.span, (option[2] or option[1]).word.via))
        targets = tuple(tags) + tuple(names)
        missing = push and not targets and not any(_opaque(a) for a in args)
        insecure_word = registry_insecure or (insecure.word if insecure else None)
        tls = self._tls_off(cursor)
        if tls is not None:
            insecure_word = insecure_word or tls.word
        self.emit(
            tool, "build", args,
            targets=targets, push=push, default_tag=None if by_digest else "latest",
            by_digest=by_digest or None, missing_tag=missing or None, insecure=insecure_word,
        )

    def bake(self, tool: str, args: list[Arg]) -> None:
        cursor = _Cursor(args, {"-f", "--file", "--set", "--progress", "--metadata-file", "--call", "--allow",
                                "--provenance", "--sbom", "--builder"})
        push = cursor.flag_true("--push") is not None
        for option in cursor.all("--set"):
            if option[3] and re.search(r"\.output=.*type=registry", option[3]):
                push = True
        if push:
            self.emit(tool, "build", args, targets=(), push=True, unknown_targets=True)

    def imagetools(self, tool: str, args: list[Arg]) -> None:
        cursor = _Cursor(args, {"-t", "--tag", "-f", "--file", "--annotation", "--progress", "--builder",
                                "--platform", "--prefer-index"})
        if cursor.has("--dry-run"):
            return
        tags = tuple(_value_word(o) for o in cursor.all("-t", "--tag") if o[3])
        self.emit(tool, "push", args, targets=tags, sources=tuple(a.word for a in cursor.positionals),
                  push=True, default_tag="latest", missing_tag=None if tags else True)

    def manifest_push(self, tool: str, args: list[Arg]) -> None:
        cursor = _Cursor(args, _PUSH_VALUE)
        if not cursor.positionals:
            return
        dest = cursor.positionals[1] if tool == "podman" and len(cursor.positionals) >= 2 else cursor.positionals[0]
        target = _strip_transport(dest.word)
        insecure = cursor.flag_true("--insecure") or self._tls_off(cursor)
        self.emit(tool, "push", args, targets=(target,), push=True, default_tag="latest",
                  insecure=insecure.word if insecure else None, **self._creds(cursor, "--creds"))

    def compose(self, args: list[Arg], tool: str) -> None:
        i = 0
        while i < len(args) and args[i].value.startswith("-"):
            v = args[i].value
            i += 2 if v in ("-f", "--file", "-p", "--project-name", "--env-file", "--profile",
                            "--project-directory", "--ansi", "--progress", "--parallel") else 1
        if i < len(args) and args[i].value == "push":
            self.emit(tool, "push", args[i + 1:], targets=(), push=True, unknown_targets=True, compose=True)

    def login(self, tool: str, args: list[Arg], insecure: Arg | None) -> None:
        cursor = _Cursor(args, _LOGIN_VALUE - {"--tls-verify"})
        server = cursor.positionals[0].word if cursor.positionals else None
        tls = self._tls_off(cursor) or insecure
        facts = self._credentials(cursor)
        default_server = "docker.io" if tool in ("docker", "nerdctl") else None
        self.emit(tool, "login", args, server=server, default_server=default_server if server is None else None,
                  insecure=tls.word if tls else None, **facts)

    def _tls_off(self, cursor: _Cursor) -> Arg | None:
        return cursor.flag_false("--tls-verify", "--dest-tls-verify", "--src-tls-verify")

    def _creds(self, cursor: _Cursor, *names: str) -> dict[str, Any]:
        option = cursor.has(*names)
        if option is None or option[3] is None or ":" not in option[3]:
            return {}
        value = _value_word(option)
        user, _, password = value.value.partition(":")
        words = (option[1].word, option[2].word) if option[2] is not None else (option[1].word,)
        return {"password_in_argv": words, "password": Word(value.written, password, value.span, value.via),
                "user": Word(value.written, user, value.span, value.via), "fixable": False}

    def _credentials(self, cursor: _Cursor) -> dict[str, Any]:
        facts: dict[str, Any] = {}
        user = cursor.has("-u", "--username")
        if user is not None and user[3] is not None:
            facts["user"] = _value_word(user)
        stdin = cursor.has("--password-stdin")
        password = cursor.has("-p", "--password")
        if stdin is not None:
            facts["password_stdin"] = True
        if password is not None and password[3] is not None and password[3] != "-" and stdin is None:
            words = (password[1].word, password[2].word) if password[2] is not None else (password[1].word,)
            facts["password_in_argv"] = words
            facts["password"] = _value_word(password)
            facts["fixable"] = self._fixable(password)
        elif password is not None and password[3] == "-":
            facts["password_stdin"] = True
        else:
            creds = self._creds(cursor, "--creds")
            if creds:
                facts.update(creds)
        if facts.get("password_stdin"):
            feeder = self.simple.stdin
            if self.simple.herestring is not None:
                facts["password"] = self.simple.herestring.word
            elif feeder is not None:
                facts["stdin_from"] = feeder.written
                echoed = _echoed_word(feeder)
                if echoed is not None:
                    facts["password"] = echoed
        return facts

    def _fixable(self, option: tuple[str, Arg, Arg | None, str | None]) -> bool:
        """The TL208 rewrite is certain: stdin is free, the command is not
        inside a substitution, and the flag and value sit on one line as
        written."""
        simple = self.simple
        if not self.analyzer.editable:
            return False
        if simple.stdin is not None or simple.stdin_redirected or not simple.in_pipeline_head or simple.in_substitution:
            return False
        flag, value = option[1], option[2]
        words = [flag] if value is None else [flag, value]
        if any(w.expanded or "\n" in w.written for w in words):
            return False
        if value is None:
            return flag.written.startswith(("--password=", "-p"))
        return flag.word.span.line == value.word.span.end_line

    def run_image(self, tool: str, sub: str, args: list[Arg]) -> None:
        cursor = _Cursor(args, _RUN_VALUE, _RUN_SHORT_VALUE)
        if cursor.positionals:
            self.image(cursor.positionals[0], f"{tool} {sub}")

    # -- buildah, skopeo ------------------------------------------------------

    def buildah(self, args: list[Arg]) -> None:
        args = self._skip_options(args, {"--root", "--runroot", "--storage-driver", "--storage-opt", "--log-level",
                                         "--registries-conf", "--registries-conf-dir", "--userns-uid-map",
                                         "--userns-gid-map", "--cgroup-manager", "--short-name-alias-conf"})
        if not args:
            return
        sub = args[0].value
        rest = args[1:]
        if sub == "push":
            cursor = _Cursor(rest, _PUSH_VALUE)
            if not cursor.positionals:
                return
            dest = cursor.positionals[1] if len(cursor.positionals) >= 2 else cursor.positionals[0]
            target = _strip_transport(dest.word)
            if target is None or not _is_registry_destination(target.value, dest.value):
                return
            tls = self._tls_off(cursor)
            self.emit("buildah", "push", rest, targets=(target,), push=True, default_tag="latest",
                      insecure=tls.word if tls else None,
                      sources=(cursor.positionals[0].word,) if len(cursor.positionals) >= 2 else None,
                      **self._creds(cursor, "--creds"))
        elif sub in ("bud", "build", "build-using-dockerfile"):
            self.build("buildah", rest, None)
        elif sub == "tag":
            self.tag("buildah", rest)
        elif sub == "commit":
            cursor = _Cursor(rest, {"--authfile", "--cert-dir", "--creds", "--format", "-f", "--iidfile",
                                    "--sign-by", "--encryption-key", "--reference-time", "--timestamp",
                                    "--identity-label", "--manifest", "--omit-history", "--rewrite-timestamp",
                                    "--add-file", "--config", "--unsetenv", "--unsetlabel", "--pull", "--squash"})
            if len(cursor.positionals) >= 2:
                self.emit("buildah", "tag", rest, sources=(cursor.positionals[0].word,),
                          targets=(cursor.positionals[1].word,), push=False, default_tag="latest")
        elif sub == "login":
            self.login("buildah", rest, None)
        elif sub == "from":
            cursor = _Cursor(rest, _PULL_VALUE | {"--name", "--cap-add", "--cap-drop", "--cgroup-parent",
                                                  "--cidfile", "--device", "--dns", "--network", "--pull",
                                                  "--security-opt", "-v", "--volume", "--userns"})
            if cursor.positionals:
                self.image(cursor.positionals[0], "buildah from")
        elif sub == "pull":
            cursor = _Cursor(rest, _PULL_VALUE)
            if cursor.positionals:
                self.image(cursor.positionals[0], "buildah pull")

    def skopeo(self, args: list[Arg]) -> None:
        global_insecure: Arg | None = None
        i = 0
        while i < len(args) and args[i].value.startswith("-"):
            v = args[i].value
            name, eq, val = v.partition("=")
            if name == "--tls-verify" and eq and val.lower() == "false":
                global_insecure = args[i]
            i += 2 if (not eq and name in _SKOPEO_GLOBAL_VALUE) else 1
        args = args[i:]
        if not args:
            return
        sub = args[0].value
        rest = args[1:]
        if sub == "copy":
            cursor = _Cursor(rest, _SKOPEO_COPY_VALUE)
            if len(cursor.positionals) < 2:
                return
            src, dest = cursor.positionals[0], cursor.positionals[1]
            insecure = cursor.flag_false("--dest-tls-verify", "--src-tls-verify", "--tls-verify") or global_insecure
            all_platforms = cursor.has("--all", "-a")
            multi = cursor.has("--multi-arch")
            if all_platforms is None and multi is not None and multi[3] == "all":
                all_platforms = multi
            push = dest.value.startswith("docker://")
            creds = self._creds(cursor, "--dest-creds", "--src-creds", "--creds")
            if not creds:
                password = cursor.has("--dest-password", "--src-password")
                if password is not None and password[3] is not None:
                    creds = {"password_in_argv": tuple(a.word for a in (password[1], password[2]) if a is not None),
                             "password": _value_word(password), "fixable": False}
            target = _strip_transport(dest.word)
            source = _strip_transport(src.word)
            self.emit(
                "skopeo", "push" if push else "copy", rest,
                targets=(target,) if push else (), sources=(source,), push=push, default_tag="latest",
                insecure=insecure.word if insecure else None,
                all_platforms=all_platforms[1].word if all_platforms else None,
                **creds,
            )
        elif sub == "login":
            self.login("skopeo", rest, global_insecure)

    # -- crane, oras ------------------------------------------------------------

    def crane(self, tool: str, args: list[Arg]) -> None:
        i = 0
        while i < len(args) and args[i].value.startswith("-"):
            i += 2 if args[i].value in _CRANE_GLOBAL_VALUE else 1
        if i >= len(args):
            return
        sub = args[i].value
        after = args[i + 1:]
        table = _CRANE_SUB_VALUE.get(sub, set()) | _CRANE_GLOBAL_VALUE
        cursor = _Cursor(after, table)
        insecure = _Cursor(args[:i], _CRANE_GLOBAL_VALUE).flag_true("--insecure") or cursor.flag_true("--insecure")
        ins = insecure.word if insecure else None
        pos = cursor.positionals
        if sub == "push" and len(pos) >= 2:
            self.emit(tool, "push", after, targets=(pos[1].word,), push=True, default_tag="latest", insecure=ins)
        elif sub in ("copy", "cp") and len(pos) >= 2:
            all_tags = cursor.has("-a", "--all-tags")
            self.emit(tool, "push", after, sources=(pos[0].word,), targets=(pos[1].word,), push=True,
                      default_tag="latest", insecure=ins, all_tags=all_tags[1].word if all_tags else None,
                      unknown_targets=True if all_tags else None)
        elif sub == "tag" and len(pos) >= 2:
            repo = _repository(pos[0].value)
            tag_word = pos[1].word
            target = Word(tag_word.written, f"{repo}:{tag_word.value}", tag_word.span, pos[0].word.via + tag_word.via)
            self.emit(tool, "push", after, sources=(pos[0].word,), targets=(target,), push=True, insecure=ins)
        elif sub in ("append", "mutate"):
            new = cursor.has("-t", "--tag", "--new_tag")
            if new is not None and new[3]:
                self.emit(tool, "push", after, targets=(_value_word(new),), push=True, default_tag="latest",
                          insecure=ins)
        elif sub == "auth" and pos and pos[0].value == "login":
            server = pos[1].word if len(pos) >= 2 else None
            self.emit(tool, "login", after, server=server, default_server=None if server else "docker.io",
                      insecure=ins, **self._credentials(cursor))

    def oras(self, args: list[Arg]) -> None:
        if not args:
            return
        sub = args[0].value
        rest = args[1:]
        cursor = _Cursor(rest, _ORAS_VALUE)
        insecure = cursor.flag_true("--insecure", "--plain-http", "--to-plain-http", "--to-insecure")
        ins = insecure.word if insecure else None
        if sub == "push" and cursor.positionals:
            ref = cursor.positionals[0]
            if cursor.has("--oci-layout") is not None:
                return
            targets = _oras_targets(ref.word)
            untagged = len(targets) == 1 and targets[0].value == _repository(targets[0].value) and "@" not in targets[0].value
            self.emit("oras", "push", rest, targets=tuple(targets), push=True, default_tag=None,
                      by_digest=True if untagged else None, registry_required=True, insecure=ins,
                      **self._credentials(cursor))
        elif sub in ("cp", "copy") and len(cursor.positionals) >= 2:
            self.emit("oras", "push", rest, sources=(cursor.positionals[0].word,),
                      targets=tuple(_oras_targets(cursor.positionals[1].word)), push=True, default_tag=None,
                      registry_required=True, insecure=ins)
        elif sub == "tag" and len(cursor.positionals) >= 2:
            repo = _repository(cursor.positionals[0].value)
            tag_targets = tuple(
                Word(a.written, f"{repo}:{a.value}", a.word.span, cursor.positionals[0].word.via + a.word.via)
                for a in cursor.positionals[1:]
            )
            self.emit("oras", "push", rest, sources=(cursor.positionals[0].word,), targets=tag_targets, push=True,
                      registry_required=True, insecure=ins)
        elif sub == "login":
            server = cursor.positionals[0].word if cursor.positionals else None
            self.emit("oras", "login", rest, server=server, insecure=ins, **self._credentials(cursor))

    # -- kaniko, ko ----------------------------------------------------------------

    def kaniko(self, args: list[Arg]) -> None:
        cursor = _Cursor(args, _KANIKO_VALUE)
        destinations = [_value_word(o) for o in cursor.all("-d", "--destination") if o[3]]
        no_push = cursor.flag_true("--no-push") is not None
        if not destinations and not no_push and not cursor.has("--context", "-c", "--dockerfile", "-f"):
            return
        insecure = (cursor.flag_true("--insecure", "--skip-tls-verify")
                    or (cursor.has("--insecure-registry", "--skip-tls-verify-registry") or (None, None))[1])
        missing = not destinations and not no_push and not any(_opaque(a) for a in args)
        self.emit("kaniko", "build", args, targets=tuple(destinations), push=not no_push and bool(destinations),
                  default_tag="latest", insecure=insecure.word if insecure else None,
                  missing_tag=True if missing else None)

    def ko(self, args: list[Arg]) -> None:
        if not args or args[0].value not in ("build", "publish", "b", "resolve", "apply", "create", "run"):
            return
        sub = args[0].value
        rest = args[1:]
        cursor = _Cursor(rest, _KO_VALUE)
        if cursor.flag_true("--local", "-L") is not None or cursor.flag_false("--push") is not None:
            return
        repo = self.simple.prefix_env.get("KO_DOCKER_REPO")
        if repo is None:
            from taglint.shell._analyze import Value

            found = self.analyzer.lookup("KO_DOCKER_REPO", {})
            if isinstance(found, Value):
                repo = found.text
        if repo is None:
            repo = "$KO_DOCKER_REPO"
        if repo in ("ko.local", "kind.local") or repo.startswith(("ko.local/", "kind.local/")):
            return
        tags_option = cursor.has("-t", "--tags")
        tags = [t.strip() for t in (tags_option[3] or "").split(",") if t.strip()] if tags_option else ["latest"]
        anchor = (tags_option[2] or tags_option[1]).word if tags_option else args[0].word
        targets = tuple(Word(anchor.written, f"{repo}:{tag}", anchor.span, anchor.via) for tag in tags)
        insecure = cursor.flag_true("--insecure-registry")
        self.emit("ko", "push", rest, targets=targets, push=True, default_tag="latest", by_digest=True,
                  insecure=insecure.word if insecure else None, ko_command=sub)

    # -- helm, clouds -----------------------------------------------------------------

    def helm(self, args: list[Arg]) -> None:
        cursor = _Cursor(args, _HELM_VALUE)
        pos = cursor.positionals
        if not pos:
            return
        insecure = cursor.flag_true("--plain-http", "--insecure-skip-tls-verify", "--insecure")
        ins = insecure.word if insecure else None
        after = args[args.index(pos[0]) + 1:]
        if pos[0].value == "push" and len(pos) >= 3:
            target = _strip_transport(pos[2].word, ("oci://",))
            self.emit("helm", "push", after, targets=(target,), push=True, artifact="chart", insecure=ins,
                      **self._credentials(cursor))
        elif pos[0].value == "chart" and len(pos) >= 3 and pos[1].value == "push":
            self.emit("helm", "push", after, targets=(pos[2].word,), push=True, artifact="chart", insecure=ins)
        elif pos[0].value == "registry" and len(pos) >= 2 and pos[1].value == "login":
            server = pos[2].word if len(pos) >= 3 else None
            self.emit("helm", "login", after, server=server, insecure=ins, **self._credentials(cursor))

    def cloud_login(self, name: str, args: list[Arg]) -> None:
        """``ibmcloud cr login``, ``oc registry login``, ``doctl registry
        login``…: credentials for the cloud's registry (see _CLOUD_LOGINS);
        ``server`` when the line names the host, otherwise ``servers``, and
        ``any_server`` when the host is the cluster's, unknown here."""
        verb, hosts, value_options, host_option = _CLOUD_LOGINS[name]
        cursor = _Cursor(args, set(value_options))
        words = [a.value for a in cursor.positionals]
        if tuple(words[:len(verb)]) != verb:
            return
        server: Word | None = None
        if host_option == "" and len(cursor.positionals) > len(verb):  # regctl registry login HOST
            server = cursor.positionals[len(verb)].word
        elif host_option:
            option = cursor.has(host_option)
            server = _value_word(option) if option is not None and option[3] else None
        facts = self._credentials(cursor) if name == "regctl" else {}
        self.emit(name, "login", args, server=server, servers=hosts or None,
                  any_server=True if server is None and not hosts else None, **facts)

    def aws(self, args: list[Arg]) -> None:
        cursor = _Cursor(args, {"--region", "--profile", "--output", "--endpoint-url", "--query", "--registry-ids",
                                "--cli-read-timeout", "--cli-connect-timeout", "--ca-bundle", "--color"})
        pos = [a.value for a in cursor.positionals]
        if len(pos) >= 2 and pos[0] in ("ecr", "ecr-public") and pos[1] == "get-login":
            self.emit("aws", "login", args, server=None, servers=("*.dkr.ecr.*.amazonaws.com",))

    def gcloud(self, args: list[Arg]) -> None:
        cursor = _Cursor(args, _GCLOUD_VALUE)
        pos = cursor.positionals
        values = [a.value for a in pos]
        if values[:2] == ["auth", "configure-docker"]:
            hosts = tuple(h.strip() for h in values[2].split(",") if h.strip()) if len(values) > 2 else GCR_DEFAULT_HOSTS
            self.emit("gcloud", "login", args, servers=hosts)
        elif values[:2] == ["builds", "submit"]:
            tag = cursor.has("--tag", "-t")
            if tag is not None and tag[3]:
                self.emit("gcloud", "push", args, targets=(_value_word(tag),), push=True, default_tag="latest",
                          authenticated=True)

    def az(self, args: list[Arg]) -> None:
        cursor = _Cursor(args, _AZ_VALUE)
        values = [a.value for a in cursor.positionals]
        if values[:2] == ["acr", "login"]:
            if cursor.has("--expose-token") is not None:
                return  # prints a token for another tool; stores nothing
            name = cursor.has("-n", "--name")
            server = None
            servers: tuple[str, ...] = ()
            if name is not None and name[3]:
                host = name[3].lower()
                servers = (host if "." in host else f"{host}.azurecr.io",)
                server = _value_word(name)
            self.emit("az", "login", args, server=server, servers=servers)
        elif values[:2] == ["acr", "build"]:
            registry = cursor.has("-r", "--registry")
            images = [_value_word(o) for o in cursor.all("-t", "--image") if o[3]]
            if registry is None or not registry[3]:
                return
            host = registry[3].lower()
            host = host if "." in host else f"{host}.azurecr.io"
            targets = tuple(Word(w.written, f"{host}/{w.value}", w.span, w.via) for w in images)
            if cursor.has("--no-push") is None and targets:
                self.emit("az", "push", args, targets=targets, push=True, default_tag="latest", authenticated=True)


def _is_registry_destination(value: str, written_value: str) -> bool:
    """False for local transports (``oci:``, ``docker-archive:``, ``dir:``)."""
    if written_value.startswith("docker://"):
        return True
    m = re.match(r"([a-z-]+):", value)
    if m and m.group(1) in ("oci", "oci-archive", "docker-archive", "dir", "containers-storage", "docker-daemon",
                            "sif", "tarball"):
        return False
    return True


def _repository(reference: str) -> str:
    """``reg:5000/app:1.0@sha256:..`` → ``reg:5000/app``."""
    name = reference.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name = name[:colon]
    return name


def _oras_targets(word: Word) -> list[Word]:
    value = word.value
    name = value.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash and "," in name[colon + 1:]:
        repo = name[:colon]
        return [Word(word.written, f"{repo}:{tag}", word.span, word.via) for tag in name[colon + 1:].split(",") if tag]
    return [word]


def _csv(spec: str) -> dict[str, str]:
    """buildx ``--output`` CSV: ``type=image,"name=a,b",push=true``."""
    import csv

    fields: dict[str, str] = {}
    try:
        rows = list(csv.reader([spec]))
    except csv.Error:
        return fields
    for item in rows[0] if rows else []:
        key, eq, value = item.partition("=")
        if eq:
            fields[key.strip().lower()] = value.strip()
    return fields


def _split_names(value: str) -> list[str]:
    return [n.strip() for n in value.split(",") if n.strip()]


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("true", "1", "yes", "")


def _echoed_word(feeder: SimpleCommand) -> Word | None:
    """The argument of ``echo X``/``printf '%s' X``/``cat <<< X`` feeding stdin."""
    args = feeder.args
    if not args:
        return None
    name = _base(args[0].value)
    rest = [a for a in args[1:]]
    if name == "echo":
        rest = [a for a in rest if a.value not in ("-n", "-e", "-E", "-ne", "-en")]
        return rest[0].word if len(rest) == 1 else None
    if name == "printf":
        if rest and rest[0].value in ("%s", "%s\\n", "%s\n"):
            rest = rest[1:]
        return rest[0].word if len(rest) == 1 else None
    return None


_OPAQUE = re.compile(r'^\$(?:[A-Za-z_][A-Za-z0-9_]*|[@*]|\{[A-Za-z_][A-Za-z0-9_]*(?:\[[@*]\])?\}|\{[@*]\})$')


def _opaque(arg: Arg) -> bool:
    """An unresolved expansion standing alone: it may hold any options."""
    return bool(_OPAQUE.match(arg.value))


_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox-sh"})


def _dash_c(args: Sequence[Arg]) -> Arg | None:
    """The script of ``sh [-e] -c SCRIPT`` / ``bash -ec SCRIPT``."""
    i = 1
    while i < len(args):
        value = args[i].value
        if value in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if not value.startswith(("-", "+")) or value in ("-", "--"):
            return None
        if not value.startswith("--") and "c" in value[1:]:
            return args[i + 1] if i + 1 < len(args) else None
        i += 1
    return None


def recognise(simple: SimpleCommand, analyzer: Analyzer) -> tuple[list[Command], list[ImageRef]]:
    if simple.reruns_arguments:
        return [], []  # `"$@"` in a wrapper function: recognised where the function is called
    recogniser = _Recogniser(simple, analyzer)
    recogniser.run()
    return recogniser.commands, recogniser.images
