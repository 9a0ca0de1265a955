"""Consultation commands: create (with its phases) and update a consultation. Admin only and audited.

The areas and priorities linked to a consultation exist and belong to its contract when it has one; input is
checked whole before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from deliberation.consultations.models import Consultation, Phase
from deliberation.consultations.services.phases import (
    phase_audit,
    phase_values,
    refuse_overlaps,
    require_manager,
)
from deliberation.core import audit, clock
from deliberation.extensions import db
from deliberation.territories.models import CityContract, Priority, PriorityArea
from deliberation.territories.services.validation import FieldErrors, changes_between, required_text

DESCRIPTION_MAX = 50_000


def _as_ids(errors: FieldErrors, field: str, values: Iterable[Any] | None) -> list[int]:
    ids = []
    for value in values or ():
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            errors.add(field, _l("Must be a whole number."))
    return list(dict.fromkeys(ids))


def _linked(model, ids: list[int], contract: CityContract | None) -> tuple[list, str, str]:
    """The rows for `ids`, then the ids that exist nowhere and those of another contract (comma-separated)."""
    found = {obj.id: obj for obj in db.session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}
    missing = ", ".join(str(i) for i in ids if i not in found)
    outside = ", ".join(
        str(i) for i in ids if i in found and contract is not None and found[i].contract_id != contract.id
    )
    return [found[i] for i in ids if i in found], missing, outside


def _consultation_values(
    errors: FieldErrors,
    *,
    title: str,
    description: str,
    contract: CityContract | int | None,
    area_ids,
    priority_ids,
    is_published: bool,
    report_threshold: int = 3,
    premoderation: bool = False,
) -> dict[str, Any]:
    title = required_text(errors, "title", title)
    if not isinstance(report_threshold, int) or isinstance(report_threshold, bool) or not 1 <= report_threshold <= 1000:
        errors.add("report_threshold", _l("Enter a whole number between 1 and 1,000."))
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors.add("description", _l("At most %(max)s characters.", max=DESCRIPTION_MAX))
    if contract is not None and not isinstance(contract, CityContract):
        contract_id = contract
        contract = db.session.get(CityContract, contract_id) if isinstance(contract_id, int) else None
        if contract is None:
            errors.add("contract_id", _l("Unknown city contract: %(id)s.", id=contract_id))
    areas, missing, outside = _linked(PriorityArea, _as_ids(errors, "area_ids", area_ids), contract)
    if missing:
        errors.add("area_ids", _l("Unknown priority area: %(ids)s.", ids=missing))
    if outside:
        errors.add(
            "area_ids",
            _l(
                "Priority area %(ids)s does not belong to the contract “%(contract)s”.",
                ids=outside,
                contract=contract.title,
            ),
        )
    priorities, missing, outside = _linked(Priority, _as_ids(errors, "priority_ids", priority_ids), contract)
    if missing:
        errors.add("priority_ids", _l("Unknown priority: %(ids)s.", ids=missing))
    if outside:
        errors.add(
            "priority_ids",
            _l(
                "Priority %(ids)s does not belong to the contract “%(contract)s”.",
                ids=outside,
                contract=contract.title,
            ),
        )
    return {
        "title": title,
        "description": description,
        "contract": contract,
        "areas": areas,
        "priorities": priorities,
        "is_published": bool(is_published),
        "report_threshold": report_threshold,
        "premoderation": bool(premoderation),
    }


def create_consultation(
    actor,
    *,
    title: str,
    description: str = "",
    contract: CityContract | int | None = None,
    area_ids: Iterable[int] = (),
    priority_ids: Iterable[int] = (),
    phases: Iterable[Mapping[str, Any]] = (),
    is_published: bool = True,
    report_threshold: int | None = 3,
    premoderation: bool = False,
) -> Consultation:
    """A consultation with its phases: [{kind, starts_at, ends_at, description?}], datetimes aware."""
    require_manager(actor)
    errors = FieldErrors()
    values = _consultation_values(
        errors,
        title=title,
        description=description,
        contract=contract,
        area_ids=area_ids,
        priority_ids=priority_ids,
        is_published=is_published,
        report_threshold=3 if report_threshold is None else report_threshold,
        premoderation=premoderation,
    )
    checked_phases = [
        phase_values(
            errors,
            f"phases.{index}.",
            kind=phase.get("kind"),
            starts_at=phase.get("starts_at"),
            ends_at=phase.get("ends_at"),
            description=phase.get("description"),
        )
        for index, phase in enumerate(phases or ())
    ]
    errors.raise_if_any()
    refuse_overlaps(checked_phases, "phases")

    now = clock.now()
    consultation = Consultation(**values, created_at=now, updated_at=now)
    consultation.phases = [Phase(**phase) for phase in checked_phases]
    db.session.add(consultation)
    db.session.flush()
    audit.record(
        actor,
        "consultation_created",
        consultation,
        title=consultation.title,
        is_published=consultation.is_published,
        report_threshold=consultation.report_threshold,
        premoderation=consultation.premoderation,
        contract_id=consultation.contract_id,
        area_ids=[a.id for a in consultation.areas],
        priority_ids=[p.id for p in consultation.priorities],
        phases=[phase_audit(p) for p in checked_phases],
    )
    return consultation


def update_consultation(
    consultation: Consultation,
    actor,
    *,
    title: str,
    description: str = "",
    contract: CityContract | int | None = None,
    area_ids: Iterable[int] = (),
    priority_ids: Iterable[int] = (),
    is_published: bool = True,
    report_threshold: int | None = None,
    premoderation: bool | None = None,
) -> Consultation:
    """Everything but the phases (see add_phase, update_phase, remove_phase)."""
    require_manager(actor)
    errors = FieldErrors()
    values = _consultation_values(
        errors,
        title=title,
        description=description,
        contract=contract,
        area_ids=area_ids,
        priority_ids=priority_ids,
        is_published=is_published,
        report_threshold=consultation.report_threshold if report_threshold is None else report_threshold,
        premoderation=consultation.premoderation if premoderation is None else premoderation,
    )
    errors.raise_if_any()
    changed = changes_between(consultation, {k: values[k] for k in ("title", "description", "is_published",
                                                                    "report_threshold", "premoderation")})
    new_contract_id = values["contract"].id if values["contract"] is not None else None
    if consultation.contract_id != new_contract_id:
        changed["contract_id"] = [consultation.contract_id, new_contract_id]
    for name in ("areas", "priorities"):
        old, new = [o.id for o in getattr(consultation, name)], [o.id for o in values[name]]
        if sorted(old) != sorted(new):
            changed[name] = [old, new]
    for key, value in values.items():
        setattr(consultation, key, value)
    consultation.updated_at = clock.now()
    db.session.flush()
    audit.record(actor, "consultation_updated", consultation, changes=changed)
    return consultation
