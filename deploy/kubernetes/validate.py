"""Validate the manifests offline: `make test-deploy` (its own virtualenv: kubernetes-validate
needs a newer jsonschema than Rasa allows).

Builds the base and the production overlay with `kubectl kustomize` (the overlay with the
example secrets), then checks every resource against the Kubernetes schema of
KUBERNETES_VERSION with kubernetes-validate in strict mode (unknown fields are errors).
Resources of other APIs (KEDA) are checked for shape only. Exit 1 on any error.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import kubernetes_validate
import yaml

KUBERNETES_VERSION = "1.33.0"
HERE = Path(__file__).resolve().parent
CUSTOM_APIS = ("keda.sh/",)


def build(target: Path) -> list[dict]:
    """The resources kustomize renders for `target`."""
    rendered = subprocess.run(["kubectl", "kustomize", str(target)], check=True,
                              capture_output=True, text=True).stdout
    return [doc for doc in yaml.safe_load_all(rendered) if doc]


def problems(resource: dict) -> list[str]:
    """Schema errors of one resource ([] when valid)."""
    name = f"{resource.get('kind')}/{resource.get('metadata', {}).get('name')}"
    if str(resource.get("apiVersion", "")).startswith(CUSTOM_APIS):
        ok = {"apiVersion", "kind", "metadata", "spec"} <= set(resource)
        return [] if ok else [f"{name}: not a complete resource"]
    try:
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [f"{name}: {exc.message} at {'/'.join(map(str, exc.path))}"]
    return []


def main() -> int:
    """Build, validate, report."""
    if not shutil.which("kubectl"):
        print("kubectl (with kustomize) is needed: install the kubectl package "
              "(https://kubernetes.io/docs/tasks/tools/) and run again")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "kubernetes"
        shutil.copytree(HERE, copy)
        shutil.copy(HERE / "secrets.example.env", copy / "overlays/production/secrets.env")
        sets = {"base": build(copy / "base"),
                "production": build(copy / "overlays/production")}
    optional = [yaml.safe_load(path.read_text())
                for path in sorted((HERE / "optional").glob("*.yaml"))]
    errors = [error for resources in [*sets.values(), optional] for r in resources
              for error in problems(r)]
    counts = ", ".join(f"{name} {len(resources)}" for name, resources in sets.items())
    print(f"kubernetes {KUBERNETES_VERSION}: {counts} resources, {len(optional)} optional; "
          f"{len(errors)} errors")
    for error in errors:
        print("  " + error)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
