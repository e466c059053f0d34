"""Jenkinsfile (declarative and scripted pipelines).

There is no maintained Groovy parser for Python, so a small Groovy *lexer*
(comments; ``'…'``, ``"…"``, ``'''…'''``, ``\"\"\"…\"\"\"`` strings with
their escapes; identifiers; punctuation) feeds a matcher over the token
stream.  Patterns never look inside comments or across string boundaries.

Images: ``docker { image '…' }`` (also ``dockerContainer``), ``agent {
docker '…' }``, ``docker.image('…')`` (``.inside``, ``.pull``, ``.run``,
``.withRun``), and the ``image:`` keys of a Kubernetes agent's pod
``yaml`` string.  GString interpolations (``${env.BUILD_ID}``) stay as
written for the tag classifier.

Commands: ``sh '…'`` / ``sh \"\"\"…\"\"\"`` / ``sh(script: '…')`` scripts go
through the shell layer with the ``environment { NAME = '…' }`` values;
``docker.build('name:tag')`` → build, ``x.push()`` / ``x.push('tag')`` on
the built (or ``docker.image``) object → push, and
``docker.withRegistry('https://host', 'creds')`` → login to ``host``
(an empty URL means Docker Hub).  The whole file is one scope.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from taglint import limits
from taglint.model import FileFacts, ImageRef, Location, Span, Step, Word
from taglint.source import ExtractContext, SourceFile

KIND = "jenkinsfile"
SCOPE = ""  # one scope for the whole file: messages say "this pipeline"
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(r"[0-9][\w.]*")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "0": "\0"}


@dataclass(frozen=True)
class Token:
    kind: str  # "ident" | "string" | "punct"
    text: str  # identifier/punctuation text, or the decoded string value
    start: int  # file offset of the token
    end: int
    offsets: tuple[int, ...] = ()  # strings: file offset of each value character (+ one past the end)
    quote: str = ""  # strings: the opening quote
    raw: str = ""  # strings: the content as written


def tokenize(text: str) -> list[Token]:
    """Groovy tokens; never raises (an unterminated string runs to the end)."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in " \t\r\n\f;":
            i += 1
            continue
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if char in "'\"":
            token, i = _string(text, i)
            tokens.append(token)
            continue
        match = _IDENT.match(text, i)
        if match:
            tokens.append(Token("ident", match.group(0), i, match.end()))
            i = match.end()
            continue
        match = _NUMBER.match(text, i)
        if match:
            tokens.append(Token("number", match.group(0), i, match.end()))
            i = match.end()
            continue
        tokens.append(Token("punct", char, i, i + 1))
        i += 1
    return tokens


def _string(text: str, start: int) -> tuple[Token, int]:
    quote = text[start]
    delimiter = quote * 3 if text.startswith(quote * 3, start) else quote
    i = start + len(delimiter)
    content_start = i
    value: list[str] = []
    offsets: list[int] = []
    n = len(text)
    while i < n:
        if text.startswith(delimiter, i):
            break
        char = text[i]
        if len(delimiter) == 1 and char == "\n":
            break  # unterminated single-line string
        if char == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "\n":  # line continuation inside a string
                i += 2
                continue
            value.append(_ESCAPES.get(nxt, nxt))
            offsets.extend([i] * len(value[-1]))
            i += 2
            continue
        value.append(char)
        offsets.append(i)
        i += 1
    content_end = i
    offsets.append(content_end)
    end = min(n, i + len(delimiter))
    return (
        Token("string", "".join(value), start, end, tuple(offsets), delimiter, text[content_start:content_end]),
        end,
    )


class _Positions:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]  # lines as taglint counts them

    def at(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.at(start)
        end_line, end_column = self.at(end)
        return Span(line, column, end_line, end_column)


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    return _Extractor(source).run()


class _Extractor:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.facts = FileFacts(source.path, KIND)
        self.pos = _Positions(source.text)
        self.tokens = tokenize(source.text)
        self.env: dict[str, Step] = {}
        self.built: dict[str, Word] = {}  # Groovy variable -> image it holds
        self.seen: set[tuple[Span, str]] = set()

    # -- helpers ---------------------------------------------------------------

    def tok(self, index: int) -> Token | None:
        return self.tokens[index] if 0 <= index < len(self.tokens) else None

    def is_(self, index: int, kind: str, text: str | None = None) -> bool:
        token = self.tok(index)
        return token is not None and token.kind == kind and (text is None or token.text == text)

    def word(self, token: Token) -> Word:
        span = self.pos.span(token.offsets[0], token.offsets[-1]) if token.offsets else self.pos.span(token.start, token.end)
        value, via = self.interpolate(token)
        return Word(token.raw, value, span, via)

    def interpolate(self, token: Token) -> tuple[str, tuple[Step, ...]]:
        """A GString's ``${env.X}``/``${X}``/``$X`` from ``environment {}``;
        unknown ones stay as written.  Single-quoted strings are literal."""
        if not token.quote.startswith('"') or "$" not in token.text:
            return token.text, ()
        via: list[Step] = []
        budget = limits.budget()

        def replace(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            step = self.env.get(name)
            if step is None or step.value is None:
                return match.group(0)
            return limits.substituted(step, match.group(0), budget, via)

        value = _GSTRING.sub(replace, token.text)
        if limits.grew_too_large(token.text, value):
            return limits.unresolved(token.text, via)
        return value, tuple(via)

    def image(self, token: Token, context: str) -> None:
        word = self.word(token)
        value = word.value.strip()
        if not value or (word.span, value) in self.seen:
            return
        self.seen.add((word.span, value))
        self.facts.images.append(ImageRef(self.source.path, word.span, token.raw, value, KIND, context, via=word.via))

    def command(self, start: int, end: int, tool: str, action: str, written: str, args: tuple[Word, ...] = (), **attributes: object) -> None:
        from taglint.model import Command

        self.facts.commands.append(
            Command(
                path=self.source.path,
                span=self.pos.span(start, end),
                kind=KIND,
                tool=tool,
                action=action,
                args=args,
                scope=SCOPE,
                written=written,
                attributes={k: v for k, v in attributes.items() if v is not None},
            )
        )

    def call_string(self, index: int) -> tuple[Token | None, int]:
        """After a method name at ``index``: its first string argument
        (``name 'x'``, ``name('x')``, ``name(script: 'x')``) and the index
        of the token after the call's last consumed token."""
        nxt = self.tok(index + 1)
        if nxt is None:
            return None, index + 1
        if nxt.kind == "string":
            return nxt, index + 2
        if nxt.kind == "punct" and nxt.text == "(":
            j = index + 2
            if self.is_(j, "string"):
                return self.tokens[j], j + 1
            if self.is_(j, "ident") and self.is_(j + 1, "punct", ":"):
                k = j
                while k < len(self.tokens) and not self.is_(k, "punct", ")"):
                    if self.is_(k, "ident", "script") and self.is_(k + 1, "punct", ":") and self.is_(k + 2, "string"):
                        return self.tokens[k + 2], k + 3
                    k += 1
        return None, index + 1

    def close_paren(self, index: int) -> int:
        """Index of the ``)`` closing the ``(`` at ``index`` (or the last token)."""
        depth = 0
        for j in range(index, len(self.tokens)):
            token = self.tokens[j]
            if token.kind == "punct" and token.text in "([{":
                depth += 1
            elif token.kind == "punct" and token.text in ")]}":
                depth -= 1
                if depth == 0:
                    return j
        return len(self.tokens) - 1

    # -- the scan ----------------------------------------------------------------

    def run(self) -> FileFacts:
        blocks: list[str] = []  # the identifier before each open '{'
        tokens = self.tokens
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.kind == "punct" and token.text == "{":
                previous = self.tok(i - 1)
                if previous is not None and previous.kind == "punct" and previous.text == ")":
                    # name(args) { … }: find the name before the parenthesis
                    depth, j = 0, i - 1
                    while j >= 0:
                        if self.is_(j, "punct", ")"):
                            depth += 1
                        elif self.is_(j, "punct", "("):
                            depth -= 1
                            if depth == 0:
                                break
                        j -= 1
                    previous = self.tok(j - 1)
                blocks.append(previous.text if previous is not None and previous.kind == "ident" else "")
            elif token.kind == "punct" and token.text == "}":
                if blocks:
                    blocks.pop()
            elif token.kind == "ident":
                i = self.ident(i, blocks)
                continue
            i += 1
        return self.facts

    def ident(self, i: int, blocks: list[str]) -> int:
        token = self.tokens[i]
        name = token.text
        inside = blocks[-1] if blocks else ""
        if name in ("sh",) and not self.is_(i - 1, "punct", "."):
            script, after = self.call_string(i)
            if script is not None:
                self.script(script)
                return after
        if name == "image" and inside in ("docker", "dockerContainer"):
            value, after = self.call_string(i)
            if value is not None:
                self.image(value, f"agent.{inside}.image")
                return after
        if name == "yaml" and inside == "kubernetes":
            value, after = self.call_string(i)
            if value is not None:
                self.pod_yaml(value)
                return after
        if name == "docker" and self.is_(i + 1, "string") and inside == "agent":
            self.image(self.tokens[i + 1], "agent.docker")
            return i + 2
        if name == "environment" and self.is_(i + 1, "punct", "{"):
            self.environment(i + 2)
            return i + 1
        if name == "docker" and self.is_(i + 1, "punct", "."):
            return self.docker_call(i)
        if self.is_(i + 1, "punct", ".") and self.is_(i + 2, "ident", "push") and name in self.built:
            return self.push(i, i + 2, self.built[name], name)
        return i + 1

    def pod_yaml(self, token: Token) -> None:
        """``agent { kubernetes { yaml '...' } }``: the pod's container images."""
        from taglint.yamlnodes import (
            ScalarNode,
            YamlError,
            format_path,
            load_documents,
            walk,
        )

        try:
            documents = load_documents(token.text)
        except YamlError:
            return  # a templated pod spec; Jenkins reports real errors itself
        starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", token.text)]
        for document in documents:
            for path, node in walk(document):
                if not path or path[-1] != "image" or not isinstance(node, ScalarNode):
                    continue
                mark = node.start_mark
                if mark.line >= len(starts):
                    continue
                begin = starts[mark.line] + mark.column + (1 if node.style in ("'", '"') else 0)
                end = begin + len(str(node.value))
                if end >= len(token.offsets) or token.text[begin:end] != node.value:
                    continue
                span = self.pos.span(token.offsets[begin], token.offsets[end - 1] + 1)
                value = str(node.value).strip()
                if value and (span, value) not in self.seen:
                    self.seen.add((span, value))
                    context = f"agent.kubernetes.yaml.{format_path(path)}"
                    self.facts.images.append(ImageRef(self.source.path, span, value, value, KIND, context))

    def environment(self, i: int) -> None:
        depth = 1
        while i < len(self.tokens) and depth > 0:
            if self.is_(i, "punct", "{"):
                depth += 1
            elif self.is_(i, "punct", "}"):
                depth -= 1
            elif depth == 1 and self.is_(i, "ident") and self.is_(i + 1, "punct", "=") and self.is_(i + 2, "string"):
                value = self.tokens[i + 2]
                name = self.tokens[i].text
                span = self.word(value).span
                self.env[name] = Step(f"environment.{name}", value.text, Location(self.source.path, span))
                i += 3
                continue
            elif depth == 1 and self.is_(i, "ident") and self.is_(i + 1, "punct", "="):
                self.env[self.tokens[i].text] = Step(f"environment.{self.tokens[i].text}", None)
            i += 1

    def docker_call(self, i: int) -> int:
        method = self.tok(i + 2)
        if method is None or method.kind != "ident" or not self.is_(i + 3, "punct", "("):
            return i + 1
        close = self.close_paren(i + 3)
        args = [t for t in self.tokens[i + 4 : close] if t.kind == "string"]
        first = self.tok(i + 4)
        literal_first = first is not None and first.kind == "string"
        target_var = None
        if self.is_(i - 1, "punct", "=") and self.is_(i - 2, "ident"):
            target_var = self.tokens[i - 2].text
        end = self.tokens[close].end
        written = self.source.text[self.tokens[i].start : end]
        if method.text == "image" and literal_first:
            self.image(first, "docker.image")  # type: ignore[arg-type]
            word = self.word(first)  # type: ignore[arg-type]
            if target_var:
                self.built[target_var] = word
            if self.is_(close + 1, "punct", ".") and self.is_(close + 2, "ident", "push"):
                return self.push(i, close + 2, word, "docker.image")
        elif method.text == "build" and literal_first:
            word = self.word(first)  # type: ignore[arg-type]
            self.command(self.tokens[i].start, end, "docker", "build", written, (word,),
                         targets=(word,), push=False, default_tag="latest", verb="docker.build", editable=False)
            if target_var:
                self.built[target_var] = word
            if self.is_(close + 1, "punct", ".") and self.is_(close + 2, "ident", "push"):
                return self.push(i, close + 2, word, "docker.build")
        elif method.text == "withRegistry":
            server = args[0] if args and first is not None and first.kind == "string" else None
            host = None
            if server is not None and server.text.strip():
                host_text = re.sub(r"^[a-z]+://", "", server.text.strip()).split("/")[0]
                host = Word(server.raw, host_text, self.word(server).span)
            self.command(self.tokens[i].start, end, "docker", "login", written, (), server=host,
                         default_server="docker.io", password_stdin=True, verb="docker.withRegistry", editable=False)
        return close + 1

    def push(self, start_index: int, push_index: int, image: Word, holder: str) -> int:
        """``x.push()`` / ``x.push('tag')``: a push of ``image`` (retagged)."""
        if not self.is_(push_index + 1, "punct", "("):
            return push_index + 1
        close = self.close_paren(push_index + 1)
        tag_token = self.tok(push_index + 2)
        end = self.tokens[close].end
        written = self.source.text[self.tokens[start_index].start : end]
        if tag_token is not None and tag_token.kind == "string" and push_index + 2 < close:
            tag = self.word(tag_token)
            repository = _without_tag(image.value)
            origin = Step(holder, image.value, Location(self.source.path, image.span))
            target = Word(tag.written, f"{repository}:{tag.value}", tag.span, (*image.via, origin, *tag.via))
        else:  # reported at the push call; the name was written where the image was built
            target = Word(image.written, image.value, self.pos.span(self.tokens[start_index].start, end),
                          (*image.via, Step(holder, image.value, Location(self.source.path, image.span))))
        self.command(self.tokens[start_index].start, end, "docker", "push", written, (target,),
                     targets=(target,), push=True, default_tag="latest", verb=".push()", editable=False)
        return close + 1

    def script(self, token: Token) -> None:
        """An ``sh`` script.  In a GString, Groovy replaces ``${env.X}``
        before the shell runs; it is handed to the shell as ``${X}`` (Jenkins
        exports the same variable), with spans and written text mapped back."""
        text, offsets = _shell_text(token)

        def position(offset: int) -> tuple[int, int]:
            index = min(max(offset, 0), len(offsets) - 1)
            return self.pos.at(offsets[index])

        def end_position(offset: int) -> tuple[int, int]:
            if offset <= 0:
                return position(0)
            line, column = self.pos.at(offsets[min(offset, len(offsets) - 1) - 1])
            return line, column + 1

        def original(start: int, end: int) -> str:
            if end <= start:
                return ""
            return self.source.text[offsets[start] : offsets[min(end, len(offsets) - 1) - 1] + 1]

        editable = token.raw == token.text
        from taglint.shell import analyze_script

        found = analyze_script(text, path=self.source.path, kind=KIND, scope=SCOPE, position=position,
                               env=self.env, editable=editable, original=original, end_position=end_position)
        self.facts.commands.extend(found.commands)
        self.facts.images.extend(found.images)
        self.facts.problems.extend(found.problems)


_GSTRING = re.compile(r"\$\{\s*(?:env\.)?([A-Za-z_]\w*)\s*\}|\$(?:env\.)?([A-Za-z_]\w*)")


def _shell_text(token: Token) -> tuple[str, list[int]]:
    """The script text the shell sees, and the file offset of each character
    (plus one past the end): ``${env.X}`` → ``${X}`` in GStrings."""
    text = token.text
    offsets = list(token.offsets)
    if not token.quote.startswith('"') or "${env." not in text:
        return text, offsets
    out: list[str] = []
    mapped: list[int] = []
    i = 0
    while i < len(text):
        if text.startswith("${env.", i):
            out.append("${")
            mapped.extend(offsets[i : i + 2])
            i += len("${env.")
            continue
        out.append(text[i])
        mapped.append(offsets[i])
        i += 1
    mapped.append(offsets[-1])
    return "".join(out), mapped


def _without_tag(reference: str) -> str:
    name = reference.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name
