"""Territory commands: organisations (EPCI, communes), city contracts, priority areas (QPV), priorities.

Admin only and audited. Each validates its whole input first and raises Invalid("validation_error",
fields=...) with one list of messages per field, so nothing is stored half-way.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from deliberation.core import audit, clock
from deliberation.core.errors import require
from deliberation.extensions import db
from deliberation.territories import policies
from deliberation.territories.models import (
    CityContract,
    CrossCuttingTheme,
    Organisation,
    OrganisationKind,
    Priority,
    PriorityArea,
)
from deliberation.territories.services.validation import (
    INSEE,
    QPV_CODE,
    SIREN,
    FieldErrors,
    apply_changes,
    normalise_code,
    required_text,
)


def _require_admin(actor) -> None:
    require(policies.can_manage_territory(actor), "forbidden")


# Organisations -------------------------------------------------------------------------------------


def _organisation_values(
    organisation: Organisation | None, *, name: str, kind: str, code: str, parent_id: int | None
) -> dict[str, Any]:
    errors = FieldErrors()
    name = required_text(errors, "name", name)
    try:
        kind = OrganisationKind(kind)
    except ValueError:
        errors.add("kind", _l("Choose an intercommunality (EPCI) or a commune."))
        kind = None
    code = normalise_code(code)
    if kind == OrganisationKind.EPCI and not SIREN.match(code):
        errors.add("code", _l("The SIREN number of an intercommunality has 9 digits."))
    elif kind == OrganisationKind.COMMUNE and not INSEE.match(code):
        errors.add(
            "code",
            _l(
                "The INSEE code of a commune has 5 characters: 5 digits, or 2A or 2B and 3 digits in Corsica."
            ),
        )
    elif code and db.session.scalar(
        select(Organisation.id).where(
            Organisation.code == code, Organisation.id != (organisation.id if organisation else None)
        )
    ):
        errors.add("code", _l("Another organisation already uses this code."))

    parent = None  # an EPCI belongs to no other organisation
    if kind == OrganisationKind.COMMUNE:
        parent = db.session.get(Organisation, parent_id) if parent_id else None
        if parent is None or parent.kind != OrganisationKind.EPCI:
            errors.add("parent_id", _l("Choose the intercommunality (EPCI) this commune belongs to."))
    if (
        kind == OrganisationKind.COMMUNE
        and organisation is not None
        and organisation.kind == OrganisationKind.EPCI
        and organisation.communes
    ):
        errors.add("kind", _l("This intercommunality still has communes: it cannot become a commune."))
    errors.raise_if_any()
    return {"name": name, "kind": kind, "code": code, "parent_id": parent.id if parent else None}


def create_organisation(
    actor, *, name: str, kind: str, code: str, parent_id: int | None = None
) -> Organisation:
    """An EPCI (SIREN, 9 digits) or a commune (INSEE code) belonging to an EPCI."""
    _require_admin(actor)
    values = _organisation_values(None, name=name, kind=kind, code=code, parent_id=parent_id)
    organisation = Organisation(**values, created_at=clock.now())
    db.session.add(organisation)
    db.session.flush()
    audit.record(actor, "organisation_created", organisation, **values)
    return organisation


def update_organisation(
    organisation: Organisation, actor, *, name: str, kind: str, code: str, parent_id: int | None = None
) -> Organisation:
    _require_admin(actor)
    values = _organisation_values(organisation, name=name, kind=kind, code=code, parent_id=parent_id)
    changed = apply_changes(organisation, values)
    db.session.flush()
    audit.record(actor, "organisation_updated", organisation, changes=changed)
    return organisation


# City contracts ------------------------------------------------------------------------------------


def _contract_values(
    *,
    organisation_id: int | None,
    title: str,
    starts_on: date | None,
    ends_on: date | None,
    signatories: str,
    description: str,
) -> dict[str, Any]:
    errors = FieldErrors()
    title = required_text(errors, "title", title)
    if not organisation_id or db.session.get(Organisation, organisation_id) is None:
        errors.add("organisation_id", _l("Choose the organisation that signs this contract."))
    if starts_on is None:
        errors.add("starts_on", _l("This field is required."))
    if ends_on is None:
        errors.add("ends_on", _l("This field is required."))
    if starts_on is not None and ends_on is not None and ends_on <= starts_on:
        errors.add("ends_on", _l("The end of the period must come after its start."))
    errors.raise_if_any()
    return {
        "organisation_id": organisation_id,
        "title": title,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "signatories": (signatories or "").strip(),
        "description": (description or "").strip(),
    }


def create_contract(
    actor,
    *,
    organisation_id: int | None,
    title: str,
    starts_on: date | None,
    ends_on: date | None,
    signatories: str = "",
    description: str = "",
) -> CityContract:
    _require_admin(actor)
    values = _contract_values(
        organisation_id=organisation_id,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        signatories=signatories,
        description=description,
    )
    contract = CityContract(**values, created_at=clock.now())
    db.session.add(contract)
    db.session.flush()
    audit.record(
        actor,
        "contract_created",
        contract,
        title=contract.title,
        starts_on=str(starts_on),
        ends_on=str(ends_on),
    )
    return contract


def update_contract(
    contract: CityContract,
    actor,
    *,
    organisation_id: int | None,
    title: str,
    starts_on: date | None,
    ends_on: date | None,
    signatories: str = "",
    description: str = "",
) -> CityContract:
    _require_admin(actor)
    values = _contract_values(
        organisation_id=organisation_id,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        signatories=signatories,
        description=description,
    )
    changed = apply_changes(contract, values)
    db.session.flush()
    audit.record(actor, "contract_updated", contract, changes=changed)
    return contract


# Priority areas ------------------------------------------------------------------------------------


def communes_of(organisation: Organisation) -> list[Organisation]:
    """The communes an area of this organisation's contract may cover."""
    if organisation.kind == OrganisationKind.COMMUNE:
        return [organisation]
    return list(organisation.communes)


def _area_values(
    contract: CityContract,
    area: PriorityArea | None,
    *,
    code: str | None,
    name: str,
    description: str,
    commune_ids: Iterable[int],
) -> dict[str, Any]:
    errors = FieldErrors()
    name = required_text(errors, "name", name)
    code = normalise_code(code) or None
    if code is not None:
        if not QPV_CODE.match(code):
            errors.add(
                "code",
                _l(
                    "A QPV code is QN followed by 6 digits or capital letters, e.g. QN07512M. "
                    "Leave it empty for an area outside any QPV."
                ),
            )
        elif db.session.scalar(
            select(PriorityArea.id).where(
                PriorityArea.contract_id == contract.id,
                PriorityArea.code == code,
                PriorityArea.id != (area.id if area else None),
            )
        ):
            errors.add("code", _l("Another area of this contract already has this QPV code."))
    allowed = {commune.id: commune for commune in communes_of(contract.organisation)}
    communes = []
    for commune_id in dict.fromkeys(commune_ids or ()):
        if commune_id not in allowed:
            errors.add(
                "commune_ids",
                _l("Commune %(id)s is not a commune of this contract's organisation.", id=commune_id),
            )
        else:
            communes.append(allowed[commune_id])
    errors.raise_if_any()
    return {"code": code, "name": name, "description": (description or "").strip(), "communes": communes}


def create_area(
    contract: CityContract,
    actor,
    *,
    code: str | None,
    name: str,
    description: str = "",
    commune_ids: Iterable[int] = (),
) -> PriorityArea:
    """A QPV (official code) or, without a code, an area outside any QPV ("hors QPV")."""
    _require_admin(actor)
    values = _area_values(
        contract, None, code=code, name=name, description=description, commune_ids=commune_ids
    )
    area = PriorityArea(contract=contract, **values)
    db.session.add(area)
    db.session.flush()
    audit.record(
        actor, "area_created", area, code=area.code, name=area.name, communes=[c.id for c in area.communes]
    )
    return area


def update_area(
    area: PriorityArea,
    actor,
    *,
    code: str | None,
    name: str,
    description: str = "",
    commune_ids: Iterable[int] = (),
) -> PriorityArea:
    _require_admin(actor)
    values = _area_values(
        area.contract, area, code=code, name=name, description=description, commune_ids=commune_ids
    )
    communes = values.pop("communes")
    old_communes, new_communes = [c.id for c in area.communes], [c.id for c in communes]
    changed = apply_changes(area, values)
    if old_communes != new_communes:
        changed["communes"] = [old_communes, new_communes]
    area.communes = communes
    db.session.flush()
    audit.record(actor, "area_updated", area, changes=changed)
    return area


# Priorities ----------------------------------------------------------------------------------------


def _priority_values(
    *, title: str, description: str, position: int | None, themes: Iterable[str]
) -> dict[str, Any]:
    errors = FieldErrors()
    title = required_text(errors, "title", title)
    valid = {theme.value for theme in CrossCuttingTheme}
    wanted = set(themes or ())
    for unknown in sorted(wanted - valid):
        errors.add("themes", _l("Unknown cross-cutting theme: %(theme)s.", theme=unknown))
    if position is not None and position < 0:
        errors.add("position", _l("Must be at least %(min)s.", min=0))
    errors.raise_if_any()
    return {
        "title": title,
        "description": (description or "").strip(),
        "position": position,
        # Stored in the order of CrossCuttingTheme, so the same choice always reads the same.
        "themes": [theme.value for theme in CrossCuttingTheme if theme.value in wanted],
    }


def create_priority(
    contract: CityContract,
    actor,
    *,
    title: str,
    description: str = "",
    position: int | None = None,
    themes: Iterable[str] = (),
) -> Priority:
    """An enjeu of the contract; without a position it goes last."""
    _require_admin(actor)
    values = _priority_values(title=title, description=description, position=position, themes=themes)
    if values["position"] is None:
        last = db.session.scalar(
            select(func.max(Priority.position)).where(Priority.contract_id == contract.id)
        )
        values["position"] = 0 if last is None else last + 1
    priority = Priority(contract=contract, **values)
    db.session.add(priority)
    db.session.flush()
    audit.record(actor, "priority_created", priority, title=priority.title, themes=priority.themes)
    return priority


def update_priority(
    priority: Priority,
    actor,
    *,
    title: str,
    description: str = "",
    position: int | None = None,
    themes: Iterable[str] = (),
) -> Priority:
    _require_admin(actor)
    values = _priority_values(title=title, description=description, position=position, themes=themes)
    if values["position"] is None:
        values["position"] = priority.position
    changed = apply_changes(priority, values)
    db.session.flush()
    audit.record(actor, "priority_updated", priority, changes=changed)
    return priority
