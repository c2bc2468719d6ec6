"""Every environment variable the app reads is set in the Kubernetes manifests (the ConfigMap,
the Secret's example, a container's env), unless it only matters on a developer's machine."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "kubernetes"
READS = [r'environ\.get\(\s*"([A-Z][A-Z0-9_]+)"', r'environ\[\s*"([A-Z][A-Z0-9_]+)"\]',
         r'\benv\.get\(\s*"([A-Z][A-Z0-9_]+)"', r'getenv\(\s*"([A-Z][A-Z0-9_]+)"',
         r"\$\{([A-Z][A-Z0-9_]+)"]
# Read by the app but meaningful only in development or tests, or set by the image itself.
NOT_FOR_CLUSTERS = {
    "PYTHONPATH": "set by the image",
    "RASA_TELEMETRY_ENABLED": "set by the image",
    "WEB_WORKERS": "the entrypoint's default (2) suits the measured sizes",
    "WEB_THREADS": "the entrypoint's default suits the measured sizes",
    "RASA_REPLICAS": "make run only; on a cluster the StatefulSet's replicas and RASA_URLS",
    "RASA_INTERFACE": "the entrypoint's default, 0.0.0.0 of the pod (NetworkPolicies limit it)",
}


def variables_read() -> set[str]:
    files = [*ROOT.glob("webhook/**/*.py"), *ROOT.glob("bot/**/*.py"),
             ROOT / "bot" / "endpoints.yml", ROOT / "docker" / "entrypoint.sh"]
    text = "\n".join(path.read_text() for path in files if path.exists())
    names = set().union(*(re.findall(pattern, text) for pattern in READS))
    return names


def variables_set() -> set[str]:
    names = set()
    for path in (K8S / "base").glob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") == "ConfigMap":
                names |= set(doc["data"])
            for container in _containers(doc or {}):
                names |= {item["name"] for item in container.get("env", [])}
    example = (K8S / "secrets.example.env").read_text()
    return names | set(re.findall(r"^([A-Z][A-Z0-9_]+)=", example, re.M))


def _containers(doc: dict) -> list[dict]:
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    return spec.get("containers", [])


def test_the_scan_finds_what_the_app_reads():
    found = variables_read()
    assert {"REDIS_URL", "RASA_URL", "APP_ENV", "INBOX_SHARDS", "NLG_URL"} <= found


def test_every_variable_the_app_reads_is_set_for_the_cluster():
    missing = variables_read() - variables_set() - set(NOT_FOR_CLUSTERS)
    assert not missing, f"set these in deploy/kubernetes (config.yaml or secrets): {missing}"
