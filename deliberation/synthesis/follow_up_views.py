"""Pages of the follow-up of commitments (suivi): the public list of a consultation and each commitment's
page with its dated updates; creating, editing and updating them for the officials."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from deliberation.core import clock
from deliberation.core.errors import Invalid
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.proposals.models import PUBLIC_STATUS_VALUES, Proposal
from deliberation.proposals.services.common import enforce, get_listed_consultation
from deliberation.synthesis import follow_ups
from deliberation.synthesis import response_policies as policies
from deliberation.synthesis.blueprint import bp
from deliberation.synthesis.response_forms import FollowUpForm, FollowUpUpdateForm
from deliberation.synthesis.response_views import show_form_errors
from deliberation.territories.models import Priority


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _consultation(consultation_id: int):
    return get_listed_consultation(consultation_id, _viewer())


def _follow_up(follow_up_id: int):
    follow_up = follow_ups.get_follow_up(follow_up_id)
    _consultation(follow_up.consultation_id)
    return follow_up


# The proposals a commitment's form offers to link (checkboxes), the most supported first.
OFFERED_PROPOSALS = 500


def _choices(form: FollowUpForm, consultation, follow_up=None) -> None:
    """The priorities, and the OFFERED_PROPOSALS most supported public proposals plus those already linked
    (wherever they rank; a linked proposal that is not public is kept by the service without being offered)."""
    priorities = list(db.session.scalars(select(Priority).where(Priority.contract_id == consultation.contract_id)
                                         .order_by(Priority.position, Priority.id))) \
        if consultation.contract_id else []
    proposals = list(db.session.scalars(
        select(Proposal).where(Proposal.consultation_id == consultation.id,
                               Proposal.status.in_(PUBLIC_STATUS_VALUES))
        .order_by(Proposal.supports_count.desc(), Proposal.id).limit(OFFERED_PROPOSALS)))
    offered = {proposal.id for proposal in proposals}
    if follow_up is not None:
        proposals += [p for p in follow_up.proposals if p.is_public and p.id not in offered]
    form.set_choices(priorities, proposals)


@bp.get("/consultations/<int:consultation_id>/follow-ups")
def follow_ups_index(consultation_id: int):
    consultation = _consultation(consultation_id)
    page = follow_ups.list_follow_ups(consultation, page=request.args.get("page", 1, type=int))
    return render_template("synthesis/follow_ups.html", consultation=consultation, page=page)


@bp.get("/follow-ups/<int:follow_up_id>")
def follow_up_show(follow_up_id: int):
    follow_up = _follow_up(follow_up_id)
    return _render_show(follow_up, FollowUpUpdateForm(formdata=None, happened_on=clock.now().date(),
                                                      progress=follow_up.progress))


def _render_show(follow_up, update_form, status: int = 200):
    return render_template("synthesis/follow_up.html", follow_up=follow_up, consultation=follow_up.consultation,
                           update_form=update_form), status


def _save(form: FollowUpForm, service, target, actor):
    return service(target, actor, title=form.title.data, owner=form.owner.data,
                   description=form.description.data or "", priority_id=form.priority_id.data,
                   proposal_ids=form.proposal_ids.data or [])


@bp.route("/consultations/<int:consultation_id>/follow-ups/new", methods=["GET", "POST"])
@login_required
def follow_up_new(consultation_id: int):
    consultation = _consultation(consultation_id)
    actor = _viewer()
    enforce(policies.manage_follow_ups_refusal(actor, consultation.id))
    form = FollowUpForm()
    _choices(form, consultation)
    if request.method == "GET" and request.args.get("proposal_id", type=int):
        form.proposal_ids.data = [request.args.get("proposal_id", type=int)]
    if form.validate_on_submit():
        try:
            with unit_of_work():
                follow_up = _save(form, follow_ups.create_follow_up, consultation, actor)
                follow_up_id = follow_up.id
        except Invalid as error:
            show_form_errors(form, error)
        else:
            flash(_("The commitment is created."), "success")
            return redirect(url_for(".follow_up_show", follow_up_id=follow_up_id))
    status = 422 if form.is_submitted() else 200
    return render_template("synthesis/follow_up_form.html", form=form, consultation=consultation,
                           follow_up=None), status


@bp.route("/follow-ups/<int:follow_up_id>/edit", methods=["GET", "POST"])
@login_required
def follow_up_edit(follow_up_id: int):
    follow_up = _follow_up(follow_up_id)
    actor = _viewer()
    enforce(policies.manage_follow_ups_refusal(actor, follow_up.consultation_id))
    if request.method == "POST":
        form = FollowUpForm()
    else:
        form = FollowUpForm(obj=follow_up)
        form.proposal_ids.data = [p.id for p in follow_up.proposals]
    _choices(form, follow_up.consultation, follow_up)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                _save(form, follow_ups.edit_follow_up, follow_up, actor)
        except Invalid as error:
            show_form_errors(form, error)
        else:
            flash(_("The commitment is saved."), "success")
            return redirect(url_for(".follow_up_show", follow_up_id=follow_up_id))
    status = 422 if form.is_submitted() else 200
    return render_template("synthesis/follow_up_form.html", form=form, consultation=follow_up.consultation,
                           follow_up=follow_up), status


@bp.post("/follow-ups/<int:follow_up_id>/updates")
@login_required
def follow_up_add_update(follow_up_id: int):
    follow_up = _follow_up(follow_up_id)
    actor = _viewer()
    enforce(policies.manage_follow_ups_refusal(actor, follow_up.consultation_id))
    form = FollowUpUpdateForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                follow_ups.add_follow_up_update(follow_up, actor, happened_on=form.happened_on.data,
                                                progress=form.progress.data, body=form.body.data)
        except Invalid as error:
            show_form_errors(form, error)
        else:
            flash(_("The update is published."), "success")
            return redirect(url_for(".follow_up_show", follow_up_id=follow_up_id) + "#updates")
    follow_up = follow_ups.get_follow_up(follow_up_id)
    return _render_show(follow_up, form, 422)
