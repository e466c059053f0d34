"""Extractors of Kubernetes files: manifests, Helm charts, Kustomize, and the dev tools that deploy them (Skaffold, Tilt)."""

KINDS: dict[str, str] = {}  # kinds added by this family (taglint.extract.families)
