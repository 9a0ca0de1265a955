"""The rows of each open-data table: one query per table (plus a few shared lookups), never a person, never a
hidden text (see the package's docstring for what is left out and why)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from deliberation.assemblies.models import Assembly, BallotLogEntry, Poll, PollState
from deliberation.consultations.models import Consultation
from deliberation.core import clock
from deliberation.exports.open_data.columns import TABLES
from deliberation.extensions import db
from deliberation.moderation.models import (
    DecisionTargetType,
    ModerationAction,
    ModerationDecision,
    ReportTargetType,
    reason_label,
)
from deliberation.proposals.models import PUBLIC_STATUSES, Comment, CommentStatus, Proposal, ProposalStatus
from deliberation.synthesis.models import (
    RESPONSE_TYPE_LABELS,
    FollowUp,
    OfficialResponse,
    ResponseType,
    Synthesis,
    SynthesisCitation,
    SynthesisSection,
    SynthesisStatus,
    follow_up_proposals,
)
from deliberation.synthesis.syntheses import displayed_text

#: Never exported at all: not yet public.
UNPUBLISHED_STATUSES = (ProposalStatus.DRAFT, ProposalStatus.PENDING_MODERATION)


class UnknownTable(ValueError):
    pass


def _iso(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _json_text(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


# Queries, one per table (plus a few shared lookups) ---------------------------------------------------------

def exported_proposals(consultation: Consultation) -> list[Proposal]:
    return list(db.session.scalars(
        select(Proposal).where(Proposal.consultation_id == consultation.id,
                               Proposal.status.not_in(UNPUBLISHED_STATUSES))
        .options(selectinload(Proposal.area), selectinload(Proposal.priority)).order_by(Proposal.id)))


def _hide_reasons(target_type: ReportTargetType, ids: Iterable[int]) -> dict[int, ModerationDecision]:
    from deliberation.moderation.services import hide_decisions_for

    return hide_decisions_for(target_type, list(ids))


def public_responses(consultation: Consultation, now: datetime) -> list[OfficialResponse]:
    """Responses public at `now`: to the consultation's public contributions (as GET /proposals/{id} gives
    them: a response to a hidden or withdrawn one is not published with it), and to sections of its published
    syntheses."""
    to_proposals = select(OfficialResponse.id).join(Proposal, Proposal.id == OfficialResponse.proposal_id).where(
        Proposal.consultation_id == consultation.id, Proposal.status.in_(PUBLIC_STATUSES))
    to_sections = (select(OfficialResponse.id)
                   .join(SynthesisSection, SynthesisSection.id == OfficialResponse.section_id)
                   .join(Synthesis, Synthesis.id == SynthesisSection.synthesis_id)
                   .where(Synthesis.consultation_id == consultation.id,
                          Synthesis.status == SynthesisStatus.PUBLISHED))
    return list(db.session.scalars(
        select(OfficialResponse).where(OfficialResponse.publish_at <= now,
                                       OfficialResponse.id.in_(to_proposals.union(to_sections)))
        .options(selectinload(OfficialResponse.council_decision), selectinload(OfficialResponse.section))
        .order_by(OfficialResponse.publish_at, OfficialResponse.id)))


def published_syntheses(consultation: Consultation, now: datetime) -> list[Synthesis]:
    return list(db.session.scalars(
        select(Synthesis).where(Synthesis.consultation_id == consultation.id,
                                Synthesis.status == SynthesisStatus.PUBLISHED,
                                Synthesis.published_at.is_not(None), Synthesis.published_at <= now)
        .options(selectinload(Synthesis.sections)).order_by(Synthesis.published_at, Synthesis.id)))


def consultation_follow_ups(consultation: Consultation) -> list[FollowUp]:
    return list(db.session.scalars(
        select(FollowUp).where(FollowUp.consultation_id == consultation.id)
        .options(selectinload(FollowUp.updates), selectinload(FollowUp.priority))
        .order_by(FollowUp.created_at, FollowUp.id)))


def public_polls(consultation: Consultation) -> list[Poll]:
    """The votes of the consultation's assemblies that the public can see (not drafts)."""
    return list(db.session.scalars(
        select(Poll).join(Assembly, Assembly.id == Poll.assembly_id)
        .where(Assembly.consultation_id == consultation.id, Poll.state != PollState.DRAFT)
        .options(selectinload(Poll.options), selectinload(Poll.assembly), selectinload(Poll.agenda_item))
        .order_by(Poll.assembly_id, Poll.id)))


def public_decisions(consultation: Consultation) -> list[ModerationDecision]:
    """The public moderation log of the consultation (moderation.services.list_decisions), oldest first."""
    return list(db.session.scalars(
        select(ModerationDecision).where(ModerationDecision.consultation_id == consultation.id)
        .order_by(ModerationDecision.decided_at, ModerationDecision.id)))


# Rows -----------------------------------------------------------------------------------------------------

def _proposal_rows(proposals: list[Proposal], responses: list[OfficialResponse]) -> list[dict]:
    hidden = _hide_reasons(ReportTargetType.PROPOSAL,
                           [p.id for p in proposals if p.status == ProposalStatus.HIDDEN])
    response_types = {r.proposal_id: r.type.value for r in responses if r.proposal_id is not None}
    rows = []
    for proposal in proposals:
        readable = proposal.is_public
        decision = hidden.get(proposal.id)
        rows.append({
            "id": proposal.id,
            "kind": proposal.kind.value,
            "status": proposal.status.value,
            "title": proposal.title if readable else None,
            "body": proposal.body if readable else None,
            "area_code": proposal.area.code if proposal.area else None,
            "area_name": proposal.area.name if proposal.area else None,
            "priority_title": proposal.priority.title if proposal.priority else None,
            "supports_count": proposal.supports_count,
            "comments_count": proposal.comments_count,
            "submitted_at": _iso(proposal.created_at),
            "published_at": _iso(proposal.published_at),
            "merged_into_id": proposal.merged_into_id if proposal.status == ProposalStatus.MERGED else None,
            "moderation_reason": (decision.reason if decision is not None else None)
            if proposal.status == ProposalStatus.HIDDEN else None,
            "response_type": response_types.get(proposal.id),
            "url": url_for("proposals.show", proposal_id=proposal.id),
        })
    return rows


def _comment_rows(proposals: list[Proposal]) -> list[dict]:
    public_ids = [p.id for p in proposals if p.is_public]
    if not public_ids:
        return []
    comments = list(db.session.scalars(
        select(Comment).where(Comment.proposal_id.in_(public_ids)).order_by(Comment.id)))
    hidden = _hide_reasons(ReportTargetType.COMMENT, [c.id for c in comments if c.status == CommentStatus.HIDDEN])
    rows = []
    for comment in comments:
        is_hidden = comment.status != CommentStatus.PUBLISHED
        decision = hidden.get(comment.id)
        rows.append({
            "id": comment.id,
            "proposal_id": comment.proposal_id,
            "parent_id": comment.parent_id,
            "depth": comment.depth,
            "stance": comment.stance.value,
            "status": comment.status.value,
            "body": None if is_hidden else comment.body,
            "moderation_reason": decision.reason if is_hidden and decision is not None else None,
            "created_at": _iso(comment.created_at),
        })
    return rows


def _poll_tables(polls: list[Poll]) -> tuple[list[dict], list[dict], list[dict]]:
    from deliberation.assemblies import services as assembly_services

    poll_rows, result_rows, logged = [], [], []
    for poll in polls:
        visible = assembly_services.results_visible(poll)
        combined = assembly_services.combined_results(poll) if visible else None
        has_log = poll.state == PollState.CLOSED and not poll.totals_only
        poll_rows.append({
            "id": poll.id,
            "assembly_id": poll.assembly_id,
            "assembly_title": poll.assembly.title,
            "assembly_date": _iso(poll.assembly.starts_at),
            "agenda_item_title": poll.agenda_item.title if poll.agenda_item else None,
            "question": poll.question,
            "method": poll.method.value,
            "results_visibility": poll.results_visibility.value,
            "totals_only": poll.totals_only,
            "state": poll.state.value,
            "opened_at": _iso(poll.opened_at),
            "closed_at": _iso(poll.closed_at),
            "results_public": visible,
            "total_ballots": combined["total_ballots"] if combined else None,
            "log_head": poll.log_head if has_log else None,
            "verify_url": assembly_services.verify_path(poll),
        })
        if combined is not None:
            result_rows += _result_rows(poll, combined)
        if has_log:
            logged.append(poll.id)
    ballot_rows = []
    if logged:
        for entry in db.session.scalars(select(BallotLogEntry).where(BallotLogEntry.poll_id.in_(logged))
                                        .order_by(BallotLogEntry.poll_id, BallotLogEntry.position)):
            ballot_rows.append({"poll_id": entry.poll_id, "position": entry.position, "receipt": entry.receipt,
                                "previous": entry.previous, "ballot_id": entry.ballot_id,
                                "replaces": entry.replaces, "choice": _json_text(entry.choice)})
    return poll_rows, result_rows, ballot_rows


def _result_rows(poll: Poll, combined: dict) -> list[dict]:
    ranks = {option_id: index + 1 for index, option_id in enumerate(combined["ranking"] or [])}
    results = combined["results"]
    by_option = {row["option_id"]: row for row in results} if isinstance(results, list) else {}
    pairwise = results.get("pairwise", {}) if isinstance(results, dict) else {}
    rows = []
    for option in poll.options:
        row = by_option.get(option.public_id, {})
        rows.append({
            "poll_id": poll.id,
            "option_id": str(option.public_id),
            "option_label": option.display_label,
            "rank": ranks.get(option.public_id),
            "count": row.get("count"),
            "majority_mention": row.get("majority_mention"),
            "gauge": row.get("gauge"),
            "merit_profile": _json_text(row.get("merit_profile")),
            "pairwise": _json_text(pairwise.get(str(option.public_id))) if pairwise else None,
        })
    return rows


def _synthesis_rows(syntheses: list[Synthesis]) -> tuple[list[dict], list[dict]]:
    rows = [{
        "id": synthesis.id,
        "title": synthesis.title,
        "assembly_id": synthesis.assembly_id,
        "version": synthesis.version,
        "published_at": _iso(synthesis.published_at),
        "body": displayed_text(synthesis)[0],
        "url": f"/syntheses/{synthesis.id}",
    } for synthesis in syntheses]
    citations = []
    if syntheses:
        for citation, section in db.session.execute(
                select(SynthesisCitation, SynthesisSection)
                .outerjoin(SynthesisSection, SynthesisSection.id == SynthesisCitation.section_id)
                .where(SynthesisCitation.synthesis_id.in_([s.id for s in syntheses]))
                .order_by(SynthesisCitation.synthesis_id, SynthesisSection.position, SynthesisCitation.id)):
            citations.append({
                "synthesis_id": citation.synthesis_id,
                "section_anchor": section.anchor if section else None,
                "section_title": section.title if section else None,
                "target_type": citation.target_type.value,
                "target_id": citation.target_id,
                "proposal_id": citation.proposal_id,
            })
    return rows, citations


def _response_rows(responses: list[OfficialResponse]) -> list[dict]:
    rows = []
    for response in responses:
        decision = response.council_decision
        section = response.section
        rows.append({
            "id": response.id,
            "proposal_id": response.proposal_id,
            "synthesis_id": section.synthesis_id if section else None,
            "section_anchor": section.anchor if section else None,
            "type": response.type.value,
            "type_label": str(RESPONSE_TYPE_LABELS[ResponseType(response.type)]),
            "justification": response.justification,
            "referred_to": response.referred_to,
            "council_decision_number": decision.number if decision else None,
            "council_decision_body": decision.body if decision else None,
            "council_decision_date": _iso(decision.decided_on) if decision else None,
            "published_at": _iso(response.publish_at),
        })
    return rows


def _follow_up_rows(follow_ups: list[FollowUp]) -> tuple[list[dict], list[dict]]:
    linked: dict[int, list[int]] = {}
    if follow_ups:
        for follow_up_id, proposal_id in db.session.execute(
                select(follow_up_proposals.c.follow_up_id, follow_up_proposals.c.proposal_id)
                .join(Proposal, Proposal.id == follow_up_proposals.c.proposal_id)
                .where(follow_up_proposals.c.follow_up_id.in_([f.id for f in follow_ups]),
                       Proposal.status.not_in(UNPUBLISHED_STATUSES))
                .order_by(follow_up_proposals.c.proposal_id)):
            linked.setdefault(follow_up_id, []).append(proposal_id)
    rows, updates = [], []
    for follow_up in follow_ups:
        rows.append({
            "id": follow_up.id,
            "title": follow_up.title,
            "description": follow_up.description,
            "owner": follow_up.owner,
            "priority_title": follow_up.priority.title if follow_up.priority else None,
            "progress": follow_up.progress,
            "proposal_ids": " ".join(str(i) for i in linked.get(follow_up.id, [])),
            "created_at": _iso(follow_up.created_at),
            "updated_at": _iso(follow_up.updated_at),
            "url": f"/follow-ups/{follow_up.id}",
        })
        updates += [{
            "id": update.id,
            "follow_up_id": follow_up.id,
            "happened_on": _iso(update.happened_on),
            "progress": update.progress,
            "body": update.body,
            "created_at": _iso(update.created_at),
        } for update in sorted(follow_up.updates, key=lambda u: (u.happened_on, u.id))]
    return rows, updates


def _moderation_rows(decisions: list[ModerationDecision]) -> list[dict]:
    return [{
        "id": decision.id,
        "decided_at": _iso(decision.decided_at),
        "target_type": decision.target_type.value,
        "target_id": None if decision.target_type == DecisionTargetType.USER else decision.target_id,
        "action": decision.action.value,
        "into_id": decision.into_id if decision.action == ModerationAction.MERGE else None,
        "reason": decision.reason,
        "reason_label": (str(reason_label(decision.reason)) or None) if decision.reason else None,
        "charter_rule": decision.charter_rule,
        "public_note": decision.public_note,
        "automatic": decision.automatic,
    } for decision in decisions]


def build_tables(consultation: Consultation, *, now: datetime | None = None,
                 only: str | None = None) -> dict[str, list[dict]]:
    """{table name: rows}, each row's keys exactly the table's documented columns (`only`: that table alone)."""
    if only is not None and only not in TABLES:
        raise UnknownTable(only)
    now = now or clock.now()
    wanted = {only} if only else set(TABLES)
    tables: dict[str, list[dict]] = {}
    proposals = responses = None
    if wanted & {"proposals", "comments"}:
        proposals = exported_proposals(consultation)
    if wanted & {"proposals", "responses"}:
        responses = public_responses(consultation, now)
    if "proposals" in wanted:
        tables["proposals"] = _proposal_rows(proposals, responses)
    if "comments" in wanted:
        tables["comments"] = _comment_rows(proposals)
    if wanted & {"polls", "poll_results", "ballots"}:
        tables["polls"], tables["poll_results"], tables["ballots"] = _poll_tables(public_polls(consultation))
    if wanted & {"syntheses", "synthesis_citations"}:
        tables["syntheses"], tables["synthesis_citations"] = _synthesis_rows(published_syntheses(consultation, now))
    if "responses" in wanted:
        tables["responses"] = _response_rows(responses)
    if wanted & {"follow_ups", "follow_up_updates"}:
        tables["follow_ups"], tables["follow_up_updates"] = _follow_up_rows(consultation_follow_ups(consultation))
    if "moderation_log" in wanted:
        tables["moderation_log"] = _moderation_rows(public_decisions(consultation))
    ordered = {name: tables[name] for name in TABLES if name in wanted}
    for name, rows in ordered.items():  # the declaration and the rows never drift apart
        expected = TABLES[name].column_names
        assert all(list(row) == expected for row in rows), name
    return ordered
