"""The outbox relay: a dependency of every service that publishes events (``OutboxRelay``), and its publisher.

The publisher: a batch of events on one channel, the broker's confirms awaited together.

nameko's ``Publisher`` (with ``use_confirms``) waits for the broker's confirm of each message before it
sends the next: one network round trip, and one trip through the eventlet hub, per event.  In a busy
service every such wait lets the handlers run before the relay goes on, so a relay publishing one at a
time fell seconds behind (docs/PERFORMANCE.md).  Here the whole batch is written to the channel, then
the confirms are read as they come (RabbitMQ acks several at once with ``multiple``): a batch of 200
costs about one round trip.

The guarantee is the same as nameko's: an event counts as published only once the broker has confirmed
it; an unroutable one (``mandatory``: no queue bound) and a refused one (nack) are reported back, per
event, to stay in the outbox.  If the connection fails mid-batch nothing is reported published and the
batch is sent again later — the consumers are idempotent (``handle_once``), so a copy has no effect.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from kombu import Connection
from nameko.amqp.publish import get_connection
from nameko.extensions import DependencyProvider
from sqlalchemy.orm import Session

from shared.observability import OUTBOX_BACKLOG
from shared.outbox import backlog, mark_failed, mark_published, mark_published_ids, pending_events, utcnow
from shared.topology import ROUTED_BY, declare_topology, event_exchange, routing_key

log = logging.getLogger(__name__)
RELAY_BATCH = 200
HANDED_MAX = 20 * RELAY_BATCH  # committed events kept in memory for the relay; beyond, it reads the outbox
UNROUTABLE = "unroutable: no queue bound"
NACKED = "refused by the broker (nack)"


@dataclass(frozen=True)
class Outgoing:
    """One outbox row on its way: its event id (the message id), exchange, routing key and JSON body."""

    event_id: str
    exchange: object  # a kombu Exchange
    routing_key: str
    body: str

    @classmethod
    def of(cls, event_id: str, event_type: str, body: str) -> "Outgoing":
        """An outbox row's event: ``<source>.<name>`` goes to exchange ``<source>.events``, routing key ``<name>``
        (a state change: ``<name>.<to_state>``, ``shared.topology.ROUTED_BY``)."""
        source = event_type.split(".", 1)[0]
        payload = json.loads(body)["payload"] if event_type in ROUTED_BY else None
        return cls(event_id, event_exchange(source), routing_key(event_type, payload), body)


class BatchPublisher:
    """Publishes batches with publisher confirms and ``mandatory``; one connection, opened when needed."""

    def __init__(self, amqp_uri: str, confirm_timeout: float = 30.0):
        self.amqp_uri = amqp_uri
        self.confirm_timeout = confirm_timeout
        self._connection: Connection | None = None
        self._channel = None
        self._declared: set[str] = set()
        self._sent = 0  # delivery tags of this channel: 1, 2, … in publishing order
        self._confirmed = 0  # every tag up to this one is settled
        self._settled: dict[int, bool] = {}  # tag -> acked, for tags settled out of order
        self._returned: set[str] = set()  # message ids sent back unroutable

    # -- connection -----------------------------------------------------------
    def _open(self):
        if self._channel is not None:
            return self._channel
        connection = Connection(self.amqp_uri, transport_options={"confirm_publish": False})
        connection.ensure_connection(max_retries=1)
        channel = connection.channel()
        channel.confirm_select()
        channel.events["basic_ack"].add(lambda tag, multiple: self._settle(tag, multiple, True))
        channel.events["basic_nack"].add(lambda tag, multiple: self._settle(tag, multiple, False))
        channel.events["basic_return"].add(self._on_return)
        self._connection, self._channel = connection, channel
        self._sent = self._confirmed = 0
        self._settled, self._declared = {}, set()
        return channel

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            try:
                connection.release()
            except Exception:  # already broken: nothing to give back
                pass

    # -- the broker's answers -----------------------------------------------------
    def _settle(self, tag: int, multiple: bool, acked: bool) -> None:
        if multiple:
            for t in range(self._confirmed + 1, tag + 1):
                self._settled.setdefault(t, acked)
        else:
            self._settled[tag] = acked
        while self._confirmed + 1 in self._settled:
            self._confirmed += 1

    def _on_return(self, exc, exchange, routing_key, message) -> None:
        message_id = (message.properties or {}).get("message_id")
        log.warning(
            "event %s (%s %s) is unroutable: no queue bound yet; kept in the outbox", message_id, exchange, routing_key
        )
        self._returned.add(message_id)

    # -- publishing ---------------------------------------------------------------
    def publish(self, batch: list[Outgoing]) -> dict[str, str | None]:
        """Publish ``batch`` in order; returns event id -> None (confirmed) or why it was not.

        Raises when the broker cannot be reached or does not confirm in time (the connection is then
        dropped and reopened on the next call): the caller keeps every row of the batch for later."""
        if not batch:
            return {}
        try:
            return self._publish(batch)
        except Exception:
            self.close()
            raise

    def _publish(self, batch: list[Outgoing]) -> dict[str, str | None]:
        channel = self._open()
        self._returned = set()
        tags = {}
        for out in batch:
            if out.exchange.name not in self._declared:
                out.exchange(channel).declare()
                self._declared.add(out.exchange.name)
            message = channel.prepare_message(
                out.body.encode("utf-8"),
                content_type="application/json",
                content_encoding="utf-8",
                properties={"message_id": out.event_id, "delivery_mode": 2},
            )
            channel.basic_publish(message, exchange=out.exchange.name, routing_key=out.routing_key, mandatory=True)
            self._sent += 1
            tags[out.event_id] = self._sent
        last = self._sent
        deadline = time.monotonic() + self.confirm_timeout
        while self._confirmed < last:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"the broker confirmed {self._confirmed - (last - len(batch))} of "
                    f"{len(batch)} events in {self.confirm_timeout:.0f}s"
                )
            self._connection.drain_events(timeout=remaining)
        outcome = {}
        for event_id, tag in tags.items():
            if not self._settled.pop(tag):
                outcome[event_id] = NACKED
            elif event_id in self._returned:
                outcome[event_id] = UNROUTABLE
            else:
                outcome[event_id] = None
        return outcome


class OutboxRelay(DependencyProvider):
    """``relay = OutboxRelay()`` beside ``db = Database(...)`` in a service that publishes events.

    It declares the topology when the service sets up (before any entrypoint starts, so once the service
    answers an RPC its event queues exist) and again after a broker error, and runs two green threads, each
    with its own connection: the **hand-over** publishes the events a unit of work just committed, straight
    from memory (``Database.committed`` hands them here); the **outbox read** (every
    ``OUTBOX_POLL_INTERVAL``, or when woken) marks what the hand-over published and publishes the other
    pending rows in order.  A service without one (the gateway) keeps its database and publishes nothing.
    """

    def __init__(self):
        self.db = None  # the service's Database dependency (found in setup)
        self._wake = threading.Event()
        self._handed: list[Outgoing] = []  # committed events handed over by their unit of work, to publish now
        self._handed_ready = threading.Event()
        self._in_flight: set[str] = set()  # taken by the hand-over, not yet confirmed
        self._unmarked: set[str] = set()  # published (confirmed) by the hand-over, not yet marked in the outbox
        self._retry: set[str] = set()  # the hand-over could not publish these: the read takes them at once
        self._running = False
        self._topology_declared = False

    def setup(self):
        from shared.db import Database

        if self.db is None:
            found = [d for d in self.container.dependencies if isinstance(d, Database)]
            if len(found) != 1:
                raise TypeError(
                    f"{self.container.service_name}: an OutboxRelay needs exactly one Database "
                    f"dependency beside it, found {len(found)}"
                )
            self.db = found[0]
        self.db.relay = self
        config = self.container.config
        self.amqp_uri = config["AMQP_URI"]
        self.quorum = bool(config.get("ZS_QUORUM_QUEUES"))
        self.poll_interval = float(config.get("OUTBOX_POLL_INTERVAL") or 0.5)
        self.handover_grace = float(config.get("OUTBOX_HANDOVER_GRACE") or 5.0)
        self.publisher = BatchPublisher(self.amqp_uri)  # the outbox read's
        self.handover_publisher = BatchPublisher(self.amqp_uri)  # the hand-over's: its own connection
        # declare every queue now, before any entrypoint starts: setup() of all extensions finishes before
        # start() of any, so once the service answers an RPC (its health) its event queues exist and an event
        # published from then on is kept for it (else the relay's first pass declared them, racing the RPC)
        try:
            self._declare_topology()
        except Exception:  # the broker is not up yet: the relay declares the queues on its first pass
            log.warning(
                "could not declare the topology at start of %s; the relay will",
                self.container.service_name,
                exc_info=True,
            )

    def start(self):
        self._running = True
        name = self.container.service_name
        self.container.spawn_managed_thread(self._handover_forever, identifier=f"{name}.outbox-handover")
        self.container.spawn_managed_thread(self._relay_forever, identifier=f"{name}.outbox-relay")

    def stop(self):
        self._running = False
        self._wake.set()
        self._handed_ready.set()

    def kill(self):
        self.stop()

    # -- relay -------------------------------------------------------------
    def hand_over(self, committed=()) -> None:
        """A unit of work committed: its events (event id, type, body) go to the relay to publish at once."""
        if committed and len(self._handed) < HANDED_MAX:
            self._handed.extend(Outgoing.of(*row) for row in committed)
            self._handed_ready.set()
        else:  # nothing handed over (or too much waiting): the outbox read takes them
            self._wake.set()

    def _declare_topology(self) -> None:
        with get_connection(self.amqp_uri) as conn:
            declare_topology(conn, quorum=self.quorum)
        self._topology_declared = True

    def relay_once(self) -> int:
        """The relay's two steps in turn (the service runs each in its own green thread); returns how many
        events were published."""
        return self.publish_handed() + self.poll_once()

    def publish_handed(self) -> int:
        """Publish the events units of work handed over on commit, straight from memory; returns how many.

        The latency from commit to broker is one batch publish, never a read of the outbox behind the
        workers holding the database (SQLite: one connection per process).  Confirmed events are marked
        by the next ``poll_once``; one that was not confirmed stays in the outbox for its read.  After a
        crash between publish and mark the read publishes the event again: consumers are idempotent."""
        published = 0
        while self._handed:
            batch, self._handed = self._handed[:RELAY_BATCH], self._handed[RELAY_BATCH:]
            ids = [out.event_id for out in batch]
            self._in_flight.update(ids)
            try:
                outcome = self.handover_publisher.publish(batch)
            except Exception:  # the rows are in the outbox: its read publishes them
                log.warning(
                    "publishing %d committed events of %s failed; the outbox keeps them",
                    len(batch) + len(self._handed),
                    self.container.service_name,
                    exc_info=True,
                )
                self._retry.update(ids + [out.event_id for out in self._handed])
                self._handed = []
                self._in_flight.difference_update(ids)
                self._wake.set()
                return published
            confirmed = [event_id for event_id, error in outcome.items() if error is None]
            self._unmarked.update(confirmed)
            self._in_flight.difference_update(ids)
            published += len(confirmed)
            if len(confirmed) < len(batch):  # unroutable or refused: the read records why and retries
                self._retry.update(event_id for event_id, error in outcome.items() if error is not None)
                self._wake.set()
        return published

    def poll_once(self) -> int:
        """Mark what the hand-over published; publish the other pending outbox rows; returns how many.

        The read takes a row handed over by this process only if its hand-over failed, and a row of
        another process (an instance killed before publishing, a second instance) once it is older than
        ``OUTBOX_HANDOVER_GRACE``: by then its own instance has published it, or never will.
        PostgreSQL: the rows are locked (SKIP LOCKED) while published, so two instances never read the
        same row at once; SQLite: they are read, the connection released while publishing, then marked.
        """
        if not self._topology_declared:
            self._declare_topology()
        if self.db.engine.dialect.name == "postgresql":
            with Session(self.db.engine) as session, session.begin():
                marked = self._mark_handed(session)
                rows = self._unpublished(session, lock=True)
                published = self._mark(session, self._publish(rows))
                OUTBOX_BACKLOG.labels(self.container.service_name).set(backlog(session, self.db.outbox))
            self._unmarked.difference_update(marked)
            return published
        with Session(self.db.engine) as session, session.begin():
            marked = self._mark_handed(session)
            rows = self._unpublished(session, lock=False)
        self._unmarked.difference_update(marked)
        outcomes = self._publish(rows)
        with Session(self.db.engine) as session, session.begin():
            published = self._mark(session, outcomes)
            OUTBOX_BACKLOG.labels(self.container.service_name).set(backlog(session, self.db.outbox))
            return published

    def _mark_handed(self, session) -> list[str]:
        """Mark what the hand-over published (in ``session``); returns those ids, to forget after commit."""
        marked = list(self._unmarked)
        if marked:
            mark_published_ids(session, self.db.outbox, marked)
        return marked

    def _unpublished(self, session, lock: bool) -> list:
        """Pending rows old enough, but those handed over (to publish, in flight, published) here."""
        skip = self._unmarked | self._in_flight | {out.event_id for out in self._handed}
        before = utcnow() - timedelta(seconds=self.handover_grace)
        limit = RELAY_BATCH + len(skip)
        rows = pending_events(session, self.db.outbox, limit, lock=lock, created_before=before, or_ids=self._retry)
        if len(rows) < limit:  # every pending row was read: the others to retry were published meanwhile
            self._retry &= {row.event_id for row in rows}
        return [row for row in rows if row.event_id not in skip][:RELAY_BATCH]

    def _mark(self, session, outcomes) -> int:
        published = 0
        for row, error in outcomes:
            self._retry.discard(row.event_id)  # published, or its failure recorded: the poll interval applies
            if error is None:
                mark_published(session, self.db.outbox, row.id)
                published += 1
            else:
                mark_failed(session, self.db.outbox, row.id, row.attempts + 1, error)
        return published

    def _publish(self, rows) -> list:
        """Each row with None (confirmed by the broker) or why it was not published."""
        if not rows:
            return []
        outcome = self.publisher.publish([Outgoing.of(row.event_id, row.event_type, row.body) for row in rows])
        return [(row, outcome[row.event_id]) for row in rows]

    def _handover_forever(self):
        while self._running:
            self._handed_ready.wait()
            self._handed_ready.clear()
            try:
                self.publish_handed()
            except Exception:  # never let it die (it would take the service down): the outbox read remains
                log.exception("hand-over of committed events of %s failed", self.container.service_name)
                self._retry.update(out.event_id for out in self._handed)
                self._handed = []
                self._wake.set()
        self.handover_publisher.close()

    def _relay_forever(self):
        import eventlet

        delay = self.poll_interval
        while self._running:
            self._wake.clear()
            try:
                published = self.poll_once()
                delay = self.poll_interval
            except Exception:  # broker or database trouble: keep the rows, back off
                log.exception("outbox relay of %s failed; retrying", self.container.service_name)
                self._topology_declared = False
                published = 0
                delay = min(delay * 2, 10.0)
            if published == 0 and self._running:
                self._wake.wait(timeout=delay)
            else:
                eventlet.sleep(0)
        self.publisher.close()
