"""API: syntheses (shared/API.md). Thin adapters over synthesis.syntheses."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from deliberation.api.common import ErrorSchema, actor_or_none, require_user
from deliberation.api.proposals import signed_in
from deliberation.assemblies.models import Assembly
from deliberation.consultations.services import get_public_consultation
from deliberation.core.errors import Forbidden, Invalid
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.synthesis import policies
from deliberation.synthesis import syntheses as services
from deliberation.synthesis.schemas import (
    DraftSynthesisSchema,
    SaveSynthesisSchema,
    SynthesisListSchema,
    SynthesisSchema,
    SynthesisVersionListSchema,
    TransitionSchema,
)

bp = Blueprint("api_synthesis", __name__, url_prefix="/api/v1", description="syntheses and their review workflow")


def _assembly(assembly_id: int | None) -> Assembly | None:
    if assembly_id is None:
        return None
    assembly = db.session.get(Assembly, assembly_id)
    if assembly is None:
        message = services.SYNTHESIS_MESSAGES["assembly_not_in_consultation"]
        raise Invalid("assembly_not_in_consultation", message, fields={"assembly_id": [message]})
    return assembly


@bp.route("/consultations/<int:consultation_id>/syntheses")
class ConsultationSyntheses(MethodView):
    @bp.response(200, SynthesisListSchema)
    @bp.alt_response(404, schema=ErrorSchema, description="unknown consultation")
    def get(self, consultation_id: int):
        """The consultation's syntheses, newest first, without their text: moderators and facilitators see
        all, elected officials those sent to them, everyone else the published ones."""
        viewer = actor_or_none()
        consultation = get_public_consultation(consultation_id, viewer)
        items = services.list_syntheses(consultation, viewer)
        return {"items": items, "total": len(items)}

    @signed_in
    @bp.arguments(DraftSynthesisSchema)
    @bp.response(201, SynthesisSchema)
    @bp.alt_response(401, schema=ErrorSchema, description="not signed in")
    @bp.alt_response(403, schema=ErrorSchema, description="not a moderator of this consultation")
    @bp.alt_response(404, schema=ErrorSchema, description="unknown consultation")
    @bp.alt_response(422, schema=ErrorSchema, description="validation_error, assembly_not_in_consultation")
    def post(self, data, consultation_id: int):
        """Draft a synthesis from the consultation's public contributions (or one assembly's with
        `assembly_id`): each statement cites its sources as Markdown links to `/proposals/<id>` (or to the
        comment or poll cited). Status `draft`, version 1."""
        actor = require_user()
        consultation = get_public_consultation(consultation_id, actor)
        with unit_of_work():
            synthesis = services.draft_synthesis(consultation, actor, assembly=_assembly(data["assembly_id"]),
                                                 title=data["title"])
        return synthesis


@bp.route("/syntheses/<int:synthesis_id>")
class OneSynthesis(MethodView):
    @bp.response(200, SynthesisSchema)
    @bp.alt_response(401, schema=ErrorSchema, description="not public yet and not signed in")
    @bp.alt_response(403, schema=ErrorSchema, description="not public yet")
    @bp.alt_response(404, schema=ErrorSchema)
    def get(self, synthesis_id: int):
        """One synthesis: moderators and facilitators of its consultation at every status, elected officials
        from sent_to_officials on, everyone once published."""
        return services.get_visible_synthesis(synthesis_id, actor_or_none())

    @signed_in
    @bp.arguments(SaveSynthesisSchema)
    @bp.response(200, SynthesisSchema)
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema, description="not a moderator of this consultation")
    @bp.alt_response(404, schema=ErrorSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="synthesis_changed (someone saved since `version`), "
                                                          "synthesis_not_editable (validated or later)")
    @bp.alt_response(422, schema=ErrorSchema, description="validation_error, invalid_citations (the problems "
                                                          "under fields.body)")
    def put(self, data, synthesis_id: int):
        """Save a new version of the Markdown text, based on `version` (the one read): every citation must
        point to a public contribution of the consultation."""
        actor = require_user()
        synthesis = services.get_visible_synthesis(synthesis_id, actor)
        with unit_of_work():
            synthesis = services.save_synthesis(synthesis, actor, body=data["body"],
                                                based_on_version=data["version"])
        return synthesis


@bp.route("/syntheses/<int:synthesis_id>/versions")
class SynthesisVersions(MethodView):
    @signed_in
    @bp.response(200, SynthesisVersionListSchema)
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema, description="moderators and facilitators only")
    @bp.alt_response(404, schema=ErrorSchema)
    def get(self, synthesis_id: int):
        """Every saved version, newest first (origin `drafted` for the system's text, `edited` for a save)."""
        actor = require_user()
        synthesis = services.get_synthesis(synthesis_id)
        if not policies.can_view_review(actor, synthesis):
            raise Forbidden("forbidden")
        items = services.list_versions(synthesis)
        return {"items": items, "total": len(items)}


@bp.route("/syntheses/<int:synthesis_id>/transitions")
class SynthesisTransitions(MethodView):
    @signed_in
    @bp.arguments(TransitionSchema)
    @bp.response(200, SynthesisSchema)
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema, description="forbidden, not_allowed_to_transition (another role "
                                                          "takes this step)")
    @bp.alt_response(404, schema=ErrorSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="transition_not_allowed, sections_unanswered, "
                                                          "invalid_citations (validating: a cited contribution "
                                                          "is no longer public)")
    @bp.alt_response(422, schema=ErrorSchema, description="unknown status")
    def post(self, data, synthesis_id: int):
        """Move the synthesis along draft → in_review (→ draft for rework) → validated → sent_to_officials →
        answered → published. Moderators take the steps up to sent_to_officials and publish; elected officials
        mark it answered once every section has their response. Dated and audited."""
        actor = require_user()
        synthesis = services.get_visible_synthesis(synthesis_id, actor)
        with unit_of_work():
            synthesis = services.transition_synthesis(synthesis, actor, data["to"])
        return synthesis
