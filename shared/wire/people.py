"""Wire format of sign-in and the administration of users."""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

from shared.i18n import N_
from shared.wire.base import Schema


class Strict(Schema):
    class Meta:
        unknown = RAISE


class SignInSchema(Strict):
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class UserInputSchema(Strict):
    user_id = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9._@~-]{2,64}$", error=N_("2 to 64 letters, digits or . _ @ ~ -")),
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(load_default=None, allow_none=True, load_only=True, validate=validate.Length(max=200))
    position = fields.String(required=True, validate=validate.Length(min=1, max=80))
    unit = fields.String(required=True)
    is_admin = fields.Boolean(load_default=False)
    active = fields.Boolean(load_default=True)


class UserChangeSchema(Strict):
    name = fields.String(validate=validate.Length(min=1, max=100))
    password = fields.String(allow_none=True, load_only=True, validate=validate.Length(max=200))
    position = fields.String(validate=validate.Length(min=1, max=80))
    unit = fields.String()
    is_admin = fields.Boolean()
    active = fields.Boolean()


class PasswordChangeSchema(Strict):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)


class UserSchema(Schema):
    user_id = fields.String()
    name = fields.String()
    position = fields.String()
    unit = fields.String()
    is_admin = fields.Boolean()
    active = fields.Boolean()
