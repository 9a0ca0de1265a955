"""Threaded comments (three levels) with a stance, and the for/against summary of a proposal."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import defaultload

from deliberation.accounts.models import User
from deliberation.core import clock, signals
from deliberation.core.errors import MESSAGES
from deliberation.core.text import render_markdown
from deliberation.extensions import db
from deliberation.proposals import policies
from deliberation.proposals.models import (
    COMMENT_MAX_DEPTH,
    COMMENT_MAX_LENGTH,
    Comment,
    CommentStance,
    CommentStatus,
    Proposal,
)
from deliberation.proposals.services.common import MAX_ID, check_length, clean_text, enforce, raise_if_errors
from deliberation.web.pagination import Page

UNKNOWN_STANCE = _l("Choose for, against or neutral.")
UNKNOWN_PARENT = _l("The comment you reply to does not exist on this proposal.")

# Showing an author needs their name, not their roles (which User loads eagerly by default).
WITHOUT_AUTHOR_ROLES = defaultload(Comment.author).lazyload(User.roles)


@dataclass
class CommentNode:
    comment: Comment
    replies: list[CommentNode] = field(default_factory=list)


def post_comment(proposal: Proposal, actor, *, body, stance, parent_id=None) -> Comment:
    enforce(policies.comment_refusal(actor, proposal))
    errors: dict[str, list[str]] = {}
    body = clean_text(body)
    check_length(errors, "body", body, COMMENT_MAX_LENGTH)
    try:
        stance = CommentStance(stance)
    except (ValueError, TypeError):
        errors["stance"] = [UNKNOWN_STANCE]
    parent = _parent(proposal, parent_id, errors)
    raise_if_errors(errors)
    depth = 0 if parent is None else parent.depth + 1
    if depth > COMMENT_MAX_DEPTH:
        raise_if_errors({"parent_id": [MESSAGES["comment_too_deep"]]}, code="comment_too_deep")

    comment = Comment(
        proposal=proposal, author=actor, parent_id=parent.id if parent else None, depth=depth, stance=stance,
        body=body, body_html=render_markdown(body), created_at=clock.now(),
    )
    db.session.add(comment)
    db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id)
        .values(comments_count=Proposal.comments_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(proposal, ["comments_count"])
    db.session.flush()
    signals.comment_posted.send(comment)
    return comment


def _parent(proposal: Proposal, parent_id, errors: dict) -> Comment | None:
    if parent_id is None:
        return None
    valid_id = isinstance(parent_id, int) and not isinstance(parent_id, bool) and 0 < parent_id <= MAX_ID
    parent = db.session.get(Comment, parent_id) if valid_id else None
    if parent is None or parent.proposal_id != proposal.id or parent.status != CommentStatus.PUBLISHED:
        errors["parent_id"] = [UNKNOWN_PARENT]
        return None
    return parent


def stance_summary(proposal: Proposal) -> dict[str, int]:
    """{"for": n, "against": n, "neutral": n} over the proposal's published comments (replies included)."""
    counts = dict.fromkeys((stance.value for stance in CommentStance), 0)
    rows = db.session.execute(
        select(Comment.stance, func.count()).where(
            Comment.proposal_id == proposal.id, Comment.status == CommentStatus.PUBLISHED,
        ).group_by(Comment.stance)
    )
    for stance, count in rows:
        counts[CommentStance(stance).value] = count
    return counts


def comment_tree(proposal: Proposal) -> list[CommentNode]:
    """Every comment of the proposal in one query (authors joined), nested in Python, oldest first.
    Hidden comments stay in the tree (their replies hang from them); templates show a placeholder."""
    comments = db.session.scalars(
        select(Comment).where(Comment.proposal_id == proposal.id).order_by(Comment.created_at, Comment.id)
        .options(WITHOUT_AUTHOR_ROLES)
    ).unique().all()
    nodes = {comment.id: CommentNode(comment) for comment in comments}
    roots: list[CommentNode] = []
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent else roots).append(nodes[comment.id])
    return roots


def list_comments(proposal: Proposal, *, page: int, per_page: int) -> Page[Comment]:
    """A flat page of comments, oldest first (API); each carries parent_id and depth to rebuild the tree."""
    where = Comment.proposal_id == proposal.id
    total = db.session.scalar(select(func.count()).select_from(Comment).where(where)) or 0
    items = db.session.scalars(
        select(Comment).where(where).order_by(Comment.created_at, Comment.id).options(WITHOUT_AUTHOR_ROLES)
        .limit(per_page).offset((page - 1) * per_page)
    ).unique().all()
    return Page(items=list(items), page=page, per_page=per_page, total=total)


def hidden_comment_ids(proposal: Proposal) -> list[int]:
    """Ids of the proposal's hidden comments (their placeholders name the moderation decision)."""
    return list(db.session.scalars(select(Comment.id).where(Comment.proposal_id == proposal.id,
                                                            Comment.status == CommentStatus.HIDDEN)))
