"""Phase rules and commands: each phase ends after it starts, and the phases of one consultation never
overlap (a phase may start exactly when the previous one ends: phases are [starts_at, ends_at)).

Admin only and audited; input is checked whole before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask_babel import LazyString, format_datetime, gettext
from flask_babel import lazy_gettext as _l

from deliberation.consultations import policies
from deliberation.consultations.models import PHASE_KIND_LABELS, Consultation, Phase, PhaseKind
from deliberation.core import audit, clock
from deliberation.core.errors import Invalid, require
from deliberation.extensions import db
from deliberation.territories.services.validation import FieldErrors, apply_changes


def require_manager(actor) -> None:
    require(policies.can_manage_consultations(actor), "forbidden")


def _moment(errors: FieldErrors, field: str, value: Any) -> datetime | None:
    if value is None or value == "":
        errors.add(field, _l("This field is required."))
        return None
    if not isinstance(value, datetime):
        errors.add(field, _l("Must be a date and time (ISO 8601)."))
        return None
    if value.tzinfo is None:
        errors.add(field, _l("Give the time zone offset, e.g. 2025-03-01T09:00:00+01:00."))
        return None
    return value.astimezone(UTC)


def phase_values(
    errors: FieldErrors, prefix: str, *, kind: Any, starts_at: Any, ends_at: Any, description: str | None = ""
) -> dict[str, Any]:
    try:
        kind = PhaseKind(kind)
    except ValueError:
        errors.add(f"{prefix}kind", _l("Unknown phase kind: %(kind)s.", kind=kind))
        kind = None
    starts_at = _moment(errors, f"{prefix}starts_at", starts_at)
    ends_at = _moment(errors, f"{prefix}ends_at", ends_at)
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        errors.add(f"{prefix}ends_at", _l("A phase must end after it starts."))
    return {
        "kind": kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "description": (description or "").strip(),
    }


def _span(values: Mapping[str, Any]) -> str:
    return gettext(
        "%(start)s – %(end)s",
        start=format_datetime(values["starts_at"], "short"),
        end=format_datetime(values["ends_at"], "short"),
    )


def _overlap_text(first: Mapping[str, Any], second: Mapping[str, Any]) -> str:
    return gettext(
        "The phases “%(first)s” (%(first_span)s) and “%(second)s” (%(second_span)s) overlap: "
        "each phase must end before the next one starts.",
        first=PHASE_KIND_LABELS[first["kind"]],
        first_span=_span(first),
        second=PHASE_KIND_LABELS[second["kind"]],
        second_span=_span(second),
    )


def _overlap_message(first: Mapping[str, Any], second: Mapping[str, Any]) -> LazyString:
    """Translated (and its times localised) only when shown, so services also run outside a request."""
    return LazyString(_overlap_text, dict(first), dict(second))


def _first_overlap(phases: list[Mapping[str, Any]]) -> tuple[Mapping, Mapping] | None:
    ordered = sorted(phases, key=lambda p: (p["starts_at"], p["ends_at"]))
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later["starts_at"] < earlier["ends_at"]:
            return earlier, later
    return None


def refuse_overlaps(phases: list[Mapping[str, Any]], field: str) -> None:
    pair = _first_overlap(phases)
    if pair is not None:
        message = _overlap_message(*pair)
        raise Invalid("phases_overlap", message, fields={field: [message]})


def phase_audit(values: Mapping[str, Any]) -> dict[str, Any]:
    return {"kind": values["kind"], "starts_at": values["starts_at"], "ends_at": values["ends_at"]}


def _single_phase(
    consultation: Consultation, phase: Phase | None, *, kind, starts_at, ends_at, description
) -> dict[str, Any]:
    errors = FieldErrors()
    values = phase_values(
        errors, "", kind=kind, starts_at=starts_at, ends_at=ends_at, description=description
    )
    errors.raise_if_any()
    others = [
        {"kind": p.kind, "starts_at": p.starts_at, "ends_at": p.ends_at}
        for p in consultation.phases
        if phase is None or p.id != phase.id
    ]
    pair = _first_overlap([*others, values])
    if pair is not None:
        message = _overlap_message(*pair)
        raise Invalid("phases_overlap", message, fields={"starts_at": [message]})
    return values


def add_phase(
    consultation: Consultation,
    actor,
    *,
    kind: PhaseKind | str,
    starts_at: datetime,
    ends_at: datetime,
    description: str = "",
) -> Phase:
    require_manager(actor)
    values = _single_phase(
        consultation, None, kind=kind, starts_at=starts_at, ends_at=ends_at, description=description
    )
    phase = Phase(consultation=consultation, **values)
    db.session.add(phase)
    consultation.updated_at = clock.now()
    db.session.flush()
    audit.record(actor, "phase_added", phase, consultation_id=consultation.id, **phase_audit(values))
    return phase


def update_phase(
    phase: Phase,
    actor,
    *,
    kind: PhaseKind | str,
    starts_at: datetime,
    ends_at: datetime,
    description: str = "",
) -> Phase:
    require_manager(actor)
    consultation = phase.consultation
    values = _single_phase(
        consultation, phase, kind=kind, starts_at=starts_at, ends_at=ends_at, description=description
    )
    changed = apply_changes(phase, values)
    consultation.updated_at = clock.now()
    db.session.flush()
    audit.record(actor, "phase_updated", phase, consultation_id=consultation.id, changes=changed)
    return phase


def remove_phase(phase: Phase, actor) -> None:
    require_manager(actor)
    consultation = phase.consultation
    audit.record(
        actor,
        "phase_removed",
        phase,
        consultation_id=consultation.id,
        **phase_audit({"kind": phase.kind, "starts_at": phase.starts_at, "ends_at": phase.ends_at}),
    )
    consultation.phases.remove(phase)
    consultation.updated_at = clock.now()
    db.session.flush()
