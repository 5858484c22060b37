"""What a notice says (R18): each route of ``policy/notifications.yaml`` names one of these notices (``notice:``),
a title and a text of the message catalogue, in business wording — the project, what happened, who must act and by
when —, Simplified Chinese first.

A notice's placeholders are the event's facts (``domain.facts``: the project's ref, name, state and responsible
unit, then the event's own values), typed so that a code is shown by its name (``{awaiting:units}``,
``{to_state:state}``, ``{report_due:date}``…); the event's ``reason`` is its message.  A notice is kept as its
messages and rendered where it is read: the inbox in the reader's language, e-mail and the group robot in Chinese.
To add one: a name here with its two messages, then ``zhaoshang messages update`` and their Chinese.
"""

from __future__ import annotations

from typing import Any, Mapping

from shared.i18n import N_, Message, is_wire_message, placeholders

NOTICES: dict[str, tuple[str, str]] = {
    "review_escalated": (
        N_("[Investment promotion] Joint review overdue: {ref} {name}"),
        N_("{reason}. The Investment Promotion Bureau is to urge these units to give their opinions at once."),
    ),
    "review_period_ending": (
        N_("[Investment promotion] Joint review ends today: {ref} {name}"),
        N_("The joint review period ends on {deadline:date}; please give your unit's opinion today."),
    ),
    "review_deadline_moved": (N_("[Investment promotion] Joint review period changed: {ref} {name}"), N_("{reason}.")),
    "project_state_changed": (
        N_("[Investment promotion] {ref} {name}: {to_state:state}"),
        N_("The project is now “{to_state:state}” ({reason}). {responsible_unit:unit} is to take the next step."),
    ),
    "project_terminated": (N_("[Investment promotion] Project terminated: {ref} {name}"), N_("{reason}.")),
    "decision_refused": (
        N_("[Investment promotion] Decision not agreed: {ref} {name}"),
        N_(
            "{reason}. The Investment Promotion Bureau is to decide whether to negotiate again or to terminate the "
            "project after a report."
        ),
    ),
    "obligation_lapsed": (
        N_("[Investment promotion] Contract obligation overdue: {ref} {obligation_text}"),
        N_(
            "“{obligation_text}” (due {obligation_due:date}) is unmet. {responsible_unit:unit} is to report to the "
            "Leading Group on it by {report_due:date}."
        ),
    ),
    "special_report_due": (
        N_("[Investment promotion] Special report due today: {ref} {obligation_text}"),
        N_("The special report on “{obligation_text}” is due to the Leading Group today ({report_due:date})."),
    ),
    "special_report_late": (
        N_("[Investment promotion] Red flag: {ref} {name}, special report overdue"),
        N_("{reason}."),
    ),
    "obligation_report_filed": (N_("[Investment promotion] Special report: {ref} {name}"), N_("{reason}.")),
    "report_due_moved": (
        N_("[Investment promotion] Special report deadline changed: {ref} {obligation_text}"),
        N_("{reason}."),
    ),
    "special_report_filed": (
        N_("[Investment promotion] Special report {report_ref}: {ref} {name}"),
        N_("{cause:report_cause}: {summary}"),
    ),
    "project_stale": (
        N_("[Investment promotion] Project without progress: {ref} {name}"),
        N_(
            "No progress for {stale_days:count} days (last progress: {last_progress:datetime}). Please move the "
            "project forward and record its progress."
        ),
    ),
    "problem_escalated": (
        N_("[Investment promotion] Problem unresolved, for a county leader to coordinate: {ref} {name}"),
        N_(
            "The problem “{problem}” ({owner:address} to solve it) is unresolved {escalation_days:count} days after "
            "{raised:datetime}. {escalate_to:position} is asked to coordinate."
        ),
    ),
    "construction_period_ended": (
        N_("[Investment promotion] Contract construction period over: {ref} {name}"),
        N_("The completion date of the contract, {completion:date}, has passed: the investment accounting is opened."),
    ),
    "reminder": (N_("[Investment promotion] Follow-up reminder: {ref} {name}"), N_("{note}")),
    "rectification_opened": (
        N_("[Investment promotion] Standard-land commitment not met, rectification required: {ref} {name}"),
        N_(
            "{indicator:indicator}: committed {committed}, actual {actual}. {responsible_unit:unit} is to see the enterprise "
            "rectify by {due:date}, when the indicator is checked again."
        ),
    ),
    "commitment_unmet": (
        N_(
            "[Investment promotion] Special matter: standard-land commitment still not met after rectification: "
            "{ref} {name}"
        ),
        N_(
            "{indicator:indicator} is still short of the commitment ({committed}) after the rectification: the contract's "
            "damages clause applies, {amount:wan}. The County Finance Bureau collects it; the Land and Resources "
            "Bureau and the Legal Affairs Office act where it is not paid."
        ),
    ),
    "damages_settled": (
        N_("[Investment promotion] Standard-land damages paid in full: {ref} {name}"),
        N_("The damages of {amount:wan} are settled: {paid:wan} paid, {reduced:wan} reduced."),
    ),
    "holiday_schedule_missing": (
        N_("[Investment promotion] The official holiday schedule of {year} is not loaded"),
        N_(
            "The official holiday schedule of {year} is not loaded: every deadline in {year} counted in working days is "
            "provisional (weekends only). Once the General Office of the State Council publishes it, the system "
            "administrator is to load it at once."
        ),
    ),
    "delivery_failed": (
        N_("[Investment promotion] Notice not delivered: {channel:notice_channel}"),
        N_(
            "Notice #{notification_id} ({notification_title}) was not delivered after {attempts:count} attempts: "
            "{error}"
        ),
    ),
}
"""notice -> (title, text): the messages a route's notice says."""

MISSING = "—"


def _value(value: Any) -> Any:
    if value is None or value == "" or value == []:
        return MISSING
    if isinstance(value, Mapping) and not is_wire_message(value):
        return value.get("name") or value.get("user_id") or MISSING  # a person
    return value


def compose(notice: str, facts: Mapping[str, Any]) -> tuple[Message, Message]:
    """The title and text of ``notice`` over an event's facts (a fact it has not: "—")."""
    title, text = NOTICES[notice]
    return tuple(
        Message(msgid, {name: _value(facts.get(name)) for name, _spec in placeholders(msgid)})
        for msgid in (title, text)
    )
