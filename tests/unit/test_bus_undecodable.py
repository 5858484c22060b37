"""A body kombu cannot decode (not JSON, an unknown content type) is dead-lettered at once by @on_event
instead of escaping nameko's consumer loop (which killed the service and redelivered the message forever)."""

from __future__ import annotations

from kombu.exceptions import DecodeError

from shared.bus import EventQueueConsumer, OnEvent
from shared.topology import DEAD_LETTER_QUEUE
from tests.unit.test_bus_settle import Message, Publisher, Recorder


class Container:
    service_name = "coordinator"

    def spawn_managed_thread(self, fn, identifier=None):
        fn()


def test_every_event_entrypoint_shares_the_decoding_queue_consumer():
    assert isinstance(OnEvent("intake.project_filed").queue_consumer, EventQueueConsumer)


def test_consumers_get_the_entrypoints_decode_error_handler(monkeypatch):
    entrypoint = OnEvent("intake.project_filed")

    class KombuConsumer:
        on_decode_error = None

        def __init__(self, **kwargs):
            pass

        def qos(self, **kwargs):
            pass

    monkeypatch.setattr(EventQueueConsumer, "accept", ["json"])
    monkeypatch.setattr(EventQueueConsumer, "prefetch_count", 10)
    qc = EventQueueConsumer()
    qc._providers = {entrypoint}
    entrypoint.queue = None
    consumers = list(qc.get_consumers(KombuConsumer, channel=None))
    assert consumers[0].on_decode_error == entrypoint.handle_undecodable


def test_undecodable_body_goes_to_the_dead_letter_queue_and_is_acked():
    entrypoint = OnEvent("intake.project_filed")
    entrypoint.publisher, entrypoint.queue_consumer = Publisher(fail=False), Recorder()
    entrypoint.container, entrypoint.queue = (
        Container(),
        type("Q", (), {"name": "evt-intake-project_filed--coordinator"}),
    )
    message = Message()
    message.body = b"{not json"
    entrypoint.handle_undecodable(message, DecodeError("Expecting property name"))
    body, kwargs = entrypoint.publisher.published[0]
    assert body == b"{not json" and kwargs["routing_key"] == DEAD_LETTER_QUEUE
    assert kwargs["headers"]["x-zs-error"].startswith("undecodable message body (9 bytes): DecodeError")
    assert kwargs["headers"]["x-zs-attempts"] == 1
    assert entrypoint.queue_consumer.acked == [message]


def test_database_unavailable_is_retried_without_spending_the_events_attempts():
    import sqlalchemy.exc

    from shared.bus import ATTEMPTS_HEADER, OUTAGES_HEADER, is_transient

    down = sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("the database system is shutting down"))
    assert is_transient(down) and is_transient(ConnectionResetError()) and not is_transient(ValueError("bad"))
    entrypoint = OnEvent("intake.project_filed")
    entrypoint.publisher, entrypoint.queue_consumer = Publisher(fail=False), Recorder()
    entrypoint.container, entrypoint.queue = (
        Container(),
        type("Q", (), {"name": "evt-intake-project_filed--coordinator"}),
    )
    entrypoint.max_attempts, entrypoint.retry_delay = 2, 0.0
    message = Message()
    message.headers = {ATTEMPTS_HEADER: 1}  # one real failure already: a second would dead-letter it
    entrypoint.handle_message_processed(message, exc_info=(type(down), down, None))
    _, kwargs = entrypoint.publisher.published[0]
    assert kwargs["routing_key"] == "evt-intake-project_filed--coordinator"
    assert kwargs["headers"][ATTEMPTS_HEADER] == 1 and kwargs["headers"][OUTAGES_HEADER] == 1


def test_retries_double_up_to_the_longest_delay_and_span_about_two_minutes_by_default():
    from shared.bus import retry_delay
    from shared.config import load_config

    config = load_config(env={})
    first, longest = float(config["EVENT_RETRY_DELAY"]), float(config["EVENT_RETRY_MAX_DELAY"])
    delays = [retry_delay(n, first, longest) for n in range(1, int(config["EVENT_MAX_ATTEMPTS"]))]
    assert delays[:3] == [0.5, 1.0, 2.0] and max(delays) == longest == 30.0
    assert 100 <= sum(delays) <= 150  # an early event waits ~2 minutes for its predecessor, then dead-letters
