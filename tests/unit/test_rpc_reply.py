"""shared.rpc: the services' RPC entrypoint answers through the real RabbitMQ with a lean reply (serialized once,
transient, no confirm awaited) and behaves as nameko's for callers: results, expected errors, an unserializable
result, the service serving on after it."""
from __future__ import annotations

import pytest
from nameko.containers import ServiceContainer
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from shared.errors import EXPECTED, NotFound
from shared.rpc import TRANSIENT, LeanRpc, ReplyPublisher, rpc


class Echo:
    name = "echo_lean"

    @rpc
    def echo(self, value):
        return {"value": value, "名": "招商"}

    @rpc(expected_exceptions=EXPECTED)
    def missing(self, project_id):
        raise NotFound(f"no project {project_id}", {"project_id": project_id})

    @rpc
    def unserializable(self):
        return object()


@pytest.fixture
def echo(vhost):
    config = {"AMQP_URI": vhost}
    container = ServiceContainer(Echo, config)
    container.start()
    try:
        with ClusterRpcProxy(config, timeout=10) as proxy:
            yield proxy.echo_lean, container
    finally:
        container.stop()


def test_results_expected_errors_and_an_unserializable_result_reach_the_caller(echo):
    service, container = echo
    assert service.echo("一") == {"value": "一", "名": "招商"}
    with pytest.raises(NotFound, match="no project p-1") as refused:  # the caller gets the typed error back
        service.missing("p-1")
    assert refused.value.details == {"project_id": "p-1"}
    with pytest.raises(RemoteError) as bad:
        service.unserializable()
    assert bad.value.exc_type == "UnserializableValueError"
    assert [service.echo(i)["value"] for i in range(20)] == list(range(20))  # and it serves on
    assert all(isinstance(ep, LeanRpc) for ep in container.entrypoints)


def test_a_reply_is_transient_and_published_without_awaiting_a_confirm():
    assert ReplyPublisher.use_confirms is False and ReplyPublisher.delivery_mode == TRANSIENT == 1
