"""A running service exposes Prometheus metrics and writes JSON logs with project, event and actor."""

from __future__ import annotations

import json

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from tests.conftest import wait_for
from tests.factories import IPB_CLERK, lead

pytestmark = pytest.mark.integration


def test_metrics_and_json_logs(start_platform, config_for, tmp_path):
    platform = start_platform("intake", ZS_METRICS_BASE_PORT="auto", ZS_LOG_FORMAT="json")
    port = platform.metrics_port("intake")
    with ClusterRpcProxy(config_for, timeout=20) as rpc:
        project_id = rpc.intake.register_lead(IPB_CLERK, lead(1))["id"]
        with pytest.raises(Exception):
            rpc.intake.file_project({"user_id": "x", "position": "clerk", "unit": "FIN"}, project_id)

    def scrape():
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        return 'outcome="handled"' in text and 'zhaoshang_outbox_backlog{service="intake"} 0.0' in text and text

    text = wait_for(scrape, what="metrics")
    assert 'zhaoshang_messages_total{entrypoint="register_lead",outcome="handled",service="intake"} 1.0' in text
    assert 'zhaoshang_messages_total{entrypoint="file_project",outcome="failed",service="intake"} 1.0' in text
    assert 'zhaoshang_handler_seconds_count{entrypoint="register_lead",service="intake"} 1.0' in text
    assert 'zhaoshang_outbox_backlog{service="intake"} 0.0' in text

    lines = [
        json.loads(line) for line in (tmp_path / "logs" / "intake.log").read_text().splitlines() if line.startswith("{")
    ]
    refused = [line for line in lines if line.get("entrypoint") == "file_project"]
    assert refused and refused[0]["project_id"] == project_id and refused[0]["actor"] == "x/clerk/FIN"
