"""Seeded release bundles and Helm CRD charts, shaped like the real ones.

A release bundle is what projects attach to a release for ``kubectl apply
-f`` (KServe's ``kserve.yaml``, cert-manager's, Argo's ``install.yaml``):
first the CustomResourceDefinitions, whose ``openAPIV3Schema`` nests the
whole Pod spec of a workload (controller-gen output: a ``description`` line
of a few hundred characters on every property, properties named
``image``/``imagePullPolicy`` deep inside), then the controller's own
objects: Namespace, RBAC, ConfigMaps (KServe's ``inferenceservice-config``
carries image settings in JSON strings), webhooks, Services, the
Deployment, and custom resources that name images (serving runtimes).

Everything is generated from a ``random.Random`` seed, so a size always
gives the same bytes.
"""
from __future__ import annotations

import random

WORDS = (
    "the container image name to run in this pod; more info can be found in the Kubernetes documentation "
    "about images; this field is optional to allow higher level config management to default or override "
    "container images in workload controllers like Deployments and StatefulSets; compute resources required "
    "by this container cannot be updated; a list of ports to expose from the container; not specifying a "
    "port here does not prevent that port from being exposed; any port which is listening on the default "
    "address inside a container will be accessible from the network; periodic probe of container liveness"
).split()

LEAF_NAMES = (
    "name", "image", "imagePullPolicy", "command", "args", "workingDir", "stdin", "tty", "key", "value",
    "path", "port", "protocol", "host", "scheme", "timeoutSeconds", "periodSeconds", "successThreshold",
    "failureThreshold", "mountPath", "subPath", "readOnly", "runAsUser", "runAsGroup", "fsGroup", "storageUri",
    "runtimeVersion", "protocolVersion", "minReplicas", "maxReplicas", "scaleTarget", "scaleMetric",
)
OBJECT_NAMES = (
    "spec", "predictor", "transformer", "explainer", "model", "containers", "initContainers", "env",
    "valueFrom", "configMapKeyRef", "secretKeyRef", "resources", "limits", "requests", "livenessProbe",
    "readinessProbe", "httpGet", "tcpSocket", "exec", "securityContext", "capabilities", "volumeMounts",
    "volumes", "persistentVolumeClaim", "affinity", "nodeAffinity", "podAffinityTerm", "labelSelector",
    "matchExpressions", "tolerations", "topologySpreadConstraints", "lifecycle", "postStart", "preStop",
)

QUANTITY = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE])?$"

IMAGES = (
    "kserve/kserve-controller:v0.14.1", "kserve/agent:v0.14.1", "kserve/storage-initializer:v0.14.1",
    "kserve/router:v0.14.1", "gcr.io/kubebuilder/kube-rbac-proxy:v0.13.1", "kserve/sklearnserver:latest",
    "tensorflow/serving:2.6.2", "nvcr.io/nvidia/tritonserver:23.05-py3", "pytorch/torchserve-kfs:0.9.0",
    "kserve/huggingfaceserver", "quay.io/jetstack/cert-manager-controller:v1.16.2",
)


def _sentence(rng: random.Random, low: int, high: int) -> str:
    start = rng.randrange(len(WORDS))
    count = rng.randint(low, high)
    words = [WORDS[(start + i) % len(WORDS)] for i in range(count)]
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _schema(rng: random.Random, out: list[str], indent: int, depth: int, budget: list[int]) -> None:
    """Properties of an object schema, controller-gen style, nested up to ``depth``."""
    pad = " " * indent
    names = sorted(set(rng.sample(LEAF_NAMES, rng.randint(3, 9)) + rng.sample(OBJECT_NAMES, rng.randint(1, 4))))
    for name in names:
        if budget[0] <= 0:
            return
        before = len(out)
        out.append(f"{pad}{name}:")
        if rng.random() < 0.25:  # KServe's bundle drops most descriptions; others keep them
            out.append(f"{pad}  description: {_sentence(rng, 8, 40)}")
        if name in OBJECT_NAMES and depth > 0:
            budget[0] -= len(out[-1]) + 1
            if rng.random() < 0.4:  # a list of objects
                out.append(f"{pad}  items:")
                out.append(f"{pad}    properties:")
                _schema(rng, out, indent + 6, depth - 1, budget)
                out.append(f"{pad}    required:")
                out.append(f"{pad}    - name")
                out.append(f"{pad}    type: object")
                out.append(f"{pad}  type: array")
                out.append(f"{pad}  x-kubernetes-list-map-keys:")
                out.append(f"{pad}  - name")
                out.append(f"{pad}  x-kubernetes-list-type: map")
            else:
                out.append(f"{pad}  properties:")
                _schema(rng, out, indent + 4, depth - 1, budget)
                out.append(f"{pad}  type: object")
        elif name in ("minReplicas", "maxReplicas", "port", "timeoutSeconds", "periodSeconds"):
            out.append(f"{pad}  format: int32")
            out.append(f"{pad}  type: integer")
        elif name in ("stdin", "tty", "readOnly"):
            out.append(f"{pad}  type: boolean")
        elif name in ("port", "scaleTarget"):
            out.append(f"{pad}  anyOf:\n{pad}  - type: integer\n{pad}  - type: string")
            out.append(f"{pad}  pattern: {QUANTITY}")
            out.append(f"{pad}  x-kubernetes-int-or-string: true")
        else:
            out.append(f"{pad}  type: string")
        budget[0] -= sum(len(line) + 1 for line in out[before:before + 8])  # bytes this property wrote


def crd(rng: random.Random, kind: str, group: str, size: int) -> str:
    """A CustomResourceDefinition of about ``size`` bytes (two served versions)."""
    plural = kind.lower() + "s"
    out = [
        "---",
        "apiVersion: apiextensions.k8s.io/v1",
        "kind: CustomResourceDefinition",
        "metadata:",
        "  annotations:",
        "    controller-gen.kubebuilder.io/version: v0.16.2",
        f"  name: {plural}.{group}",
        "spec:",
        f"  group: {group}",
        "  names:",
        f"    kind: {kind}",
        f"    listKind: {kind}List",
        f"    plural: {plural}",
        f"    singular: {kind.lower()}",
        "  scope: Namespaced",
        "  versions:",
    ]
    for version in ("v1alpha1", "v1beta1"):
        out += [
            "  - additionalPrinterColumns:",
            "    - jsonPath: .status.conditions[?(@.type=='Ready')].status",
            "      name: Ready",
            "      type: string",
            f"    name: {version}",
            "    schema:",
            "      openAPIV3Schema:",
            f"        description: {_sentence(rng, 5, 15)}",
            "        properties:",
        ]
        budget = [max(1, size // 2)]  # bytes
        while budget[0] > 0:
            _schema(rng, out, 10, 14, budget)
        out += ["        type: object", "    served: true", f"    storage: {'true' if version == 'v1beta1' else 'false'}",
                "    subresources:", "      status: {}"]
    return "\n".join(out) + "\n"


def _deployment(rng: random.Random, name: str, namespace: str) -> str:
    image = rng.choice(IMAGES)
    return f"""---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app.kubernetes.io/name: {name}
    control-plane: {name}
  name: {name}
  namespace: {namespace}
spec:
  selector:
    matchLabels:
      control-plane: {name}
  template:
    metadata:
      annotations:
        kubectl.kubernetes.io/default-container: manager
      labels:
        control-plane: {name}
    spec:
      containers:
      - args:
        - --metrics-addr=127.0.0.1:8080
        - --leader-elect
        command:
        - /manager
        env:
        - name: POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        image: {image}
        imagePullPolicy: Always
        name: manager
        ports:
        - containerPort: 9443
          name: webhook-server
          protocol: TCP
        resources:
          limits:
            cpu: 100m
            memory: 300Mi
          requests:
            cpu: 100m
            memory: 200Mi
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop:
            - ALL
      - args:
        - --secure-listen-address=0.0.0.0:8443
        - --upstream=http://127.0.0.1:8080/
        image: {rng.choice(IMAGES)}
        name: kube-rbac-proxy
      serviceAccountName: {name}
      terminationGracePeriodSeconds: 10
"""


def _config_map(rng: random.Random, namespace: str) -> str:
    """KServe-like: image settings as JSON in ConfigMap data."""
    parts = []
    for key in ("agent", "batcher", "router", "storageInitializer", "explainers", "logger"):
        parts.append(
            f"  {key}: |-\n    {{\n        \"image\" : \"{rng.choice(IMAGES)}\",\n"
            f"        \"memoryRequest\": \"100Mi\",\n        \"memoryLimit\": \"1Gi\",\n"
            f"        \"cpuRequest\": \"100m\",\n        \"cpuLimit\": \"1\"\n    }}"
        )
    return (
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: inferenceservice-config\n  namespace: {namespace}\n"
        "data:\n  _example: |-\n    ################################\n    # This block is not actually functional configuration\n"
        + "\n".join(parts) + "\n"
    )


def _rbac(rng: random.Random, name: str, namespace: str) -> str:
    resources = ["configmaps", "secrets", "services", "pods", "events", "deployments", "inferenceservices",
                 "servingruntimes", "trainedmodels", "images", "virtualservices", "mutatingwebhookconfigurations"]
    rules = "".join(
        f"- apiGroups:\n  - {group}\n  resources:\n"
        + "".join(f"  - {r}\n" for r in rng.sample(resources, rng.randint(2, 6)))
        + "  verbs:\n  - create\n  - delete\n  - get\n  - list\n  - patch\n  - update\n  - watch\n"
        for group in ("", "apps", "serving.kserve.io", "networking.istio.io", "admissionregistration.k8s.io")
    )
    return (
        f"---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
        f"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {name}-role\nrules:\n{rules}"
        f"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: {name}-rolebinding\n"
        f"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: {name}-role\n"
        f"subjects:\n- kind: ServiceAccount\n  name: {name}\n  namespace: {namespace}\n"
    )


def _webhooks(name: str, namespace: str) -> str:
    hooks = "".join(
        f"- admissionReviewVersions:\n  - v1\n  clientConfig:\n    service:\n      name: {name}-webhook\n"
        f"      namespace: {namespace}\n      path: /mutate-{kind}\n  failurePolicy: Fail\n"
        f"  name: {kind}.serving.kserve.io\n  rules:\n  - apiGroups:\n    - serving.kserve.io\n"
        f"    apiVersions:\n    - v1beta1\n    operations:\n    - CREATE\n    - UPDATE\n    resources:\n    - {kind}s\n"
        f"  sideEffects: None\n"
        for kind in ("inferenceservice", "trainedmodel", "inferencegraph")
    )
    return (
        f"---\napiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n"
        f"  annotations:\n    cert-manager.io/inject-ca-from: {namespace}/serving-cert\n  name: {name}-mutating\nwebhooks:\n{hooks}"
        f"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}-webhook\n  namespace: {namespace}\nspec:\n"
        f"  ports:\n  - port: 443\n    targetPort: webhook-server\n  selector:\n    control-plane: {name}\n"
    )


def _serving_runtime(rng: random.Random, name: str) -> str:
    return (
        f"---\napiVersion: serving.kserve.io/v1alpha1\nkind: ClusterServingRuntime\nmetadata:\n  name: {name}\n"
        f"spec:\n  annotations:\n    prometheus.kserve.io/port: \"8080\"\n  containers:\n  - args:\n"
        f"    - --model_name={{{{.Name}}}}\n    image: {rng.choice(IMAGES)}\n    name: kserve-container\n"
        f"    resources:\n      limits:\n        cpu: \"1\"\n        memory: 2Gi\n"
        f"  supportedModelFormats:\n  - autoSelect: true\n    name: {name}\n    priority: 1\n    version: \"1\"\n"
    )


def release_bundle(rng: random.Random, size: int) -> str:
    """A ``kubectl apply -f`` release bundle of about ``size`` bytes: the
    CRDs first (nearly all of the bytes, as in KServe's), then one set of
    the controller's objects and a dozen serving runtimes."""
    kinds = ["InferenceService", "ServingRuntime", "ClusterServingRuntime", "TrainedModel", "InferenceGraph",
             "ClusterStorageContainer", "LocalModelCache", "LocalModelNode"]
    name = "kserve-controller-manager"
    tail = [_rbac(rng, name, "kserve"), _config_map(rng, "kserve"), _webhooks(name, "kserve"), _deployment(rng, name, "kserve")]
    tail += [_serving_runtime(rng, f"kserve-{runtime}") for runtime in (
        "sklearnserver", "xgbserver", "lgbserver", "tensorflow-serving", "torchserve", "tritonserver",
        "mlserver", "paddleserver", "pmmlserver", "huggingfaceserver", "huggingfaceserver-multinode", "custom",
    )]
    head = "apiVersion: v1\nkind: Namespace\nmetadata:\n  labels:\n    control-plane: kserve-controller-manager\n  name: kserve\n"
    crd_bytes = max(size - sum(map(len, tail)) - len(head), 10_000)
    crd_count = max(1, min(len(kinds), crd_bytes // 400_000 + 1))
    crds = [crd(rng, kinds[i], "serving.kserve.io", crd_bytes // crd_count) for i in range(crd_count)]
    written = sum(map(len, crds))
    while written < crd_bytes * 0.97:  # the schema budget is an estimate: top up with more kinds
        more = crd(rng, f"{kinds[len(crds) % len(kinds)]}V{len(crds)}", "serving.kserve.io", int(crd_bytes - written))
        crds.append(more)
        written += len(more)
    return head + "".join(crds) + "".join(tail)


def crd_chart(rng: random.Random, name: str, crd_size: int) -> dict[str, str]:
    """A Helm chart that ships CRDs in ``crds/`` (files by relative path)."""
    crds = {
        f"crds/{kind.lower()}.yaml": crd(rng, kind, f"{name}.example.io", crd_size).removeprefix("---\n")
        for kind in ("Workflow", "CronWorkflow")[: rng.randint(1, 2)]
    }
    return {
        "Chart.yaml": f"apiVersion: v2\nname: {name}\nversion: 1.{rng.randint(0, 9)}.0\nappVersion: \"v3.5.{rng.randint(0, 9)}\"\n",
        "values.yaml": (
            "controller:\n  image:\n    registry: quay.io\n    repository: argoproj/workflow-controller\n"
            f"    tag: \"{rng.choice(['', 'v3.5.8', 'latest'])}\"\n  replicas: 1\n"
            "executor:\n  image:\n    registry: quay.io\n    repository: argoproj/argoexec\n    tag: \"\"\n"
        ),
        "templates/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-controller\nspec:\n"
            "  template:\n    spec:\n      containers:\n        - name: controller\n"
            "          image: \"{{ .Values.controller.image.registry }}/{{ .Values.controller.image.repository }}:"
            "{{ .Values.controller.image.tag | default .Chart.AppVersion }}\"\n"
            "          args:\n            - --executor-image\n"
            "            - \"{{ .Values.executor.image.registry }}/{{ .Values.executor.image.repository }}:"
            "{{ .Values.executor.image.tag | default .Chart.AppVersion }}\"\n"
        ),
        **crds,
    }
