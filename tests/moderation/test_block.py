"""Blocking an account (issue #4, item 3): who may block, what a blocked person can no longer do and is told,
what they still can, hiding their contributions, unblocking, the audit and the anonymous public log."""

from __future__ import annotations

import html
import json

import pytest
from sqlalchemy import select

from deliberation.accounts.models import User
from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Conflict, DomainError, Forbidden, Invalid
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import services
from deliberation.moderation.models import ModerationAction, ModerationDecision
from deliberation.proposals import services as proposal_services
from deliberation.proposals.models import Comment, CommentStatus, Proposal, ProposalStatus
from tests.factories import CommentFactory, ConsultationFactory, ProposalFactory, UserFactory
from tests.helpers import bearer, commit_setup, post_form, sign_in

JUSTIFICATION = "Messages injurieux répétés envers d'autres habitant·es malgré deux avertissements."


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _block(actor, user, **extra):
    return services.decide(actor, "user", user.id, action="block", justification=JUSTIFICATION, **extra)


@pytest.fixture
def troll(db_session):
    return UserFactory(display_name="Tony le troll")


def test_who_may_block(consultation, troll, moderator, author):
    scoped = UserFactory(roles=[("moderator", consultation)])
    admin = UserFactory(roles=["admin"])
    resident = UserFactory()
    commit_setup()
    cases = [
        (lambda: _block(scoped, troll), Forbidden, "not_global_moderator"),
        (lambda: _block(resident, troll), Forbidden, "not_global_moderator"),
        (lambda: _block(moderator, moderator), Forbidden, "own_account"),
        (lambda: _block(moderator, admin), Conflict, "not_blockable"),
        (lambda: services.decide(moderator, "user", troll.id, action="block"), Invalid, "validation_error"),
        (lambda: _block(moderator, troll, hide_content=True), Invalid, "validation_error"),
        (lambda: services.decide(moderator, "user", troll.id, action="hide", justification="x"), Invalid,
         "block_action"),
        (lambda: services.decide(moderator, "proposal", 1, action="block"), DomainError, None),
        (lambda: services.decide(moderator, "user", troll.id, action="unblock"), Conflict, "not_blocked"),
    ]
    for call, kind, code in cases:
        with pytest.raises(kind) as caught:
            with unit_of_work():
                call()
        if code:
            assert caught.value.code == code and caught.value.message
    assert not db.session.get(User, troll.id).is_blocked

    for actor in (moderator, admin):
        with unit_of_work():
            decision = _block(actor, troll)
        assert (decision.action, decision.target_type, decision.consultation_id) == ("block", "user", None)
        with pytest.raises(Conflict) as caught:
            with unit_of_work():
                _block(actor, troll)
        assert caught.value.code == "already_blocked"
        with unit_of_work():
            services.decide(actor, "user", troll.id, action="unblock")
        assert not db.session.get(User, troll.id).is_blocked


def test_a_blocked_person_cannot_post_and_is_told_why(consultation, troll, moderator, proposal):
    mine = ProposalFactory(consultation=consultation, author=troll)
    with unit_of_work():
        _block(moderator, troll)
    commit_setup()
    refusals = [
        lambda: proposal_services.submit_proposal(consultation, troll, title="Encore", body="Encore moi."),
        lambda: proposal_services.support_proposal(proposal, troll),
        lambda: proposal_services.post_comment(proposal, troll, body="Encore moi.", stance="against"),
        lambda: proposal_services.edit_proposal(mine, troll, title="Changé", body="Changé."),
        lambda: services.report_content(troll, "proposal", proposal.id, reason="spam"),
    ]
    for call in refusals:
        with pytest.raises(Forbidden) as caught:
            with unit_of_work():
                call()
        assert caught.value.code == "account_blocked"
        assert "Votre compte est bloqué par la modération" in caught.value.message
    # What they still can: withdraw their own proposal (reading, their data and deleting: see the pages test).
    with unit_of_work():
        proposal_services.withdraw_proposal(mine, troll)
    assert db.session.get(Proposal, mine.id).status == ProposalStatus.WITHDRAWN


def test_hiding_all_their_content_one_decision_each(consultation, troll, moderator, proposal):
    theirs = ProposalFactory(consultation=consultation, author=troll)
    elsewhere = ProposalFactory(consultation=ConsultationFactory(), author=troll)
    comment = CommentFactory(proposal=proposal, author=troll)
    with unit_of_work():
        _block(moderator, troll, hide_content=True, reason="offensive")
    for obj in (theirs, elsewhere):
        assert db.session.get(Proposal, obj.id).status == ProposalStatus.HIDDEN
    assert db.session.get(Comment, comment.id).status == CommentStatus.HIDDEN
    hides = list(db.session.scalars(select(ModerationDecision).where(
        ModerationDecision.action == ModerationAction.HIDE)))
    assert {(d.target_type, d.target_id) for d in hides} == {
        ("proposal", theirs.id), ("proposal", elsewhere.id), ("comment", comment.id)}
    # The justification is for the blocked person: next to « un compte bloqué » it would say who was blocked.
    assert all(d.reason == "offensive" and d.public_note is None for d in hides)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "moderation_block"))
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.details["hidden"]) == (
        moderator.id, "user", troll.id, 3)


def test_the_api_and_the_anonymous_public_log(client, troll, moderator):
    commit_setup()
    scoped = UserFactory(roles=[("moderator", ConsultationFactory())])
    commit_setup()
    refused = client.post("/api/v1/moderation/decisions", headers=bearer(scoped), json={
        "target_type": "user", "target_id": troll.id, "action": "block", "justification": JUSTIFICATION})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_global_moderator"
    response = client.post("/api/v1/moderation/decisions", headers=bearer(moderator), json={
        "target_type": "user", "target_id": troll.id, "action": "block", "justification": JUSTIFICATION})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["target_type"], body["action"], body["target_id"]) == ("user", "block", None)

    token = bearer(troll)
    refused = client.post(f"/api/v1/proposals/{ProposalFactory().id}/supports", headers=token)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "account_blocked"

    log = client.get("/api/v1/moderation/log").get_json()
    assert log["items"][0]["target_type_label"] == "un compte"
    dumped = json.dumps(log, ensure_ascii=False)
    assert "Tony" not in dumped and JUSTIFICATION not in dumped
    page = _text(client.get("/moderation/log"))
    assert "Un compte" in page and "Compte bloqué" in page and "Tony" not in page

    response = client.post("/api/v1/moderation/decisions", headers=bearer(moderator), json={
        "target_type": "user", "target_id": troll.id, "action": "unblock"})
    assert response.status_code == 201
    assert [e.action for e in db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "user"))] == [
        "moderation_block", "moderation_unblock"]


def test_pages_block_from_the_queue_account_page_and_unblock(client, consultation, troll, moderator, proposal):
    theirs = ProposalFactory(consultation=consultation, author=troll)
    with unit_of_work():
        services.report_content(UserFactory(), "proposal", theirs.id, reason="offensive")
    commit_setup()
    sign_in(client, moderator)
    queue = _text(client.get("/moderation"))
    assert f'name="target_id" value="{troll.id}"' in queue and "Bloquer le compte" in queue
    response = post_form(client, "/moderation/decisions", {
        "target_type": "user", "target_id": troll.id, "action": "block", "justification": JUSTIFICATION,
        "hide_content": "y", "reason": "offensive"}, token_from="/moderation")
    assert response.status_code == 302
    assert db.session.get(User, troll.id).is_blocked
    assert db.session.get(Proposal, theirs.id).status == ProposalStatus.HIDDEN
    assert "Tony le troll" in _text(client.get("/moderation/accounts"))

    sign_in(client, troll)
    account = _text(client.get("/account"))
    assert "Votre compte est bloqué" in account and JUSTIFICATION in account
    data = client.get("/account/data.json")
    assert data.status_code == 200 and data.get_json()["profile"]["block_reason"] == JUSTIFICATION
    page = _text(client.get(f"/proposals/{proposal.id}"))
    assert "vous ne pouvez pas soutenir" in page and "vous ne pouvez pas commenter" in page
    refused = post_form(client, f"/consultations/{consultation.id}/proposals/new",
                        {"title": "Encore", "body": "Encore moi.", "kind": "proposal"},
                        token_from=f"/proposals/{proposal.id}")
    assert refused.status_code == 403 and "Votre compte est bloqué par la modération" in _text(refused)
    response = post_form(client, f"/proposals/{proposal.id}/support", {}, token_from=f"/proposals/{proposal.id}")
    assert response.status_code == 302
    assert "Votre compte est bloqué par la modération" in _text(client.get(f"/proposals/{proposal.id}"))
    assert db.session.get(Proposal, proposal.id).supports_count == 0

    sign_in(client, moderator)
    response = post_form(client, "/moderation/decisions", {
        "target_type": "user", "target_id": troll.id, "action": "unblock", "next": "/moderation/accounts"},
        token_from="/moderation/accounts")
    assert response.status_code == 302 and response.headers["Location"] == "/moderation/accounts"
    assert not db.session.get(User, troll.id).is_blocked


def test_a_consultation_moderator_cannot_block_nor_see_the_blocked_accounts(client, consultation, troll):
    scoped = UserFactory(roles=[("moderator", consultation)])
    commit_setup()
    sign_in(client, scoped)
    assert client.get("/moderation/accounts").status_code == 403
    response = post_form(client, "/moderation/decisions", {
        "target_type": "user", "target_id": troll.id, "action": "block", "justification": JUSTIFICATION},
        token_from="/moderation")
    assert response.status_code == 302
    assert not db.session.get(User, troll.id).is_blocked


def test_a_blocked_person_can_still_delete_their_account(troll, moderator):
    from deliberation.accounts.personal_data import delete_account

    with unit_of_work():
        _block(moderator, troll)
    with unit_of_work():
        delete_account(troll)
    user = db.session.get(User, troll.id)
    assert user.is_deleted and user.block_reason is None


def test_a_blocked_moderator_loses_every_moderation_power(consultation, troll, moderator, proposal):
    global_moderator = UserFactory(roles=["moderator"])
    with unit_of_work():
        services.report_content(UserFactory(), "proposal", proposal.id, reason="offensive")
    with unit_of_work():
        _block(global_moderator, moderator)
    commit_setup()
    with pytest.raises(Forbidden) as caught:
        services.decide(moderator, "proposal", proposal.id, action="hide", reason="offensive")
    assert caught.value.code == "account_blocked"
    with pytest.raises(Forbidden) as caught:
        _block(moderator, global_moderator)
    assert caught.value.code == "account_blocked"
    assert not services.policies.can_open_queue(moderator)
