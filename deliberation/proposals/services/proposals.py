"""Submitting, editing and withdrawing proposals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from deliberation.consultations.models import Consultation
from deliberation.core import audit, clock, signals
from deliberation.core.errors import Invalid
from deliberation.core.text import render_markdown
from deliberation.extensions import db
from deliberation.proposals import policies
from deliberation.proposals.models import (
    BODY_MAX_LENGTH,
    ON_BEHALF_OF_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from deliberation.proposals.services.common import (
    check_length,
    clean_line,
    clean_text,
    enforce,
    raise_if_errors,
)

UNKNOWN_KIND = _l("Choose one of the kinds offered.")
UNKNOWN_AREA = _l("Choose a neighbourhood of this consultation.")
UNKNOWN_PRIORITY = _l("Choose a priority of this consultation.")
CONSENT_REQUIRED = _l("The resident's consent is required to submit with and for them.")


def initial_status(consultation: Consultation) -> ProposalStatus:
    """The status a new proposal starts in: awaiting moderation where the consultation pre-moderates."""
    return ProposalStatus.PENDING_MODERATION if consultation.premoderation else ProposalStatus.PUBLISHED


def submit_proposal(consultation: Consultation, actor, *, title, body, kind=ProposalKind.PROPOSAL,
                    area_id=None, priority_id=None, for_resident_name=None,
                    resident_consent=False) -> Proposal:
    """Submit a contribution of `kind` to `consultation`.

    With `for_resident_name`, a mediator submits with and for a resident who agreed (`resident_consent`);
    the proposal says so (Proposal.on_behalf_of) and the audit log keeps the consent.
    """
    enforce(policies.submit_refusal(actor, consultation))
    kind = _kind(kind)
    enforce(policies.submit_refusal(actor, consultation, kind))
    title, body, errors = _text_fields(title, body)
    _check_area_and_priority(consultation, area_id, priority_id, errors)
    resident = clean_line(for_resident_name)
    if resident or resident_consent:
        enforce(policies.submit_for_resident_refusal(actor, consultation))
        check_length(errors, "for_resident_name", resident, ON_BEHALF_OF_MAX_LENGTH)
        if resident_consent is not True:
            errors.setdefault("resident_consent", []).append(CONSENT_REQUIRED)
    raise_if_errors(errors)

    now = clock.now()
    status = initial_status(consultation)
    proposal = Proposal(
        consultation=consultation, author=actor, kind=kind, title=title, body=body,
        body_html=render_markdown(body), area_id=area_id, priority_id=priority_id, status=status,
        created_at=now, updated_at=now, published_at=now if status == ProposalStatus.PUBLISHED else None,
        mediator_id=actor.id if resident else None, on_behalf_of=resident or None,
    )
    db.session.add(proposal)
    db.session.flush()
    if resident:
        audit.record(actor, "proposal_submitted_for_resident", proposal, on_behalf_of=resident,
                     resident_consent=True)
    signals.proposal_submitted.send(proposal)
    return proposal


def edit_proposal(proposal: Proposal, actor, *, title, body, area_id=None, priority_id=None) -> Proposal:
    """The author corrects their text, neighbourhood or priority within the edit window. The kind stays."""
    enforce(policies.edit_refusal(actor, proposal))
    title, body, errors = _text_fields(title, body)
    _check_area_and_priority(proposal.consultation, area_id, priority_id, errors)
    raise_if_errors(errors)
    proposal.title = title
    proposal.body = body
    proposal.body_html = render_markdown(body)
    proposal.area_id = area_id
    proposal.priority_id = priority_id
    proposal.updated_at = clock.now()
    db.session.flush()
    # The relationships may still hold the previous area and priority.
    db.session.expire(proposal, ["area", "priority"])
    return proposal


def withdraw_proposal(proposal: Proposal, actor) -> Proposal:
    """The author takes their proposal back: it leaves the lists; supports and comments are kept."""
    enforce(policies.withdraw_refusal(actor, proposal))
    old_status = proposal.status
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.withdrawn_at = proposal.updated_at = clock.now()
    db.session.flush()
    signals.proposal_status_changed.send(proposal, old_status=old_status, actor=actor)
    return proposal


def _kind(value) -> ProposalKind:
    try:
        return ProposalKind(value)
    except (ValueError, TypeError):
        raise Invalid("validation_error", fields={"kind": [UNKNOWN_KIND]}) from None


def _text_fields(title, body) -> tuple[str, str, dict]:
    errors: dict[str, list[str]] = {}
    title = clean_line(title)
    body = clean_text(body)
    check_length(errors, "title", title, TITLE_MAX_LENGTH)
    check_length(errors, "body", body, BODY_MAX_LENGTH)
    return title, body, errors


def _check_area_and_priority(consultation: Consultation, area_id, priority_id, errors: dict) -> None:
    if area_id is not None and not _one_of(area_id, consultation.areas):
        errors.setdefault("area_id", []).append(UNKNOWN_AREA)
    if priority_id is not None and not _one_of(priority_id, consultation.priorities):
        errors.setdefault("priority_id", []).append(UNKNOWN_PRIORITY)


def _one_of(ident, rows) -> bool:
    return isinstance(ident, int) and not isinstance(ident, bool) and any(row.id == ident for row in rows)
