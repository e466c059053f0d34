"""Tiltfiles (Starlark, read as Python with :mod:`ast`).

Tilt builds the images its build functions name — ``docker_build('app',
'.')``, ``custom_build('app', 'make image', deps=[…])``, the
``docker_build_with_restart``/``custom_build_with_restart`` and
``ko_build`` extensions — and, when it deploys, puts the image it built in
place of every reference to that name in the YAML it applies
(``k8s_yaml(…)``, ``docker_compose(…)``).  A name without a tag matches the
name with any tag; a name with a tag matches only that tag.  Those
references are the repository's own images, not pulls.  This extractor
reports no image; it records, for :mod:`taglint.resolve.build_tools`,
``extras["build_tool"]``:

* ``tool``: ``"tilt"``;
* ``images``: the names built (the first argument, or ``ref=``);
* ``manifests``: the string arguments of ``k8s_yaml``, ``docker_compose``,
  ``kustomize``, ``helm``, ``helm_resource`` and ``listdir`` calls (paths of
  files, kustomizations and charts, relative to the Tiltfile's folder),
  except inside ``local(…)`` (a command, not a path).

Arguments may be string literals, lists of them, ``+`` concatenations, or
names bound to those at any level (``IMG = 'app'``, ``for name in ['a',
'b']:``); anything else (``cfg.get('name')``, f-strings) is left out.  A
Tiltfile that Python cannot parse is read with a simpler pattern match of
literal first arguments and of the literal strings in ``k8s_yaml(…)``.
"""
from __future__ import annotations

import ast
import re
from itertools import product

from taglint import limits
from taglint.model import FileFacts
from taglint.source import ExtractContext, SourceFile

KIND = "tilt"
TOOL = "tilt"
BUILD_FUNCTIONS = frozenset({
    "docker_build", "custom_build", "docker_build_with_restart", "custom_build_with_restart", "ko_build",
})
DEPLOY_FUNCTIONS = frozenset({"k8s_yaml", "docker_compose", "kustomize", "helm", "helm_resource", "listdir", "read_file"})
COMMAND_FUNCTIONS = frozenset({"local", "blob"})
MAX_VALUES = 64  # values of one name or expression, at most

_BUILD_CALL = re.compile(
    r"\b(?:" + "|".join(sorted(BUILD_FUNCTIONS)) + r")\s*\(\s*(?:ref\s*=\s*)?(['\"])([^'\"\n]+)\1\s*[,)]"
)
_COMMAND_CALL = re.compile(r"\b(?:" + "|".join(sorted(COMMAND_FUNCTIONS)) + r")\s*\(")
_DEPLOY_CALL = re.compile(r"\b(?:k8s_yaml|docker_compose)\s*\(")
_STRING = re.compile(r"(['\"])([^'\"\n]*)\1")


def extract(source: SourceFile, ctx: ExtractContext) -> FileFacts:
    facts = FileFacts(source.path, KIND)
    try:
        tree = ast.parse(source.text, filename=source.path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        images, manifests = _scan_text(source.text)
    else:
        images, manifests = _read_tree(tree)
    facts.extras["build_tool"] = {
        "tool": TOOL,
        "images": list(dict.fromkeys(name.strip() for name in images if name.strip())),
        "manifests": list(dict.fromkeys(path.strip() for path in manifests if path.strip())),
        "requires": [],
    }
    return facts


def _read_tree(tree: ast.AST) -> tuple[list[str], list[str]]:
    names = _bindings(tree)
    images: list[str] = []
    manifests: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = _function_name(node)
        if function in BUILD_FUNCTIONS:
            ref = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "ref"), None)
            if ref is not None:
                images.extend(_values(ref, names))
        elif function in DEPLOY_FUNCTIONS:
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                manifests.extend(_paths(argument, names))
    return images, manifests


def _function_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _bindings(tree: ast.AST) -> dict[str, list[str]]:
    """The string values each name is bound to anywhere in the file
    (assignments and ``for`` loops over literal lists), in two passes so a
    name bound from another name is known too."""
    names: dict[str, list[str]] = {}
    for _ in range(2):
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
                found = _values(value, names)
            elif isinstance(node, ast.For):
                targets, found = [node.target], [v for item in _items(node.iter) for v in _values(item, names)]
            else:
                continue
            for target in targets:
                if isinstance(target, ast.Name) and found:
                    known = names.setdefault(target.id, [])
                    known.extend(v for v in found if v not in known)
                    del known[MAX_VALUES:]
    return names


def _items(node: ast.AST) -> list[ast.AST]:
    return list(node.elts) if isinstance(node, (ast.List, ast.Tuple)) else []


def _values(node: ast.AST, names: dict[str, list[str]]) -> list[str]:
    """The strings an expression can be: literals, lists, names, ``+``."""
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else []
    if isinstance(node, ast.Name):
        return list(names.get(node.id, ()))
    if isinstance(node, (ast.List, ast.Tuple)):
        return [v for item in node.elts for v in _values(item, names)][:MAX_VALUES]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _joined(_values(node.left, names), _values(node.right, names))
    return []


def _joined(left: list[str], right: list[str]) -> list[str]:
    """``left + right`` for each pair, within the bounds of
    :mod:`taglint.limits` (``A1 = A0 + A0`` forty times: the long values
    are not known)."""
    budget = limits.budget()
    out: list[str] = []
    for a, b in product(left, right):
        if len(out) >= MAX_VALUES:
            break
        if len(a) + len(b) > limits.MAX_VALUE_CHARS:
            continue
        if not budget.admit(a + b):
            break
        out.append(a + b)
    return out


def _paths(node: ast.AST, names: dict[str, list[str]]) -> list[str]:
    """Path strings in a deploy call's argument, nested calls included,
    commands (``local(…)``) left out."""
    if isinstance(node, ast.Call):
        if _function_name(node) in COMMAND_FUNCTIONS:
            return []
        return [p for arg in [*node.args, *(k.value for k in node.keywords)] for p in _paths(arg, names)]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [p for item in node.elts for p in _paths(item, names)]
    return _values(node, names)


def _scan_text(text: str) -> tuple[list[str], list[str]]:
    """A pattern reading for files :mod:`ast` refuses."""
    images = [match.group(2) for match in _BUILD_CALL.finditer(text)]
    manifests: list[str] = []
    for match in _DEPLOY_CALL.finditer(text):
        arguments = _balanced(text, match.end())
        for command in reversed(list(_COMMAND_CALL.finditer(arguments))):  # local(...) is a command
            inner = _balanced(arguments, command.end())
            arguments = arguments[: command.start()] + arguments[command.end() + len(inner) + 1 :]
        manifests.extend(s.group(2) for s in _STRING.finditer(arguments))
    return images, manifests


def _balanced(text: str, start: int) -> str:
    """The text from ``start`` to the parenthesis closing the one just before it."""
    depth = 1
    for index in range(start, min(len(text), start + 10_000)):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return text[start:index]
    return text[start : start + 10_000]
