"""Synthesis pages: a consultation's syntheses, drafting one, reading it (citations as links, section anchors,
dated transitions, review comments), editing its Markdown, its versions and the differences between two."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from deliberation.accounts.models import User
from deliberation.assemblies.models import Assembly
from deliberation.consultations import services as consultation_services
from deliberation.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db, login_manager
from deliberation.synthesis import policies, response_policies, responses
from deliberation.synthesis import syntheses as services
from deliberation.synthesis.blueprint import bp
from deliberation.synthesis.forms import (
    CompareVersionsForm,
    DraftSynthesisForm,
    EditSynthesisForm,
    ReviewCommentForm,
    TransitionForm,
)
from deliberation.synthesis.models import SYNTHESIS_STATUS_LABELS, Synthesis, SynthesisStatus
from deliberation.web.access import current_actor
from deliberation.web.forms import attach_errors

# The button moving a synthesis to each status.
TRANSITION_LABELS = {
    SynthesisStatus.DRAFT: _l("Send back to draft for rework"),
    SynthesisStatus.IN_REVIEW: _l("Send for review"),
    SynthesisStatus.VALIDATED: _l("Validate"),
    SynthesisStatus.SENT_TO_OFFICIALS: _l("Send to the elected officials"),
    SynthesisStatus.ANSWERED: _l("Mark the answer as received"),
    SynthesisStatus.PUBLISHED: _l("Publish"),
}
VERSION_ORIGIN_LABELS = {"drafted": _l("drafted by the system"), "edited": _l("edited")}


@bp.app_template_global("published_syntheses")
def published_syntheses(consultation) -> list[Synthesis]:
    """For the consultation page: its published syntheses."""
    return services.list_published(consultation)


@bp.app_template_global("can_list_all_syntheses")
def can_list_all_syntheses(user, consultation) -> bool:
    return policies.can_list_all(user, consultation)


def _visible(synthesis_id: int):
    """The synthesis, or a redirect to sign in for an anonymous visitor who may not read it (403 otherwise)."""
    synthesis = services.get_synthesis(synthesis_id)
    if policies.can_view(current_user, synthesis):
        return synthesis, None
    if not current_user.is_authenticated:
        return None, login_manager.unauthorized()
    raise Forbidden("forbidden")


def _staff_only(synthesis_id: int):
    synthesis = services.get_synthesis(synthesis_id)
    if policies.can_view_review(current_user, synthesis):
        return synthesis, None
    if not current_user.is_authenticated:
        return None, login_manager.unauthorized()
    raise Forbidden("forbidden")


def _assemblies_of(consultation) -> list[Assembly]:
    return list(db.session.scalars(select(Assembly).where(Assembly.consultation_id == consultation.id)
                                   .order_by(Assembly.id)))


# List and drafting ---------------------------------------------------------------------------------------


@bp.get("/consultations/<int:consultation_id>/syntheses")
def index(consultation_id: int):
    consultation = consultation_services.get_public_consultation(consultation_id, current_user)
    may_draft = policies.can_draft(current_user, consultation)
    form = DraftSynthesisForm(assemblies=_assemblies_of(consultation)) if may_draft else None
    return render_template("synthesis/index.html", consultation=consultation, form=form,
                           syntheses=services.list_syntheses(consultation, current_user),
                           status_labels=SYNTHESIS_STATUS_LABELS)


@bp.post("/consultations/<int:consultation_id>/syntheses")
def draft(consultation_id: int):
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    consultation = consultation_services.get_public_consultation(consultation_id, current_user)
    services.require_may_draft(current_user, consultation)
    assemblies = _assemblies_of(consultation)
    form = DraftSynthesisForm(assemblies=assemblies)
    if not form.validate_on_submit():
        return render_template("synthesis/index.html", consultation=consultation, form=form,
                               syntheses=services.list_syntheses(consultation, current_user),
                               status_labels=SYNTHESIS_STATUS_LABELS), 422
    assembly = next((a for a in assemblies if str(a.id) == form.assembly_id.data), None)
    try:
        with unit_of_work():
            synthesis = services.draft_synthesis(consultation, current_actor(), assembly=assembly,
                                                 title=form.title.data)
    except Invalid as error:
        attach_errors(form, error)
        return render_template("synthesis/index.html", consultation=consultation, form=form,
                               syntheses=services.list_syntheses(consultation, current_user),
                               status_labels=SYNTHESIS_STATUS_LABELS), 422
    flash(_("The draft is ready: read it, correct it, then send it for review."), "success")
    return redirect(url_for("synthesis.show", synthesis_id=synthesis.id))


# Reading -------------------------------------------------------------------------------------------------


def _names(user_ids) -> dict[int, str]:
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return {}
    return {user.id: user.public_name for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


@bp.get("/syntheses/<int:synthesis_id>")
def show(synthesis_id: int):
    synthesis, redirect_to = _visible(synthesis_id)
    if redirect_to is not None:
        return redirect_to
    return _render_show(synthesis)


def _render_show(synthesis: Synthesis, comment_form: ReviewCommentForm | None = None, status: int = 200):
    transitions = services.list_transitions(synthesis)
    staff = policies.can_view_review(current_user, synthesis)
    comments = services.list_review_comments(synthesis) if staff else []
    names = _names([t.actor_id for t in transitions] + [c.author_id for c in comments])
    if comment_form is None and policies.can_comment(current_user, synthesis):
        comment_form = ReviewCommentForm()
    viewer = current_user._get_current_object() if current_user.is_authenticated else None
    section_responses = []
    if synthesis.status in policies.OFFICIAL_STATUSES:
        answered = responses.responses_by_section(synthesis.sections)
        for section in synthesis.sections:
            response = answered.get(section.id)
            section_responses.append((section, response if response_policies.can_see_response(viewer, response)
                                       else None, response_policies.can_answer(viewer, section)))
    return render_template(
        "synthesis/show.html", synthesis=synthesis, transitions=transitions, comments=comments, names=names,
        staff=staff, comment_form=comment_form, status_labels=SYNTHESIS_STATUS_LABELS,
        transition_labels=TRANSITION_LABELS, transition_form=TransitionForm(),
        next_statuses=policies.available_transitions(current_user, synthesis),
        can_edit=policies.can_edit(current_user, synthesis), section_responses=section_responses,
        body_html=services.displayed_text(synthesis)[1]), status


@bp.post("/syntheses/<int:synthesis_id>/comments")
def comment(synthesis_id: int):
    synthesis, redirect_to = _staff_only(synthesis_id)
    if redirect_to is not None:
        return redirect_to
    form = ReviewCommentForm()
    if not form.validate_on_submit():
        return _render_show(synthesis, form, 422)
    try:
        with unit_of_work():
            services.add_review_comment(synthesis, current_actor(), form.body.data)
    except Invalid as error:
        attach_errors(form, error)
        return _render_show(synthesis, form, 422)
    except Conflict as error:
        flash(error.message, "error")
        return redirect(url_for("synthesis.show", synthesis_id=synthesis.id))
    flash(_("Your remark was added."), "success")
    return redirect(url_for("synthesis.show", synthesis_id=synthesis.id, _anchor="review-comments"))


@bp.post("/syntheses/<int:synthesis_id>/transitions")
def transition(synthesis_id: int):
    synthesis, redirect_to = _visible(synthesis_id)
    if redirect_to is not None:
        return redirect_to
    form = TransitionForm()
    if not form.validate_on_submit():
        flash(_("The form expired or was sent from elsewhere. Please try again."), "error")
        return redirect(url_for("synthesis.show", synthesis_id=synthesis.id))
    try:
        with unit_of_work():
            synthesis = services.transition_synthesis(synthesis, current_actor(), form.to.data)
    except (Conflict, Invalid) as error:
        details = [str(message) for messages in error.fields.values() for message in messages]
        flash(" ".join([error.message, *details]), "error")
        return redirect(url_for("synthesis.show", synthesis_id=synthesis_id))
    flash(_("The synthesis is now: %(status)s.", status=SYNTHESIS_STATUS_LABELS[synthesis.status]), "success")
    return redirect(url_for("synthesis.show", synthesis_id=synthesis.id))


# Editing -------------------------------------------------------------------------------------------------


@bp.route("/syntheses/<int:synthesis_id>/edit", methods=["GET", "POST"])
def edit(synthesis_id: int):
    synthesis = services.get_synthesis(synthesis_id)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not policies.is_moderator_of(current_user, synthesis.consultation_id):
        raise Forbidden("forbidden")
    if not synthesis.is_editable:
        flash(services.SYNTHESIS_MESSAGES["synthesis_not_editable"], "error")
        return redirect(url_for("synthesis.show", synthesis_id=synthesis.id))
    form = EditSynthesisForm()
    current = None
    if request.method == "GET":
        form.body.data = synthesis.body
        form.version.data = str(synthesis.version)
    elif form.validate_on_submit():
        try:
            based_on = int(form.version.data)
        except (TypeError, ValueError):
            based_on = -1
        try:
            with unit_of_work():
                services.save_synthesis(synthesis, current_actor(), body=form.body.data, based_on_version=based_on)
        except Invalid as error:
            attach_errors(form, error, default_field="body")
        except Conflict as error:
            synthesis = services.get_synthesis(synthesis_id)
            if error.code != "synthesis_changed":
                flash(error.message, "error")
                return redirect(url_for("synthesis.show", synthesis_id=synthesis.id))
            # Keep the text typed; show the newer text, and base a deliberate second save on it.
            form.form_errors.append(error.message)
            current = synthesis
            form.version.data = str(synthesis.version)
        else:
            flash(_("Saved: version %(number)s.", number=services.get_synthesis(synthesis_id).version),
                  "success")
            return redirect(url_for("synthesis.show", synthesis_id=synthesis_id))
    status = 422 if request.method == "POST" else 200
    return render_template("synthesis/edit.html", synthesis=synthesis, form=form, current=current), status


# Versions ------------------------------------------------------------------------------------------------


@bp.get("/syntheses/<int:synthesis_id>/versions")
def versions(synthesis_id: int):
    synthesis, redirect_to = _staff_only(synthesis_id)
    if redirect_to is not None:
        return redirect_to
    items = services.list_versions(synthesis)
    return render_template("synthesis/versions.html", synthesis=synthesis, versions=items,
                           names=_names(v.author_id for v in items), origin_labels=VERSION_ORIGIN_LABELS)


@bp.get("/syntheses/<int:synthesis_id>/diff")
def diff(synthesis_id: int):
    synthesis, redirect_to = _staff_only(synthesis_id)
    if redirect_to is not None:
        return redirect_to
    form = CompareVersionsForm(request.args)
    form.validate()
    newer = form.b.data if not form.b.errors and form.b.data else synthesis.version
    older = form.a.data if not form.a.errors and form.a.data else max(newer - 1, 1)
    try:
        lines = services.diff_versions(synthesis, older, newer)
    except DomainError:
        raise NotFound() from None
    form.a.data, form.b.data = older, newer
    return render_template("synthesis/diff.html", synthesis=synthesis, form=form, lines=lines, older=older,
                           newer=newer, changed=any(line.kind != "same" for line in lines))
