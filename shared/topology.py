"""The bus contract: which service publishes which event, and who consumes it.

RabbitMQ drops an event published to an exchange that has no queue bound, so
every event queue is declared up front — by every service when its outbox relay
starts and by ``zhaoshang topology`` at deployment — from this one table.  A
test checks that the services' ``@on_event`` handlers and this table agree.

Queue of an event for a consuming service: ``evt-<source>-<name>--<service>``
bound to the topic exchange ``<source>.events`` with routing key ``<name>``.

A state change (``coordinator.project_state_changed``) goes out with routing key
``project_state_changed.<to_state>`` (``ROUTED_BY``), so a consumer that acts on a few states binds its queue
to just those (``TAKES_ONLY``) and the broker never delivers it the others; every other consumer binds
``project_state_changed.#``.  Five services take the changes, and three of them act on a few states only:
of a project's changes from lead to archived, intake is delivered 1, contracts 2, accounting 4, and
supervision and notifications every one.
"""

from __future__ import annotations

from kombu import Exchange, Queue, binding

DEAD_LETTER_QUEUE = "zhaoshang.dead-letter"

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "intake.lead_registered": ("coordinator", "leadership"),
    "coordinator.project_state_changed": ("intake", "contracts", "accounting", "supervision", "notifications"),
    "intake.project_filed": (
        "coordinator",
        "review",
        "negotiation",
        "contracts",
        "accounting",
        "supervision",
        "notifications",
    ),
    "review.convened": ("coordinator", "supervision"),
    "review.opinion_recorded": ("coordinator", "supervision"),
    "review.returned": ("coordinator", "supervision"),
    "review.resubmitted": ("coordinator", "supervision"),
    "review.concluded": ("coordinator", "negotiation", "supervision"),
    "review.escalated": ("coordinator", "notifications"),
    "review.reopened": ("coordinator",),
    "review.deadline_moved": ("coordinator", "supervision", "notifications"),
    "negotiation.intermediary_recorded": ("coordinator",),
    "negotiation.park_review_requested": ("review",),
    "negotiation.unit_assigned": ("coordinator", "contracts", "accounting", "supervision", "notifications"),
    "negotiation.session_logged": ("coordinator",),
    "negotiation.escalated": ("coordinator",),
    "negotiation.decided": ("coordinator", "contracts"),
    "negotiation.principal_decided": ("coordinator",),
    "negotiation.principals_decided": ("coordinator", "contracts"),
    "negotiation.reopened": ("coordinator", "contracts"),
    "contracts.drafted": ("coordinator", "landreserve"),
    "contracts.submitted": ("coordinator",),
    "contracts.approved": ("coordinator",),
    "contracts.returned": ("coordinator",),
    "contracts.signed": ("coordinator", "negotiation", "accounting", "leadership", "landreserve", "supervision"),
    "contracts.file_completed": ("coordinator",),
    "contracts.handed_over": ("coordinator",),
    "contracts.archived": ("coordinator",),
    "contracts.progress_recorded": ("coordinator", "supervision"),
    "contracts.obligation_lapsed": ("coordinator", "supervision", "notifications"),
    "contracts.special_report_filed": ("coordinator", "supervision", "notifications"),
    "contracts.special_report_late": ("coordinator", "notifications"),
    "contracts.report_due_moved": ("coordinator", "supervision", "notifications"),
    "accounting.opened": ("coordinator", "notifications"),
    "accounting.figures_computed": ("coordinator", "supervision"),
    "accounting.report_issued": ("coordinator",),
    "accounting.recovery_recorded": ("coordinator",),
    "accounting.write_off_decided": ("coordinator",),
    "accounting.closed": ("coordinator",),
    "supervision.special_report_filed": ("coordinator", "notifications"),
    "supervision.project_stale": ("notifications",),
    "supervision.problem_escalated": ("notifications",),
    "supervision.problem_raised": ("coordinator",),  # the owner's to-do on the workbench
    "supervision.problem_resolved": ("coordinator",),
    "supervision.special_report_due": ("notifications",),
    "supervision.review_period_ending": ("notifications",),
    "supervision.reminder": ("notifications",),
    "supervision.holiday_schedule_missing": ("notifications",),
    "supervision.rectification_opened": ("notifications", "coordinator"),
    "supervision.commitment_unmet": ("notifications", "coordinator"),
    "supervision.damages_recorded": ("coordinator",),  # a payment or reduction: the ledger's outstanding
    "supervision.damages_reduction_decided": ("coordinator",),  # a principal's decision on reducing damages
    "supervision.damages_settled": ("notifications", "coordinator"),
    "supervision.benefit_graded": ("coordinator",),
    "leadership.roster_changed": ("notifications", "coordinator"),
}
"""event type -> services that handle it."""

ROUTED_BY: dict[str, str] = {"coordinator.project_state_changed": "to_state"}
"""event type -> the payload field whose value is the last word of its routing key (``<name>.<value>``)."""

TAKES_ONLY: dict[tuple[str, str], tuple[str, ...]] = {
    # intake: a lead that was rejected, terminated or archived no longer counts as open
    # (services/intake/domain.CLOSING_STATES)
    ("coordinator.project_state_changed", "intake"): ("rejected", "terminated", "archived"),
    # contracts' copy of the lifecycle is read to archive a contract once its project is closed or terminated, and
    # to end a terminated project's obligations; a copy that checks for a state follows that state and every
    # state after it (tests/unit/test_topology.py), and every copy hears that its project was terminated
    ("coordinator.project_state_changed", "contracts"): ("closed", "archived", "terminated"),
    # accounting's copy is read only to open an accounting for a project in construction (and not once terminated)
    ("coordinator.project_state_changed", "accounting"): (
        "construction",
        "accounting",
        "closed",
        "archived",
        "terminated",
    ),
}
"""(event type, consumer) -> the only values of its ``ROUTED_BY`` field it is delivered; absent: every value."""


def routing_key(event_type: str, payload) -> str:
    """The routing key of an event: its name, and for a type in ``ROUTED_BY`` the value of that payload field."""
    name = event_type.split(".", 1)[1]
    field = ROUTED_BY.get(event_type)
    return f"{name}.{payload[field]}" if field else name


def binding_keys(event_type: str, service: str) -> tuple[str, ...]:
    """The routing keys the queue of ``event_type`` for ``service`` is bound with."""
    name = event_type.split(".", 1)[1]
    if event_type not in ROUTED_BY:
        return (name,)
    only = TAKES_ONLY.get((event_type, service))
    return tuple(f"{name}.{value}" for value in only) if only else (f"{name}.#",)


def consumers(event_type: str, payload) -> tuple[str, ...]:
    """The services the broker delivers this event to (a routed event: those bound to its value)."""
    field = ROUTED_BY.get(event_type)
    return tuple(
        svc
        for svc in SUBSCRIPTIONS.get(event_type, ())
        if not field or payload[field] in TAKES_ONLY.get((event_type, svc), (payload[field],))
    )


def event_exchange(source: str) -> Exchange:
    return Exchange(f"{source}.events", type="topic", durable=True, auto_delete=False, delivery_mode=2)


def queue_arguments(quorum: bool) -> dict | None:
    return {"x-queue-type": "quorum"} if quorum else None


def event_queue(event_type: str, service: str, quorum: bool = False) -> Queue:
    source, name = event_type.split(".", 1)
    keys = binding_keys(event_type, service)
    where = (
        {"exchange": event_exchange(source), "routing_key": keys[0]}
        if event_type not in ROUTED_BY
        else {"bindings": [binding(event_exchange(source), routing_key=key) for key in keys]}
    )
    return Queue(
        f"evt-{source}-{name}--{service}",
        durable=True,
        auto_delete=False,
        queue_arguments=queue_arguments(quorum),
        **where,
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
