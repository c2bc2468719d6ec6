"""The alert rules and the dashboard ask only for metrics the app exports."""

import json
import re
from pathlib import Path

import yaml
from prometheus_client import Counter, Histogram

from webhook import metrics

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
COLLECTED = {"inbox_length", "inbox_pending", "inbox_oldest_age_seconds",
             "handoff_queue_length", "handoff_queue_oldest_wait_seconds",
             "dead_letter_stream_length", "workers_alive", "redis_used_memory_bytes",
             "redis_maxmemory_bytes", "redis_up"}


def exported() -> set[str]:
    names = {f"helpline_{name}" for name in COLLECTED}
    for value in vars(metrics).values():
        if isinstance(value, Counter):
            names.add(value._name + "_total")
        elif isinstance(value, Histogram):
            names |= {value._name + suffix for suffix in ("_bucket", "_sum", "_count")}
    return names


def referenced(text: str) -> set[str]:
    return set(re.findall(r"helpline_[a-z_]+", text))


def test_the_collector_reports_what_the_list_above_says():
    source = Path(metrics.__file__).read_text()
    assert {f"helpline_{n}" for n in COLLECTED} <= {
        m.replace("{NAMESPACE}", "helpline") for m in re.findall(r'f"(\{NAMESPACE\}_[a-z_]+)"',
                                                                 source)} | {
        f"helpline_{n}" for n in re.findall(r'_gauge\("([a-z_]+)"', source)}


def test_alert_rules_use_exported_metrics_only():
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    assert len(exprs) >= 9
    unknown = set().union(*map(referenced, exprs)) - exported()
    assert not unknown


def test_dashboard_uses_exported_metrics_only():
    dashboard = json.loads((DEPLOY / "grafana" / "helpline-dashboard.json").read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert not set().union(*map(referenced, exprs)) - exported()
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])
