"""Territory admin pages under /admin/territory: one overview page, and a form page to create or edit each
thing."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from deliberation.core.errors import get_or_404
from deliberation.territories import policies, services
from deliberation.territories.forms import AreaForm, ContractForm, OrganisationForm, PriorityForm
from deliberation.territories.models import CityContract, Organisation, Priority, PriorityArea
from deliberation.web.access import current_actor, restricted_to
from deliberation.web.forms import form_status, save_form

bp = Blueprint("territories", __name__, url_prefix="/admin/territory")
admin_only = restricted_to(policies.can_manage_territory)


def _form_page(
    form: FlaskForm, *, title: str, save: Callable[[], object], done: str, hint: dict | None = None
):
    """Save through the service, then back to the overview; else the form again, with its errors."""
    if save_form(form, save) is not None:
        flash(done, "success")
        return redirect(url_for(".index"))
    return render_template("territories/form.html", form=form, title=title, hints=hint or {}), form_status()


@bp.get("/")
@admin_only
def index():
    return render_template(
        "territories/index.html",
        organisations=services.list_organisations(),
        contracts=services.list_contracts(),
    )


# Organisations -------------------------------------------------------------------------------------

ORGANISATION_HINTS = {
    "code": _l("SIREN number (9 digits) for an intercommunality, INSEE code (5 characters) for a commune."),
    "parent_id": _l("Only for a commune."),
}


def _organisation_form(organisation: Organisation | None = None) -> OrganisationForm:
    form = OrganisationForm(obj=organisation)
    form.parent_id.choices = [("", gettext("None (intercommunality)"))] + [
        (epci.id, f"{epci.name} ({epci.code})")
        for epci in services.list_epcis()
        if organisation is None or epci.id != organisation.id
    ]
    return form


def _organisation_fields(form: OrganisationForm) -> dict:
    return {
        "name": form.name.data,
        "kind": form.kind.data,
        "code": form.code.data,
        "parent_id": form.parent_id.data,
    }


@bp.route("/organisations/new", methods=["GET", "POST"])
@admin_only
def new_organisation():
    form = _organisation_form()
    return _form_page(
        form,
        title=gettext("New organisation"),
        hint=ORGANISATION_HINTS,
        save=lambda: services.create_organisation(current_actor(), **_organisation_fields(form)),
        done=gettext("The organisation was created."),
    )


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_organisation(organisation_id: int):
    organisation = get_or_404(Organisation, organisation_id)
    form = _organisation_form(organisation)
    return _form_page(
        form,
        title=gettext("Edit the organisation %(name)s", name=organisation.name),
        hint=ORGANISATION_HINTS,
        save=lambda: services.update_organisation(
            organisation, current_actor(), **_organisation_fields(form)
        ),
        done=gettext("The organisation was saved."),
    )


# City contracts ------------------------------------------------------------------------------------


def _contract_form(contract: CityContract | None = None) -> ContractForm:
    form = ContractForm(obj=contract)
    form.organisation_id.choices = [(o.id, o.name) for o in services.list_organisations()]
    return form


def _contract_fields(form: ContractForm) -> dict:
    return {
        name: form[name].data
        for name in ("organisation_id", "title", "starts_on", "ends_on", "signatories", "description")
    }


@bp.route("/contracts/new", methods=["GET", "POST"])
@admin_only
def new_contract():
    form = _contract_form()
    return _form_page(
        form,
        title=gettext("New city contract"),
        save=lambda: services.create_contract(current_actor(), **_contract_fields(form)),
        done=gettext("The city contract was created."),
    )


@bp.route("/contracts/<int:contract_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_contract(contract_id: int):
    contract = get_or_404(CityContract, contract_id)
    form = _contract_form(contract)
    return _form_page(
        form,
        title=gettext("Edit the city contract %(title)s", title=contract.title),
        save=lambda: services.update_contract(contract, current_actor(), **_contract_fields(form)),
        done=gettext("The city contract was saved."),
    )


# Priority areas ------------------------------------------------------------------------------------

AREA_HINTS = {"code": _l("Official code, e.g. QN07512M. Leave empty for an area outside any QPV (hors QPV).")}


def _area_form(contract: CityContract, area: PriorityArea | None = None) -> AreaForm:
    communes = {"commune_ids": [c.id for c in area.communes]} if area is not None else {}
    form = AreaForm(obj=area, **communes)
    form.commune_ids.choices = [
        (c.id, f"{c.name} ({c.code})") for c in services.communes_of(contract.organisation)
    ]
    return form


def _area_fields(form: AreaForm) -> dict:
    return {
        "code": form.code.data,
        "name": form.name.data,
        "description": form.description.data,
        "commune_ids": form.commune_ids.data or [],
    }


@bp.route("/contracts/<int:contract_id>/areas/new", methods=["GET", "POST"])
@admin_only
def new_area(contract_id: int):
    contract = get_or_404(CityContract, contract_id)
    form = _area_form(contract)
    return _form_page(
        form,
        title=gettext("New priority area for %(title)s", title=contract.title),
        hint=AREA_HINTS,
        save=lambda: services.create_area(contract, current_actor(), **_area_fields(form)),
        done=gettext("The priority area was created."),
    )


@bp.route("/areas/<int:area_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_area(area_id: int):
    area = get_or_404(PriorityArea, area_id)
    form = _area_form(area.contract, area)
    return _form_page(
        form,
        title=gettext("Edit the priority area %(name)s", name=area.name),
        hint=AREA_HINTS,
        save=lambda: services.update_area(area, current_actor(), **_area_fields(form)),
        done=gettext("The priority area was saved."),
    )


# Priorities ----------------------------------------------------------------------------------------

PRIORITY_HINTS = {"position": _l("Priorities are listed by position, smallest first. Empty: last.")}


def _priority_fields(form: PriorityForm) -> dict:
    return {
        "title": form.title.data,
        "description": form.description.data,
        "position": form.position.data,
        "themes": form.themes.data or [],
    }


@bp.route("/contracts/<int:contract_id>/priorities/new", methods=["GET", "POST"])
@admin_only
def new_priority(contract_id: int):
    contract = get_or_404(CityContract, contract_id)
    form = PriorityForm()
    return _form_page(
        form,
        title=gettext("New priority for %(title)s", title=contract.title),
        hint=PRIORITY_HINTS,
        save=lambda: services.create_priority(contract, current_actor(), **_priority_fields(form)),
        done=gettext("The priority was created."),
    )


@bp.route("/priorities/<int:priority_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_priority(priority_id: int):
    priority = get_or_404(Priority, priority_id)
    form = PriorityForm(obj=priority)
    return _form_page(
        form,
        title=gettext("Edit the priority %(title)s", title=priority.title),
        hint=PRIORITY_HINTS,
        save=lambda: services.update_priority(priority, current_actor(), **_priority_fields(form)),
        done=gettext("The priority was saved."),
    )
