"""Marshmallow schemas of syntheses (shared by the API and the exports). Review comments are the staff's working
material and stay out of the public shapes."""

from __future__ import annotations

from marshmallow import Schema, fields, post_dump, validate

from deliberation.synthesis.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, SynthesisStatus

ID = validate.Range(min=1, max=2**31 - 1)
STATUSES = [status.value for status in SynthesisStatus]


class SynthesisSectionSchema(Schema):
    id = fields.Integer()
    anchor = fields.String()
    title = fields.String()


class SynthesisSummarySchema(Schema):
    """A synthesis without its text (lists)."""

    id = fields.Integer()
    consultation_id = fields.Integer()
    assembly_id = fields.Integer(allow_none=True)
    title = fields.String()
    status = fields.Enum(SynthesisStatus, by_value=True)
    version = fields.Integer()
    sections = fields.List(fields.Nested(SynthesisSectionSchema))
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    status_changed_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)


class SynthesisSchema(SynthesisSummarySchema):
    body = fields.String()
    body_html = fields.String()

    @post_dump(pass_original=True)
    def _displayed(self, data, synthesis, **kwargs):
        """What readers get: quotes of contributions hidden since validation taken out (worked out once)."""
        from deliberation.synthesis.syntheses import displayed_text

        data["body"], data["body_html"] = displayed_text(synthesis)
        return data


class SynthesisListSchema(Schema):
    items = fields.List(fields.Nested(SynthesisSummarySchema))
    total = fields.Integer()


class DraftSynthesisSchema(Schema):
    assembly_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID)
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=TITLE_MAX_LENGTH))


class SaveSynthesisSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=BODY_MAX_LENGTH))
    # The version the text was based on (the `version` read with it): a newer one answers 409 synthesis_changed.
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))


class TransitionSchema(Schema):
    # Checked by the service: an unknown status is 422 unknown_status (fields.to) on every door.
    to = fields.String(required=True, validate=validate.Length(max=40), metadata={"enum": list(STATUSES)})


class SynthesisVersionSchema(Schema):
    number = fields.Integer()
    origin = fields.String()
    body = fields.String()
    created_at = fields.DateTime()


class SynthesisVersionListSchema(Schema):
    items = fields.List(fields.Nested(SynthesisVersionSchema))
    total = fields.Integer()
