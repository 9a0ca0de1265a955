"""The elected officials' responses to proposals and to sections of a synthesis (réponses des élu·es).

One response per target (a database unique constraint); answering again replaces it. A response becomes
public at its `publish_at` (now by default); `announced_at` records when that was acted upon: the proposal
moves to "answered" and its author and supporters are told, once. Responses published at a later date are
announced by `deliberation responses publish-due` (a cron job), idempotently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from deliberation.accounts.models import User
from deliberation.core import audit, clock, errors, signals
from deliberation.core.errors import Invalid
from deliberation.core.text import render_markdown
from deliberation.extensions import db
from deliberation.notifications.services import notify_followers
from deliberation.proposals.models import PUBLIC_STATUSES, Proposal, ProposalStatus
from deliberation.proposals.services.common import CONFLICT_REFUSALS, clean_line, clean_text
from deliberation.synthesis import response_policies as policies
from deliberation.synthesis.models import (
    JUSTIFICATION_MAX_LENGTH,
    JUSTIFIED_TYPES,
    PARTNER_MAX_LENGTH,
    CouncilDecision,
    OfficialResponse,
    ResponseType,
    SynthesisSection,
)

COUNCIL_NUMBER_MAX_LENGTH = 50
COUNCIL_BODY_MAX_LENGTH = 200
# Refusals about the state of the proposal or the synthesis: 409, not 403.
RESPONSE_CONFLICTS = CONFLICT_REFUSALS | {"synthesis_not_sent"}
# How far ahead a response may be scheduled.
PUBLISH_AT_MAX_DELAY = timedelta(days=5 * 365)

# A public response moves its proposal to "answered" only from these; never back from in_progress or done.
ANSWERABLE_STATUSES = frozenset({ProposalStatus.PUBLISHED, ProposalStatus.UNDER_REVIEW})

JUSTIFICATION_REQUIRED = _l("A justification is required when the proposal is not accepted or partially "
                            "accepted.")
PARTNER_REQUIRED = _l("Name the partner the proposal is referred to.")
REQUIRED = _l("This field is required.")


@dataclass(frozen=True)
class CouncilDecisionInput:
    number: str
    decided_on: date
    body: str


def enforce_refusal(refusal: str | None) -> None:
    """A refusal of response_policies as its error: 409 when the proposal is not public or the synthesis not
    sent yet (the state refuses, not who asks), 401 / 403 otherwise."""
    errors.enforce(refusal, conflicts=RESPONSE_CONFLICTS)


# --- Answering ---------------------------------------------------------------------------------------------

def answer_proposal(proposal: Proposal, actor: User, *, type, justification=None, referred_to=None,
                    council_decision=None, publish_at: datetime | None = None) -> OfficialResponse:
    """Create or replace the response to `proposal`; announce it now when it is already public."""
    enforce_refusal(policies.answer_proposal_refusal(actor, proposal))
    values = _clean(type, justification, referred_to, council_decision, publish_at)
    decision = _council_decision(proposal.consultation_id, values.pop("council_decision"))
    response = _upsert(OfficialResponse.proposal_id, proposal.id, proposal=proposal)
    return _apply(response, actor, values, decision, target=proposal)


def answer_section(section: SynthesisSection, actor: User, *, type, justification=None, referred_to=None,
                   council_decision=None, publish_at: datetime | None = None) -> OfficialResponse:
    """Create or replace the response to one section of a synthesis sent to the officials."""
    enforce_refusal(policies.answer_section_refusal(actor, section))
    values = _clean(type, justification, referred_to, council_decision, publish_at)
    decision = _council_decision(section.synthesis.consultation_id, values.pop("council_decision"))
    response = _upsert(OfficialResponse.section_id, section.id, section=section)
    return _apply(response, actor, values, decision, target=None)


def _within_reach(moment: datetime) -> bool:
    """Not beyond PUBLISH_AT_MAX_DELAY (nor beyond what a timestamp holds: 9999-12-31T23:59-12:00 is year 10000
    in UTC)."""
    try:
        return moment.astimezone(UTC) <= clock.now() + PUBLISH_AT_MAX_DELAY
    except OverflowError:
        return False


def _clean(type, justification, referred_to, council_decision, publish_at) -> dict:
    errors: dict[str, list] = {}
    try:
        response_type = ResponseType(type)
    except ValueError:
        raise Invalid("validation_error", fields={"type": [REQUIRED]}) from None
    text = clean_text(justification)
    partner = clean_line(referred_to)
    if len(text) > JUSTIFICATION_MAX_LENGTH:
        errors["justification"] = [_l("At most %(max)s characters.", max=JUSTIFICATION_MAX_LENGTH)]
    if len(partner) > PARTNER_MAX_LENGTH:
        errors["referred_to"] = [_l("At most %(max)s characters.", max=PARTNER_MAX_LENGTH)]
    decision = _clean_decision(council_decision, errors)
    if publish_at is not None and publish_at.tzinfo is None:
        raise ValueError("publish_at must be an aware datetime")
    if publish_at is not None and not _within_reach(publish_at):
        errors["publish_at"] = [_l("Choose a publication date within the next five years.")]
    if errors:
        raise Invalid("validation_error", fields=errors)
    if response_type in JUSTIFIED_TYPES and not text:
        raise Invalid("justification_required", fields={"justification": [JUSTIFICATION_REQUIRED]})
    if response_type == ResponseType.REFERRED and not partner:
        raise Invalid("partner_required", fields={"referred_to": [PARTNER_REQUIRED]})
    now = clock.now()
    return {
        "type": response_type,
        "justification": text or None,
        "justification_html": render_markdown(text) if text else "",
        # The partner is kept only where it means something.
        "referred_to": partner if response_type == ResponseType.REFERRED else None,
        "publish_at": publish_at if publish_at is not None and publish_at > now else now,
        "council_decision": decision,
    }


def _clean_decision(council_decision, errors: dict) -> CouncilDecisionInput | None:
    if not council_decision:
        return None
    if isinstance(council_decision, CouncilDecisionInput):
        number, decided_on, body = council_decision.number, council_decision.decided_on, council_decision.body
    else:
        number, decided_on, body = (council_decision.get("number"), council_decision.get("decided_on"),
                                    council_decision.get("body"))
    number, body = clean_line(number), clean_line(body)
    if not (number or body or decided_on):
        return None
    if not number:
        errors["council_decision.number"] = [REQUIRED]
    elif len(number) > COUNCIL_NUMBER_MAX_LENGTH:
        errors["council_decision.number"] = [_l("At most %(max)s characters.", max=COUNCIL_NUMBER_MAX_LENGTH)]
    if not body:
        errors["council_decision.body"] = [REQUIRED]
    elif len(body) > COUNCIL_BODY_MAX_LENGTH:
        errors["council_decision.body"] = [_l("At most %(max)s characters.", max=COUNCIL_BODY_MAX_LENGTH)]
    if not isinstance(decided_on, date) or isinstance(decided_on, datetime):
        errors["council_decision.decided_on"] = [REQUIRED]
    elif decided_on > clock.now().date():
        errors["council_decision.decided_on"] = [_l("This date is in the future.")]
    if any(key.startswith("council_decision.") for key in errors):
        return None
    return CouncilDecisionInput(number=number, decided_on=decided_on, body=body)


def _council_decision(consultation_id: int, value: CouncilDecisionInput | None) -> CouncilDecision | None:
    """The délibération (one row per council and number in a consultation), created when new."""
    if value is None:
        return None

    def find():
        return db.session.scalar(select(CouncilDecision).where(
            CouncilDecision.consultation_id == consultation_id, CouncilDecision.body == value.body,
            CouncilDecision.number == value.number))

    decision = find()
    if decision is None:
        try:
            with db.session.begin_nested():
                decision = CouncilDecision(consultation_id=consultation_id, number=value.number,
                                           decided_on=value.decided_on, body=value.body)
                db.session.add(decision)
        except IntegrityError:  # another response created it meanwhile
            decision = find()
    decision.decided_on = value.decided_on
    return decision


def _upsert(column, target_id: int, **target) -> OfficialResponse:
    """The existing response of the target (locked), or a new one; two officials answering at once end with
    one row, the second answer replacing the first."""
    def find():
        return db.session.scalar(select(OfficialResponse).where(column == target_id).with_for_update())

    response = find()
    if response is not None:
        return response
    response = OfficialResponse(created_at=clock.now(), **target)
    return response


def _apply(response: OfficialResponse, actor: User, values: dict, decision: CouncilDecision | None,
           *, target: Proposal | None) -> OfficialResponse:
    was_announced = response.announced_at is not None
    previous_type = response.type
    now = clock.now()
    if was_announced and values["publish_at"] > now:
        # What was made public stays public: an amendment cannot take it back until a later date.
        values["publish_at"] = response.publish_at
    for name, value in values.items():
        setattr(response, name, value)
    response.council_decision = decision
    response.author_id = actor.id
    response.updated_at = now
    if response.id is None:
        try:
            with db.session.begin_nested():
                db.session.add(response)
        except IntegrityError:  # created by someone else meanwhile: replace theirs
            column = (OfficialResponse.proposal_id if response.proposal_id is not None
                      else OfficialResponse.section_id)
            target_id = response.proposal_id if response.proposal_id is not None else response.section_id
            existing = db.session.scalar(select(OfficialResponse).where(column == target_id).with_for_update())
            for name, value in values.items():
                setattr(existing, name, value)
            existing.council_decision, existing.author_id, existing.updated_at = decision, actor.id, now
            was_announced = existing.announced_at is not None
            response = existing
    if response.publish_at > now:
        # Postponed: not public until then (an earlier announcement no longer holds either).
        response.announced_at = None
    db.session.flush()
    audit.record(actor, "official_response_saved", response,
                 proposal_id=response.proposal_id, section_id=response.section_id, type=response.type.value,
                 previous_type=previous_type.value if previous_type else None,
                 publish_at=response.publish_at, council_decision_id=response.council_decision_id)
    if response.is_public(now):
        _announce(response, actor, updated=was_announced)
    return response


# --- Publication -------------------------------------------------------------------------------------------

def _announce(response: OfficialResponse, actor: User | None, *, updated: bool) -> None:
    """The response is public: the proposal says so, and its author and supporters are told."""
    response.announced_at = clock.now()
    proposal = response.proposal
    if proposal is None:
        db.session.flush()
        return
    old_status = proposal.status
    if proposal.status in ANSWERABLE_STATUSES:
        proposal.status = ProposalStatus.ANSWERED
        proposal.updated_at = clock.now()
    db.session.flush()
    if proposal.status != old_status:
        # The author hears of the response below, not of the status change as well.
        signals.proposal_status_changed.send(proposal, old_status=old_status, actor=actor, notified=True)
    kind = "official_response_updated" if updated else "official_response_published"
    notify_followers([proposal], kind, params={"proposal_id": proposal.id, "proposal": proposal.title,
                                               "response_type": response.type.value},
                     link=f"/proposals/{proposal.id}#official-response", actor=actor)


def publish_due(now: datetime | None = None) -> int:
    """Announce every response whose publish_at has come and that was not announced yet; returns how many.
    Running it twice announces nothing more."""
    now = now or clock.now()
    # A response to a proposal hidden, withdrawn or merged meanwhile waits (announced if it is restored): its
    # title is never sent to its followers while it is not public.
    public_or_section = or_(OfficialResponse.proposal_id.is_(None), OfficialResponse.proposal_id.in_(
        select(Proposal.id).where(Proposal.status.in_([status.value for status in PUBLIC_STATUSES]))))
    due = list(db.session.scalars(
        select(OfficialResponse).where(OfficialResponse.announced_at.is_(None), OfficialResponse.publish_at <= now,
                                       public_or_section)
        .order_by(OfficialResponse.publish_at, OfficialResponse.id).with_for_update(skip_locked=True)))
    for response in due:
        _announce(response, None, updated=False)
    return len(due)


# --- Reading -----------------------------------------------------------------------------------------------

def get_response(proposal: Proposal) -> OfficialResponse | None:
    """The response to `proposal`, public or not (officials' pages)."""
    return db.session.scalar(select(OfficialResponse).where(OfficialResponse.proposal_id == proposal.id))


def get_public_response(proposal: Proposal, now: datetime | None = None) -> OfficialResponse | None:
    response = get_response(proposal)
    return response if response is not None and response.is_public(now) else None


def get_section_response(section: SynthesisSection) -> OfficialResponse | None:
    return db.session.scalar(select(OfficialResponse).where(OfficialResponse.section_id == section.id))


def responses_by_section(sections: list[SynthesisSection]) -> dict[int, OfficialResponse]:
    """The response to each of `sections` that has one, in one query (the synthesis page)."""
    ids = [section.id for section in sections]
    if not ids:
        return {}
    return {r.section_id: r for r in db.session.scalars(
        select(OfficialResponse).where(OfficialResponse.section_id.in_(ids)))}


def list_desk(consultation, *, unanswered: bool = False, page: int | None = 1, per_page: int | None = 30):
    """The officials' desk: the consultation's public proposals (most supported first) with their response;
    `unanswered` keeps those without any. Returns a Page of (proposal, response or None)."""
    from sqlalchemy import func

    from deliberation.proposals.models import PUBLIC_STATUS_VALUES
    from deliberation.web.pagination import Page, clamp_page

    page, per_page = clamp_page(page, per_page, default_per_page=30, max_per_page=100)
    where = [Proposal.consultation_id == consultation.id, Proposal.status.in_(PUBLIC_STATUS_VALUES)]
    statement = select(Proposal, OfficialResponse).outerjoin(
        OfficialResponse, OfficialResponse.proposal_id == Proposal.id).where(*where)
    if unanswered:
        statement = statement.where(OfficialResponse.id.is_(None))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db.session.execute(statement.order_by(Proposal.supports_count.desc(), Proposal.id)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=[(row[0], row[1]) for row in rows], page=page, per_page=per_page, total=total)


def sections_to_answer(consultation) -> list[tuple[SynthesisSection, OfficialResponse | None]]:
    """Sections of the consultation's syntheses sent to the officials (or answered), with their response."""
    from deliberation.synthesis.models import Synthesis

    rows = db.session.execute(
        select(SynthesisSection, OfficialResponse)
        .join(Synthesis, Synthesis.id == SynthesisSection.synthesis_id)
        .outerjoin(OfficialResponse, OfficialResponse.section_id == SynthesisSection.id)
        .where(Synthesis.consultation_id == consultation.id,
               Synthesis.status.in_([s.value for s in policies.ANSWERABLE_SYNTHESIS_STATUSES]))
        .order_by(Synthesis.id, SynthesisSection.position)).all()
    return [(row[0], row[1]) for row in rows]
