"""Wire format of notifications' RPCs: the inbox, the delivery log and the channels' settings."""

from __future__ import annotations

from marshmallow import RAISE, fields

from shared.schema import Text
from shared.wire import ShanghaiDateTime
from shared.wire.base import Schema


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ChannelSettingsInputSchema(Strict):
    settings = fields.Dict(required=True, metadata={"description": "the channel's settings (see GET …/channels)"})


class NotificationSchema(Schema):
    id = fields.Integer()
    event_type = fields.String()
    project_id = fields.String(allow_none=True)
    ref = fields.String(allow_none=True)
    title = Text(metadata={"description": "in the reader's language"})
    text = Text(metadata={"description": "in the reader's language"})
    recipients = fields.List(fields.String())
    created_at = ShanghaiDateTime(metadata={"description": "Asia/Shanghai"})
    read_at = ShanghaiDateTime(allow_none=True)


class InboxSchema(Schema):
    unread = fields.Integer()
    items = fields.List(fields.Nested(NotificationSchema))


class AttemptSchema(Schema):
    attempt = fields.Integer()
    at = ShanghaiDateTime()
    outcome = fields.String(metadata={"description": "delivered | failed"})
    detail = fields.String(allow_none=True)
    duration_ms = fields.Integer()


class DeliverySchema(Schema):
    id = fields.Integer()
    notification_id = fields.Integer()
    title = Text()
    event_type = fields.String()
    channel = fields.String()
    targets = fields.List(fields.String())
    status = fields.String(metadata={"description": "pending | sending | delivered | failed | skipped"})
    attempts = fields.Integer()
    next_attempt_at = ShanghaiDateTime(allow_none=True)
    last_error = Text(allow_none=True)
    receipt = fields.String(allow_none=True)
    delivered_at = ShanghaiDateTime(allow_none=True)
    log = fields.List(fields.Nested(AttemptSchema))


class ChannelSchema(Schema):
    name = fields.String()
    ready = fields.Boolean()
    not_ready = Text(allow_none=True)
    settings = fields.Dict(metadata={"description": "effective settings; secrets masked"})
    source = fields.String(metadata={"description": "config | administrator"})
