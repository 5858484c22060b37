"""The RPC entrypoint of every Zhaoshang service: nameko's ``@rpc`` with a leaner reply.

nameko publishes each reply as a persistent message with a publisher confirm awaited (a round trip to
the broker per call, in the answering worker), after serializing the result twice (once to check that
it can be, then to send it).  A reply goes to its caller's own reply queue, which lives only as long as
the caller's connection: a reply the broker lost (it restarted) is a reply the caller never waits for
any longer, and every caller of this platform times out and retries a command to its effect
(tests/faults/driver.py; the gateway answers 503 and the clerk tries again).  So here a reply is

* serialized once (an unserializable result still becomes nameko's ``UnserializableValueError`` reply);
* published transient, without awaiting a confirm;
* published on one connection and channel per service kept open for its replies (``ReplyProducer``):
  nameko's ``Publisher`` builds a ``Connection`` from the URI and takes a producer from kombu's pool, and
  binds its exchange again, on every reply.  A connection lost is opened again and the reply published
  once more; a reply that fails on the new connection too is dropped with a warning (the broker is gone, and
  the caller's reply queue with it: the caller times out and retries), where nameko's raised and took the
  whole service down with it.

Requests, events and their retries keep their confirms (``shared.bus``, ``shared.relay``).  Measured in
docs/PERFORMANCE.md.
"""

from __future__ import annotations

import contextlib
import logging
import sys

import kombu.exceptions
import kombu.serialization
import kombu.utils.json as kombu_json
import orjson
from eventlet.semaphore import Semaphore
from kombu import Connection, Producer
from kombu.utils.json import register_type
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import UnserializableValueError, deserialize_to_instance, serialize
from nameko.rpc import Responder, Rpc, RpcConsumer, get_rpc_exchange

from shared import durability
from shared.errors import EXPECTED
from shared.i18n import Message

TRANSIENT = 1
log = logging.getLogger(__name__)

for _error in EXPECTED:  # the typed errors cross RPC as themselves (shared/errors.py is plain Python)
    deserialize_to_instance(_error)
register_type(Message, "zs_message", Message.to_wire, Message.from_wire)  # a Message in an RPC's answer stays one


class ReplyProducer:
    """A service's replies, published on one connection and channel kept open; one reply at a time (a
    channel's frames must not interleave), opened on first use and again after a connection is lost."""

    def __init__(self, amqp_uri: str, ssl=None, login_method=None):
        self._connection = Connection(
            amqp_uri, ssl=ssl, login_method=login_method, transport_options={"confirm_publish": False}
        )
        self._errors = (
            OSError,
            kombu.exceptions.OperationalError,
            *self._connection.connection_errors,
            *self._connection.channel_errors,
        )
        self._producer: Producer | None = None
        self._lock = Semaphore()
        self.opened = 0  # connections opened: one, unless the broker went away

    def publish(self, data: bytes, **properties) -> None:
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._producer is None:  # one attempt to connect, not kombu's retries two seconds apart
                        self._connection.ensure_connection(max_retries=0)
                        self._producer = Producer(self._connection.channel(), auto_declare=False)
                        self.opened += 1
                    self._producer.publish(data, serializer=None, delivery_mode=TRANSIENT, retry=False, **properties)
                    return
                except self._errors as exc:
                    self._reset()
                    if attempt == 2:
                        log.warning(
                            "reply to %s dropped: %r (its caller times out and retries)",
                            properties.get("routing_key"),
                            exc,
                        )

    def _reset(self) -> None:
        self._producer = None
        with contextlib.suppress(Exception):  # a connection already gone; the next publish opens a new one
            self._connection.close()
        self._connection = self._connection.clone()

    def close(self) -> None:
        with self._lock:
            self._producer = None
            self._connection.release()


class LeanResponder(Responder):
    def __init__(self, exchange, serializer, message, producer: ReplyProducer):
        super().__init__(None, exchange, serializer, message)
        self.producer = producer

    def send_response(self, result, exc_info):
        content_type = self.message.properties["content_type"]
        serializer = kombu.serialization.registry.type_to_name[content_type]
        error = serialize(exc_info[1]) if exc_info is not None else None
        try:
            body = kombu.serialization.dumps({"result": result, "error": error}, serializer)
        except Exception:  # as nameko: the caller learns the result could not be sent, the service lives on
            exc_info = sys.exc_info()
            body = kombu.serialization.dumps(
                {"result": None, "error": serialize(UnserializableValueError(result))}, serializer
            )
            result = None
        content_type, content_encoding, data = body
        self.producer.publish(
            data,
            content_type=content_type,
            content_encoding=content_encoding,
            exchange=self.exchange,
            routing_key=self.message.properties["reply_to"],
            correlation_id=self.message.properties.get("correlation_id"),
        )
        return result, exc_info


class LeanRpcConsumer(RpcConsumer):
    replies: ReplyProducer | None = None

    def setup(self):
        super().setup()
        config = self.container.config
        self.replies = ReplyProducer(
            config[AMQP_URI_CONFIG_KEY],
            ssl=config.get(AMQP_SSL_CONFIG_KEY),
            login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )

    def stop(self):
        super().stop()
        if self.replies is not None:
            self.replies.close()

    def handle_result(self, message, result, exc_info):
        try:
            durability.wait_mine()  # what the worker committed is on disk before its caller hears of it
        except OSError:
            result, exc_info = None, sys.exc_info()
        config = self.container.config
        responder = LeanResponder(
            get_rpc_exchange(config), config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message, self.replies
        )
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class LeanRpc(Rpc):
    """``@rpc``: the platform's typed errors (``shared.errors.EXPECTED``) are expected by default — they cross
    to the caller as themselves and are not logged as the service's failures."""

    rpc_consumer = LeanRpcConsumer()

    def __init__(self, expected_exceptions=EXPECTED, **kwargs):
        super().__init__(expected_exceptions=expected_exceptions, **kwargs)


rpc = LeanRpc.decorator


def read_json(data):
    """kombu's JSON decoder, faster: a message with no ``"__type__"`` object in it (kombu's marker for a time, a
    Decimal, a UUID it wrote) is read by orjson — the same values as the standard library's with kombu's
    ``object_hook`` called on every object, in a tenth of the time (a 50-row ledger page's 95 KB: 3-4 ms there);
    anything else, or what orjson refuses (NaN, an integer beyond 64 bits), is read as kombu reads it."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data).decode("utf-8")
    if '"__type__"' not in data:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return kombu_json.loads(data)


def read_json_faster() -> None:
    """This process reads JSON messages (RPC replies, requests, events) with ``read_json``; it writes them as before."""
    kombu.serialization.registry.register(
        "json", kombu_json.dumps, read_json, content_type="application/json", content_encoding="utf-8"
    )
