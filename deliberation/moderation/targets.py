"""What can be reported and moderated (a proposal, a comment, a question from the room, a person's account),
behind one interface: its consultation, its author, whether others see it, and how to hide and restore it.

An account (`user`) belongs to no consultation (global moderators decide on it), is its own "author" (nobody
reports or decides on their own account), and is never hidden: the decisions on it are dismiss and block."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from deliberation.accounts.models import User
from deliberation.assemblies.models import Question, QuestionState
from deliberation.core import clock, signals
from deliberation.core.errors import Invalid, NotFound
from deliberation.extensions import db
from deliberation.moderation.models import ReportTargetType
from deliberation.proposals.models import Comment, CommentStatus, Proposal, ProposalStatus

MAX_ID = 2**31 - 1
EXCERPT_LENGTH = 200
UNKNOWN_TARGET_TYPE = _l("Choose proposal, comment, question or user.")


def _excerpt(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT_LENGTH else text[:EXCERPT_LENGTH - 1] + "…"


@dataclass
class Target:
    type: ReportTargetType
    obj: Any

    @property
    def id(self) -> int:
        return self.obj.id

    # What the policies ask --------------------------------------------------------------------------

    @property
    def consultation_id(self) -> int | None:
        if self.type == ReportTargetType.PROPOSAL:
            return self.obj.consultation_id
        if self.type == ReportTargetType.COMMENT:
            return self.obj.proposal.consultation_id
        if self.type == ReportTargetType.USER:
            return None
        return self.obj.assembly.consultation_id

    @property
    def author_id(self) -> int | None:
        """Questions from the room are anonymous: nobody is their author for the platform (see asked_by).
        An account is its own author."""
        if self.type == ReportTargetType.USER:
            return self.obj.id
        return None if self.type == ReportTargetType.QUESTION else self.obj.author_id

    @property
    def author(self):
        if self.type == ReportTargetType.USER:
            return self.obj
        return None if self.type == ReportTargetType.QUESTION else self.obj.author

    def asked_by(self, user) -> bool:
        """A question asked from `user`'s account: its participant is the one an account joins as (assemblies
        requiring sign-in; in an open assembly a question keeps no link to any account)."""
        if self.type != ReportTargetType.QUESTION or not getattr(user, "is_authenticated", False):
            return False
        from deliberation.assemblies.services.participants import account_device_token, find_participant

        participant = find_participant(self.obj.assembly, account_device_token(user, self.obj.assembly))
        return participant is not None and participant.id == self.obj.participant_id

    def is_own(self, user) -> bool:
        """`user` wrote it (or it is their account): they neither report it nor decide on it."""
        if not getattr(user, "is_authenticated", False):
            return False
        return (self.author_id is not None and self.author_id == user.id) or self.asked_by(user)

    @property
    def is_reportable(self) -> bool:
        """Others can see it now (a hidden, pending or withdrawn item cannot be reported)."""
        if self.type == ReportTargetType.PROPOSAL:
            return self.obj.is_public and self.obj.consultation.is_published
        if self.type == ReportTargetType.COMMENT:
            proposal = self.obj.proposal
            return (self.obj.status == CommentStatus.PUBLISHED and proposal.is_public
                    and proposal.consultation.is_published)
        if self.type == ReportTargetType.USER:
            return not self.obj.is_deleted
        return self.obj.state in (QuestionState.VISIBLE, QuestionState.ANSWERED, QuestionState.ON_SCREEN)

    @property
    def state(self) -> str:
        if self.type == ReportTargetType.USER:
            return "blocked" if self.obj.is_blocked else "active"
        return str(self.obj.state if self.type == ReportTargetType.QUESTION else self.obj.status)

    @property
    def is_hidden(self) -> bool:
        return self.state == "hidden"

    @property
    def is_pending(self) -> bool:
        return self.type == ReportTargetType.PROPOSAL and self.obj.status == ProposalStatus.PENDING_MODERATION

    # What moderators see in the queue (never shown in the public log) -------------------------------

    @property
    def excerpt(self) -> str:
        if self.type == ReportTargetType.PROPOSAL:
            return _excerpt(self.obj.title)
        if self.type == ReportTargetType.COMMENT:
            return _excerpt(self.obj.body)
        if self.type == ReportTargetType.USER:  # the display name only: never the e-mail or anything else
            return _excerpt(self.obj.public_name)
        return _excerpt(self.obj.text)

    @property
    def link(self) -> str:
        if self.type == ReportTargetType.PROPOSAL:
            return f"/proposals/{self.obj.id}"
        if self.type == ReportTargetType.COMMENT:
            return f"/proposals/{self.obj.proposal_id}#comment-{self.obj.id}"
        if self.type == ReportTargetType.USER:
            return ""  # no public profile page
        return f"/assemblies/{self.obj.assembly_id}/console"

    @property
    def proposal(self) -> Proposal | None:
        if self.type == ReportTargetType.PROPOSAL:
            return self.obj
        if self.type == ReportTargetType.COMMENT:
            return self.obj.proposal
        return None

    # Changes (called by moderation.services only, which checked the policy) -------------------------

    def hide(self, actor, decision) -> str:
        """Hide it; returns the state it had (stored on the decision, for a restore)."""
        previous = self.state
        if self.type == ReportTargetType.PROPOSAL:
            self._set_proposal_status(ProposalStatus.HIDDEN, actor, decision)
        elif self.type == ReportTargetType.COMMENT:
            self.obj.status = CommentStatus.HIDDEN
        else:
            from deliberation.assemblies.services.questions import set_question_hidden_by_moderation

            set_question_hidden_by_moderation(self.obj, True)
        db.session.flush()
        return previous

    def restore(self, actor, decision, previous: str | None) -> str:
        """Back to `previous` (the state before it was hidden); a proposal awaiting moderation is published."""
        left = self.state
        if self.type == ReportTargetType.PROPOSAL:
            status = ProposalStatus.PUBLISHED
            if previous and previous not in (ProposalStatus.HIDDEN, ProposalStatus.PENDING_MODERATION):
                status = ProposalStatus(previous)
            self._set_proposal_status(status, actor, decision)
            if self.obj.published_at is None:
                self.obj.published_at = clock.now()
        elif self.type == ReportTargetType.COMMENT:
            self.obj.status = CommentStatus.PUBLISHED
        else:
            from deliberation.assemblies.services.questions import set_question_hidden_by_moderation

            set_question_hidden_by_moderation(self.obj, False, previous)
        db.session.flush()
        return left

    def _set_proposal_status(self, status: ProposalStatus, actor, decision) -> None:
        old = self.obj.status
        if old == status:
            return
        self.obj.status = status
        self.obj.updated_at = clock.now()
        db.session.flush()
        signals.proposal_status_changed.send(self.obj, old_status=old, actor=actor, decision=decision)


MODELS = {ReportTargetType.PROPOSAL: Proposal, ReportTargetType.COMMENT: Comment,
          ReportTargetType.QUESTION: Question, ReportTargetType.USER: User}


def target_type(value) -> ReportTargetType:
    try:
        return ReportTargetType(value)
    except (ValueError, TypeError):
        raise Invalid("validation_error", fields={"target_type": [UNKNOWN_TARGET_TYPE]}) from None


def get_target(kind, ident, *, lock: bool = False) -> Target:
    """The item; `lock`: its row locked until the transaction ends (SELECT … FOR NO KEY UPDATE on PostgreSQL), read
    afresh, so that two reports or decisions on it run one after the other. NO KEY: rows referring to it (a report
    filed by the reported account meanwhile, its own upvotes, comments…) need not wait, and two people reporting
    each other's account at once do not deadlock."""
    kind = target_type(kind)
    if not isinstance(ident, int) or isinstance(ident, bool) or not 0 < ident <= MAX_ID:
        raise NotFound()
    model = MODELS[kind]
    if lock:
        obj = db.session.scalar(select(model).where(model.id == ident).with_for_update(of=model, key_share=True)
                                .execution_options(populate_existing=True))
    else:
        obj = db.session.get(model, ident)
    if obj is None:
        raise NotFound()
    return Target(kind, obj)
