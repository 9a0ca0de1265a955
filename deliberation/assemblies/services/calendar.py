"""What residents see of the assemblies outside the room: a consultation's assemblies (coming, in session,
past with their votes' outcomes) and the coming agenda points about a proposal."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from deliberation.assemblies.models import (
    AgendaItem,
    Assembly,
    AssemblyState,
    PaperBallotBatch,
    Poll,
    PollState,
    agenda_item_proposals,
)
from deliberation.assemblies.services.polls import combined_results
from deliberation.extensions import db


def assemblies_of(consultation) -> dict:
    """{"coming": in session first, then scheduled by date (undated last); "past": the latest first;
    "outcomes": {poll id: its outcome sentence} for the closed polls of past assemblies (their paper batches
    read in one query)}."""
    assemblies = db.session.scalars(
        select(Assembly).where(Assembly.consultation_id == consultation.id)
        .options(selectinload(Assembly.agenda_items).selectinload(AgendaItem.proposals),
                 selectinload(Assembly.polls).selectinload(Poll.options))).all()
    coming = sorted((a for a in assemblies if a.state != AssemblyState.ENDED),
                    key=lambda a: (a.state != AssemblyState.LIVE, a.starts_at is None,
                                   a.starts_at or a.created_at, a.id))
    past = sorted((a for a in assemblies if a.state == AssemblyState.ENDED),
                  key=lambda a: (a.starts_at or a.created_at, a.id), reverse=True)
    closed = [poll for assembly in past for poll in closed_polls(assembly)]
    batches = {batch.poll_id: batch for batch in db.session.scalars(
        select(PaperBallotBatch).where(PaperBallotBatch.poll_id.in_([poll.id for poll in closed])))} \
        if closed else {}
    outcomes = {poll.id: poll_outcome(poll, combined_results(poll, batches.get(poll.id))) for poll in closed}
    return {"coming": coming, "past": past, "outcomes": outcomes}


def coming_agenda_of(proposal) -> list[AgendaItem]:
    """The agenda points about `proposal` in assemblies not ended yet, the soonest first."""
    items = db.session.scalars(
        select(AgendaItem).join(agenda_item_proposals, agenda_item_proposals.c.agenda_item_id == AgendaItem.id)
        .join(Assembly, Assembly.id == AgendaItem.assembly_id)
        .where(agenda_item_proposals.c.proposal_id == proposal.id, Assembly.state != AssemblyState.ENDED)
        .options(selectinload(AgendaItem.assembly))).all()
    return sorted(items, key=lambda item: (item.assembly.starts_at is None,
                                           item.assembly.starts_at or item.assembly.created_at, item.position))


def closed_polls(assembly: Assembly) -> list[Poll]:
    return [poll for poll in assembly.polls if poll.state == PollState.CLOSED]


def poll_leader(poll: Poll, combined: dict) -> str | None:
    """The label of the option ranked first (None without any ballot)."""
    if not combined["total_ballots"] or not combined["ranking"]:
        return None
    labels = {option.public_id: option.display_label for option in poll.options}
    return labels.get(combined["ranking"][0])


def poll_outcome(poll: Poll, combined: dict | None = None) -> str:
    """One sentence on a closed vote: the option that comes first and the number of ballots (from `combined`,
    its combined_results, when the caller has them)."""
    combined = combined if combined is not None else combined_results(poll)
    leader = poll_leader(poll, combined)
    if leader is None:
        return _("Vote “%(question)s”: closed without any ballot", question=poll.question)
    return ngettext("Vote “%(question)s”: “%(leader)s” comes first (%(num)d ballot)",
                    "Vote “%(question)s”: “%(leader)s” comes first (%(num)d ballots)",
                    combined["total_ballots"], question=poll.question, leader=leader)
