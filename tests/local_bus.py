"""Several services' harnesses and the events between them, delivered as the broker would, in one process.

``LocalBus({"intake": Harness(...), "review": ..., ...}).relay()`` reads what each harness emitted since the last
relay (its outbox) and hands every event to the ``@on_event`` handler of each harness subscribed to it
(``shared.topology.SUBSCRIPTIONS``; a state change only to a consumer that takes its state, ``TAKES_ONLY``), over
and over until nothing new is emitted.  A handler that refuses an event (a domain error: an event of a later round
that waits for the one before it, a project not known yet) gets it again on the next pass, as the bus retries.
Services without a harness are left out.
"""

from __future__ import annotations

from shared.bus import OnEvent
from shared.errors import ZhaoshangError
from shared.topology import ROUTED_BY, SUBSCRIPTIONS, TAKES_ONLY
from tests.harness import Harness


def handlers_of(service_cls) -> dict[str, str]:
    """event type -> the name of the method of ``service_cls`` that handles it."""
    found = {}
    for klass in service_cls.__mro__:
        for name, attr in vars(klass).items():
            for entrypoint in getattr(attr, "nameko_entrypoints", ()):
                if isinstance(entrypoint, OnEvent):
                    found.setdefault(entrypoint.full_type, name)
    return found


class LocalBus:
    def __init__(self, harnesses: dict[str, Harness]):
        self.harnesses = harnesses
        self.handlers = {name: handlers_of(h.service_cls) for name, h in harnesses.items()}
        self.seen = {name: 0 for name in harnesses}
        self.waiting: list[tuple[str, dict]] = []

    def _takes(self, consumer: str, body: dict) -> bool:
        states = TAKES_ONLY.get((body["type"], consumer))
        return states is None or body["payload"].get(ROUTED_BY.get(body["type"], "")) in states

    def _new(self) -> list[tuple[str, dict]]:
        out = []
        for name, harness in self.harnesses.items():
            events = harness.events()
            for body in events[self.seen[name] :]:
                out += [
                    (consumer, body)
                    for consumer in SUBSCRIPTIONS.get(body["type"], ())
                    if consumer in self.harnesses and self._takes(consumer, body)
                ]
            self.seen[name] = len(events)
        return out

    def relay(self, rounds: int = 50) -> None:
        for _ in range(rounds):
            deliveries = self.waiting + self._new()
            if not deliveries:
                return
            self.waiting = []
            delivered = 0
            for consumer, body in deliveries:
                try:
                    self.harnesses[consumer].call(self.handlers[consumer][body["type"]], body)
                    delivered += 1
                except ZhaoshangError:
                    self.waiting.append((consumer, body))
            if not delivered:
                return  # what waits now waits for something no harness will emit
        raise AssertionError("the events did not settle")
