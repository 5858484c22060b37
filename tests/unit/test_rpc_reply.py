"""shared.rpc: the services' RPC entrypoint answers through the real RabbitMQ with a lean reply (serialized once,
transient, no confirm awaited, on one connection kept open) and behaves as nameko's for callers: results,
expected errors, an unserializable result, the service serving on after it and after its reply connection is
lost."""

from __future__ import annotations

import json
import logging
import socket
import time
import uuid

import pytest
from kombu import Connection, Exchange, Queue
from nameko.containers import ServiceContainer
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from shared.errors import EXPECTED, NotFound
from shared.rpc import TRANSIENT, LeanRpc, LeanRpcConsumer, ReplyProducer, rpc


class Echo:
    name = "echo_lean"

    @rpc
    def echo(self, value):
        return {"value": value, "名": "招商"}

    @rpc
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
    # the typed errors are expected by default (a bare @rpc): not logged as the service's own failures
    assert all(ep.expected_exceptions == EXPECTED for ep in container.entrypoints)


def replies_of(container) -> ReplyProducer:
    (consumer,) = {ext for ext in container.subextensions if isinstance(ext, LeanRpcConsumer)}
    return consumer.replies


def test_a_reply_is_transient_carries_the_correlation_id_and_needs_no_confirm(echo, vhost):
    """A request published by hand: the reply on its own queue is transient, with the request's id."""
    _, container = echo
    assert replies_of(container)._connection.transport_options["confirm_publish"] is False
    with Connection(vhost) as conn:
        rpc_exchange, name = Exchange("nameko-rpc", type="topic", durable=True), f"reply-{uuid.uuid4().hex}"
        reply_queue = Queue(name, rpc_exchange, routing_key=name, exclusive=True, auto_delete=True)(conn.channel())
        reply_queue.declare()
        conn.Producer().publish(
            {"args": ["二"], "kwargs": {}},
            exchange=rpc_exchange,
            routing_key="echo_lean.echo",
            reply_to=reply_queue.name,
            correlation_id="c-42",
            serializer="json",
        )
        for _ in range(100):
            message = reply_queue.get(no_ack=True)
            if message is not None:
                break
            time.sleep(0.05)
        assert message is not None, "no reply"
    assert message.properties["delivery_mode"] == TRANSIENT == 1
    assert message.properties["correlation_id"] == "c-42"
    assert json.loads(message.body) == {"result": {"value": "二", "名": "招商"}, "error": None}


def test_replies_share_one_connection_and_a_lost_one_is_opened_again(echo):
    service, container = echo
    replies = replies_of(container)
    for i in range(10):
        assert service.echo(i)["value"] == i
    assert replies.opened == 1  # ten replies, one connection
    replies._connection.connection.transport.sock.shutdown(socket.SHUT_RDWR)  # the connection dies under the service
    assert [service.echo(i)["value"] for i in range(5)] == list(range(5))  # the first reply reopens it
    assert replies.opened == 2


def test_a_reply_that_cannot_be_published_twice_is_dropped_with_a_warning(caplog):
    """No broker at all: the reply is dropped and named in the log; the worker is not raised out of."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    replies = ReplyProducer(f"amqp://guest:guest@127.0.0.1:{port}//")
    with caplog.at_level(logging.WARNING, logger="shared.rpc"):
        replies.publish(
            b"{}",
            exchange="nameko-rpc",
            routing_key="rpc.reply-abc",
            content_type="application/json",
            content_encoding="utf-8",
        )
    assert "reply to rpc.reply-abc dropped" in caplog.text
    assert replies.opened == 0


def test_a_service_whose_reply_cannot_be_sent_serves_on(echo, vhost):
    """nameko raised out of the worker when a reply could not be published, and a worker raising outside the
    service method kills the whole container; here the reply is dropped, the caller times out, the service lives."""
    service, container = echo
    replies = replies_of(container)
    good = replies._connection
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    replies._connection, replies._producer = Connection(f"amqp://guest:guest@127.0.0.1:{port}//"), None
    with ClusterRpcProxy({"AMQP_URI": vhost}, timeout=2) as short:
        with pytest.raises(Exception) as lost:
            short.echo_lean.echo("丢")
    assert type(lost.value).__name__ == "RpcTimeout"
    assert not container._died.ready()  # the container did not die
    replies._connection, replies._producer = good.clone(), None
    assert service.echo("在")["value"] == "在"
