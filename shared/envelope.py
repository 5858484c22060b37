"""The event envelope every Zhaoshang event travels in.

``event_id`` makes handling idempotent, ``type`` is ``<service>.<past_tense>``
(``intake.project_filed``), ``occurred_at`` is Asia/Shanghai time, ``actor`` is
who caused it, ``payload`` the event's own data and ``schema_version`` the
version of that payload's schema.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from marshmallow import Schema, ValidationError, fields, validate

from shared.actor import Actor, ActorSchema
from shared.clock import now_shanghai
from shared.errors import InvalidInput
from shared.schema import flatten_messages, schema

EVENT_TYPE = validate.Regexp(r"^[a-z]+\.[a-z_]+$", error="must be <service>.<event_name>")


class EnvelopeSchema(Schema):
    event_id = fields.String(required=True, validate=validate.Length(min=8, max=64))
    type = fields.String(required=True, validate=EVENT_TYPE)
    occurred_at = fields.AwareDateTime(required=True)
    project_id = fields.String(allow_none=True, load_default=None)
    actor = fields.Nested(ActorSchema, required=True)
    payload = fields.Dict(required=True)
    schema_version = fields.Integer(load_default=1, validate=validate.Range(min=1))


@dataclass(frozen=True)
class Envelope:
    type: str
    actor: Actor
    payload: dict
    project_id: str | None = None
    event_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    occurred_at: datetime = field(default_factory=now_shanghai)
    schema_version: int = 1

    @property
    def source(self) -> str:
        return self.type.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.type.split(".", 1)[1]

    def dump(self) -> dict:
        """The envelope as JSON-ready data, dumped once (an envelope is frozen): an emitted event is dumped for
        its outbox row and again for the coordinator's ledger journal.  Each call gets its own outer dict."""
        dumped = self.__dict__.get("_dumped")
        if dumped is None:
            dumped = self._dump()
            object.__setattr__(self, "_dumped", dumped)
        return dict(dumped)

    def _dump(self) -> dict:
        return schema(EnvelopeSchema).dump(
            {
                "event_id": self.event_id,
                "type": self.type,
                "occurred_at": self.occurred_at,
                "project_id": self.project_id,
                "actor": self.actor.dump(),
                "payload": self.payload,
                "schema_version": self.schema_version,
            }
        )

    @classmethod
    def load(cls, body: Mapping[str, Any]) -> "Envelope":
        if not isinstance(body, Mapping):
            raise InvalidInput.for_field("envelope", "an event envelope must be a JSON object")
        try:
            data = schema(EnvelopeSchema).load(dict(body))
        except ValidationError as exc:
            raise InvalidInput("malformed event envelope", flatten_messages(exc.messages)) from None
        data["actor"] = Actor(**data["actor"])
        return cls(**data)
