"""Marshmallow schemas of accounts: <Thing>Schema out, <Verb><Thing>Schema in (API, exports)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from deliberation.accounts.models import UserRole
from deliberation.accounts.passwords import PASSWORD_MAX_LENGTH


class CreateAccountSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=PASSWORD_MAX_LENGTH),
                             metadata={"description": "At least ACCOUNTS_PASSWORD_MIN_LENGTH characters "
                                                      "(10 by default) and hard to guess."})
    display_name = fields.String(required=True, validate=validate.Length(min=2, max=60),
                                 metadata={"description": "Shown publicly next to contributions."})


class AccountSchema(Schema):
    id = fields.Integer(required=True)
    display_name = fields.String(required=True)


class CreateTokenSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=PASSWORD_MAX_LENGTH))


class TokenSchema(Schema):
    token = fields.String(required=True,
                          metadata={"description": "Send it as `Authorization: Bearer <token>`."})
    expires_at = fields.DateTime(required=True)


class RoleAssignmentSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf([role.value for role in UserRole]))
    consultation_id = fields.Integer(allow_none=True,
                                     metadata={"description": "null: the role holds in every consultation."})


class MeSchema(Schema):
    id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    email = fields.String(metadata={"description": "Only ever shown to its owner."})
    locale = fields.String(allow_none=True)
    roles = fields.List(fields.Nested(RoleAssignmentSchema), required=True)
