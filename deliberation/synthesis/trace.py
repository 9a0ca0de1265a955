"""A proposal's trace (« le fil de la proposition »): every public step of its path, dated and linked.

Read only, from the models with their public filters: public moderation decisions, assemblies that are not
merely scheduled, closed polls (whose results are then public), sections of published syntheses, the
officials' response once public, and the follow-ups that answer it. Summaries never quote the proposal's own
title or text (it may be hidden), nor name a person. A bounded number of queries, whatever the proposal.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from deliberation.assemblies.models import (
    AgendaItem,
    Assembly,
    AssemblyState,
    Poll,
    PollState,
    agenda_item_proposals,
)
from deliberation.assemblies.services.calendar import poll_outcome
from deliberation.core import clock
from deliberation.extensions import db
from deliberation.moderation.models import (
    DecisionTargetType,
    ModerationAction,
    ModerationDecision,
    reason_label,
)
from deliberation.proposals.models import Proposal, Support
from deliberation.synthesis.models import (
    RESPONSE_TYPE_LABELS,
    FollowUp,
    FollowUpUpdate,
    OfficialResponse,
    ResponseType,
    Synthesis,
    SynthesisCitation,
    SynthesisSection,
    SynthesisStatus,
    follow_up_proposals,
)

#: The kinds of step, in the order API.md lists them; steps at the same moment keep this order.
KINDS = ("submitted", "published", "hidden", "restored", "merged", "supports", "debated", "poll_result", "cited",
         "official_response", "follow_up")
_KIND_ORDER = {kind: index for index, kind in enumerate(KINDS)}

TRACE_KIND_LABELS = {
    "submitted": _l("Submitted"),
    "published": _l("Published"),
    "hidden": _l("Hidden"),
    "restored": _l("Restored"),
    "merged": _l("Merged"),
    "supports": _l("Supports"),
    "debated": _l("Debated"),
    "poll_result": _l("Vote result"),
    "cited": _l("Synthesis"),
    "official_response": _l("Response of the elected officials"),
    "follow_up": _l("Follow-up"),
}

#: At most this many "supports" steps: by week, else by month, else by year.
MAX_SUPPORT_STEPS = 8

#: The anchor of the officials' response on the proposal page.
RESPONSE_ANCHOR = "official-response"


@dataclass(frozen=True)
class TraceStep:
    at: datetime
    kind: str
    summary: str
    link: str


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _update_moment(update: FollowUpUpdate) -> datetime:
    """When a follow-up step happened: the day it names (at midnight UTC), or when it was written if that was the
    same day (so that steps written the same day keep their order)."""
    written = _aware(update.created_at)
    if written.date() == update.happened_on:
        return written
    return datetime.combine(update.happened_on, time(0, 0), tzinfo=UTC)


def _proposal_link(proposal_id: int, anchor: str | None = None) -> str:
    link = url_for("proposals.show", proposal_id=proposal_id)
    return f"{link}#{anchor}" if anchor else link


def proposal_trace(proposal: Proposal, *, now: datetime | None = None) -> list[TraceStep]:
    """The proposal's path, oldest first (see the module's docstring)."""
    now = _aware(now or clock.now())
    steps: list[TraceStep] = [
        TraceStep(proposal.created_at, "submitted", _("Contribution submitted"), _proposal_link(proposal.id))]
    if proposal.published_at is not None:
        steps.append(TraceStep(proposal.published_at, "published", _("Published on the platform"),
                               _proposal_link(proposal.id)))
    steps += _moderation_steps(proposal)
    steps += _support_steps(proposal)
    steps += _assembly_steps(proposal, now)
    steps += _citation_steps(proposal, now)
    steps += _response_steps(proposal, now)
    steps += _follow_up_steps(proposal, now)
    steps = [step for step in steps if _aware(step.at) <= now or step.kind == "submitted"]
    return sorted(steps, key=lambda step: (_aware(step.at), _KIND_ORDER[step.kind]))


# Moderation -----------------------------------------------------------------------------------------------

def _reason_text(decision: ModerationDecision) -> str:
    label = str(reason_label(decision.reason)) if decision.reason else ""
    note = decision.public_note or ""
    return " — ".join(part for part in (label, note) if part)


def _moderation_steps(proposal: Proposal) -> list[TraceStep]:
    decisions = db.session.scalars(
        select(ModerationDecision).where(
            ModerationDecision.target_type == DecisionTargetType.PROPOSAL,
            ModerationDecision.action.in_((ModerationAction.HIDE, ModerationAction.RESTORE, ModerationAction.MERGE)),
            (ModerationDecision.target_id == proposal.id) | (ModerationDecision.into_id == proposal.id))
        .order_by(ModerationDecision.decided_at, ModerationDecision.id))
    log = url_for("moderation.log")
    steps = []
    for decision in decisions:
        reason = _reason_text(decision)
        if decision.target_id != proposal.id:  # another contribution merged into this one
            steps.append(TraceStep(decision.decided_at, "merged", _(
                "Contribution no. %(id)s was merged into this one by moderation (its supports and comments "
                "came along)", id=decision.target_id), log))
        elif decision.action == ModerationAction.HIDE:
            summary = (_("Hidden by moderation: %(reason)s", reason=reason) if reason
                       else _("Hidden by moderation"))
            steps.append(TraceStep(decision.decided_at, "hidden", summary, log))
        elif decision.action == ModerationAction.RESTORE:
            steps.append(TraceStep(decision.decided_at, "restored", _("Restored by moderation"), log))
        else:
            summary = (_("Merged by moderation into contribution no. %(id)s", id=decision.into_id)
                       if decision.into_id else _("Merged by moderation into another contribution"))
            link = _proposal_link(decision.into_id) if decision.into_id else log
            steps.append(TraceStep(decision.decided_at, "merged", summary, link))
    return steps


# Supports over time ---------------------------------------------------------------------------------------

def _week(moment: datetime) -> tuple:
    year, week, _weekday = moment.isocalendar()
    return (year, week)


def _bucketing(moments: list[datetime]):
    for key in (_week, lambda m: (m.year, m.month), lambda m: (m.year,)):
        if len({key(moment) for moment in moments}) <= MAX_SUPPORT_STEPS:
            return key
    return None


def _support_steps(proposal: Proposal) -> list[TraceStep]:
    moments = [_aware(moment) for moment in db.session.scalars(
        select(Support.created_at).where(Support.proposal_id == proposal.id).order_by(Support.created_at))]
    if not moments:
        return []
    key = _bucketing(moments)
    if key is None:  # over many years: split the supports in equal runs
        size = -(-len(moments) // MAX_SUPPORT_STEPS)
        buckets = [moments[i:i + size] for i in range(0, len(moments), size)]
    else:
        counts = Counter(key(moment) for moment in moments)
        buckets, start = [], 0
        for bucket_key in sorted(counts):
            buckets.append(moments[start:start + counts[bucket_key]])
            start += counts[bucket_key]
    steps, total = [], 0
    link = _proposal_link(proposal.id)
    for bucket in buckets:
        total += len(bucket)
        summary = ngettext("+%(num)d support (%(total)d in all)", "+%(num)d supports (%(total)d in all)",
                           len(bucket), total=total)
        steps.append(TraceStep(bucket[-1], "supports", summary, link))
    return steps


# Assemblies and polls ------------------------------------------------------------------------------------

def _assembly_steps(proposal: Proposal, now: datetime) -> list[TraceStep]:
    from deliberation.assemblies import services as assembly_services

    items = list(db.session.scalars(
        select(AgendaItem).join(agenda_item_proposals, agenda_item_proposals.c.agenda_item_id == AgendaItem.id)
        .join(Assembly, Assembly.id == AgendaItem.assembly_id)
        .where(agenda_item_proposals.c.proposal_id == proposal.id, Assembly.state != AssemblyState.SCHEDULED)
        .options(selectinload(AgendaItem.assembly))
        .order_by(AgendaItem.assembly_id, AgendaItem.position)))
    if not items:
        return []
    steps = []
    for item in items:
        assembly = item.assembly
        at = assembly.starts_at or assembly.created_at
        steps.append(TraceStep(at, "debated", _(
            "Debated at the assembly “%(assembly)s”, agenda item %(position)s: %(item)s",
            assembly=assembly.title, position=item.position, item=item.title),
            url_for("assemblies.screen", assembly_id=assembly.id)))
    polls = db.session.scalars(
        select(Poll).where(Poll.agenda_item_id.in_([item.id for item in items]), Poll.state == PollState.CLOSED)
        .options(selectinload(Poll.options)).order_by(Poll.id))
    for poll in polls:
        if poll.closed_at is None or not assembly_services.results_visible(poll):
            continue
        steps.append(_poll_step(poll, assembly_services))
    return steps


def _poll_step(poll: Poll, assembly_services) -> TraceStep:
    link = assembly_services.verify_path(poll) or url_for("api_assemblies.PollResults", poll_id=poll.id)
    return TraceStep(poll.closed_at, "poll_result", poll_outcome(poll), link)


# Syntheses -----------------------------------------------------------------------------------------------

def _citation_steps(proposal: Proposal, now: datetime) -> list[TraceStep]:
    rows = db.session.execute(
        select(Synthesis.id, Synthesis.title, Synthesis.published_at, SynthesisSection.anchor,
               SynthesisSection.title)
        .select_from(SynthesisCitation)
        .join(Synthesis, Synthesis.id == SynthesisCitation.synthesis_id)
        .outerjoin(SynthesisSection, SynthesisSection.id == SynthesisCitation.section_id)
        .where(SynthesisCitation.proposal_id == proposal.id, Synthesis.status == SynthesisStatus.PUBLISHED,
               Synthesis.published_at.is_not(None))
        .distinct()
        .order_by(Synthesis.published_at, Synthesis.id, SynthesisSection.anchor))
    steps = []
    for synthesis_id, title, published_at, anchor, section_title in rows:
        link = f"/syntheses/{synthesis_id}" + (f"#{anchor}" if anchor else "")
        if section_title:
            summary = _("Cited in the synthesis “%(synthesis)s”, section “%(section)s”", synthesis=title,
                        section=section_title)
        else:
            summary = _("Cited in the synthesis “%(synthesis)s”", synthesis=title)
        steps.append(TraceStep(published_at, "cited", summary, link))
    return steps


# The officials' response and the follow-up -----------------------------------------------------------------

def response_label(response: OfficialResponse) -> str:
    label = str(RESPONSE_TYPE_LABELS[ResponseType(response.type)])
    if response.type == ResponseType.REFERRED and response.referred_to:
        label = _("%(label)s (%(partner)s)", label=label, partner=response.referred_to)
    return label


def _response_steps(proposal: Proposal, now: datetime) -> list[TraceStep]:
    if not proposal.is_public:  # as on its page, in the API and the open data: a response goes with its proposal
        return []
    response = db.session.scalar(select(OfficialResponse).where(OfficialResponse.proposal_id == proposal.id,
                                                                OfficialResponse.publish_at <= now))
    if response is None:
        return []
    return [TraceStep(response.publish_at, "official_response",
                      _("Response of the elected officials: %(type)s", type=response_label(response)),
                      _proposal_link(proposal.id, RESPONSE_ANCHOR))]


def _follow_up_steps(proposal: Proposal, now: datetime) -> list[TraceStep]:
    follow_ups = db.session.scalars(
        select(FollowUp).join(follow_up_proposals, follow_up_proposals.c.follow_up_id == FollowUp.id)
        .where(follow_up_proposals.c.proposal_id == proposal.id)
        .options(selectinload(FollowUp.updates)).order_by(FollowUp.created_at, FollowUp.id))
    steps = []
    for follow_up in follow_ups:
        link = f"/follow-ups/{follow_up.id}"
        steps.append(TraceStep(follow_up.created_at, "follow_up", _(
            "Commitment “%(title)s”, carried by %(owner)s", title=follow_up.title, owner=follow_up.owner), link))
        for update in follow_up.updates:
            steps.append(TraceStep(_update_moment(update), "follow_up", _(
                "Follow-up of “%(title)s”: %(progress)s %% done", title=follow_up.title,
                progress=update.progress), link))
    return steps
