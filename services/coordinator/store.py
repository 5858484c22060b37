"""Coordinator persistence: move a project and record the move, in one transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, insert, select, update

from services.coordinator import domain, models
from shared import audit, fastpath
from shared.actor import Actor
from shared.envelope import Envelope
from shared.errors import Conflict, NotFound
from shared.outbox import UnitOfWork
from shared.statements import first, insert_new, insert_row
from shared.i18n import DEFAULT_LOCALE, _, reason, stored_text, text

P, T, A = models.projects, models.transitions, models.activities

# the statements of every event handled, built once (shared.statements): SQLAlchemy compiles them from its
# cache without building and coercing them again
_PROJECT = select(P).where(P.c.id == bindparam("b_id"))
_LAST_SEQ = select(func.max(T.c.seq)).where(T.c.project_id == bindparam("b_id"))
_ADVANCE = (
    update(P)
    .where(P.c.id == bindparam("b_id"), P.c.version == bindparam("b_version"))
    .values(
        state=bindparam("b_state", type_=P.c.state.type),
        state_since=bindparam("b_state_since", type_=P.c.state_since.type),
        version=bindparam("b_next_version", type_=P.c.version.type),
    )
)
_ADVANCE_WITH_FACTS = _ADVANCE.values(facts=bindparam("b_facts", type_=P.c.facts.type))


def add_special_report(session, **values) -> bool:
    """A special report filed to the Leading Group, in the copy of the register (once: True if new)."""
    return insert_new(session, models.special_reports, ("ref",), values)


def special_report(session, ref: str) -> dict | None:
    row = first(session, models.special_reports, ref=ref)
    return dict(row) if row else None


def find_project_row(session, project_id: str):
    """The project's row, or None."""
    return fastpath.execute(session, _PROJECT, {"b_id": project_id}).mappings().first()


def get_project_row(session, project_id: str):
    row = find_project_row(session, project_id)
    if row is None:
        raise NotFound(_("there is no project {project_id}", project_id=project_id), {"project_id": project_id})
    return row


def timeline(session, project_id: str) -> list[dict]:
    rows = session.execute(select(T).where(T.c.project_id == project_id).order_by(T.c.seq)).mappings()
    return [dict(r) for r in rows]


def activities(session, project_id: str) -> list[dict]:
    rows = session.execute(select(A).where(A.c.project_id == project_id).order_by(A.c.at, A.c.id)).mappings()
    return [dict(r) for r in rows]


def note_activity(
    uow: UnitOfWork, project_id: str, kind: str, summary, details: dict, actor: dict, at, event_id: str
) -> None:
    """An activity on the project's timeline: its summary kept as a message (rendered in each reader's language),
    the audit trail's reason as text (zh-CN)."""
    get_project_row(uow.session, project_id)
    insert_row(
        uow.session,
        A,
        {
            "project_id": project_id,
            "kind": kind,
            "summary": stored_text(summary) or "",
            "details": details,
            "actor": actor,
            "at": at,
            "event_id": event_id,
        },
    )
    uow.finally_do(
        lambda: audit.append(
            uow.session,
            models.audit_trail,
            actor=actor,
            action=kind,
            record_type="project",
            record_id=project_id,
            outcome="done",
            reason=text(summary, DEFAULT_LOCALE)[:2000],
            details={"event_id": event_id},
            at=at,
        )
    )


def merge_facts(uow: UnitOfWork, project_id: str, obligation_key: str, obligation: dict, red_flag: bool) -> None:
    """Keep the project's view of one obligation current; a red flag stays until cleared."""
    row = get_project_row(uow.session, project_id)
    facts = dict(row["facts"])
    facts["obligations"] = {**(facts.get("obligations") or {}), obligation_key: obligation}
    if red_flag:
        facts["red_flags"] = sorted(set(facts.get("red_flags") or []) | {obligation_key})
    done = uow.session.execute(
        update(P)
        .where(P.c.id == project_id, P.c.version == row["version"])
        .values(facts=facts, version=row["version"] + 1)
    ).rowcount
    if done != 1:
        raise Conflict(
            _("project {ref} changed meanwhile; try again", ref=row["ref"]), {"version": [str(row["version"])]}
        )


def _record(
    uow: UnitOfWork, project_id: str, seq: int, from_state, to_state, trigger, actor: dict, at, why, event_id, ref
):
    """A transition on the timeline (its reason kept as a message), in the audit trail (as zh-CN text) and as the
    event ``coordinator.project_state_changed`` (``shared.i18n.reason``: text and message)."""
    insert_row(
        uow.session,
        T,
        {
            "project_id": project_id,
            "seq": seq,
            "from_state": from_state,
            "to_state": to_state,
            "trigger": trigger,
            "actor": actor,
            "at": at,
            "reason": stored_text(why),
            "event_id": event_id,
        },
    )
    uow.finally_do(
        lambda: audit.append(
            uow.session,
            models.audit_trail,
            actor=actor,
            action=trigger,
            record_type="project",
            record_id=project_id,
            outcome="done",
            reason=text(why, DEFAULT_LOCALE) if why is not None else None,
            details={"from": from_state, "to": to_state, "seq": seq, "event_id": event_id},
            at=at,
        )
    )
    uow.emit(
        Envelope(
            type=domain.STATE_CHANGED,
            actor=Actor(**actor),
            project_id=project_id,
            occurred_at=at,
            payload={
                "ref": ref,
                "from_state": from_state,
                "to_state": to_state,
                "trigger": trigger,
                "seq": seq,
                **(reason(why) if why is not None else {"reason": None}),
                "cause_event_id": event_id,
            },
        )
    )


def open_project(
    uow: UnitOfWork, project_id: str, ref: str, name: str, facts: dict, actor: dict, at: datetime, event_id: str
) -> None:
    """The first state, ``lead``, on registration (R1)."""
    if uow.session.execute(select(P.c.id).where(P.c.id == project_id)).first():
        raise Conflict(_("project {ref} already exists", ref=ref), {"project_id": [project_id]})
    uow.session.execute(
        insert(P).values(
            id=project_id, ref=ref, name=name, state="lead", state_since=at, version=1, facts=facts, created_at=at
        )
    )
    _record(uow, project_id, 1, None, "lead", "intake.lead_registered", actor, at, _("lead registered"), event_id, ref)


def advance(
    uow: UnitOfWork,
    project_id: str,
    trigger: str,
    actor: dict,
    at: datetime,
    why,
    event_id: str | None,
    facts: dict | None = None,
    round_: int | None = None,
) -> str | None:
    """Apply ``trigger`` to the project: Conflict (and no change) when the lifecycle forbids it; None (and no
    change) for an event of an earlier negotiation round (``domain.round_verdict``)."""
    row = get_project_row(uow.session, project_id)
    current_round = row["facts"].get("negotiation_round") or 1
    if domain.round_verdict(current_round, trigger, round_) == domain.STALE:
        return None
    to_state = domain.next_state(row["state"], trigger)
    values = {
        "b_id": project_id,
        "b_version": row["version"],
        "b_state": to_state,
        "b_state_since": at,
        "b_next_version": row["version"] + 1,
    }
    if facts:
        values["b_facts"] = {**row["facts"], **facts}
    changed = fastpath.execute(uow.session, _ADVANCE_WITH_FACTS if facts else _ADVANCE, values).rowcount
    if changed != 1:
        raise Conflict(
            _("project {ref} changed meanwhile; try again", ref=row["ref"]), {"version": [str(row["version"])]}
        )
    seq = (fastpath.execute(uow.session, _LAST_SEQ, {"b_id": project_id}).scalar() or 0) + 1
    _record(uow, project_id, seq, row["state"], to_state, trigger, actor, at, why, event_id, row["ref"])
    return to_state


def list_projects(session, state: str | None, limit: int, offset: int):
    query = select(P).order_by(P.c.created_at.desc()).limit(limit).offset(offset)
    count = select(func.count()).select_from(P)
    if state:
        query, count = query.where(P.c.state == state), count.where(P.c.state == state)
    return list(session.execute(query).mappings()), session.execute(count).scalar_one()


def counts_by_state(session) -> dict[str, int]:
    return dict(session.execute(select(P.c.state, func.count()).group_by(P.c.state)).all())
