"""Pages of the elected officials' responses: the officials' desk of a consultation, the response form of a
proposal and of a synthesis section; and what the proposal page shows of them (template helpers)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from deliberation.core import clock
from deliberation.core.errors import Invalid, NotFound
from deliberation.core.transaction import unit_of_work
from deliberation.proposals import policies as proposal_policies
from deliberation.proposals.services.common import _get, enforce, get_consultation, get_proposal
from deliberation.synthesis import follow_ups, responses
from deliberation.synthesis import response_policies as policies
from deliberation.synthesis.blueprint import bp
from deliberation.synthesis.models import RESPONSE_TYPE_LABELS, Synthesis, SynthesisSection
from deliberation.synthesis.response_forms import ResponseForm


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.app_context_processor
def _response_helpers() -> dict:
    """What the proposal page asks (templates/synthesis/_proposal_response.html)."""
    return {
        "response_policies": policies,
        "response_type_labels": RESPONSE_TYPE_LABELS,
        "proposal_official_response": _proposal_official_response,
        "proposal_follow_ups": follow_ups.follow_ups_of,
    }


def _proposal_official_response(proposal):
    """The response the viewer may see: public, or not yet public for the consultation's officials."""
    response = responses.get_response(proposal)
    return response if policies.can_see_response(_viewer(), response) else None


def show_form_errors(form, error: Invalid, names: dict | None = None) -> None:
    """Field errors next to their fields; anything else as a flash."""
    names = names or {}
    for name, messages in error.fields.items():
        field = form._fields.get(names.get(name, name))
        if field is not None and field.type not in ("HiddenField", "CSRFTokenField"):
            field.errors = [*field.errors, *messages]
        else:
            for message in messages:
                flash(str(message), "error")
    if not error.fields:
        flash(error.message, "error")


def _response_form(response) -> ResponseForm:
    if request.method == "POST":
        return ResponseForm()
    if response is None:
        return ResponseForm()
    decision = response.council_decision
    return ResponseForm(
        type=response.type.value, justification=response.justification or "", referred_to=response.referred_to,
        council_number=decision.number if decision else None,
        council_decided_on=decision.decided_on if decision else None,
        council_body=decision.body if decision else None,
        publish_at=response.publish_at if response.publish_at > clock.now() else None)


def _answer(form: ResponseForm, service, target, actor):
    return service(target, actor, type=form.type.data, justification=form.justification.data,
                   referred_to=form.referred_to.data, council_decision=form.council_decision(),
                   publish_at=form.publish_at.data)


@bp.get("/consultations/<int:consultation_id>/responses")
@login_required
def responses_desk(consultation_id: int):
    consultation = get_consultation(consultation_id)
    viewer = _viewer()
    if not proposal_policies.can_list(viewer, consultation):
        raise NotFound()
    enforce(None if policies.can_open_desk(viewer, consultation) else "not_official")
    unanswered = request.args.get("filter") == "unanswered"
    page = responses.list_desk(consultation, unanswered=unanswered, page=request.args.get("page", 1, type=int))
    return render_template("synthesis/responses_desk.html", consultation=consultation, page=page,
                           unanswered=unanswered, sections=responses.sections_to_answer(consultation))


@bp.route("/proposals/<int:proposal_id>/response", methods=["GET", "POST"])
@login_required
def response_form(proposal_id: int):
    proposal = get_proposal(proposal_id)
    actor = _viewer()
    if not proposal_policies.can_see_page(actor, proposal):
        raise NotFound()
    responses.enforce_refusal(policies.answer_proposal_refusal(actor, proposal))
    response = responses.get_response(proposal)
    form = _response_form(response)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                saved = _answer(form, responses.answer_proposal, proposal, actor)
                public = saved.is_public()
        except Invalid as error:
            show_form_errors(form, error, ResponseForm.FIELD_NAMES)
        else:
            flash(_("The response is published.") if public else
                  _("The response is saved; it will be published on the date you set."), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id) + "#official-response")
    status = 422 if form.is_submitted() else 200
    return render_template("synthesis/response_form.html", form=form, proposal=proposal, section=None,
                           response=response), status


@bp.route("/syntheses/<int:synthesis_id>/sections/<int:section_id>/response", methods=["GET", "POST"])
@login_required
def section_response_form(synthesis_id: int, section_id: int):
    synthesis = _get(Synthesis, synthesis_id)
    section = _get(SynthesisSection, section_id)
    if section.synthesis_id != synthesis.id:
        raise NotFound()
    actor = _viewer()
    responses.enforce_refusal(policies.answer_section_refusal(actor, section))
    response = responses.get_section_response(section)
    form = _response_form(response)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                _answer(form, responses.answer_section, section, actor)
        except Invalid as error:
            show_form_errors(form, error, ResponseForm.FIELD_NAMES)
        else:
            flash(_("The response to this section is saved."), "success")
            return redirect(url_for(".responses_desk", consultation_id=synthesis.consultation_id))
    status = 422 if form.is_submitted() else 200
    return render_template("synthesis/response_form.html", form=form, proposal=None, section=section,
                           response=response), status
