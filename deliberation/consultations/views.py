"""Consultation pages: the public page, the admin dashboard (/admin) and the consultation admin pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from deliberation.consultations import policies, services
from deliberation.consultations.forms import ConsultationForm, PhaseForm
from deliberation.consultations.models import Consultation, Phase
from deliberation.core.errors import NotFound, get_or_404
from deliberation.core.transaction import unit_of_work
from deliberation.territories import services as territory_services
from deliberation.web.access import current_actor, restricted_to
from deliberation.web.forms import form_status, save_form

bp = Blueprint("consultations", __name__)
admin_only = restricted_to(policies.can_manage_consultations)


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
        "report_threshold": form.report_threshold.data,
        "premoderation": form.premoderation.data,
    }


def _render_consultation_form(form, consultation: Consultation | None):
    status = form_status()
    return render_template("consultations/admin_form.html", form=form, consultation=consultation), status


@bp.route("/admin/consultations/new", methods=["GET", "POST"])
@admin_only
def admin_new():
    form = _consultation_form()
    consultation = save_form(
        form, lambda: services.create_consultation(current_actor(), **_consultation_fields(form))
    )
    if consultation is not None:
        flash(gettext("The consultation was created. Now add its phases."), "success")
        return redirect(url_for(".admin_phases", consultation_id=consultation.id))
    return _render_consultation_form(form, None)


@bp.route("/admin/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@admin_only
def admin_edit(consultation_id: int):
    consultation = get_or_404(Consultation, consultation_id)
    form = _consultation_form(consultation)
    actor = current_actor()
    saved = save_form(
        form, lambda: services.update_consultation(consultation, actor, **_consultation_fields(form))
    )
    if saved is not None:
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
    added = save_form(form, lambda: services.add_phase(consultation, current_actor(), **_phase_fields(form)))
    if added is not None:
        flash(gettext("The phase was added."), "success")
        # The form posts to …#add-phase (its errors are far down on a phone); a redirect without a fragment
        # would keep it, so name the top of the content, where the flash message is.
        return redirect(url_for(".admin_phases", consultation_id=consultation.id, _anchor="main"))
    return render_template(
        "consultations/admin_phases.html",
        consultation=consultation,
        form=form,
        timeline=services.phase_timeline(consultation),
    ), form_status()


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
    saved = save_form(form, lambda: services.update_phase(phase, current_actor(), **_phase_fields(form)))
    if saved is not None:
        flash(gettext("The phase was saved."), "success")
        return redirect(url_for(".admin_phases", consultation_id=consultation_id))
    return render_template(
        "consultations/admin_phase_form.html", phase=phase, consultation=phase.consultation, form=form
    ), form_status()


@bp.post("/admin/consultations/<int:consultation_id>/phases/<int:phase_id>/delete")
@admin_only
def admin_delete_phase(consultation_id: int, phase_id: int):
    phase = _phase_of(consultation_id, phase_id)
    with unit_of_work():
        services.remove_phase(phase, current_actor())
    flash(gettext("The phase was deleted."), "success")
    return redirect(url_for(".admin_phases", consultation_id=consultation_id))
