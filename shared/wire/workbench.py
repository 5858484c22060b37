"""Wire format of the workbench (工作台), search and the project's file (attachments)."""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

from shared.schema import Text
from shared.wire.base import Schema


class SearchQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={
            "description": "a fragment of a project's or investor's name (two Chinese characters "
            "are enough), a credit code or a reference"
        },
    )
    state = fields.String(load_default=None, allow_none=True)
    unit = fields.String(load_default=None, allow_none=True, metadata={"description": "the responsible unit's code"})
    year = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": "the year the lead was registered"},
    )
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


class SearchHitSchema(Schema):
    kind = fields.String(
        metadata={
            "description": "lead | project | reserve (an entry of the project reserve, for "
            "whoever reads it; year its plan year) | parcel (the land reserve's, "
            "for whoever reads the parcels; ref is its code, state its supply "
            "status)"
        }
    )
    project_id = fields.String(allow_none=True)
    ref = fields.String(allow_none=True)
    name = fields.String()
    investor = fields.String(allow_none=True)
    credit_code = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)
    parcel = fields.Dict(metadata={"description": "a parcel's location, area in mu, use and status by name"})
    reserve = fields.Dict(
        metadata={
            "description": "a reserve entry's id, location, total investment, tier and "
            "whether it is in the public catalog"
        }
    )


class SearchResultSchema(Schema):
    q = fields.String()
    items = fields.List(fields.Nested(SearchHitSchema))


class ToDoSchema(Schema):
    kind = fields.String(
        metadata={"description": "opinion, decide, sign, register_copies, recovery, … (the web app names each)"}
    )
    project_id = fields.String()
    ref = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    unit = fields.String()
    position = fields.String(allow_none=True)
    operation = fields.String(allow_none=True, metadata={"description": "the operation of the authorization table"})
    due = fields.String(allow_none=True, metadata={"description": "deadline (Asia/Shanghai date)"})
    overdue = fields.Boolean()
    subject = fields.String(allow_none=True)
    problem_id = fields.Integer(metadata={"description": "resolve_problem: the problem of the project's tracking"})


class ActSchema(Schema):
    project_id = fields.String()
    ref = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    type = fields.String()
    summary = fields.String(allow_none=True)
    at = fields.String()


class WorkbenchSchema(Schema):
    today = fields.String()
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.Nested(ToDoSchema))
    due_soon = fields.List(fields.Nested(ToDoSchema))
    done = fields.List(fields.Nested(ActSchema))


class AttachmentInputSchema(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, metadata={"description": "a kind of policy documents.attachments.kinds"})
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content_base64 = fields.String(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class AttachmentSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    kind_name = Text()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    note = fields.String(allow_none=True)
    by = fields.Dict()
    at = fields.String()
    replaces = fields.Integer(allow_none=True)
    replaced_by = fields.Integer(allow_none=True)
    confidential = fields.Boolean()


class AttachmentsSchema(Schema):
    project_id = fields.String()
    items = fields.List(fields.Nested(AttachmentSchema))
    may_attach = fields.List(fields.Dict())
    max_size_bytes = fields.Integer()
