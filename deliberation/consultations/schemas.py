"""Consultation schemas: ConsultationSchema (out), CreateConsultationSchema (in), phases.

Datetimes are ISO 8601 with an offset. Answers are in UTC ("2025-03-01T08:00:00+00:00"). In requests, a
datetime without an offset is refused (422): "2025-03-01T09:00:00+01:00" or "2025-03-01T08:00:00Z".
"""

from __future__ import annotations

from datetime import UTC

from flask_babel import gettext
from marshmallow import Schema, ValidationError, fields, validate

from deliberation.consultations import policies
from deliberation.consultations.models import PHASE_ACTIONS, PhaseKind
from deliberation.core.text import render_markdown
from deliberation.territories.schemas import ContractPrioritySchema, PriorityAreaSchema

PHASE_KINDS = [kind.value for kind in PhaseKind]
DATETIME_DESCRIPTION = (
    "ISO 8601 with a time zone offset, e.g. 2025-03-01T09:00:00+01:00 or 2025-03-01T08:00:00Z; "
    "a datetime without an offset is refused (422). Answers are given in UTC."
)


class AwareDateTime(fields.DateTime):
    """An ISO 8601 datetime that must carry its offset; loaded as UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is None:
            raise ValidationError(gettext("Give the time zone offset, e.g. 2025-03-01T09:00:00+01:00."))
        return moment.astimezone(UTC)


class PhaseSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": PHASE_KINDS})
    label = fields.String()
    starts_at = fields.DateTime(metadata={"description": DATETIME_DESCRIPTION})
    ends_at = fields.DateTime(metadata={"description": DATETIME_DESCRIPTION})
    description = fields.String()
    actions = fields.Method("_actions", metadata={"description": "What this phase kind opens to residents."})

    def _actions(self, phase) -> list[str]:
        return sorted(action.value for action in PHASE_ACTIONS[phase.kind])


class CurrentPhaseSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": PHASE_KINDS})
    label = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    actions = fields.List(fields.String(), metadata={"description": "What residents may do now."})


class ConsultationSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description = fields.String(metadata={"description": "Markdown."})
    description_html = fields.Method("_description_html", metadata={"description": "Sanitised HTML."})
    contract_id = fields.Integer(allow_none=True)
    is_published = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    current_phase = fields.Method(
        "_current_phase",
        metadata={"description": "The phase running now, {kind, starts_at, ends_at, actions}, or null."},
    )
    phases = fields.List(fields.Nested(PhaseSchema))
    areas = fields.List(fields.Nested(PriorityAreaSchema))
    priorities = fields.List(fields.Nested(ContractPrioritySchema))

    def _description_html(self, consultation) -> str:
        return render_markdown(consultation.description)

    def _current_phase(self, consultation) -> dict | None:
        phase = consultation.current_phase
        if phase is None:
            return None
        return CurrentPhaseSchema().dump(
            {
                "id": phase.id,
                "kind": phase.kind.value,
                "label": phase.label,
                "starts_at": phase.starts_at,
                "ends_at": phase.ends_at,
                "actions": [action.value for action in policies.open_actions(consultation)],
            }
        )


class CreatePhaseSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(PHASE_KINDS), metadata={"enum": PHASE_KINDS})
    starts_at = AwareDateTime(required=True, metadata={"description": DATETIME_DESCRIPTION})
    ends_at = AwareDateTime(required=True, metadata={"description": DATETIME_DESCRIPTION})
    description = fields.String(load_default="", validate=validate.Length(max=5000))


class CreateConsultationSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(
        load_default="", validate=validate.Length(max=50_000), metadata={"description": "Markdown."}
    )
    contract_id = fields.Integer(load_default=None, allow_none=True)
    area_ids = fields.List(fields.Integer(), load_default=list)
    priority_ids = fields.List(fields.Integer(), load_default=list)
    is_published = fields.Boolean(load_default=True)
    phases = fields.List(
        fields.Nested(CreatePhaseSchema),
        required=True,
        metadata={
            "description": "The dated phases; they must not overlap (422 phases_overlap). "
            + DATETIME_DESCRIPTION
        },
    )
