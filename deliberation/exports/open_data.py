"""A consultation's open data: documented tables, written as JSON or CSV, with no personal data.

Each table's columns are declared once, below, with a one-line description: the same declaration writes the
files and the public documentation page (/open-data). What is left out, on purpose:
- people: no user ids, e-mails, names (authors, mediators, residents' pseudonyms, reporters, moderators),
  addresses or device tokens;
- drafts and contributions awaiting moderation (not at all); hidden, withdrawn and merged contributions and
  hidden comments appear as rows with their status and public moderation reason, their title and text empty;
- poll results only where the public results would show them (after_close holds until the close), and the
  ballot log only once a poll is closed and never in totals-only mode;
- syntheses only once published, responses only once public.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from deliberation.assemblies.models import Assembly, BallotLogEntry, Poll, PollState
from deliberation.consultations.models import Consultation
from deliberation.core import clock
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

LICENCE = "Licence Ouverte / Etalab 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
FORMATS = ("json", "csv")

#: Never exported at all: not yet public.
UNPUBLISHED_STATUSES = (ProposalStatus.DRAFT, ProposalStatus.PENDING_MODERATION)


@dataclass(frozen=True)
class Column:
    name: str
    description: object  # a lazy string


@dataclass(frozen=True)
class Table:
    name: str
    description: object
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _table(name: str, description, *columns: tuple[str, object]) -> Table:
    return Table(name, description, tuple(Column(*column) for column in columns))


TABLES: dict[str, Table] = {table.name: table for table in (
    _table(
        "proposals", _l("The contributions (proposals, observations, questions, testimonies) once published."),
        ("id", _l("Number of the contribution.")),
        ("kind", _l("Kind: proposal, observation, question or testimony.")),
        ("status", _l("Status: published, under_review, answered, in_progress, done, hidden, withdrawn or "
                      "merged.")),
        ("title", _l("Title; empty when the contribution is hidden, withdrawn or merged.")),
        ("body", _l("Text (Markdown); empty when the contribution is hidden, withdrawn or merged.")),
        ("area_code", _l("Official code of the neighbourhood (QPV) it concerns, if any.")),
        ("area_name", _l("Name of the neighbourhood it concerns, if any.")),
        ("priority_title", _l("Priority (enjeu) of the contract it concerns, if any.")),
        ("supports_count", _l("Number of supports.")),
        ("comments_count", _l("Number of comments.")),
        ("submitted_at", _l("Date and time it was submitted (ISO 8601, UTC).")),
        ("published_at", _l("Date and time it was published (ISO 8601, UTC).")),
        ("merged_into_id", _l("For a merged contribution: the number of the one it was merged into.")),
        ("moderation_reason", _l("For a hidden contribution: the public reason of the moderation decision.")),
        ("response_type", _l("Type of the public response of the elected officials, if any.")),
        ("url", _l("Address of its page.")),
    ),
    _table(
        "comments", _l("The comments on published contributions."),
        ("id", _l("Number of the comment.")),
        ("proposal_id", _l("Number of the contribution it comments on.")),
        ("parent_id", _l("Number of the comment it answers, if any.")),
        ("depth", _l("Level in the thread: 0, 1 or 2.")),
        ("stance", _l("Stance: for, against or neutral.")),
        ("status", _l("Status: published or hidden.")),
        ("body", _l("Text (Markdown); empty when the comment is hidden.")),
        ("moderation_reason", _l("For a hidden comment: the public reason of the moderation decision.")),
        ("created_at", _l("Date and time it was written (ISO 8601, UTC).")),
    ),
    _table(
        "polls", _l("The votes of the consultation's assemblies (consultative), once opened."),
        ("id", _l("Number of the vote.")),
        ("assembly_id", _l("Number of the assembly.")),
        ("assembly_title", _l("Title of the assembly.")),
        ("assembly_date", _l("Date and time the assembly started (ISO 8601, UTC).")),
        ("agenda_item_title", _l("Agenda item the vote belongs to, if any.")),
        ("question", _l("Question put to the vote.")),
        ("method", _l("Method: yes_no, single, multiple, majority_judgment or ranking.")),
        ("results_visibility", _l("When results are public: live, after_vote or after_close.")),
        ("totals_only", _l("true when only totals are published, without the ballot log.")),
        ("state", _l("State: open or closed.")),
        ("opened_at", _l("Date and time the vote opened (ISO 8601, UTC).")),
        ("closed_at", _l("Date and time the vote closed (ISO 8601, UTC).")),
        ("results_public", _l("true when the results are public (table poll_results).")),
        ("total_ballots", _l("Number of ballots, online and on paper; empty while the results are not public.")),
        ("log_head", _l("Last receipt of the ballot log, to check the log (closed votes with a log).")),
        ("verify_url", _l("Address of the page that checks the ballot log and recounts it.")),
    ),
    _table(
        "poll_results", _l("The results of each vote, one row per option, where they are public."),
        ("poll_id", _l("Number of the vote.")),
        ("option_id", _l("Identifier of the option (yes, no, abstain for a yes/no vote).")),
        ("option_label", _l("Label of the option.")),
        ("rank", _l("Rank of the option by the method's rule (1 = first).")),
        ("count", _l("Number of votes for the option (yes/no, single and multiple choice).")),
        ("majority_mention", _l("Majority judgment: majority mention, from 0 (Reject) to 5 (Very good).")),
        ("gauge", _l("Majority judgment: signed share that breaks ties between equal mentions.")),
        ("merit_profile", _l("Majority judgment: counts of each mention from Reject to Very good, as a JSON "
                             "list.")),
        ("pairwise", _l("Ranking: how many voters put this option above each other one, as a JSON object.")),
    ),
    _table(
        "ballots", _l("The ballot log of each closed vote (not for totals-only votes): anyone can recount."),
        ("poll_id", _l("Number of the vote.")),
        ("position", _l("Position in the log, from 0.")),
        ("receipt", _l("Receipt of the ballot: SHA-256 of the canonical JSON of previous, poll_id, ballot_id, "
                       "choice (and replaces).")),
        ("previous", _l("Receipt of the previous entry of the log.")),
        ("ballot_id", _l("Random identifier of the ballot, made by the voter's device.")),
        ("replaces", _l("Receipt of the ballot this one replaces (a changed vote), if any.")),
        ("choice", _l("The choice, as JSON.")),
    ),
    _table(
        "syntheses", _l("The published syntheses of the consultation."),
        ("id", _l("Number of the synthesis.")),
        ("title", _l("Title.")),
        ("assembly_id", _l("Number of the assembly it covers, if it covers one assembly only.")),
        ("version", _l("Version number of the text.")),
        ("published_at", _l("Date and time it was published (ISO 8601, UTC).")),
        ("body", _l("Text (Markdown), whose statements link to their sources.")),
        ("url", _l("Address of its page.")),
    ),
    _table(
        "synthesis_citations", _l("Which contributions, comments and votes each section of a synthesis cites."),
        ("synthesis_id", _l("Number of the synthesis.")),
        ("section_anchor", _l("Anchor of the section in the synthesis page.")),
        ("section_title", _l("Title of the section.")),
        ("target_type", _l("What is cited: proposal, comment or poll.")),
        ("target_id", _l("Number of what is cited.")),
        ("proposal_id", _l("Number of the contribution cited, or of the contribution of the comment cited.")),
    ),
    _table(
        "responses", _l("The public responses of the elected officials, to contributions or to synthesis "
                        "sections."),
        ("id", _l("Number of the response.")),
        ("proposal_id", _l("Number of the contribution answered, if any.")),
        ("synthesis_id", _l("Number of the synthesis whose section is answered, if any.")),
        ("section_anchor", _l("Anchor of the section answered, if any.")),
        ("type", _l("Type: accepted, partially_accepted, not_accepted, under_study, already_under_way, referred "
                    "or not_applicable.")),
        ("type_label", _l("Type, in words.")),
        ("justification", _l("Justification (Markdown).")),
        ("referred_to", _l("For a referred response: the competent partner.")),
        ("council_decision_number", _l("Number of the council decision (délibération) it refers to, if any.")),
        ("council_decision_body", _l("Council that took that decision.")),
        ("council_decision_date", _l("Date of that decision (ISO 8601).")),
        ("published_at", _l("Date and time it became public (ISO 8601, UTC).")),
    ),
    _table(
        "follow_ups", _l("The commitments taken in answer to contributions, and how far they are."),
        ("id", _l("Number of the commitment.")),
        ("title", _l("Title.")),
        ("description", _l("Description (Markdown).")),
        ("owner", _l("Who carries it: a service, a partner or a delegation.")),
        ("priority_title", _l("Priority (enjeu) of the contract it serves, if any.")),
        ("progress", _l("Progress, in percent.")),
        ("proposal_ids", _l("Numbers of the contributions it answers, separated by spaces.")),
        ("created_at", _l("Date and time it was created (ISO 8601, UTC).")),
        ("updated_at", _l("Date and time of its last change (ISO 8601, UTC).")),
        ("url", _l("Address of its page.")),
    ),
    _table(
        "follow_up_updates", _l("The dated steps of each commitment."),
        ("id", _l("Number of the step.")),
        ("follow_up_id", _l("Number of the commitment.")),
        ("happened_on", _l("Date the step happened (ISO 8601).")),
        ("progress", _l("Progress after this step, in percent.")),
        ("body", _l("What was done (Markdown).")),
        ("created_at", _l("Date and time it was written (ISO 8601, UTC).")),
    ),
    _table(
        "moderation_log", _l("The public moderation decisions of the consultation: never the hidden text, who "
                             "reported it or who decided."),
        ("id", _l("Number of the decision.")),
        ("decided_at", _l("Date and time of the decision (ISO 8601, UTC).")),
        ("target_type", _l("Kind of item: proposal, comment, question, or user for an account (never which).")),
        ("target_id", _l("Number of the item; empty for an account.")),
        ("action", _l("Decision: hide, restore, dismiss, merge, block or unblock.")),
        ("into_id", _l("For a merge: the number of the contribution kept.")),
        ("reason", _l("Reason code: spam, offensive, personal_data, off_topic, duplicate, electoral_propaganda, "
                      "illegal or automatic.")),
        ("reason_label", _l("Reason, in words.")),
        ("charter_rule", _l("Rule of the moderation charter applied, if any.")),
        ("public_note", _l("Public note of the moderation team, if any.")),
        ("automatic", _l("true when the platform decided by itself, after several reports.")),
    ),
)}


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
    if wanted & {"proposals", "comments", "responses"}:
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


# Writers --------------------------------------------------------------------------------------------------

def consultation_summary(consultation: Consultation) -> dict:
    return {"id": consultation.id, "title": consultation.title, "description": consultation.description,
            "url": url_for("consultations.show", consultation_id=consultation.id)}


def export_json(consultation: Consultation, *, now: datetime | None = None) -> dict:
    now = now or clock.now()
    return {
        "consultation": consultation_summary(consultation),
        "generated_at": now.isoformat(),
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "documentation": url_for("exports.open_data"),
        "tables": build_tables(consultation, now=now),
    }


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def table_csv(name: str, rows: list[dict]) -> bytes:
    """One table as CSV: UTF-8 with a byte order mark (for spreadsheets), commas, quoted where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TABLES[name].column_names)
    for row in rows:
        writer.writerow([_csv_value(row[column]) for column in TABLES[name].column_names])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_csv_zip(consultation: Consultation, *, now: datetime | None = None) -> bytes:
    now = now or clock.now()
    tables = build_tables(consultation, now=now)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in tables.items():
            archive.writestr(f"{name}.csv", table_csv(name, rows))
        archive.writestr("LICENCE.txt", f"{LICENCE}\n{LICENCE_URL}\n")
    return buffer.getvalue()


def export_filename(consultation: Consultation, extension: str, table: str | None = None) -> str:
    suffix = f"-{table}" if table else ""
    return f"consultation-{consultation.id}{suffix}.{extension}"
