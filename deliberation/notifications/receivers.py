"""Reactions to other modules' signals. They run inside the sender's unit of work: they write notification
rows in the same transaction, and their e-mails leave only after it commits."""

from __future__ import annotations

from deliberation.accounts.models import User
from deliberation.core import signals
from deliberation.extensions import db
from deliberation.notifications import services
from deliberation.proposals.models import Comment, CommentStatus, Proposal, ProposalStatus


def connect() -> None:
    signals.comment_posted.connect(on_comment_posted)
    signals.proposal_status_changed.connect(on_proposal_status_changed)
    signals.user_deleted.connect(on_user_deleted)
    signals.agenda_item_added.connect(on_agenda_item_added)
    signals.poll_closed.connect(on_poll_closed)


def _proposal_link(proposal: Proposal, comment: Comment | None = None) -> str:
    link = f"/proposals/{proposal.id}"
    return f"{link}#comment-{comment.id}" if comment is not None else link


def _reachable(user: User | None) -> bool:
    return user is not None and not user.is_deleted


def on_comment_posted(comment: Comment, **_extra) -> None:
    """The parent comment's author hears of a reply; the proposal's author hears of any other comment.
    Nobody is told about their own words, and nobody is told twice about the same comment."""
    if comment.status != CommentStatus.PUBLISHED:
        return
    proposal = comment.proposal or db.session.get(Proposal, comment.proposal_id)
    actor = comment.author or db.session.get(User, comment.author_id)
    params = {"proposal_id": proposal.id, "proposal": proposal.title, "comment_id": comment.id}
    link = _proposal_link(proposal, comment)
    told: set[int] = {comment.author_id}

    if comment.parent_id is not None:
        parent = db.session.get(Comment, comment.parent_id)
        if parent is not None and parent.author_id not in told and _reachable(parent.author):
            services.notify(parent.author, "reply_to_my_comment", params=params, link=link, actor=actor)
            told.add(parent.author_id)

    if proposal.author_id not in told and _reachable(proposal.author):
        services.notify(proposal.author, "comment_on_my_proposal", params=params, link=link, actor=actor)


def on_proposal_status_changed(proposal: Proposal, *, old_status: ProposalStatus | str | None = None,
                               actor: User | None = None, decision=None, **_extra) -> None:
    """The author hears of what others did to their proposal, not of their own submission or withdrawal.
    A moderation decision (`decision`) tells them itself, with its reason (moderation.services); so does a
    sender passing `notified=True` (an official response tells the author and supporters itself)."""
    if decision is not None or _extra.get("notified"):
        return
    new_status = ProposalStatus(proposal.status)
    old = ProposalStatus(old_status) if old_status else None
    if old == new_status or old == ProposalStatus.DRAFT or new_status in (ProposalStatus.DRAFT,
                                                                          ProposalStatus.WITHDRAWN):
        return
    if actor is not None and actor.id == proposal.author_id:
        return
    author = proposal.author or db.session.get(User, proposal.author_id)
    if not _reachable(author):
        return
    services.notify(
        author, "proposal_status_changed",
        params={"proposal_id": proposal.id, "proposal": proposal.title, "status": new_status.value},
        link=_proposal_link(proposal),
    )


def on_user_deleted(user: User, **_extra) -> None:
    """What a person was notified of is their personal data: it goes with the account."""
    services.delete_notifications_of(user)


def _public(proposals) -> list[Proposal]:
    return [proposal for proposal in proposals if proposal.is_public and proposal.consultation.is_published]


def _about(proposal: Proposal) -> dict:
    return {"proposal_id": proposal.id, "proposal": proposal.title}


def on_agenda_item_added(item, *, proposals, actor: User | None = None, **_extra) -> None:
    """Authors and supporters hear that a proposal they follow will be debated, in time to come."""
    assembly = item.assembly
    starts_at = assembly.starts_at.isoformat() if assembly.starts_at is not None else None
    services.notify_followers(
        _public(proposals), "proposal_on_agenda", actor=actor, per_proposal=_about,
        params={"assembly": assembly.title, "assembly_id": assembly.id, "starts_at": starts_at},
        link=lambda proposal: f"/proposals/{proposal.id}#agenda")


def on_poll_closed(poll, **_extra) -> None:
    """A vote held on an agenda point about proposals: their authors and supporters hear that it is closed (the
    result itself is on the proposal's thread, as the poll's visibility rules allow)."""
    if poll.agenda_item_id is None:
        return
    from deliberation.assemblies.models import AgendaItem

    item = db.session.get(AgendaItem, poll.agenda_item_id)
    if item is None:
        return
    services.notify_followers(
        _public(item.proposals), "poll_closed_on_proposal", actor=None, per_proposal=_about,
        params={"poll": poll.question, "poll_id": poll.id},
        link=lambda proposal: f"/proposals/{proposal.id}/trace")
