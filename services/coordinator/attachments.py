"""The documents of a project's file (项目档案): which kinds there are, when each may be attached or replaced.

The kinds, their accepted types (by content), the size limit and the states in which a kind's stage is open
are policy (``documents.attachments``); who attaches a kind is ``coordinator.attach_<kind>`` of the authority
table.  Pure: no nameko, no session.
"""

from __future__ import annotations

from typing import Mapping

from shared.errors import Conflict, InvalidInput
from shared.i18n import _
from shared.policy import Policy


def kinds(policy: Policy) -> Mapping[str, Mapping]:
    return policy.get("documents.attachments.kinds")


def max_size(policy: Policy) -> int:
    return int(policy.get("documents.attachments.max_size_bytes"))


def kind_of(kind: str, policy: Policy) -> Mapping:
    known = kinds(policy)
    if kind not in known:
        raise InvalidInput.for_field("kind", _("one of: {kinds:list}", kinds=[v["name_zh"] for v in known.values()]))
    return known[kind]


def operation(kind: str) -> str:
    return f"coordinator.attach_{kind}"


def check_open(kind: str, state: str, policy: Policy) -> Mapping:
    """A kind is attached or replaced only while its stage is open (the project in one of its ``open_in``
    states); afterwards the file keeps what was attached."""
    spec = kind_of(kind, policy)
    if state not in spec["open_in"]:
        raise Conflict(
            _(
                "{kind} is attached while the project is {states:states}; it is {state:state}",
                kind=spec["name_zh"],
                states=spec["open_in"],
                state=state,
            ),
            {"state": [state], "kind": [kind]},
        )
    return spec


def check_replaces(old: Mapping | None, kind: str, replaces) -> Mapping | None:
    """A new version replaces the current version of an attachment of the same kind (``old``: the attachment
    ``replaces`` names, None when the upload replaces nothing)."""
    if old is not None and (old["kind"] != kind or old["replaced_by"] is not None):
        raise Conflict(
            _("only the current version of an attachment of the same kind is replaced"),
            {"replaces": [str(replaces)]},
        )
    return old
