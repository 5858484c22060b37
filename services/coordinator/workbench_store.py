"""The workbench's tables, kept with the ledger row in the same transaction: what awaits whom, what each person
did, and the search entries of leads, projects and investors."""

from __future__ import annotations

from datetime import date, datetime
from typing import Iterable, Mapping

from sqlalchemy import bindparam, delete, insert, or_, select, update

from services.coordinator import ledger, models, workbench
from shared import search as fulltext
from shared.actor import Actor
from shared.clock import to_shanghai
from shared.envelope import Envelope
from shared import fastpath
from shared.statements import insert_new, insert_row

W, C, ACTS, S = models.awaiting, models.awaiting_counts, models.acts, models.search_entries
PAGE = 50
"""To-dos read for one person (the nearest deadlines first); the counts cover all."""
NO_DUE = date(9999, 12, 31)
"""The ``due`` of a to-do without a deadline: last in the index's order (an index puts NULL first)."""


def snapshot(row: Mapping | None) -> dict | None:
    """What ``keep`` compares, taken before a fold (which changes the row in place; ``derive`` sets a new
    ``awaiting`` list, so the old one is kept as it was)."""
    return None if row is None else {"awaiting": row.get("awaiting"), "searchable": _searchable(row)}


def keep(session, project_id: str, before: Mapping | None, after: Mapping, events: Iterable[Envelope]) -> None:
    """After a fold: the project's to-dos when they changed, the acts of persons, the search entry (``before``:
    the ``snapshot`` of the row before the fold, None for a new row)."""
    if before is None or before["awaiting"] != after["awaiting"]:
        _rewrite_to_dos(session, project_id, (before or {}).get("awaiting") or (), after["awaiting"])
    for event in events:
        if event.actor.user_id != "system" and not event.type.startswith("coordinator.ledger_row"):
            insert_new(
                session,
                ACTS,
                ("event_id",),
                {
                    "event_id": event.event_id,
                    "user_id": event.actor.user_id,
                    "project_id": project_id,
                    "type": event.type,
                    "at": event.occurred_at,
                    "data": {
                        "ref": after["ref"],
                        "name": after["name"],
                        "state": after["state"],
                        "summary": ledger.progress_summary(event),
                    },
                },
            )
    if before is None or before["searchable"] != _searchable(after):
        fulltext.upsert(session, S, entry_of(project_id, after))


# -- the to-dos: only what changed is written ------------------------------------------------------------------------
# A to-do's row is named by its columns (``_row_key``); the rows of a key are rewritten when the entries of that key
# changed (an opinion given ends one reviewer's to-do and leaves the others' rows alone), and each count moves by
# its net change.  The statements are built once (``statements.once``).
def _row_key(entry: Mapping) -> tuple:
    return (entry["unit"], entry["position"], entry["kind"], entry["operation"], _due(entry))


def _due(entry: Mapping) -> date:
    return date.fromisoformat(entry["due"]) if entry["due"] else NO_DUE


def _grouped(entries: Iterable[Mapping]) -> dict[tuple, list]:
    groups: dict[tuple, list] = {}
    for entry in entries:
        groups.setdefault(_row_key(entry), []).append(entry)
    return groups


def to_do_changes(before: Iterable[Mapping], after: Iterable[Mapping]) -> tuple[dict, dict]:
    """What a change of a project's to-dos from ``before`` to ``after`` writes: the row keys to rewrite (-> the
    entries they hold after) and each count's net change (unit, position or "", kind, operation or "") -> n."""
    was, now = _grouped(before), _grouped(after)
    rewrite = {key: now.get(key, []) for key in was.keys() | now.keys() if was.get(key) != now.get(key)}
    counts: dict[tuple, int] = {}
    for key in rewrite:
        count_key = (key[0], key[1] or "", key[2], key[3] or "")
        counts[count_key] = counts.get(count_key, 0) + len(now.get(key, ())) - len(was.get(key, ()))
    return rewrite, {key: n for key, n in counts.items() if n}


def _rewrite_to_dos(session, project_id: str, before: Iterable[Mapping], after: Iterable[Mapping]) -> None:
    rewrite, counts = to_do_changes(before, after)
    for key, entries in rewrite.items():
        unit, position, kind, operation, due = key
        where = {"b_project_id": project_id, "b_unit": unit, "b_position": position, "b_kind": kind}
        fastpath.execute(session, _DELETE_TO_DOS, {**where, "b_operation": operation, "b_due": due})
        for entry in entries:
            insert_row(
                session,
                W,
                {
                    "project_id": project_id,
                    "unit": unit,
                    "position": position,
                    "due": due,
                    "kind": kind,
                    "operation": operation,
                    "data": entry,
                },
            )
    for (unit, position, kind, operation), step in counts.items():
        key = {"b_unit": unit, "b_position": position, "b_kind": kind, "b_operation": operation}
        if not fastpath.execute(session, _MOVE_COUNT, {**key, "b_step": step}).rowcount and step > 0:
            insert_row(
                session, C, {"unit": unit, "position": position, "kind": kind, "operation": operation, "n": step}
            )


_DELETE_TO_DOS = delete(W).where(
    W.c.project_id == bindparam("b_project_id"),
    W.c.unit == bindparam("b_unit"),
    W.c.position.is_not_distinct_from(bindparam("b_position", type_=W.c.position.type)),
    W.c.kind == bindparam("b_kind"),
    W.c.operation.is_not_distinct_from(bindparam("b_operation", type_=W.c.operation.type)),
    W.c.due == bindparam("b_due", type_=W.c.due.type),
)
_MOVE_COUNT = (
    update(C)
    .where(
        C.c.unit == bindparam("b_unit"),
        C.c.position == bindparam("b_position"),
        C.c.kind == bindparam("b_kind"),
        C.c.operation == bindparam("b_operation"),
    )
    .values(n=C.c.n + bindparam("b_step", type_=C.c.n.type))
)


def _searchable(row: Mapping | None) -> tuple | None:
    if row is None:
        return None
    return tuple(
        row.get(k)
        for k in (
            "ref",
            "name",
            "investor_name",
            "credit_code",
            "state",
            "responsible_unit",
            "registered_unit",
            "registered_on",
        )
    )


def entry_of(project_id: str, row: Mapping) -> dict:
    year = int(row["registered_on"][:4]) if row.get("registered_on") else None
    return fulltext.entry_values(
        key=project_id,
        kind="lead" if row.get("state") == "lead" else "project",
        name=row.get("name") or "",
        ref=row.get("ref"),
        investor=row.get("investor_name"),
        code=row.get("credit_code"),
        state=row.get("state"),
        unit=row.get("responsible_unit"),
        owner_unit=row.get("registered_unit"),
        year=year,
    )


def rebuild(session, rows: Mapping[str, Mapping]) -> None:
    """The to-dos and search entries from the rebuilt rows (the acts stay: they are history)."""
    session.execute(delete(W))
    session.execute(delete(C))
    session.execute(delete(S))
    for project_id, row in rows.items():
        keep(session, project_id, None, row, ())


# -- reads ----------------------------------------------------------------------------------------------------------
def to_dos(session, actor: Actor, authority: Mapping, limit: int = PAGE) -> tuple[list[dict], dict[str, int]]:
    """The actor's to-dos, nearest deadline first (those without one last), and the count of each kind."""
    counts: dict[str, int] = {}
    for kind, operation, position, n in session.execute(
        select(C.c.kind, C.c.operation, C.c.position, C.c.n).where(
            C.c.unit == actor.unit, C.c.position.in_(("", actor.position)), C.c.n > 0
        )
    ):
        if workbench.may_act(
            actor, {"unit": actor.unit, "position": position or None, "operation": operation or None}, authority
        ):
            counts[kind] = counts.get(kind, 0) + n
    if not counts:
        return [], {}
    rows = []
    for position in (None, actor.position):  # each branch read in the index's order (unit, position, due)
        which = W.c.position.is_(None) if position is None else W.c.position == position
        rows += session.execute(
            select(W.c.id, W.c.due, W.c.project_id, W.c.data)
            .where(W.c.unit == actor.unit, which)
            .order_by(W.c.due)
            .limit(limit)
        ).all()  # the index's order: no sort
    rows = sorted(rows, key=lambda r: (r.due, r.id))[:limit]
    items = [{**r.data, "project_id": r.project_id} for r in rows if workbench.may_act(actor, r.data, authority)]
    _name(session, items)
    return items, counts


def _name(session, items: list[dict]) -> None:
    """Each to-do's project reference, name and state (from the search entries: one small read by key)."""
    keys = list({i["project_id"] for i in items})
    names = {}
    for i in range(0, len(keys), 500):
        for r in session.execute(select(S.c.key, S.c.ref, S.c.name, S.c.state).where(S.c.key.in_(keys[i : i + 500]))):
            names[r.key] = {"ref": r.ref, "name": r.name, "state": r.state}
    for item in items:
        item.update(names.get(item["project_id"], {"ref": None, "name": None, "state": None}))


def done(session, user_id: str, limit: int = 20) -> list[dict]:
    rows = session.execute(
        select(ACTS).where(ACTS.c.user_id == user_id).order_by(ACTS.c.at.desc(), ACTS.c.id.desc()).limit(limit)
    ).mappings()
    return [
        {"project_id": r["project_id"], "type": r["type"], "at": to_shanghai(r["at"]).isoformat(), **r["data"]}
        for r in rows
    ]


def readable(actor: Actor, all_units: bool) -> list:
    """What an actor may find: IPB and the LG everything; any other unit every filed project (they read
    projects) but only its own leads (a lead is its registering unit's, IPB's and the LG's — intake.read_lead)."""
    if all_units:
        return []
    return [or_(S.c.kind != "lead", S.c.owner_unit == actor.unit)]


def find(
    session,
    actor: Actor,
    fragment: str,
    *,
    all_units: bool,
    state: str | None = None,
    unit: str | None = None,
    year: int | None = None,
    limit: int = 20,
) -> list[dict]:
    conditions = readable(actor, all_units)
    if state:
        conditions.append(S.c.state == state)
    if unit:
        conditions.append(S.c.unit == unit)
    if year:
        conditions.append(S.c.year == year)
    return [
        {
            "kind": e["kind"],
            "project_id": e["key"],
            "ref": e["ref"],
            "name": e["name"],
            "investor": e["investor"],
            "credit_code": e["code"],
            "state": e["state"],
            "unit": e["unit"],
            "year": e["year"],
        }
        for e in fulltext.search(session, S, fragment, conditions, limit)
    ]


# -- the project's file -------------------------------------------------------------------------------------------
AT = models.attachments


def attachment(session, project_id: str, attachment_id) -> dict:
    from shared.errors import NotFound
    from shared.i18n import _

    try:
        ident = int(attachment_id)
    except (TypeError, ValueError):
        ident = None
    row = (
        None
        if ident is None
        else session.execute(select(AT).where(AT.c.id == ident, AT.c.project_id == project_id)).mappings().first()
    )
    if row is None:
        raise NotFound(
            _("the project has no attachment {n}", n=str(attachment_id)), {"attachment_id": [str(attachment_id)]}
        )
    return dict(row)


def add_attachment(
    session, project_id: str, kind: str, document: Mapping, note, state: str, by: dict, at: datetime, replaces=None
) -> int:
    new_id = session.execute(
        insert(AT).values(
            project_id=project_id,
            kind=kind,
            document_id=document["id"],
            filename=document["filename"],
            content_type=document["content_type"],
            size=document["size"],
            note=note,
            state=state,
            by=by,
            at=at,
            replaces=replaces,
        )
    ).inserted_primary_key[0]
    if replaces is not None:
        session.execute(AT.update().where(AT.c.id == replaces).values(replaced_by=new_id))
    return new_id


def attachments_of(session, project_id: str) -> list[dict]:
    """Every attachment of the project: current versions first (by kind), then the superseded ones."""
    rows = session.execute(
        select(AT).where(AT.c.project_id == project_id).order_by(AT.c.replaced_by.is_not(None), AT.c.kind, AT.c.id)
    ).mappings()
    return [dict(r) for r in rows]
