"""@on_event never loses a failed message: if the broker refuses the retry copy, the original goes back."""
from __future__ import annotations

from shared.bus import OnEvent


class Recorder:
    def __init__(self):
        self.acked, self.requeued = [], []

    def ack_message(self, message):
        self.acked.append(message)

    def requeue_message(self, message):
        self.requeued.append(message)


class Publisher:
    def __init__(self, fail: bool):
        self.fail, self.published = fail, []

    def publish(self, body, **kwargs):
        if self.fail:
            raise ConnectionError("broker gone")
        self.published.append((body, kwargs))


class Message:
    body, headers, content_type, content_encoding = b"{}", {"x-zs-attempts": 1}, "application/json", "utf-8"
    properties = {"message_id": "e1"}


def handler(fail: bool) -> OnEvent:
    entrypoint = OnEvent("intake.project_filed")
    entrypoint.publisher, entrypoint.queue_consumer = Publisher(fail), Recorder()
    return entrypoint


def test_copy_confirmed_then_original_acked():
    h, message = handler(fail=False), Message()
    h._settle(message, "evt-intake-project_filed--coordinator", {"x-zs-attempts": 2})
    assert h.queue_consumer.acked == [message] and h.queue_consumer.requeued == []
    _, kwargs = h.publisher.published[0]
    assert kwargs["routing_key"] == "evt-intake-project_filed--coordinator"
    assert kwargs["headers"]["x-zs-attempts"] == 2 and kwargs["message_id"] == "e1"


def test_refused_copy_returns_the_original_to_its_queue():
    h, message = handler(fail=True), Message()
    h._settle(message, "zhaoshang.dead-letter", {"x-zs-attempts": 6})
    assert h.queue_consumer.requeued == [message] and h.queue_consumer.acked == []
