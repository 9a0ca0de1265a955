"""Supports (one per person, exact counters) and threaded comments with stances (services)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from deliberation.consultations.models import PhaseKind
from deliberation.core.errors import Conflict, Forbidden, Invalid
from deliberation.extensions import db
from deliberation.proposals import services
from deliberation.proposals.models import Comment, CommentStance, ProposalStatus, Support
from deliberation.proposals.services import supports as support_services
from tests.factories import CommentFactory, ConsultationFactory, ProposalFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.usefixtures("unit")


def _stored_supports(proposal) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Support).where(Support.proposal_id == proposal.id))


def test_one_support_per_person_and_the_counter_stays_exact(db_session):
    proposal = ProposalFactory()
    people = [UserFactory() for _ in range(3)]
    for person in people:
        support, created = services.support_proposal(proposal, person)
        assert created and support.user_id == person.id
    again, created = services.support_proposal(proposal, people[0])
    assert not created and again.user_id == people[0].id
    assert proposal.supports_count == 3 == _stored_supports(proposal)
    assert services.has_supported(proposal, people[0]) and not services.has_supported(proposal, None)

    assert services.withdraw_support(proposal, people[1]) is True
    assert services.withdraw_support(proposal, people[1]) is False  # idempotent, never below the truth
    assert proposal.supports_count == 2 == _stored_supports(proposal)
    assert not services.has_supported(proposal, people[1])


def test_a_support_lost_in_a_race_falls_back_to_the_stored_one(db_session, monkeypatch):
    """Two requests both see "not supported yet"; the database's unique constraint settles it."""
    proposal = ProposalFactory()
    person = UserFactory()
    first, _ = services.support_proposal(proposal, person)
    real_find = support_services._find
    calls = []

    def find_nothing_the_first_time(proposal, actor):
        calls.append(1)
        return None if len(calls) == 1 else real_find(proposal, actor)

    monkeypatch.setattr(support_services, "_find", find_nothing_the_first_time)
    support, created = services.support_proposal(proposal, person)
    assert (support.id, created) == (first.id, False)
    assert proposal.supports_count == 1 == _stored_supports(proposal)
    db.session.flush()  # the transaction is still usable after the refused INSERT


@pytest.mark.parametrize("case, error, code", [
    ("author", Forbidden, "own_proposal"),
    ("vote phase", Forbidden, "phase_closed"),
    ("withdrawn", Conflict, "proposal_not_public"),
    ("hidden", Conflict, "proposal_not_public"),
])
def test_supports_refused(db_session, case, error, code):
    phase = PhaseKind.VOTE if case == "vote phase" else PhaseKind.SUBMISSION
    status = {"withdrawn": ProposalStatus.WITHDRAWN, "hidden": ProposalStatus.HIDDEN}.get(
        case, ProposalStatus.PUBLISHED)
    proposal = ProposalFactory(consultation=ConsultationFactory(phase=phase), status=status)
    actor = proposal.author if case == "author" else UserFactory()
    with pytest.raises(error) as refused:
        services.support_proposal(proposal, actor)
    assert refused.value.code == code
    assert proposal.supports_count == 0 == _stored_supports(proposal)


def test_supports_are_frozen_when_the_phase_closes(db_session):
    proposal = ProposalFactory(consultation=ConsultationFactory(phase=PhaseKind.VOTE))
    supporter = UserFactory()
    SupportFactory(proposal_id=proposal.id, user_id=supporter.id)
    with pytest.raises(Forbidden, match="phase_closed"):
        services.withdraw_support(proposal, supporter)
    assert _stored_supports(proposal) == 1


def test_threaded_comments_three_levels_deep(db_session):
    proposal = ProposalFactory()
    alice, bob = UserFactory(), UserFactory()
    root = services.post_comment(proposal, alice, body="Bonne idée", stance="for")
    reply = services.post_comment(proposal, bob, body="Pas d'accord", stance=CommentStance.AGAINST,
                                  parent_id=root.id)
    deepest = services.post_comment(proposal, alice, body="Pourquoi ?", stance="neutral", parent_id=reply.id)
    assert (root.depth, reply.depth, deepest.depth) == (0, 1, 2)
    assert reply.parent_id == root.id and deepest.parent_id == reply.id
    with pytest.raises(Invalid) as refused:
        services.post_comment(proposal, bob, body="Encore", stance="for", parent_id=deepest.id)
    assert refused.value.code == "comment_too_deep" and "parent_id" in refused.value.fields
    assert proposal.comments_count == 3
    assert services.stance_summary(proposal) == {"for": 1, "against": 1, "neutral": 1}


@pytest.mark.parametrize("fields, errors", [
    ({"body": ""}, ["body"]),
    ({"body": " \n "}, ["body"]),
    ({"body": "x" * 3001}, ["body"]),
    ({"stance": "maybe"}, ["stance"]),
    ({"stance": None}, ["stance"]),
    ({"parent_id": 2**40}, ["parent_id"]),
    ({"parent_id": "1"}, ["parent_id"]),
    ({"parent_id": "elsewhere"}, ["parent_id"]),
])
def test_bad_comments_are_refused_and_not_counted(db_session, fields, errors):
    proposal = ProposalFactory()
    if fields.get("parent_id") == "elsewhere":
        fields["parent_id"] = CommentFactory().id  # a comment on another proposal
    values = {"body": "Un avis", "stance": "neutral", **fields}
    with pytest.raises(Invalid) as refused:
        services.post_comment(proposal, UserFactory(), **values)
    assert sorted(refused.value.fields) == errors
    assert proposal.comments_count == 0
    stored = select(func.count()).select_from(Comment).where(Comment.proposal == proposal)
    assert db.session.scalar(stored) == 0


def test_comments_follow_the_phase_and_the_proposal_status(db_session):
    closed = ProposalFactory(consultation=ConsultationFactory(phase=PhaseKind.REVIEW))
    with pytest.raises(Forbidden, match="phase_closed"):
        services.post_comment(closed, UserFactory(), body="Trop tard", stance="for")
    withdrawn = ProposalFactory(status=ProposalStatus.WITHDRAWN)
    with pytest.raises(Conflict, match="proposal_not_public"):
        services.post_comment(withdrawn, UserFactory(), body="Trop tard", stance="for")
    debate = ProposalFactory(consultation=ConsultationFactory(phase=PhaseKind.DELIBERATION))
    assert services.post_comment(debate, UserFactory(), body="Débattons", stance="for").id


def test_comment_tree_nests_in_one_query(db_session):
    proposal = ProposalFactory()
    root = services.post_comment(proposal, UserFactory(), body="Premier", stance="for")
    second = services.post_comment(proposal, UserFactory(), body="Second", stance="against")
    reply = services.post_comment(proposal, UserFactory(), body="Réponse", stance="neutral",
                                  parent_id=root.id)
    services.post_comment(proposal, UserFactory(), body="Réponse 2", stance="neutral", parent_id=reply.id)
    CommentFactory()  # another proposal's comment stays out
    db.session.flush()
    db.session.expire_all()
    proposal_id = proposal.id  # noqa: F841 - loads the proposal before counting

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        tree = services.comment_tree(proposal)
        shape = [(n.comment.body, [(r.comment.body, [x.comment.body for x in r.replies]) for r in n.replies])
                 for n in tree]
        names = [node.comment.author.public_name for node in tree]
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert shape == [("Premier", [("Réponse", ["Réponse 2"])]), ("Second", [])]
    assert all(names) and second.id
    assert len(statements) == 1


def test_list_comments_pages_oldest_first(db_session):
    proposal = ProposalFactory()
    bodies = [f"Avis {n}" for n in range(5)]
    for body in bodies:
        services.post_comment(proposal, UserFactory(), body=body, stance="neutral")
    first = services.list_comments(proposal, page=1, per_page=3)
    second = services.list_comments(proposal, page=2, per_page=3)
    assert first.total == 5 and [c.body for c in first.items + second.items] == bodies
