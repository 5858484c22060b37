"""The RPC entrypoint of every Zhaoshang service: nameko's ``@rpc`` with a leaner reply.

nameko publishes each reply as a persistent message with a publisher confirm awaited (a round trip to
the broker per call, in the answering worker), after serializing the result twice (once to check that
it can be, then to send it).  A reply goes to its caller's own reply queue, which lives only as long as
the caller's connection: a reply the broker lost (it restarted) is a reply the caller never waits for
any longer, and every caller of this platform times out and retries a command to its effect
(tests/faults/driver.py; the gateway answers 503 and the clerk tries again).  So here a reply is

* serialized once (an unserializable result still becomes nameko's ``UnserializableValueError`` reply);
* published transient, without awaiting a confirm.

Requests, events and their retries keep their confirms (``shared.bus``, ``shared.relay``).  Measured in
docs/PERFORMANCE.md.
"""
from __future__ import annotations

import sys

import kombu.serialization
from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, DEFAULT_SERIALIZER, LOGIN_METHOD_CONFIG_KEY, SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import UnserializableValueError, serialize
from nameko.rpc import Responder, Rpc, RpcConsumer, get_rpc_exchange

from shared import durability

TRANSIENT = 1


class ReplyPublisher(Publisher):
    use_confirms = False
    delivery_mode = TRANSIENT


class LeanResponder(Responder):
    publisher_cls = ReplyPublisher

    def send_response(self, result, exc_info):
        content_type = self.message.properties["content_type"]
        serializer = kombu.serialization.registry.type_to_name[content_type]
        error = serialize(exc_info[1]) if exc_info is not None else None
        try:
            body = kombu.serialization.dumps({"result": result, "error": error}, serializer)
        except Exception:  # as nameko: the caller learns the result could not be sent, the service lives on
            exc_info = sys.exc_info()
            body = kombu.serialization.dumps({"result": None, "error": serialize(UnserializableValueError(result))},
                                             serializer)
            result = None
        content_type, content_encoding, data = body
        self.publisher_cls(self.amqp_uri, ssl=self.ssl, login_method=self.login_method).publish(
            data, serializer=None, content_type=content_type, content_encoding=content_encoding,
            exchange=self.exchange, routing_key=self.message.properties["reply_to"],
            correlation_id=self.message.properties.get("correlation_id"))
        return result, exc_info


class LeanRpcConsumer(RpcConsumer):
    def handle_result(self, message, result, exc_info):
        try:
            durability.wait_mine()  # what the worker committed is on disk before its caller hears of it
        except OSError:
            result, exc_info = None, sys.exc_info()
        config = self.container.config
        responder = LeanResponder(
            config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config), config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER),
            message, ssl=config.get(AMQP_SSL_CONFIG_KEY), login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class LeanRpc(Rpc):
    rpc_consumer = LeanRpcConsumer()


rpc = LeanRpc.decorator
