"""The follow-up of commitments (suivi): what was promised in answer to proposals, who carries it, how far it
is, with dated updates. Each change tells the authors and supporters of the linked proposals, once per person.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from deliberation.accounts.models import User
from deliberation.consultations.models import Consultation
from deliberation.core import audit, clock, signals
from deliberation.core.errors import Invalid
from deliberation.core.text import render_markdown
from deliberation.extensions import db
from deliberation.notifications.services import notify_followers
from deliberation.proposals.models import PUBLIC_STATUSES, Proposal, ProposalStatus
from deliberation.proposals.services.common import MAX_ID, check_length, clean_line, clean_text, enforce
from deliberation.synthesis import response_policies as policies
from deliberation.synthesis.models import (
    OWNER_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    UPDATE_MAX_LENGTH,
    FollowUp,
    FollowUpUpdate,
    follow_up_proposals,
)
from deliberation.territories.models import Priority
from deliberation.web.pagination import Page, clamp_page

DESCRIPTION_MAX_LENGTH = 10_000
PER_PAGE = 20

# Linked proposals move to "in progress" once work started, and to "done" at 100 %; never backwards.
STARTABLE_STATUSES = frozenset({ProposalStatus.PUBLISHED, ProposalStatus.UNDER_REVIEW, ProposalStatus.ANSWERED})
FINISHABLE_STATUSES = STARTABLE_STATUSES | {ProposalStatus.IN_PROGRESS}


def create_follow_up(consultation: Consultation, actor: User, *, title, owner, description="",
                     priority_id=None, proposal_ids=()) -> FollowUp:
    enforce(policies.manage_follow_ups_refusal(actor, consultation.id))
    values = _clean(consultation, title, owner, description, priority_id, proposal_ids)
    now = clock.now()
    follow_up = FollowUp(consultation_id=consultation.id, created_by_id=actor.id, created_at=now, updated_at=now,
                         progress=0, **values)
    db.session.add(follow_up)
    db.session.flush()
    audit.record(actor, "follow_up_created", follow_up, consultation_id=consultation.id,
                 proposal_ids=[p.id for p in follow_up.proposals])
    _tell(follow_up, follow_up.proposals, actor)
    return follow_up


def edit_follow_up(follow_up: FollowUp, actor: User, *, title, owner, description="", priority_id=None,
                   proposal_ids=()) -> FollowUp:
    enforce(policies.manage_follow_ups_refusal(actor, follow_up.consultation_id))
    before = {p.id for p in follow_up.proposals}
    # A linked proposal that is not public now (hidden, say) is neither offered nor refused: its link is kept as
    # it is, so that the commitment is still on its page and thread once it is public again.
    kept = [p for p in follow_up.proposals if not p.is_public]
    values = _clean(follow_up.consultation, title, owner, description, priority_id,
                    [ident for ident in proposal_ids or () if ident not in {p.id for p in kept}])
    values["proposals"] = sorted(values["proposals"] + kept, key=lambda p: p.id)
    for name, value in values.items():
        setattr(follow_up, name, value)
    follow_up.updated_at = clock.now()
    db.session.flush()
    added = [p for p in follow_up.proposals if p.id not in before]
    audit.record(actor, "follow_up_edited", follow_up, proposal_ids=sorted(p.id for p in follow_up.proposals))
    # The progress so far applies to the proposals linked now.
    _move_proposals(added, follow_up.progress, actor)
    _tell(follow_up, follow_up.proposals, actor)
    return follow_up


def add_follow_up_update(follow_up: FollowUp, actor: User, *, happened_on, progress, body) -> FollowUpUpdate:
    """A dated step: what was done and the progress since. Linked proposals move to in_progress when work
    started (progress > 0) and to done at 100 %."""
    enforce(policies.manage_follow_ups_refusal(actor, follow_up.consultation_id))
    errors: dict[str, list] = {}
    text = clean_text(body)
    check_length(errors, "body", text, UPDATE_MAX_LENGTH)
    if not isinstance(progress, int) or isinstance(progress, bool) or not 0 <= progress <= 100:
        errors["progress"] = [_l("Give a percentage between 0 and 100.")]
    if not isinstance(happened_on, date):
        errors["happened_on"] = [_l("This field is required.")]
    elif happened_on > clock.now().date():
        errors["happened_on"] = [_l("This date is in the future.")]
    if errors:
        raise Invalid("validation_error", fields=errors)
    now = clock.now()
    update = FollowUpUpdate(follow_up=follow_up, happened_on=happened_on, progress=progress, body=text,
                            body_html=render_markdown(text), author_id=actor.id, created_at=now)
    db.session.add(update)
    previous = follow_up.progress
    follow_up.progress = progress
    follow_up.updated_at = now
    db.session.flush()
    audit.record(actor, "follow_up_updated", follow_up, update_id=update.id, progress=progress,
                 previous_progress=previous, happened_on=happened_on.isoformat())
    _move_proposals(follow_up.proposals, progress, actor)
    _tell(follow_up, follow_up.proposals, actor)
    return update


def _clean(consultation: Consultation, title, owner, description, priority_id, proposal_ids) -> dict:
    errors: dict[str, list] = {}
    title, owner, description = clean_line(title), clean_line(owner), clean_text(description)
    check_length(errors, "title", title, TITLE_MAX_LENGTH)
    check_length(errors, "owner", owner, OWNER_MAX_LENGTH)
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [_l("At most %(max)s characters.", max=DESCRIPTION_MAX_LENGTH)]
    priority = None
    if priority_id is not None:
        priority = db.session.get(Priority, priority_id) if _valid_id(priority_id) else None
        if priority is None or priority.contract_id != consultation.contract_id:
            errors["priority_id"] = [_l("This priority is not part of the consultation's contract.")]
    ids = []
    for ident in proposal_ids or ():
        if not _valid_id(ident):
            errors["proposal_ids"] = [_l("Unknown proposal.")]
            break
        if ident not in ids:
            ids.append(ident)
    proposals = []
    if ids and "proposal_ids" not in errors:
        proposals = list(db.session.scalars(select(Proposal).where(Proposal.id.in_(ids)).order_by(Proposal.id)))
        if len(proposals) != len(ids) or any(p.consultation_id != consultation.id or p.status not in PUBLIC_STATUSES
                                             for p in proposals):
            errors["proposal_ids"] = [_l("Link only public proposals of this consultation.")]
    if errors:
        raise Invalid("validation_error", fields=errors)
    return {"title": title, "owner": owner, "description": description, "priority": priority,
            "proposals": proposals}


def _valid_id(ident) -> bool:
    return isinstance(ident, int) and not isinstance(ident, bool) and 0 < ident <= MAX_ID


def _move_proposals(proposals: list[Proposal], progress: int, actor: User) -> None:
    for proposal in proposals:
        old = proposal.status
        if progress >= 100 and old in FINISHABLE_STATUSES:
            proposal.status = ProposalStatus.DONE
        elif progress > 0 and old in STARTABLE_STATUSES:
            proposal.status = ProposalStatus.IN_PROGRESS
        else:
            continue
        proposal.updated_at = clock.now()
        db.session.flush()
        # The follow-up notification below tells the authors; the status change does not tell them again.
        signals.proposal_status_changed.send(proposal, old_status=old, actor=actor, notified=True)


def _tell(follow_up: FollowUp, proposals: list[Proposal], actor: User) -> int:
    # A linked proposal hidden, withdrawn or merged since: its title stays out of notifications and e-mails.
    proposals = [proposal for proposal in proposals if proposal.is_public]
    if not proposals:
        return 0
    return notify_followers(
        list(proposals), "follow_up_updated",
        params={"follow_up_id": follow_up.id, "follow_up": follow_up.title, "progress": follow_up.progress},
        link=f"/follow-ups/{follow_up.id}", actor=actor,
        per_proposal=lambda p: {"proposal_id": p.id, "proposal": p.title})


# --- Reading -----------------------------------------------------------------------------------------------

def get_follow_up(follow_up_id: int) -> FollowUp:
    from deliberation.proposals.services.common import _get

    return _get(FollowUp, follow_up_id)


def list_follow_ups(consultation: Consultation, *, page: int | None = 1, per_page: int | None = PER_PAGE
                    ) -> Page[FollowUp]:
    page, per_page = clamp_page(page, per_page, default_per_page=PER_PAGE, max_per_page=100)
    where = FollowUp.consultation_id == consultation.id
    total = db.session.scalar(select(func.count()).select_from(FollowUp).where(where)) or 0
    items = list(db.session.scalars(
        select(FollowUp).where(where).order_by(FollowUp.created_at.desc(), FollowUp.id.desc())
        .options(selectinload(FollowUp.proposals), selectinload(FollowUp.updates))
        .limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)


def follow_ups_of(proposal: Proposal) -> list[FollowUp]:
    return list(db.session.scalars(
        select(FollowUp).join(follow_up_proposals, follow_up_proposals.c.follow_up_id == FollowUp.id)
        .where(follow_up_proposals.c.proposal_id == proposal.id).order_by(FollowUp.created_at, FollowUp.id)))
