"""The operations files hold together: the compose file runs Prometheus and Grafana beside the
bot and workers with their metrics ports on, Prometheus scrapes those ports, and every metric the
Grafana dashboard queries is one services.metrics exports (no docker here: the files are read)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from services.metrics import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
OPS = ROOT / "ops"


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def exported_names() -> set[str]:
    """Every series name services.metrics can expose, whether or not it has a sample yet."""
    suffixes = {
        "counter": ("_total", "_created"),
        "gauge": ("",),
        "histogram": ("_bucket", "_count", "_sum", "_created"),
        "summary": ("_count", "_sum", "_created", ""),
    }
    return {
        family.name + suffix
        for family in REGISTRY.collect()
        for suffix in suffixes.get(family.type, ("",))
    }


def queries(dashboard: dict[str, Any]) -> list[str]:
    return [
        target["expr"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        if "expr" in target
    ]


def test_the_compose_file_runs_prometheus_and_grafana_beside_bot_and_workers() -> None:
    compose = _yaml(ROOT / "docker-compose.yml")
    services = compose["services"]
    assert {"postgres", "redis", "migrate", "bot", "workers", "prometheus", "grafana"} <= set(
        services
    )
    for name in ("bot", "workers"):
        environment = services[name]["environment"]
        assert int(environment["METRICS_PORT"]) == 9100
        assert int(environment["WORKER_METRICS_PORT"]) == 9101
    mounts = {volume.split(":")[0] for volume in services["prometheus"]["volumes"]}
    assert "./ops/prometheus.yml" in mounts
    grafana = {volume.split(":")[0] for volume in services["grafana"]["volumes"]}
    assert {"./ops/grafana/provisioning", "./ops/grafana/dashboards"} <= grafana
    for volume in (*services["prometheus"]["volumes"], *services["grafana"]["volumes"]):
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (ROOT / source).exists(), source
        else:
            assert source in compose["volumes"], source


def test_prometheus_scrapes_the_ports_the_processes_serve_on() -> None:
    compose = _yaml(ROOT / "docker-compose.yml")["services"]
    config = _yaml(OPS / "prometheus.yml")
    ports = {
        job["job_name"]: {
            (name, sd["port"]) for sd in job["dns_sd_configs"] for name in sd["names"]
        }
        for job in config["scrape_configs"]
    }
    bot_port = int(compose["bot"]["environment"]["METRICS_PORT"])
    workers_port = int(compose["workers"]["environment"]["WORKER_METRICS_PORT"])
    assert ports == {"bot": {("bot", bot_port)}, "workers": {("workers", workers_port)}}


def test_grafana_is_provisioned_with_the_datasource_the_dashboard_uses() -> None:
    [source] = _yaml(OPS / "grafana/provisioning/datasources/prometheus.yml")["datasources"]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    [provider] = _yaml(OPS / "grafana/provisioning/dashboards/pythia.yml")["providers"]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
    dashboard = json.loads((OPS / "grafana/dashboards/pythia.json").read_text(encoding="utf-8"))
    uids = {
        target["datasource"]["uid"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
    }
    assert uids == {source["uid"]}


def test_every_metric_the_dashboard_queries_is_exported() -> None:
    dashboard = json.loads((OPS / "grafana/dashboards/pythia.json").read_text(encoding="utf-8"))
    exported = exported_names()
    used = {name for expr in queries(dashboard) for name in re.findall(r"\bpythia_\w+", expr)}
    assert used and not used - exported, sorted(used - exported)


def test_the_dashboard_shows_what_operators_were_promised() -> None:
    dashboard = json.loads((OPS / "grafana/dashboards/pythia.json").read_text(encoding="utf-8"))
    text = "\n".join(queries(dashboard))
    for family in (
        "pythia_updates_total",
        "pythia_handler_seconds_bucket",
        "pythia_outbox_backlog",
        "pythia_outbox_sent_total",
        "pythia_outbox_failed_total",
        "pythia_outbox_retry_after_total",
        "pythia_price_lag_seconds",
        "pythia_candle_lag_seconds",
        "pythia_news_lag_seconds",
        "pythia_job_seconds_bucket",
        "pythia_job_failures_total",
        "pythia_model_age_seconds",
    ):
        assert family in text, family
    assert "histogram_quantile(0.95" in text


def test_a_misspelt_metric_would_be_caught() -> None:
    exported = exported_names()
    assert "pythia_updates_total" in exported and "pythia_update_total" not in exported
    assert "pythia_handler_seconds_bucket" in exported and "pythia_outbox_backlog" in exported
