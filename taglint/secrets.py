"""Secrets written in scanned files, and how every report masks them.

taglint runs in CI logs that are often public: a secret it has seen in a
file never reaches its output.  The secrets it identifies:

- the password a registry login or copy receives on its command line
  (``-p VALUE``, ``-pVALUE``, ``-p=VALUE``, ``--password[=]VALUE``,
  ``--pass``, ``--creds user:VALUE`` and the ``--src-``/``--dest-``/
  ``--from-``/``--to-`` forms, ``--registry-token``, ``--identity-token``),
  whatever the tool (docker, podman, buildah, skopeo, helm, crane, oras,
  regctl, nerdctl, az…), or echoed into ``--password-stdin``, or written
  as a CI login step's ``password:`` (TL208, TL212);
- the definitions of the variables such a password is made of
  (``PASS=s3cret``, ``REG_PASS := s3cret``);
- the tokens of a Docker ``auths`` configuration (``"auth"``,
  ``"password"``, ``"identitytoken"``, ``"registrytoken"``) and the value
  of a ``.dockerconfigjson``/``.dockercfg`` key;
- the password of a URL ``scheme://user:password@host`` (found in the text
  itself wherever it is shown).

Variable references (``$PASS``, ``${{ secrets.X }}``, ``$(cat file)``,
``<< parameters.p >>``) are not secrets: they stay visible.

Where masking happens, once for every format: the engine records each
file's secrets as it reads it (``FileFacts.secrets``, :func:`find_secrets`);
every finding it makes carries its message, fix text, notes, reference and
edits already masked, and the secret spans of its file
(``Finding.masks``), by :meth:`SecretTable.mask_finding`; a report that
quotes a line of a scanned file shows :func:`masked_line` of it.  A secret
is shown as ``***``.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from taglint.lazy_pattern import LazyPattern  # most runs meet none of these: compiled on first use
from taglint.model import Command, Edit, FileFacts, Finding, Related, Secret, Span, Word
from taglint.tags import closing_bracket

MASK = "***"
# Secret texts shorter than this are masked in messages only as whole words
# (a one-letter password must not take every `a` with it).
_MIN_ANYWHERE = 4
# A word longer than this is masked whole, without looking inside it.
_MAX_WORD = 4096
# At most this many secrets are recorded per file (bounded work on hostile files).
MAX_SECRETS_PER_FILE = 1000

# Long options whose value is a password or token, for any command.
_SECRET_OPTION = LazyPattern(
    r"--(?:[a-z0-9]+-)*(?:password|pass|creds|registry-token|identity-token|access-token)", re.IGNORECASE
)
_CREDS_OPTION = LazyPattern(r"--(?:[a-z0-9]+-)*creds", re.IGNORECASE)  # user:password
# Placeholders of documentation-style scripts, not secrets.
PLACEHOLDER = LazyPattern(r"<[^<>]*>|\*+|x+|X+|\.\.\.|…|-")

# `https://user:password@host`: after a `://`, the user, `:`, the password
# (group "secret") and `@`, each part bounded so that every `://` of a text
# costs a bounded look (a long line of them stays linear).
_URL_USERINFO = LazyPattern(r"[^\s/@:'\"]{1,256}:(?P<secret>[^\s/@'\"]{1,512})@")
_AUTHS_WORD = re.compile("auths")
_DOCKER_WORD = re.compile(r"\.docker")
_USERINFO_REACH = 3 + 256 + 1 + 512  # from a "://" to the "@" that _URL_USERINFO may end with
# Docker `auths` tokens written as JSON (also with escaped quotes inside a shell string).
_AUTH_JSON = LazyPattern(
    r'\\{0,3}"(?:auth|password|identitytoken|registrytoken)\\{0,3}"\s*:\s*\\{0,3}"(?P<secret>[^"\\\s]+)\\{0,3}"',
    re.IGNORECASE,
)
# ... and as YAML, in a file that has an `auths` mapping.
_AUTH_YAML = LazyPattern(
    r"^[ \t]*-?[ \t]*[\"']?(?:auth|password|identitytoken|registrytoken)[\"']?[ \t]*:[ \t]*[\"']?(?P<secret>[^\s\"'#]+)",
    re.IGNORECASE | re.MULTILINE,
)
# The whole Docker configuration, base64-encoded in a Kubernetes Secret.
_DOCKERCFG = LazyPattern(
    r"[\"']?\.docker(?:configjson|cfg)[\"']?[ \t]*:[ \t]*[\"']?(?P<secret>[A-Za-z0-9+/=_-]{16,})", re.IGNORECASE
)


_SHELL_NAME = LazyPattern(r"[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?!-]")
_WINDOWS_VARIABLE = LazyPattern(r"%[A-Za-z_][A-Za-z0-9_]*%")


# -- literal text and references -------------------------------------------------------------


def _reference_end(text: str, i: int) -> int:
    """The end of the variable reference or substitution at ``i`` (``i``
    itself when none starts there)."""
    char = text[i]
    rest = text[i + 1 : i + 2]
    if char == "$":
        if text.startswith("${{", i):
            end = text.find("}}", i + 3)
            return len(text) if end < 0 else end + 2
        if rest == "(":
            return closing_bracket(text, i + 1, "(", ")")
        if rest == "{":
            return closing_bracket(text, i + 1, "{", "}")
        if rest == "$":  # a Makefile's `$$NAME`, the shell's `$$`
            return _reference_end(text, i + 1) if text[i + 2 : i + 3].isalpha() else i + 2
        match = _SHELL_NAME.match(text, i + 1)
        return match.end() if match else i
    if char == "`":
        end = text.find("`", i + 1)
        return len(text) if end < 0 else end + 1
    if text.startswith("{{", i):
        end = text.find("}}", i + 2)
        return len(text) if end < 0 else end + 2
    if text.startswith("<<", i):
        end = text.find(">>", i + 2)
        return i if end < 0 else end + 2
    if char == "%":
        match = _WINDOWS_VARIABLE.match(text, i)
        return match.end() if match else i
    return i


def literal_runs(written: str) -> list[str]:
    """The runs of literal text in a word as written, between its variable
    references and substitutions and without its quotes; only runs with a
    letter or digit (``"$USER:$PASS"`` has none).  Inside single quotes
    everything is literal."""
    runs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            runs.append("".join(current))
            current.clear()

    i, n = 0, len(written)
    single = False
    while i < n:
        char = written[i]
        if single:
            if char == "'":
                single = False
                flush()
            else:
                current.append(char)
            i += 1
            continue
        if char == "\\" and i + 1 < n:
            current.append(written[i : i + 2])
            i += 2
            continue
        if char in "'\"":
            single = char == "'"
            flush()
            i += 1
            continue
        end = _reference_end(written, i)
        if end > i:
            flush()
            i = end
            continue
        current.append(char)
        i += 1
    flush()
    return [run for run in runs if any(c.isalnum() for c in run)]


def is_reference(text: str) -> bool:
    """True when ``text`` holds no literal text: only variable references,
    substitutions and quotes (``"$PASS"``, ``${{ secrets.X }}``)."""
    return len(text) <= _MAX_WORD and not literal_runs(text)


def _templated(value: str) -> bool:
    return "$" in value or "{{" in value or "`" in value or "<<" in value


# -- which words of a command are secrets ------------------------------------------------------


@dataclass(frozen=True)
class SecretWord:
    """A word holding a secret: its span, the secret's forms, and its path
    when it is not the command's (a variable defined in an included file).
    ``parts``: the forms are the literal pieces of a word that also holds
    references (``"pre${X}post"``), each to mask where it is; else they
    are ways of writing one secret, the first found is where it is."""

    span: Span
    texts: tuple[str, ...]
    path: str | None = None
    parts: bool = False


def secret_word(span: Span, written: str, value: str | None, path: str | None = None) -> SecretWord | None:
    """The secret a password word holds, or None when it holds none (a
    reference, a placeholder, nothing).  ``written`` is the word as written,
    ``value`` the password after substitution (None when unknown)."""
    if len(written) > _MAX_WORD:
        return SecretWord(span, (value or written,), path)
    if value is not None and value and not _templated(value):
        if PLACEHOLDER.fullmatch(value):
            return None
        if value in written:
            return SecretWord(span, (value,), path)
        runs = literal_runs(written)  # written with escapes, or a reference: its definition holds the secret
        return SecretWord(span, (value, *runs), path) if runs else None
    runs = literal_runs(written)
    if not runs or (len(runs) == 1 and PLACEHOLDER.fullmatch(runs[0])):
        return None
    return SecretWord(span, tuple(runs), path, parts=True)


def _after_colon(value: str | None) -> str | None:
    return None if value is None or ":" not in value else value.partition(":")[2]


def _option_secrets(command: Command, handled: set[Span] | None = None) -> Iterable[SecretWord]:
    """Secret option values on the command's line: the long options of
    :data:`_SECRET_OPTION` for any command, ``-p`` for a login.  The spans
    of the words holding their values go to ``handled``."""
    args = command.args
    login = command.action == "login"
    for index, word in enumerate(args):
        text = word.value
        value_word: Word | None = None
        value: str | None = None
        written = ""
        name = text.split("=", 1)[0]
        if _SECRET_OPTION.fullmatch(name):
            if "=" in text:
                value_word, value, written = word, text.split("=", 1)[1], word.written.partition("=")[2]
            elif index + 1 < len(args):
                value_word = args[index + 1]
                value, written = value_word.value, value_word.written
        elif login and text.startswith("-p") and not text.startswith("--"):
            if text == "-p":
                if index + 1 < len(args):
                    value_word = args[index + 1]
                    value, written = value_word.value, value_word.written
            else:
                skip = 3 if text.startswith("-p=") else 2
                value_word, value, written = word, text[skip:], word.written[skip:]
        if value_word is None:
            continue
        if handled is not None:
            handled.add(value_word.span)
        if _CREDS_OPTION.fullmatch(name):  # user:password, the user is no secret
            value = _after_colon(value)
            if value is None:
                continue
            written = written.partition(":")[2]
        found = secret_word(value_word.span, written, value)
        if found is not None:
            yield found


def _password_secrets(command: Command, handled: set[Span]) -> Iterable[SecretWord]:
    """The password word the shell layer or a CI step recorded, and the
    variable definitions it is made of.  A word in ``handled`` is an
    option's value :func:`_option_secrets` has seen (it knows where the
    option ends, and the user part of ``--creds user:password``)."""
    password = command.attributes.get("password")
    if not isinstance(password, Word):
        return
    value = password.value
    if any(step.value is None for step in password.via):
        value = None
    # A password inside its option's word (`--password=…`, `-p…`) is
    # found by _option_secrets, which knows where the option ends.
    in_option = password.span in handled or (
        password.written.startswith("-") and any(w.span == password.span for w in command.args)
    )
    found = None if in_option else secret_word(password.span, password.written, value)
    if found is not None:
        yield found
    if "$(" in password.value or "`" in password.value:
        return  # a command's output: the variables it names are not the password
    for step in password.via:
        if step.location is None or step.value is None or not step.value:
            continue
        if _templated(step.value) or PLACEHOLDER.fullmatch(step.value) or step.value not in password.value:
            continue
        yield SecretWord(step.location.span, (step.value,), step.location.path)


def command_secrets(command: Command) -> list[SecretWord]:
    """Every secret the command's words hold."""
    out: dict[tuple[str | None, Span], SecretWord] = {}
    handled: set[Span] = set()
    options = list(_option_secrets(command, handled))
    for found in (*options, *_password_secrets(command, handled)):
        out.setdefault((found.path, found.span), found)
    return list(out.values())


def command_secret_texts(command: Command) -> tuple[str, ...]:
    """The forms of the secrets a command holds (to mask its text)."""
    return tuple(dict.fromkeys(text for found in command_secrets(command) for text in found.texts))


# -- finding them in a file ---------------------------------------------------------------------


class _Lines:
    """Line and column of offsets in a text (lines split on ``\\n``); the
    index of line starts is built on first use (most files need none)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            from taglint.source import line_starts

            self._starts = line_starts(self.text)
        return self._starts

    def line(self, number: int) -> str | None:
        starts = self.starts
        if not 1 <= number <= len(starts):
            return None
        start = starts[number - 1]
        end = starts[number] - 1 if number < len(starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    def span(self, start: int, end: int) -> Span:
        starts = self.starts
        line = bisect.bisect_right(starts, start)
        end_line = bisect.bisect_right(starts, end)
        return Span(line, start - starts[line - 1] + 1, end_line, end - starts[end_line - 1] + 1)


def _located(word: SecretWord, lines: _Lines | None) -> list[Span]:
    """The spans of the secret itself inside the word (``--password=s3cret``
    → ``s3cret``), when the file's text shows where; else the word's."""
    span = word.span
    line = lines.line(span.line) if lines is not None and span.line == span.end_line else None
    if line is None:
        return [span]
    segment = line[span.column - 1 : span.end_column - 1]

    def at(offset: int, text: str) -> Span:
        return Span(span.line, span.column + offset, span.line, span.column + offset + len(text))

    if word.parts:
        out, start = [], 0
        for text in word.texts:
            offset = segment.find(text, start)
            if offset < 0:
                return [span]
            out.append(at(offset, text))
            start = offset + len(text)
        return out
    for text in word.texts:
        offset = segment.rfind(text) if text else -1
        if offset >= 0:
            return [at(offset, text)]
    # A place given as a point or a prefix (`ARG NAME` at its first column):
    # the value written later on the line.
    rest = line[span.column - 1 :]
    for text in word.texts:
        offset = rest.find(text) if text else -1
        if offset >= 0:
            return [at(offset, text)]
    return [span]


@dataclass(frozen=True)
class _Looks:
    """What :func:`_text_secrets` has to look for in a text (one lowered copy, no line index)."""

    auths: bool  # Docker ``auths`` tokens
    dockercfg: bool  # ``.dockerconfigjson`` / ``.dockercfg`` values
    urls: bool  # an "@" is written: passwords in URLs may be

    @classmethod
    def of(cls, text: str) -> _Looks:
        lowered = text.lower()
        dockercfg = _DOCKER_WORD.search(lowered) is not None and (".dockerconfigjson" in lowered or ".dockercfg" in lowered)
        # A literal pattern searches a large text faster than ``in``; "@" is one memchr.
        return cls(_AUTHS_WORD.search(lowered) is not None, dockercfg, "@" in text)

    def __bool__(self) -> bool:
        return self.auths or self.dockercfg or self.urls


def _text_secrets(path: str, text: str, lines: _Lines, looks: _Looks) -> Iterable[Secret]:
    """Docker ``auths`` tokens, ``.dockerconfigjson`` values and URL
    passwords in the text."""
    patterns: list[LazyPattern] = []
    if looks.auths:
        patterns += [_AUTH_JSON, _AUTH_YAML]
    if looks.dockercfg:
        patterns.append(_DOCKERCFG)
    for pattern in patterns:
        for match in pattern.finditer(text):
            value = match.group("secret")
            if _templated(value) or PLACEHOLDER.fullmatch(value) or value.startswith(("{", "|", ">")):
                continue
            yield Secret(path, lines.span(match.start("secret"), match.end("secret")), (value,))
    if looks.urls:
        for start, end in url_passwords(text):
            yield Secret(path, lines.span(start, end), (text[start:end],))


def find_secrets(facts: FileFacts, text: str | None) -> list[Secret]:
    """The secrets written in a file, from what its extractor recorded and,
    when ``text`` is given, from the text itself; precise spans where the
    text shows where the secret is."""
    words = [(command.path, word) for command in facts.commands for word in command_secrets(command)]
    looks = _Looks.of(text) if text is not None else None
    if not words and not looks:
        return []  # most files
    lines = _Lines(text) if text is not None else None
    found: dict[tuple[str, Span], Secret] = {}

    def add(secret: Secret) -> None:
        if len(found) < MAX_SECRETS_PER_FILE:
            found.setdefault((secret.path, secret.span), secret)

    for command_path, word in words:
        path = word.path or command_path
        own = lines if path == facts.path else None  # another file's text is not at hand
        for span in _located(word, own):
            add(Secret(path, span, word.texts))
    if text is not None and lines is not None and looks:
        for secret in _text_secrets(facts.path, text, lines, looks):
            add(secret)
    return sorted(found.values(), key=lambda s: (s.path, s.span))


# -- masking -----------------------------------------------------------------------------------


def url_passwords(text: str) -> list[tuple[int, int]]:
    """Where the passwords of ``scheme://user:password@host`` URLs are in
    ``text`` (``[start, end)``); a password that is a reference
    (``https://me:$TOKEN@…``) is none.  Linear in the text: the look
    starts at each ``@`` (rare, and found at memory speed) and goes back
    to the last ``://`` before it, as far as a user and password may reach."""
    out: list[tuple[int, int]] = []
    at_sign = text.find("@")
    while at_sign >= 0:
        at = text.rfind("://", max(0, at_sign - _USERINFO_REACH), at_sign)
        if at > 0 and text[at - 1].isalnum():
            match = _URL_USERINFO.match(text, at + 3)
            if match is not None and match.end() == at_sign + 1 and not is_reference(match.group("secret")):
                out.append(match.span("secret"))
        at_sign = text.find("@", at_sign + 1)
    return out


def _url_masked(text: str) -> str:
    if "://" not in text:
        return text
    for start, end in reversed(url_passwords(text)):
        text = text[:start] + MASK + text[end:]
    return text


def mask_text(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret of ``secrets`` and every URL password
    replaced by ``***``.  ``secrets`` are tried longest first."""
    for secret in secrets:
        if not secret or secret not in text:
            continue
        if len(secret) >= _MIN_ANYWHERE:
            text = text.replace(secret, MASK)
        else:
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", MASK, text)
    return _url_masked(text)


@dataclass(frozen=True)
class MaskedLine:
    """A line of a file as reports show it: secrets replaced by ``***``.
    ``cuts`` are the masked regions of the original line (0-based,
    ``[start, end)``); :meth:`column` maps columns of the original line
    (the findings' columns) to columns of ``text``."""

    text: str
    cuts: tuple[tuple[int, int], ...] = ()

    def index(self, index: int, *, end: bool = False) -> int:
        """0-based ``index`` of the original line in ``text``.  An index
        inside a masked region goes to the start of its ``***`` (or, with
        ``end``, just after it)."""
        shift = 0
        for start, stop in self.cuts:
            if index >= stop:
                shift += (stop - start) - len(MASK)
            elif index > start:
                return start - shift + (len(MASK) if end else 0)
            else:
                break
        return index - shift

    def column(self, column: int, *, end: bool = False) -> int:
        """1-based ``column`` of the original line in ``text``."""
        return self.index(column - 1, end=end) + 1


def masked_line(line: str, number: int, masks: Iterable[Span] = ()) -> MaskedLine:
    """Line ``number`` of a file (its text ``line``) with the secret spans
    ``masks`` that touch it and any URL password replaced by ``***``."""
    regions: list[tuple[int, int]] = []
    for span in masks:
        if not span.line <= number <= span.end_line:
            continue
        start = span.column - 1 if number == span.line else len(line) - len(line.lstrip())
        stop = span.end_column - 1 if number == span.end_line else len(line)
        start, stop = max(0, min(start, len(line))), max(0, min(stop, len(line)))
        if stop > start:
            regions.append((start, stop))
    if "://" in line:
        regions += url_passwords(line)
    if not regions:
        return MaskedLine(line)
    merged: list[tuple[int, int]] = []
    for start, stop in sorted(regions):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    pieces: list[str] = []
    last = 0
    for start, stop in merged:
        pieces += [line[last:start], MASK]
        last = stop
    pieces.append(line[last:])
    return MaskedLine("".join(pieces), tuple(merged))


class SecretTable:
    """The secrets of a set of files: their spans by path (for code frames)
    and their texts (for messages), to mask findings with.

    A finding's texts are masked with every secret text of the scan when
    there are few (:data:`ALL_TEXTS_UP_TO`), else with those of its own
    file: the secrets written in it and those its commands use (a password
    defined in an included Makefile) — so a repository full of secrets
    cannot make masking cost findings × secrets."""

    ALL_TEXTS_UP_TO = 64

    def __init__(self, secrets: Iterable[Secret] = ()) -> None:
        self._spans_found: dict[str, set[Span]] = {}
        self._texts_found: dict[str, set[str]] = {}
        for secret in secrets:
            self._add(secret.path, secret)
        self._seal()

    def _add(self, owner: str, secret: Secret) -> None:
        self._spans_found.setdefault(secret.path, set()).add(secret.span)
        texts = [t for t in secret.texts if t]
        self._texts_found.setdefault(secret.path, set()).update(texts)
        self._texts_found.setdefault(owner, set()).update(texts)

    def _seal(self) -> None:
        def longest_first(texts: Iterable[str]) -> tuple[str, ...]:
            return tuple(sorted(texts, key=lambda t: (-len(t), t)))

        self._spans = {path: tuple(sorted(found)) for path, found in self._spans_found.items()}
        self._texts = {path: longest_first(found) for path, found in self._texts_found.items()}
        self.texts: tuple[str, ...] = longest_first({t for found in self._texts_found.values() for t in found})
        del self._spans_found, self._texts_found

    @classmethod
    def of(cls, files: Iterable[FileFacts]) -> SecretTable:
        table = cls.__new__(cls)
        table._spans_found, table._texts_found = {}, {}
        for facts in files:
            for secret in facts.secrets:
                table._add(facts.path, secret)
        table._seal()
        return table

    def spans(self, path: str) -> tuple[Span, ...]:
        return self._spans.get(path, ())

    def texts_for(self, path: str | None) -> tuple[str, ...]:
        """The secret texts to mask a text about ``path`` with."""
        if path is None or len(self.texts) <= self.ALL_TEXTS_UP_TO:
            return self.texts
        return self._texts.get(path, ())

    def mask(self, text: str, path: str | None = None) -> str:
        """``text`` masked (with the texts for ``path``, when given)."""
        return mask_text(text, self.texts_for(path))

    def _edit(self, edit: Edit, path: str) -> Edit:
        raw = edit.replacement
        shown = self.mask(raw, path)
        if shown == edit.text:
            return edit
        return Edit(edit.span, shown, None if shown == raw else raw)

    def mask_finding(self, finding: Finding) -> Finding:
        """``finding`` with its texts masked and its file's secret spans as
        ``masks``; the same object when nothing changes."""
        changes: dict[str, object] = {}
        path = finding.path
        message = self.mask(finding.message, path)
        if message != finding.message:
            changes["message"] = message
        if finding.reference is not None:
            reference = self.mask(finding.reference, path)
            if reference != finding.reference:
                changes["reference"] = reference
        fix = finding.fix
        if fix is not None:
            description = self.mask(fix.description, path)
            edits = tuple(self._edit(e, path) for e in fix.edits)
            if description != fix.description or any(a is not b for a, b in zip(edits, fix.edits)):
                changes["fix"] = replace(fix, description=description, edits=edits)
        if finding.related:
            related = tuple(Related(r.location, self.mask(r.message, path)) for r in finding.related)
            if any(a.message != b.message for a, b in zip(related, finding.related)):
                changes["related"] = related
        masks = self.spans(finding.path)
        if masks != finding.masks:
            changes["masks"] = masks
        return replace(finding, **changes) if changes else finding  # type: ignore[arg-type]
