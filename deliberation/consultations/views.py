"""Consultation pages: the public page, the admin dashboard (/admin) and the consultation admin pages."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from deliberation.consultations import policies, services
from deliberation.consultations.forms import ConsultationForm, PhaseForm
from deliberation.consultations.models import Consultation, Phase
from deliberation.core.errors import Invalid, NotFound, get_or_404, require
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import login_manager
from deliberation.territories import services as territory_services

bp = Blueprint("consultations", __name__)


def admin_only(view):
    """Anonymous → the sign-in page; signed in without the admin role → 403."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        require(policies.can_manage_consultations(current_user), "forbidden")
        return view(*args, **kwargs)

    return wrapper


def _actor():
    return current_user._get_current_object()


def _attach_errors(form, error: Invalid) -> None:
    """A service's field errors next to the matching fields; any other message as a flash above the form."""
    for name, messages in (error.fields or {"": [error.message]}).items():
        if name in form:
            form[name].errors.extend(str(message) for message in messages)
        else:
            for message in messages:
                flash(str(message), "error")


# Public page ---------------------------------------------------------------------------------------


@bp.get("/consultations/<int:consultation_id>")
def show(consultation_id: int):
    consultation = services.get_public_consultation(consultation_id, current_user)
    return render_template(
        "consultations/show.html",
        consultation=consultation,
        phase=services.current_phase(consultation),
        next_phase=services.next_phase(consultation),
        timeline=services.phase_timeline(consultation),
        actions=policies.open_actions(consultation),
    )


# Admin ---------------------------------------------------------------------------------------------


@bp.get("/admin")
@admin_only
def admin_index():
    return render_template("consultations/admin_index.html", consultations=services.list_all_consultations())


@bp.get("/admin/consultations")
@admin_only
def admin_list():
    return render_template("consultations/admin_list.html", consultations=services.list_all_consultations())


def _consultation_form(consultation: Consultation | None = None) -> ConsultationForm:
    if consultation is None:
        form = ConsultationForm(is_published=False)
    else:
        form = ConsultationForm(
            obj=consultation,
            area_ids=[a.id for a in consultation.areas],
            priority_ids=[p.id for p in consultation.priorities],
        )
    form.contract_id.choices = [("", gettext("No city contract"))] + [
        (contract.id, contract.title) for contract in territory_services.list_contracts()
    ]
    form.area_ids.choices = [
        (area.id, f"{area.name} ({area.code or gettext('outside QPV')})")
        for area in territory_services.list_areas()
    ]
    form.priority_ids.choices = [(p.id, p.title) for p in territory_services.list_priorities()]
    return form


def _consultation_fields(form: ConsultationForm) -> dict:
    return {
        "title": form.title.data,
        "description": form.description.data,
        "contract": form.contract_id.data,
        "area_ids": form.area_ids.data or [],
        "priority_ids": form.priority_ids.data or [],
        "is_published": form.is_published.data,
    }


def _render_consultation_form(form, consultation: Consultation | None):
    status = 422 if request.method == "POST" else 200
    return render_template("consultations/admin_form.html", form=form, consultation=consultation), status


@bp.route("/admin/consultations/new", methods=["GET", "POST"])
@admin_only
def admin_new():
    form = _consultation_form()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                consultation = services.create_consultation(_actor(), **_consultation_fields(form))
        except Invalid as error:
            _attach_errors(form, error)
        else:
            flash(gettext("The consultation was created. Now add its phases."), "success")
            return redirect(url_for(".admin_phases", consultation_id=consultation.id))
    return _render_consultation_form(form, None)


@bp.route("/admin/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@admin_only
def admin_edit(consultation_id: int):
    consultation = get_or_404(Consultation, consultation_id)
    form = _consultation_form(consultation)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_consultation(consultation, _actor(), **_consultation_fields(form))
        except Invalid as error:
            _attach_errors(form, error)
        else:
            flash(gettext("The consultation was saved."), "success")
            return redirect(url_for(".admin_list"))
    return _render_consultation_form(form, consultation)


# Phases --------------------------------------------------------------------------------------------


def _phase_fields(form: PhaseForm) -> dict:
    return {
        "kind": form.kind.data,
        "starts_at": form.starts_at.data,
        "ends_at": form.ends_at.data,
        "description": form.description.data,
    }


@bp.route("/admin/consultations/<int:consultation_id>/phases", methods=["GET", "POST"])
@admin_only
def admin_phases(consultation_id: int):
    consultation = get_or_404(Consultation, consultation_id)
    form = PhaseForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.add_phase(consultation, _actor(), **_phase_fields(form))
        except Invalid as error:
            _attach_errors(form, error)
        else:
            flash(gettext("The phase was added."), "success")
            return redirect(url_for(".admin_phases", consultation_id=consultation.id))
    return render_template(
        "consultations/admin_phases.html",
        consultation=consultation,
        form=form,
        timeline=services.phase_timeline(consultation),
    ), 422 if request.method == "POST" else 200


def _phase_of(consultation_id: int, phase_id: int) -> Phase:
    phase = get_or_404(Phase, phase_id)
    if phase.consultation_id != consultation_id:
        raise NotFound()
    return phase


@bp.route("/admin/consultations/<int:consultation_id>/phases/<int:phase_id>/edit", methods=["GET", "POST"])
@admin_only
def admin_edit_phase(consultation_id: int, phase_id: int):
    phase = _phase_of(consultation_id, phase_id)
    form = PhaseForm(obj=phase)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.update_phase(phase, _actor(), **_phase_fields(form))
        except Invalid as error:
            _attach_errors(form, error)
        else:
            flash(gettext("The phase was saved."), "success")
            return redirect(url_for(".admin_phases", consultation_id=consultation_id))
    return render_template(
        "consultations/admin_phase_form.html", phase=phase, consultation=phase.consultation, form=form
    ), 422 if request.method == "POST" else 200


@bp.post("/admin/consultations/<int:consultation_id>/phases/<int:phase_id>/delete")
@admin_only
def admin_delete_phase(consultation_id: int, phase_id: int):
    phase = _phase_of(consultation_id, phase_id)
    with unit_of_work():
        services.remove_phase(phase, _actor())
    flash(gettext("The phase was deleted."), "success")
    return redirect(url_for(".admin_phases", consultation_id=consultation_id))
