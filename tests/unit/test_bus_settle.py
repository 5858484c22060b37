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


# -- a retry waiting for its project to move on ------------------------------------------------------------

import json  # noqa: E402
import time  # noqa: E402

import eventlet  # noqa: E402

from shared.bus import ATTEMPTS_HEADER, PROGRESS, ProjectProgress  # noqa: E402


class EventMessage(Message):
    def __init__(self, project_id):
        self.payload = {"event_id": "e1", "project_id": project_id, "payload": {}}
        self.body = json.dumps(self.payload).encode()
        self.headers = {ATTEMPTS_HEADER: 3}


def test_a_waiting_retry_wakes_when_its_project_moves_on_and_only_then():
    progress = ProjectProgress()
    started = time.monotonic()
    waiter = eventlet.spawn(progress.wait, "p1", 5.0)
    other = eventlet.spawn(progress.wait, "p2", 0.3)
    eventlet.sleep(0.05)
    progress.applied("p2-not-this-one")
    progress.applied("p1")
    assert waiter.wait() is True and time.monotonic() - started < 1.0
    assert other.wait() is False  # its own project did not move: the whole back-off
    assert progress._waiting == {}
    assert progress.wait(None, 0.01) is False  # no project: a plain sleep


def test_an_early_retry_spends_no_attempt_a_timed_one_does():
    h, early, timed = handler(fail=False), EventMessage("p-early"), EventMessage("p-timed")
    h.queue = type("Q", (), {"name": "evt-intake-project_filed--coordinator"})()
    first = eventlet.spawn(h._retry_on_progress, early, 4, 30.0)
    second = eventlet.spawn(h._retry_on_progress, timed, 4, 0.1)
    eventlet.sleep(0.05)
    PROGRESS.applied("p-early")  # e.g. the predecessor it waited for was applied in this process
    first.wait(), second.wait()
    headers = {body: kwargs["headers"][ATTEMPTS_HEADER] for body, kwargs in h.publisher.published}
    assert headers == {early.body: 3, timed.body: 4}
    assert h.queue_consumer.acked == [early, timed]
