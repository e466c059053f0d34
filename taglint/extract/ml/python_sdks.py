"""Images named in Python code through ML SDKs, read with :mod:`ast`.

Only in files that import an SDK (a substring test first, then the parse):

* Kubeflow Pipelines: ``@dsl.component(base_image=…)``,
  ``dsl.ContainerSpec(image=…)`` (returned by ``@dsl.container_component``
  functions), v1 ``ContainerOp(image=…)`` and
  ``create_component_from_func(base_image=…)``; ``packages_to_install`` and
  ``target_image`` (the image ``kfp component build`` pushes) are left
  alone.  A ``@dsl.component`` with no ``base_image`` runs in the SDK's
  default image (:data:`KFP_DEFAULT_BASE_IMAGE`): it is recorded at the
  decorator, with the SDK's rule as the source of the value, so the image
  rules judge it like any other (``python:3.9`` moves to each patch
  release: TL104);
* SageMaker and Vertex AI: ``image_uri=``, ``container_uri=``,
  ``serving_container_image_uri=`` of any call, Vertex
  ``worker_pool_specs`` dictionaries (``image_uri``);
* Azure ML ``Environment(image=…)``; Ray ``runtime_env={"image_uri": …}``
  or ``{"container": {"image": …}}``; Metaflow ``@kubernetes(image=…)``,
  ``@batch(image=…)``; Flyte ``container_image=`` (not an ``ImageSpec``
  object, whose ``base_image`` is read where it is built) and
  ``ImageSpec(base_image=…)``; Airflow ``KubernetesPodOperator``,
  ``DockerOperator`` (and friends) and ``@task.kubernetes``/
  ``@task.docker`` ``image=``.

Values are resolved by :mod:`taglint.extract.ml.python_values`; what is
not known stays a placeholder whose step names the expression (TL108).
"""
from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field

from taglint.extract.ml import SDK_WORDS
from taglint.extract.ml.python_values import Positions, Resolver, Value, module_bindings, string_span
from taglint.model import FileFacts, ImageRef, Span, Step

# kfp 2.x, kfp/dsl/component_factory.py: _DEFAULT_BASE_IMAGE = 'python:3.9'
KFP_DEFAULT_BASE_IMAGE = "python:3.9"
KFP_DEFAULT_RULE = "the KFP SDK's default base_image (a @dsl.component without base_image runs in python:3.9)"


@dataclass(frozen=True)
class Place:
    """Where a callee takes an image: keyword names, and the positional
    index when the image may be passed by position."""

    keywords: tuple[str, ...]
    sdks: frozenset[str]
    position: int | None = None


def _place(keywords: str, sdks: str, position: int | None = None) -> Place:
    return Place(tuple(keywords.split()), frozenset(sdks.split()), position)


BY_CALLEE: dict[str, Place] = {
    "component": _place("base_image", "kfp"),
    "create_component_from_func": _place("base_image", "kfp"),
    "func_to_container_op": _place("base_image", "kfp"),
    "ContainerSpec": _place("image", "kfp", 0),
    "ContainerOp": _place("image", "kfp", 1),
    "Environment": _place("image", "azureml"),
    "kubernetes": _place("image", "metaflow airflow"),
    "batch": _place("image", "metaflow"),
    "docker": _place("image", "airflow"),
    "KubernetesPodOperator": _place("image", "airflow"),
    "GKEStartPodOperator": _place("image", "airflow"),
    "EksPodOperator": _place("image", "airflow"),
    "DockerOperator": _place("image", "airflow"),
    "DockerSwarmOperator": _place("image", "airflow"),
    "ImageSpec": _place("base_image", "flytekit"),
}
# Keywords that name an image whatever the callee (SDK classes are many).
ANY_CALLEE: dict[str, frozenset[str]] = {
    "image_uri": frozenset({"sagemaker", "aiplatform", "ray"}),
    "container_uri": frozenset({"aiplatform"}),
    "serving_container_image_uri": frozenset({"aiplatform"}),
    "model_serving_container_image_uri": frozenset({"aiplatform"}),
    "container_image": frozenset({"flytekit"}),
}
# Keywords whose dictionaries hold images: keyword -> (SDKs, image keys, {holder key: image key}).
DICT_KEYWORDS: dict[str, tuple[frozenset[str], frozenset[str], dict[str, str]]] = {
    "runtime_env": (frozenset({"ray"}), frozenset({"image_uri"}), {"container": "image"}),
    "worker_pool_specs": (frozenset({"aiplatform"}), frozenset({"image_uri", "executor_image_uri"}), {}),
}
_SDK_MODULES = {
    "kfp": "kfp", "sagemaker": "sagemaker", "google.cloud.aiplatform": "aiplatform", "vertexai": "aiplatform",
    "azure.ai.ml": "azureml", "azureml": "azureml", "ray": "ray", "metaflow": "metaflow",
    "flytekit": "flytekit", "airflow": "airflow",
}


def read(source_path: str, text: str, kind: str) -> FileFacts:
    """The facts of a Python file of ``kind`` (``kfp-dsl``/``python-sdk``)."""
    facts = FileFacts(source_path, kind)
    if not any(word in text for word in SDK_WORDS):
        return facts  # no SDK can be imported: no parse
    try:
        with warnings.catch_warnings():  # `"\d"` in a scanned file is its author's business, not a scan's output
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=source_path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return facts  # Python 2, a template, or too deep: not ours to report
    nodes = _Nodes.of(tree)
    sdks, kfp_names = imported_sdks(nodes.imports)
    if sdks:
        _Reader(facts, text, tree, sdks, kfp_names).read(nodes)
    return facts


@dataclass
class _Nodes:
    """The nodes the reader looks at, gathered in one walk of the tree."""

    imports: list[ast.Import | ast.ImportFrom] = field(default_factory=list)
    calls: list[ast.Call] = field(default_factory=list)
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=list)

    @classmethod
    def of(cls, tree: ast.Module) -> _Nodes:
        found = cls()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                found.calls.append(node)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                found.imports.append(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.functions.append(node)
        return found


def imported_sdks(imports: list[ast.Import | ast.ImportFrom]) -> tuple[frozenset[str], frozenset[str]]:
    """The SDKs the import statements name, and the local names of KFP's
    ``component`` decorator (``from kfp.dsl import component``)."""
    found: set[str] = set()
    kfp_names: set[str] = set()
    for node in imports:
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif node.module and not node.level:
            modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            if node.module.split(".")[0] == "kfp":
                kfp_names.update(alias.asname or alias.name for alias in node.names if alias.name == "component")
        else:
            continue
        for module in modules:
            for prefix, sdk in _SDK_MODULES.items():
                if module == prefix or module.startswith(prefix + "."):
                    found.add(sdk)
    return frozenset(found), frozenset(kfp_names)


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


@dataclass
class _Reader:
    facts: FileFacts
    text: str
    tree: ast.Module
    sdks: frozenset[str]
    kfp_names: frozenset[str]
    positions: Positions = field(init=False)
    resolver: Resolver = field(init=False)
    bindings: dict[str, ast.expr | None] = field(init=False)
    _seen: set[tuple[Span, str]] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self.positions = Positions(self.text)
        self.bindings = module_bindings(self.tree)
        self.resolver = Resolver(self.facts.path, self.positions, self.bindings)

    def read(self, nodes: _Nodes) -> None:
        for call in nodes.calls:
            self._call(call)
        if "kfp" in self.sdks:
            for function in nodes.functions:
                for decorator in function.decorator_list:
                    if not isinstance(decorator, ast.Call) and self._kfp_component(decorator):
                        self._kfp_default(decorator)
        self.facts.images.sort(key=lambda ref: ref.span)  # in the order the file names them

    # -- calls -----------------------------------------------------------------

    def _call(self, call: ast.Call) -> None:
        name = "component" if self._kfp_component(call.func) else _callee(call.func)
        place = BY_CALLEE.get(name or "")
        keywords = {keyword.arg: keyword.value for keyword in call.keywords if keyword.arg}
        if place is not None and place.sdks & self.sdks:
            image = next((keywords[k] for k in place.keywords if k in keywords), None)
            if image is None and place.position is not None and len(call.args) > place.position:
                image = call.args[place.position]
            if image is not None:
                keyword = next((k for k in place.keywords if k in keywords), place.keywords[0])
                self._image(image, f"{name}({keyword}=)")
            elif name == "component" and self._kfp_component(call.func):
                self._kfp_default(call.func)
        for keyword, sdks in ANY_CALLEE.items():
            if keyword in keywords and sdks & self.sdks:
                self._image(keywords[keyword], f"{name or 'call'}({keyword}=)")
        for keyword, (sdks, keys, holders) in DICT_KEYWORDS.items():
            if keyword in keywords and sdks & self.sdks:
                self._dict_images(keywords[keyword], f"{keyword}", keys, holders)

    def _dict_images(self, node: ast.expr, context: str, keys: frozenset[str], holders: dict[str, str]) -> None:
        """Images in the dictionaries of ``node`` (a literal, or a module-level
        name bound to one), at ``keys`` or ``holders[key][image key]``."""
        if isinstance(node, ast.Name) and isinstance(self.bindings.get(node.id), (ast.Dict, ast.List)):
            node = self.bindings[node.id]  # type: ignore[assignment]
        for inner in ast.walk(node):
            if not isinstance(inner, ast.Dict):
                continue
            for key, value in zip(inner.keys, inner.values):
                if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                    continue
                if key.value in keys:
                    self._image(value, f"{context}.{key.value}")
                elif key.value in holders and isinstance(value, ast.Dict):
                    for inner_key, image in zip(value.keys, value.values):
                        if isinstance(inner_key, ast.Constant) and inner_key.value == holders[key.value]:
                            self._image(image, f"{context}.{key.value}.{inner_key.value}")

    # -- KFP default base image ---------------------------------------------------

    def _kfp_component(self, node: ast.expr) -> bool:
        """``dsl.component``, ``kfp.dsl.component`` or ``component`` imported from kfp."""
        if isinstance(node, ast.Name):
            return node.id in self.kfp_names
        return isinstance(node, ast.Attribute) and node.attr == "component" and _callee(node.value) == "dsl"

    def _kfp_default(self, node: ast.expr) -> None:
        start, end = self.positions.bounds(node)
        written = self.text[start:end]
        step = Step(KFP_DEFAULT_RULE, KFP_DEFAULT_BASE_IMAGE)
        self._add(self.positions.span(start, end), written, KFP_DEFAULT_BASE_IMAGE, f"@{written} (default base_image)", (step,))

    # -- one image ---------------------------------------------------------------------

    def _image(self, node: ast.expr, context: str) -> None:
        if isinstance(node, ast.Constant) and not isinstance(node.value, str):
            return  # None: the SDK's own choice
        if self._image_spec(node):
            return
        literal = string_span(self.positions, node)
        if literal is not None:
            span, text = literal
            if text.strip():
                self._add(span, text, text, context, ())
            return
        value: Value = self.resolver.value(node)
        if not value.text.strip():
            return
        start, end = self.positions.bounds(node)
        self._add(self.positions.span(start, end), self.text[start:end], value.text, context, value.via)

    def _image_spec(self, node: ast.expr) -> bool:
        """A Flyte ``ImageSpec`` object (or a name bound to one): built here."""
        if isinstance(node, ast.Name):
            bound = self.bindings.get(node.id)
            node = bound if bound is not None else node
        return isinstance(node, ast.Call) and _callee(node.func) == "ImageSpec"

    def _add(self, span: Span, written: str, value: str, context: str, via: tuple[Step, ...]) -> None:
        key = (span, value)
        if key in self._seen:
            return
        self._seen.add(key)
        self.facts.images.append(
            ImageRef(path=self.facts.path, span=span, written=written, value=value, kind=self.facts.kind,
                     context=context, via=via)
        )
