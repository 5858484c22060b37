"""The actor — who is acting — carried by every RPC and every event.

An actor is a user id, the position the user acts in (``ipb_clerk``,
``park_head:hengdong``, ``custodian:FIN``) and the unit of that position
(``IPB``, ``PARK:hengdong``, ``TOWN:xintang``).  Authorisation is decided from
position and unit against ``policy/authority.yaml``; an operation that the
policy does not list is denied (deny by default).
"""

from __future__ import annotations

import fnmatch
import itertools
import re
import string
from dataclasses import asdict, dataclass
from typing import Collection, Mapping

from marshmallow import Schema, ValidationError, fields, validate

from shared.errors import InvalidInput, NotAllowed, problems_of
from shared import vocabulary
from shared.i18n import N_, _
from shared.schema import flatten_messages, schema

UNIT_PATTERN = re.compile(
    r"^(IPB|LG|DRB|IND|FIN|EPB|LAND|PLAN|AUDIT|LEGAL|GOV|ARCH|SYSTEM|PARK:[a-z0-9_-]+|TOWN:[a-z0-9_-]+)$"
)


class ActorSchema(Schema):
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    position = fields.String(required=True, validate=validate.Length(min=1, max=80))
    unit = fields.String(required=True, validate=validate.Regexp(UNIT_PATTERN, error=N_("not a known unit")))
    name = fields.String(load_default=None, allow_none=True)


@dataclass(frozen=True)
class Actor:
    user_id: str
    position: str
    unit: str
    name: str | None = None

    @classmethod
    def load(cls, data: Mapping | "Actor") -> "Actor":
        """Validate an actor from the wire; a bad one is ``InvalidInput`` on ``actor.*``."""
        if isinstance(data, Actor):
            return data
        if not isinstance(data, Mapping):
            raise InvalidInput.for_field("actor", _("who is acting (user, position and unit) is required"))
        actor = well_formed_actor(data)
        try:
            actor = actor or cls(**schema(ActorSchema).load(dict(data)))
        except ValidationError as exc:
            fields = flatten_messages(exc.messages, "actor")
            raise InvalidInput(
                _("who is acting is invalid — {problems:clauses}", problems=problems_of(fields)), fields
            ) from None
        if problem := position_unit_problem(actor.position, actor.unit):
            raise InvalidInput(
                _("who is acting is invalid — {problem}", problem=problem), {"actor.position": [problem]}
            )
        return actor

    def dump(self) -> dict:
        return asdict(self)


_ACTOR_KEYS = frozenset(ActorSchema._declared_fields)
_ACTOR_REQUIRED = frozenset(("user_id", "position", "unit"))


def _text(value, shortest: int, longest: int) -> bool:
    return type(value) is str and shortest <= len(value) <= longest


def well_formed_actor(data: Mapping) -> Actor | None:
    """The actor of a well-formed mapping by ``ActorSchema``'s rules, without marshmallow's field machinery
    (every RPC and every event carries one); None for any other shape (a key missing or unknown, bytes, a value
    out of its rule): then the schema loads it and says what is wrong (tests/unit/test_shared_core.py holds
    the two to the same result)."""
    if type(data) is not dict or not (_ACTOR_REQUIRED <= data.keys() <= _ACTOR_KEYS):
        return None
    name = data.get("name")
    if not (
        _text(data["user_id"], 1, 64)
        and _text(data["position"], 1, 80)
        and type(data["unit"]) is str
        and UNIT_PATTERN.match(data["unit"])
        and (name is None or type(name) is str)
    ):
        return None
    return Actor(data["user_id"], data["position"], data["unit"], name)


def position_unit_problem(position: str, unit: str):
    """A scoped position (``park_head:hexi``, ``custodian:FIN``) belongs to the unit it names."""
    if ":" not in position:
        return None
    scope = position.split(":", 1)[1]
    owner = unit.split(":", 1)[1] if unit.startswith(("PARK:", "TOWN:")) else unit
    if scope not in (owner, unit):
        return _("{position:position} is a position of another unit, not of {unit:unit}", position=position, unit=unit)
    return None


_FORMATTER = string.Formatter()

SYSTEM = Actor(user_id="system", position="system", unit="SYSTEM", name="Zhaoshang")
"""The platform itself, for acts it performs on its own (timers, reactions to events)."""


def _filled(pattern: str, context: Mapping[str, str | Collection[str]]) -> list[str]:
    """``pattern`` with its ``{placeholders}`` filled from ``context``: one pattern per value of a placeholder
    whose value is a collection (``{project_units}``: every unit taking part in the record); KeyError when the
    context lacks a placeholder."""
    names = [name for _, name, _, _ in _FORMATTER.parse(pattern) if name]
    several = {n: sorted(context[n]) for n in names if not isinstance(context[n], str)}
    if not several:
        return [pattern.format(**context)]
    return [
        pattern.format(**{**context, **dict(zip(several, values))}) for values in itertools.product(*several.values())
    ]


def _matches(value: str, patterns, context: Mapping[str, str | Collection[str]]) -> bool:
    for pattern in patterns or ():
        try:
            filled = _filled(pattern, context) if "{" in pattern else (pattern,)
        except KeyError:
            continue  # the rule needs a context value this check does not have
        if any(fnmatch.fnmatchcase(value, p) for p in filled):
            return True
    return False


def is_allowed(
    actor: Actor, operation: str, authority: Mapping[str, Mapping], **context: str | Collection[str]
) -> bool:
    """True only if ``authority[operation]`` admits the actor's position or unit.

    A rule is ``{positions: [...], units: [...]}``; patterns may use ``*`` and
    ``{name}`` placeholders filled from ``context`` (``park_head:{park}``); a placeholder given a collection
    matches any of its values (``{project_units}``, need-to-know: ``shared/need_to_know.py``).
    """
    rule = authority.get(operation)
    if not rule:
        return False
    return _matches(actor.position, rule.get("positions"), context) or _matches(actor.unit, rule.get("units"), context)


def authorize(actor: Actor, operation: str, authority: Mapping[str, Mapping], **context: str | Collection[str]) -> None:
    """Raise ``NotAllowed`` naming the operation and position unless allowed."""
    if not is_allowed(actor, operation, authority, **context):
        said = (
            _("{position:position} may not {operation:operation}", position=actor.position, operation=operation)
            if vocabulary.names_its_unit(actor.position) and not position_unit_problem(actor.position, actor.unit)
            else _(
                "{position:position} ({unit:unit}) may not {operation:operation}",
                position=actor.position,
                unit=actor.unit,
                operation=operation,
            )
        )  # a scoped position (park_head:hexi) names its unit already
        raise NotAllowed(
            said,
            {"operation": operation, "position": actor.position, "unit": actor.unit},
        )
