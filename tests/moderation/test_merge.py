"""Merging a duplicate proposal into another (issue #4, item 3): « merge integrity », the counts before and
after, the refusals, chains, redirects, the API, the queue and the public log."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Conflict, DomainError, Forbidden, Invalid
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import services
from deliberation.moderation.models import ModerationAction, ModerationDecision, Report, ReportStatus
from deliberation.notifications.models import Notification
from deliberation.proposals import services as proposal_services
from deliberation.proposals.models import Comment, Proposal, ProposalStatus, Support
from tests.factories import ConsultationFactory, ProposalFactory, UserFactory
from tests.helpers import bearer, commit_setup, post_form, sign_in


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _support(proposal, *users):
    for user in users:
        proposal_services.support_proposal(proposal, user)


def _comment(proposal, user, body, parent=None):
    return proposal_services.post_comment(proposal, user, body=body, stance="for",
                                          parent_id=parent.id if parent else None)


def _supporters(proposal) -> set[int]:
    return set(db.session.scalars(select(Support.user_id).where(Support.proposal_id == proposal.id)))


def _merge(actor, duplicate, kept, **extra):
    return services.decide(actor, "proposal", duplicate.id, action="merge", reason="duplicate",
                           into_id=kept.id if kept is not None else None, **extra)


@pytest.fixture
def kept(consultation):
    return ProposalFactory(consultation=consultation, title="Des bancs au square Jean-Moulin")


@pytest.fixture
def duplicate(consultation):
    return ProposalFactory(consultation=consultation, title="Plus de bancs dans le square")


def test_merge_integrity(kept, duplicate, moderator):
    """Supports carried over once per person, comments and threads moved, counters recomputed from the rows."""
    both, only_dup_1, only_dup_2, only_kept = (UserFactory() for _ in range(4))
    with unit_of_work():
        _support(kept, both, only_kept)
        _support(duplicate, both, only_dup_1, only_dup_2, kept.author)  # the kept proposal's author too
        root = _comment(duplicate, only_dup_1, "Oui, surtout à l'ombre.")
        reply = _comment(duplicate, both, "D'accord avec vous.", parent=root)
        _comment(kept, only_kept, "Bonne idée.")
    assert (kept.supports_count, duplicate.supports_count) == (2, 4)
    assert (kept.comments_count, duplicate.comments_count) == (1, 2)

    with unit_of_work():
        decision = _merge(moderator, duplicate, kept)
    db.session.refresh(kept)
    db.session.refresh(duplicate)

    assert _supporters(kept) == {both.id, only_kept.id, only_dup_1.id, only_dup_2.id}
    assert kept.supports_count == 4  # not 2 + 4: `both` once, the author not at all
    assert kept.comments_count == 3 and duplicate.comments_count == 0
    moved = {c.id: c for c in db.session.scalars(select(Comment).where(Comment.proposal_id == kept.id))}
    assert root.id in moved and moved[reply.id].parent_id == root.id  # the thread is kept
    assert (duplicate.status, duplicate.merged_into_id) == (ProposalStatus.MERGED, kept.id)
    assert (decision.action, decision.target_id, decision.into_id) == (ModerationAction.MERGE, duplicate.id, kept.id)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "moderation_merge"))
    assert entry.actor_id == moderator.id
    assert (entry.details["into_id"], entry.details["supports_added"], entry.details["comments_moved"]) == (
        kept.id, 2, 2)


def test_supporting_the_kept_proposal_after_a_merge_counts_once(kept, duplicate, moderator):
    fan = UserFactory()
    with unit_of_work():
        _support(duplicate, fan)
        _merge(moderator, duplicate, kept)
    with unit_of_work():
        _row, created = proposal_services.support_proposal(kept, fan)
    db.session.refresh(kept)
    assert created is False and kept.supports_count == 1


def test_refusals(consultation, kept, duplicate, moderator, author):
    other = ProposalFactory(consultation=ConsultationFactory())
    hidden = ProposalFactory(consultation=consultation, status=ProposalStatus.HIDDEN)
    withdrawn = ProposalFactory(consultation=consultation, status=ProposalStatus.WITHDRAWN)
    pending = ProposalFactory(consultation=consultation, status=ProposalStatus.PENDING_MODERATION)
    outsider, elsewhere = UserFactory(), UserFactory(roles=[("moderator", ConsultationFactory())])
    commit_setup()  # a refused unit of work rolls back what is not committed
    cases = [
        (lambda: _merge(moderator, duplicate, duplicate), Invalid, "merge_into_itself"),
        (lambda: _merge(moderator, duplicate, other), Invalid, "merge_other_consultation"),
        (lambda: _merge(moderator, duplicate, hidden), Invalid, "merge_target_not_public"),
        (lambda: _merge(moderator, duplicate, withdrawn), Invalid, "merge_target_not_public"),
        (lambda: _merge(moderator, duplicate, pending), Invalid, "merge_target_not_public"),
        (lambda: _merge(moderator, withdrawn, kept), Conflict, "not_mergeable"),
        (lambda: _merge(moderator, duplicate, None), Invalid, "validation_error"),
        (lambda: services.decide(moderator, "proposal", duplicate.id, action="merge", into_id=2**31 - 1),
         Invalid, "merge_target_not_found"),
        (lambda: _merge(outsider, duplicate, kept), Forbidden, "not_moderator"),
        (lambda: _merge(elsewhere, duplicate, kept), Forbidden, "not_moderator"),
        (lambda: _merge(duplicate.author, duplicate, kept), Forbidden, "not_moderator"),
    ]
    for call, kind, code in cases:
        with pytest.raises(DomainError) as caught:
            with unit_of_work():
                call()
        assert (type(caught.value), caught.value.code) == (kind, code), code
        assert caught.value.message
    db.session.refresh(duplicate)
    assert duplicate.status == ProposalStatus.PUBLISHED and duplicate.merged_into_id is None
    assert not db.session.scalars(select(ModerationDecision)).all()

    with unit_of_work():
        _merge(moderator, duplicate, kept)
    fourth, fifth = ProposalFactory(consultation=consultation), ProposalFactory(consultation=consultation)
    commit_setup()
    with pytest.raises(Conflict) as caught:  # twice: it is merged already
        with unit_of_work():
            _merge(moderator, duplicate, fourth)
    assert caught.value.code == "not_mergeable"
    with pytest.raises(Invalid) as caught:  # into a merged proposal
        with unit_of_work():
            _merge(moderator, fifth, duplicate)
    assert caught.value.code == "merge_target_not_public"


def test_a_chain_is_repointed(consultation, moderator):
    a, b, c = (ProposalFactory(consultation=consultation) for _ in range(3))
    fan = UserFactory()
    with unit_of_work():
        _support(a, fan)
        _merge(moderator, a, b)
        _merge(moderator, b, c)
    for proposal in (a, b, c):
        db.session.refresh(proposal)
    assert (a.merged_into_id, b.merged_into_id) == (c.id, c.id)
    assert c.supports_count == 1 and _supporters(c) == {fan.id}


def test_open_reports_are_closed_and_authors_told(kept, duplicate, moderator, reporter):
    with unit_of_work():
        services.report_content(reporter, "proposal", duplicate.id, reason="duplicate")
        _merge(moderator, duplicate, kept)
    assert db.session.scalar(select(Report.status)) == ReportStatus.ACTED
    kinds = dict(db.session.execute(select(Notification.user_id, Notification.kind)).all())
    assert kinds == {duplicate.author_id: "moderation_merged", kept.author_id: "moderation_merged_into"}


def test_the_api(client, kept, duplicate, moderator, consultation):
    with unit_of_work():
        _support(duplicate, UserFactory())
    commit_setup()
    response = client.post("/api/v1/moderation/decisions", headers=bearer(moderator), json={
        "target_type": "proposal", "target_id": duplicate.id, "action": "merge", "reason": "duplicate",
        "into_id": kept.id})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert (response.get_json()["action"], response.get_json()["into_id"]) == ("merge", kept.id)

    body = client.get(f"/api/v1/proposals/{duplicate.id}").get_json()
    assert (body["status"], body["merged_into_id"]) == ("merged", kept.id)
    assert client.get(f"/api/v1/proposals/{kept.id}").get_json()["supports_count"] == 1
    listed = client.get(f"/api/v1/consultations/{consultation.id}/proposals").get_json()
    assert [item["id"] for item in listed["items"]] == [kept.id]
    log = client.get("/api/v1/moderation/log").get_json()["items"]
    assert (log[0]["action"], log[0]["target_id"], log[0]["into_id"]) == ("merge", duplicate.id, kept.id)

    other = ProposalFactory(consultation=ConsultationFactory())
    commit_setup()
    refused = client.post("/api/v1/moderation/decisions", headers=bearer(moderator), json={
        "target_type": "proposal", "target_id": kept.id, "action": "merge", "into_id": other.id})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "merge_other_consultation"


def test_the_old_address_redirects_with_a_notice(client, kept, duplicate, moderator):
    with unit_of_work():
        _merge(moderator, duplicate, kept)
    commit_setup()
    response = client.get(f"/proposals/{duplicate.id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/proposals/{kept.id}"
    page = _text(client.get(f"/proposals/{kept.id}"))
    assert f"La contribution n° {duplicate.id} a été fusionnée dans celle-ci" in page
    assert "Plus de bancs dans le square" in page  # listed among the contributions merged into it


def test_merging_from_the_duplicates_page_and_the_queue(client, consultation, kept, duplicate, moderator):
    third = ProposalFactory(consultation=consultation)
    sign_in(client, moderator)
    page = _text(client.get(f"/proposals/{duplicate.id}"))
    assert 'name="into_id"' in page and f'<option value="{kept.id}">' in page
    response = post_form(client, "/moderation/decisions", {
        "target_type": "proposal", "target_id": duplicate.id, "action": "merge", "reason": "duplicate",
        "into_id": str(kept.id), "next": f"/proposals/{duplicate.id}"}, token_from=f"/proposals/{duplicate.id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/proposals/{kept.id}"
    assert db.session.get(Proposal, duplicate.id).status == ProposalStatus.MERGED

    with unit_of_work():
        services.report_content(UserFactory(), "proposal", third.id, reason="duplicate")
    commit_setup()
    assert 'value="merge"' in _text(client.get("/moderation"))
    refused = post_form(client, "/moderation/decisions", {
        "target_type": "proposal", "target_id": third.id, "action": "merge", "into_id": str(third.id)},
        token_from="/moderation")
    assert refused.status_code == 302
    assert "Une contribution ne peut pas être fusionnée dans elle-même." in _text(client.get("/moderation"))
    response = post_form(client, "/moderation/decisions", {
        "target_type": "proposal", "target_id": third.id, "action": "merge", "into_id": f"n° {kept.id}"},
        token_from="/moderation")
    assert response.headers["Location"] == f"/proposals/{kept.id}"
    assert db.session.scalar(select(func.count()).select_from(Proposal).where(
        Proposal.merged_into_id == kept.id)) == 2

    log = _text(client.get("/moderation/log"))
    assert "Fusionnée dans" in log or "fusionnée dans" in log.lower()


def test_a_moderator_cannot_merge_into_their_own_proposal(consultation, duplicate, moderator):
    their_own = ProposalFactory(consultation=consultation, author=moderator)
    commit_setup()
    with pytest.raises(Forbidden) as caught:
        _merge(moderator, duplicate, their_own)
    assert caught.value.code == "own_content"
    assert db.session.get(type(duplicate), duplicate.id).status != "merged"
