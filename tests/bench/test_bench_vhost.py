"""The benchmark makes its own vhost on a broker without the management plugin (the one `./zs run` starts):
through rabbitmqctl, and deletes it after."""

from __future__ import annotations

import pytest
from kombu import Connection

from bench import vhost as bench_vhost

pytestmark = pytest.mark.integration


def test_without_the_management_plugin_the_vhost_is_made_with_rabbitmqctl(monkeypatch):
    monkeypatch.setattr(bench_vhost, "MANAGEMENT", "http://127.0.0.1:1/api")  # nothing answers there
    made = bench_vhost.make_vhost("zs-bench-test")
    try:
        assert made.by == "rabbitmqctl"
        with Connection(made.uri, connect_timeout=10) as conn:
            conn.ensure_connection(max_retries=1)  # the guest user may use it
    finally:
        made.delete()
    with pytest.raises(Exception):
        with Connection(made.uri, connect_timeout=5) as conn:
            conn.ensure_connection(max_retries=1)
