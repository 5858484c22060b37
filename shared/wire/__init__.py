"""The wire formats of the services' RPCs and events (one module per service), and the fields they share."""

from __future__ import annotations

from marshmallow import fields

from shared.clock import to_shanghai


class ShanghaiDateTime(fields.AwareDateTime):
    """An instant as a person reads it: written in Asia/Shanghai (+08:00) whatever zone it was stored or given in
    (R16; columns keep UTC).  Read like ``AwareDateTime``: any offset is taken, none is refused."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(None if value is None else to_shanghai(value), attr, obj, **kwargs)
