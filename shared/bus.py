"""The event-handler entrypoint of every Zhaoshang service: ``@on_event``.

nameko acks an event after its worker ran, even when the worker raised.  Here a
failed event is instead re-published to its own queue after a back-off
(``EVENT_RETRY_DELAY`` doubling, at most ``EVENT_RETRY_MAX_DELAY``) with an attempt counter, and after
``EVENT_MAX_ATTEMPTS`` it goes to the dead-letter queue with the error, and an
alert is logged.  The original is acked only after the copy is confirmed by the
broker, so a crash in between redelivers rather than loses it.

A body that cannot even be decoded (not JSON, a refused content type) fails
in kombu before any worker exists; nameko sets no ``on_decode_error``, so the
error escapes the consumer loop and kills the service — and the unacked
message comes back to the restarted one, forever.  ``EventQueueConsumer``
hands such a message to its entrypoint instead, which dead-letters it at once
(it can never succeed), raises the alert and keeps serving.

Queues come from ``shared.topology`` so the handler and the deploy-time
declaration always agree.
"""

from __future__ import annotations

import logging
import sys
import traceback

import eventlet
import eventlet.event
from nameko.amqp.publish import Publisher
from nameko.events import EventHandler
from nameko.messaging import Consumer, QueueConsumer

from shared import durability
from shared.observability import DEAD_LETTERS
from shared.topology import DEAD_LETTER_QUEUE, dead_letter_queue, event_queue

log = logging.getLogger(__name__)
ATTEMPTS_HEADER = "x-zs-attempts"
OUTAGES_HEADER = "x-zs-outages"  # failures because the database or the broker was unavailable
MAX_OUTAGE_RETRIES = 120  # with the delay capped at 30 s: about an hour of outage before a dead letter
MAX_OUTAGE_DELAY = 30.0


def retry_delay(attempt: int, first: float, longest: float) -> float:
    """Seconds before retry number ``attempt`` (1, 2, …): ``first`` doubling, never more than ``longest``.

    An event refused because its predecessor (from another publisher, on another queue) has not been applied
    yet waits this way; with the defaults (10 attempts, 0.5 s doubling, at most 30 s) it has about two minutes
    to be overtaken before it is dead-lettered — enough for a service killed and restarted mid-flow."""
    return min(first * (2 ** (attempt - 1)), longest)


def is_transient(exc: BaseException) -> bool:
    """The database or the broker is unavailable (a server restarted, a SQLite file locked): retry later."""
    from sqlalchemy import exc as sa

    if isinstance(exc, (sa.OperationalError, sa.InterfaceError, sa.DisconnectionError, sa.TimeoutError)):
        return True
    if isinstance(exc, sa.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, (ConnectionError, TimeoutError, OSError))


class ProjectProgress:
    """Retries waiting in this process for a project's next applied event.

    An event refused because its predecessor has not been applied yet (it came from another publisher, on
    another queue) waits its back-off, which doubles.  When this process then applies another event of the
    same project — often that very predecessor — the waiting retries go at once instead of sleeping on
    (a chain of such events took the back-off of its slowest link: seconds, up to ``EVENT_RETRY_MAX_DELAY``).
    A retry woken early does not spend an attempt: every wake-up is a new event applied, so there are
    finitely many, and the timed retries keep the bound on attempts."""

    def __init__(self):
        self._waiting: dict[str, set] = {}

    def wait(self, project_id: str | None, delay: float) -> bool:
        """Sleep ``delay`` seconds, or less if the project progresses meanwhile; True if it did."""
        if not project_id:
            eventlet.sleep(delay)
            return False
        woken = eventlet.event.Event()
        self._waiting.setdefault(project_id, set()).add(woken)
        try:
            with eventlet.Timeout(delay, False):
                woken.wait()
                return True
            return False
        finally:
            waiting = self._waiting.get(project_id)
            if waiting is not None:
                waiting.discard(woken)
                if not waiting:
                    del self._waiting[project_id]

    def applied(self, project_id: str | None) -> None:
        for woken in self._waiting.pop(project_id, ()) if project_id else ():
            if not woken.ready():
                woken.send(True)


PROGRESS = ProjectProgress()  # one per process: a service's handlers wake each other's retries


def project_of(message) -> str | None:
    """The envelope's project id, or None (an undecodable or project-less body)."""
    try:
        payload = message.payload
        return payload.get("project_id") if isinstance(payload, dict) else None
    except Exception:
        return None


class EventQueueConsumer(QueueConsumer):
    """nameko's queue consumer with kombu's ``on_decode_error`` wired to each entrypoint."""

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            handler = getattr(provider, "handle_undecodable", None)
            if handler is not None:
                consumer.on_decode_error = handler
        return consumers


class OnEvent(EventHandler):
    queue_consumer = EventQueueConsumer()

    def __init__(self, event_type: str, **kwargs):
        source, name = event_type.split(".", 1)
        super().__init__(source, name, **kwargs)
        self.full_type = event_type

    def setup(self):
        config = self.container.config
        quorum = bool(config.get("ZS_QUORUM_QUEUES"))
        self.queue = event_queue(self.full_type, self.container.service_name, quorum)
        self.max_attempts = int(config.get("EVENT_MAX_ATTEMPTS") or 10)
        self.retry_delay = float(config.get("EVENT_RETRY_DELAY") or 0.5)
        self.retry_max_delay = float(config.get("EVENT_RETRY_MAX_DELAY") or 30.0)
        self.publisher = Publisher(config["AMQP_URI"], use_confirms=True, declare=[dead_letter_queue(quorum)])
        Consumer.setup(self)

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            try:
                durability.wait_mine()  # a commit of the handler not made through a unit of work: on disk first
            except OSError:
                exc_info = sys.exc_info()
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            PROGRESS.applied(project_of(message))
            return
        headers = message.headers or {}
        error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
        if is_transient(exc_info[1]):
            # the database or the broker is unavailable: not this event's fault — retry without spending its
            # attempts (else its successors, refused until it is applied, were dead-lettered in a cascade)
            outages = int(headers.get(OUTAGES_HEADER, 0)) + 1
            if outages < MAX_OUTAGE_RETRIES:
                delay = retry_delay(outages, self.retry_delay, MAX_OUTAGE_DELAY)
                log.warning(
                    "%s failed on %s (unavailable, retry %d), retrying in %.1fs: %s",
                    self.full_type,
                    self.container.service_name,
                    outages,
                    delay,
                    error,
                )
                attempts = int(headers.get(ATTEMPTS_HEADER, 0))
                self.container.spawn_managed_thread(
                    lambda: self._retry_later(message, attempts, delay, {OUTAGES_HEADER: outages})
                )
                return
        attempts = int(headers.get(ATTEMPTS_HEADER, 0)) + 1
        if attempts >= self.max_attempts or int(headers.get(OUTAGES_HEADER, 0)) + 1 >= MAX_OUTAGE_RETRIES:
            self._dead_letter(message, attempts, error)
        else:
            delay = retry_delay(attempts, self.retry_delay, self.retry_max_delay)
            log.warning(
                "%s failed on %s (attempt %d/%d), retrying in %.1fs (sooner if its project moves on): %s",
                self.full_type,
                self.container.service_name,
                attempts,
                self.max_attempts,
                delay,
                error,
            )
            self.container.spawn_managed_thread(lambda: self._retry_on_progress(message, attempts, delay))

    def handle_undecodable(self, message, exc) -> None:
        """kombu could not decode the body: no attempt can succeed, so dead-letter it now."""
        error = f"undecodable message body ({len(message.body or b'')} bytes): {type(exc).__name__}: {exc}"
        self.container.spawn_managed_thread(
            lambda: self._dead_letter(message, 1, error), identifier=f"{self.full_type}.dead-letter-undecodable"
        )

    def _copy(self, message, routing_key: str, headers: dict) -> None:
        self.publisher.publish(
            message.body,
            exchange="",
            routing_key=routing_key,
            headers={**(message.headers or {}), **headers},
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            message_id=message.properties.get("message_id"),
        )

    def _retry_on_progress(self, message, attempts: int, delay: float) -> None:
        """Retry after the back-off, or as soon as this process applies another event of the project (then
        without spending the attempt: ``ProjectProgress``)."""
        woken = PROGRESS.wait(project_of(message), delay)
        self._settle(message, self.queue.name, {ATTEMPTS_HEADER: attempts - 1 if woken else attempts})

    def _retry_later(self, message, attempts: int, delay: float, extra: dict | None = None) -> None:
        eventlet.sleep(delay)
        self._settle(message, self.queue.name, {ATTEMPTS_HEADER: attempts, **(extra or {})})

    def _dead_letter(self, message, attempts: int, error: str) -> None:
        log.error(
            "ALERT dead-lettered %s in %s after %d attempts: %s",
            self.full_type,
            self.container.service_name,
            attempts,
            error,
        )
        DEAD_LETTERS.labels(self.container.service_name, self.full_type).inc()
        self._settle(
            message,
            DEAD_LETTER_QUEUE,
            {
                ATTEMPTS_HEADER: attempts,
                "x-zs-queue": self.queue.name,
                "x-zs-service": self.container.service_name,
                "x-zs-error": error[:1000],
            },
        )

    def _settle(self, message, routing_key: str, headers: dict) -> None:
        """Copy the message on (confirmed), then ack it; if the broker refuses the copy,
        give the original back to its queue instead — never lose it, never crash the service."""
        try:
            self._copy(message, routing_key, headers)
        except Exception:
            log.exception("could not re-publish %s to %s; returning it to its queue", self.full_type, routing_key)
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)


on_event = OnEvent.decorator
