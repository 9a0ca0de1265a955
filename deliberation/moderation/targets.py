"""What can be reported and moderated (a proposal, a comment, a question from the room), behind one interface:
its consultation, its author, whether others see it, and how to hide and restore it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from deliberation.assemblies.models import Question, QuestionState
from deliberation.core import clock, signals
from deliberation.core.errors import Invalid, NotFound
from deliberation.extensions import db
from deliberation.moderation.models import ReportTargetType
from deliberation.proposals.models import Comment, CommentStatus, Proposal, ProposalStatus

MAX_ID = 2**31 - 1
EXCERPT_LENGTH = 200
UNKNOWN_TARGET_TYPE = _l("Choose proposal, comment or question.")


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
        return self.obj.assembly.consultation_id

    @property
    def author_id(self) -> int | None:
        """Questions from the room are anonymous: nobody is their author for the platform."""
        return None if self.type == ReportTargetType.QUESTION else self.obj.author_id

    @property
    def author(self):
        return None if self.type == ReportTargetType.QUESTION else self.obj.author

    @property
    def is_reportable(self) -> bool:
        """Others can see it now (a hidden, pending or withdrawn item cannot be reported)."""
        if self.type == ReportTargetType.PROPOSAL:
            return self.obj.is_public and self.obj.consultation.is_published
        if self.type == ReportTargetType.COMMENT:
            proposal = self.obj.proposal
            return (self.obj.status == CommentStatus.PUBLISHED and proposal.is_public
                    and proposal.consultation.is_published)
        return self.obj.state in (QuestionState.VISIBLE, QuestionState.ANSWERED, QuestionState.ON_SCREEN)

    @property
    def state(self) -> str:
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
        return _excerpt(self.obj.text)

    @property
    def link(self) -> str:
        if self.type == ReportTargetType.PROPOSAL:
            return f"/proposals/{self.obj.id}"
        if self.type == ReportTargetType.COMMENT:
            return f"/proposals/{self.obj.proposal_id}#comment-{self.obj.id}"
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
          ReportTargetType.QUESTION: Question}


def target_type(value) -> ReportTargetType:
    try:
        return ReportTargetType(value)
    except (ValueError, TypeError):
        raise Invalid("validation_error", fields={"target_type": [UNKNOWN_TARGET_TYPE]}) from None


def get_target(kind, ident) -> Target:
    kind = target_type(kind)
    if not isinstance(ident, int) or isinstance(ident, bool) or not 0 < ident <= MAX_ID:
        raise NotFound()
    obj = db.session.get(MODELS[kind], ident)
    if obj is None:
        raise NotFound()
    return Target(kind, obj)
