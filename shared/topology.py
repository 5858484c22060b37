"""The bus contract: which service publishes which event, and who consumes it.

RabbitMQ drops an event published to an exchange that has no queue bound, so
every event queue is declared up front — by every service when its outbox relay
starts and by ``zhaoshang topology`` at deployment — from this one table.  A
test checks that the services' ``@on_event`` handlers and this table agree.

Queue of an event for a consuming service: ``evt-<source>-<name>--<service>``
bound to the topic exchange ``<source>.events`` with routing key ``<name>``.
"""
from __future__ import annotations

from kombu import Exchange, Queue

DEAD_LETTER_QUEUE = "zhaoshang.dead-letter"

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "intake.lead_registered": ("coordinator",),
    "coordinator.project_state_changed": ("intake", "contracts", "accounting", "notifications"),
    "intake.project_filed": ("coordinator", "review", "negotiation", "contracts", "accounting", "notifications"),
    "review.convened": ("coordinator", "notifications"),
    "review.opinion_recorded": ("coordinator", "notifications"),
    "review.returned": ("coordinator", "notifications"),
    "review.resubmitted": ("coordinator", "notifications"),
    "review.concluded": ("coordinator", "negotiation", "notifications"),
    "review.escalated": ("coordinator", "notifications"),
    "negotiation.intermediary_recorded": ("coordinator",),
    "negotiation.unit_assigned": ("coordinator", "contracts", "accounting", "notifications"),
    "negotiation.session_logged": ("coordinator",),
    "negotiation.escalated": ("coordinator",),
    "negotiation.decided": ("coordinator", "contracts"),
    "negotiation.principal_decided": ("coordinator",),
    "negotiation.principals_decided": ("coordinator", "contracts"),
    "contracts.drafted": ("coordinator",),
    "contracts.submitted": ("coordinator",),
    "contracts.approved": ("coordinator",),
    "contracts.returned": ("coordinator",),
    "contracts.signed": ("coordinator", "accounting", "notifications"),
    "contracts.file_completed": ("coordinator",),
    "contracts.handed_over": ("coordinator",),
    "contracts.archived": ("coordinator",),
    "contracts.progress_recorded": ("coordinator", "notifications"),
    "contracts.obligation_lapsed": ("coordinator", "notifications"),
    "contracts.special_report_filed": ("coordinator", "notifications"),
    "contracts.special_report_late": ("coordinator", "notifications"),
    "notifications.construction_period_ended": ("accounting",),
    "accounting.opened": ("coordinator",),
    "accounting.figures_computed": ("coordinator",),
    "accounting.report_issued": ("coordinator",),
    "accounting.recovery_recorded": ("coordinator",),
    "accounting.recovery_waived": ("coordinator",),
    "accounting.closed": ("coordinator",),
}
"""event type -> services that handle it."""


def event_exchange(source: str) -> Exchange:
    return Exchange(f"{source}.events", type="topic", durable=True, auto_delete=False, delivery_mode=2)


def queue_arguments(quorum: bool) -> dict | None:
    return {"x-queue-type": "quorum"} if quorum else None


def event_queue(event_type: str, service: str, quorum: bool = False) -> Queue:
    source, name = event_type.split(".", 1)
    return Queue(
        f"evt-{source}-{name}--{service}",
        exchange=event_exchange(source),
        routing_key=name,
        durable=True,
        auto_delete=False,
        queue_arguments=queue_arguments(quorum),
    )


def dead_letter_queue(quorum: bool = False) -> Queue:
    return Queue(DEAD_LETTER_QUEUE, durable=True, auto_delete=False, queue_arguments=queue_arguments(quorum))


def all_queues(quorum: bool = False) -> list[Queue]:
    queues = [event_queue(t, svc, quorum) for t, svcs in SUBSCRIPTIONS.items() for svc in svcs]
    return queues + [dead_letter_queue(quorum)]


def declare_topology(connection, quorum: bool = False) -> int:
    """Declare every exchange and queue on ``connection``; returns the number of queues."""
    channel = connection.channel()
    try:
        sources = {t.split(".", 1)[0] for t in SUBSCRIPTIONS}
        for source in sources:
            event_exchange(source)(channel).declare()
        queues = all_queues(quorum)
        for queue in queues:
            queue(channel).declare()
        return len(queues)
    finally:
        channel.close()
