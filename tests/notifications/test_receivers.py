"""Who hears of a comment or of a status change, through the documented signals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from deliberation.core import clock, signals
from deliberation.core.transaction import unit_of_work
from deliberation.notifications.models import Notification
from deliberation.proposals.models import CommentStatus, ProposalStatus
from tests.factories import CommentFactory, ProposalFactory, UserFactory


def _received(db_session, user) -> list[tuple[str, str]]:
    rows = db_session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    return [(n.kind, n.link) for n in rows]


def _post(**attributes):
    """A comment as the proposals service would post it: stored, then the signal, in one unit of work."""
    with unit_of_work():
        comment = CommentFactory(**attributes)
        signals.comment_posted.send(comment)
    return comment


def test_the_proposals_author_hears_of_a_comment(db_session, mail_outbox):
    author, commenter = UserFactory(), UserFactory(display_name="Karim")
    proposal = ProposalFactory(author=author, title="Un banc")

    comment = _post(proposal=proposal, author=commenter)

    link = f"/proposals/{proposal.id}#comment-{comment.id}"
    assert _received(db_session, author) == [("comment_on_my_proposal", link)]
    assert _received(db_session, commenter) == []
    [message] = mail_outbox
    assert message["To"] == author.email
    assert "Karim" in message.get_content()


def test_nobody_hears_of_their_own_comment(db_session, mail_outbox):
    author = UserFactory()
    _post(proposal=ProposalFactory(author=author), author=author)

    assert _received(db_session, author) == []
    assert mail_outbox == []


def test_a_reply_notifies_the_parent_author_and_the_proposals_author(db_session):
    author, first, second = UserFactory(), UserFactory(), UserFactory()
    proposal = ProposalFactory(author=author)
    parent = _post(proposal=proposal, author=first)

    _post(proposal=proposal, author=second, parent_id=parent.id, depth=1)

    assert [kind for kind, _ in _received(db_session, first)] == ["reply_to_my_comment"]
    assert [kind for kind, _ in _received(db_session, author)] == ["comment_on_my_proposal"] * 2


def test_the_author_replied_to_on_their_own_proposal_hears_once(db_session):
    author, other = UserFactory(), UserFactory()
    proposal = ProposalFactory(author=author)
    parent = _post(proposal=proposal, author=author)

    _post(proposal=proposal, author=other, parent_id=parent.id, depth=1)

    assert [kind for kind, _ in _received(db_session, author)] == ["reply_to_my_comment"]


def test_replying_to_yourself_notifies_only_the_proposals_author(db_session):
    author, commenter = UserFactory(), UserFactory()
    proposal = ProposalFactory(author=author)
    parent = _post(proposal=proposal, author=commenter)
    _post(proposal=proposal, author=commenter, parent_id=parent.id, depth=1)

    assert _received(db_session, commenter) == []
    assert len(_received(db_session, author)) == 2


def test_deleted_accounts_are_never_notified(db_session, mail_outbox):
    gone = UserFactory(email=None, display_name=None, deleted_at=clock.now())
    proposal = ProposalFactory(author=gone)
    parent = _post(proposal=proposal, author=gone)

    _post(proposal=proposal, author=UserFactory(), parent_id=parent.id, depth=1)

    assert _received(db_session, gone) == []
    assert mail_outbox == []


def test_a_hidden_comment_notifies_nobody(db_session):
    author = UserFactory()
    _post(proposal=ProposalFactory(author=author), status=CommentStatus.HIDDEN)

    assert _received(db_session, author) == []


def test_a_rolled_back_comment_leaves_no_notification_and_no_email(db_session, mail_outbox):
    author = UserFactory()
    proposal = ProposalFactory(author=author)

    with pytest.raises(RuntimeError), unit_of_work():
        signals.comment_posted.send(CommentFactory(proposal=proposal))
        raise RuntimeError("the comment could not be stored")

    assert _received(db_session, author) == []
    assert mail_outbox == []


def _change_status(proposal, new_status, **extra):
    with unit_of_work():
        old_status, proposal.status = proposal.status, new_status
        signals.proposal_status_changed.send(proposal, old_status=old_status, **extra)


@pytest.mark.parametrize(("old", "new", "notified"), [
    (ProposalStatus.PUBLISHED, ProposalStatus.UNDER_REVIEW, True),
    (ProposalStatus.UNDER_REVIEW, ProposalStatus.ANSWERED, True),
    (ProposalStatus.PENDING_MODERATION, ProposalStatus.PUBLISHED, True),
    (ProposalStatus.PUBLISHED, ProposalStatus.HIDDEN, True),
    (ProposalStatus.PUBLISHED, ProposalStatus.MERGED, True),
    # The author's own acts: submitting a draft, withdrawing.
    (ProposalStatus.DRAFT, ProposalStatus.PUBLISHED, False),
    (ProposalStatus.DRAFT, ProposalStatus.PENDING_MODERATION, False),
    (ProposalStatus.PUBLISHED, ProposalStatus.WITHDRAWN, False),
])
def test_the_author_hears_of_a_status_change(db_session, mail_outbox, old, new, notified):
    author = UserFactory()
    proposal = ProposalFactory(author=author, status=old)

    _change_status(proposal, new)

    rows = list(db_session.scalars(select(Notification).where(Notification.user_id == author.id)))
    if notified:
        [row] = rows
        assert row.kind == "proposal_status_changed"
        assert row.params["status"] == new.value
        assert row.link == f"/proposals/{proposal.id}"
        assert len(mail_outbox) == 1
    else:
        assert rows == []
        assert mail_outbox == []


def test_no_status_notification_for_the_authors_own_change(db_session):
    author = UserFactory()
    proposal = ProposalFactory(author=author, status=ProposalStatus.PUBLISHED)

    _change_status(proposal, ProposalStatus.UNDER_REVIEW, actor=author)

    assert _received(db_session, author) == []


def test_an_erased_account_loses_its_notifications(db_session, notify_committed):
    marie, karim = UserFactory(), UserFactory()
    notify_committed(marie)
    notify_committed(karim)

    with unit_of_work():
        signals.user_deleted.send(marie)

    assert _received(db_session, marie) == []
    assert len(_received(db_session, karim)) == 1


def test_through_the_proposals_service(db_session, mail_outbox):
    from deliberation.proposals import services as proposals

    author, commenter = UserFactory(), UserFactory()
    proposal = ProposalFactory(author=author)

    with unit_of_work():
        parent = proposals.post_comment(proposal, commenter, body="Bonne idée !", stance="for")
        assert mail_outbox == []
    with unit_of_work():
        proposals.post_comment(proposal, author, body="Merci.", stance="neutral", parent_id=parent.id)

    assert [kind for kind, _ in _received(db_session, author)] == ["comment_on_my_proposal"]
    assert [kind for kind, _ in _received(db_session, commenter)] == ["reply_to_my_comment"]
    assert sorted(message["To"] for message in mail_outbox) == sorted([author.email, commenter.email])

    with unit_of_work():
        proposals.withdraw_proposal(proposal, author)
    assert len(_received(db_session, author)) == 1, "withdrawing one's own proposal notified its author"
