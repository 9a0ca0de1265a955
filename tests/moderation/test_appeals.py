"""Appeals: the author contests a hide decision once; another moderator upholds or overturns it; the outcome is
public (never the appeal's text), audited, and the author is told. Services, pages and the API."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import appeals, services
from deliberation.moderation.appeals import AppealStatus, ModerationAppeal
from deliberation.notifications.models import Notification
from deliberation.proposals.models import CommentStatus, Proposal, ProposalStatus
from tests.factories import CommentFactory, UserFactory
from tests.helpers import bearer, commit_setup, post_form, sign_in
from tests.moderation.conftest import HIDDEN_TITLE

APPEAL_TEXT = "Je ne nomme personne, il s'agit d'un personnage de fiction."


@pytest.fixture
def second_moderator(db_session):
    return UserFactory(display_name="Noé le second modérateur", roles=["moderator"])


def _hide(target_type, target_id, moderator, reason="offensive"):
    with unit_of_work():
        services.report_content(UserFactory(), target_type, target_id, reason=reason)
        decision = services.decide(moderator, target_type, target_id, action="hide", reason=reason)
    commit_setup()
    return decision


def _refused(call) -> Exception:
    with pytest.raises((Conflict, Forbidden, Invalid, NotFound, Unauthenticated)) as caught:
        call()
    return caught.value


def _kinds(user) -> list[str]:
    return [n.kind for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                               .order_by(Notification.id))]


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_author_contests_once_and_another_moderator_upholds(proposal, author, moderator, second_moderator,
                                                                 mail_outbox):
    decision = _hide("proposal", proposal.id, moderator)
    with unit_of_work():
        appeal = appeals.contest(author, decision.id, text=f"  {APPEAL_TEXT}  ")
    assert (appeal.status, appeal.text, appeal.author_id) == (AppealStatus.OPEN, APPEAL_TEXT, author.id)

    second = _refused(lambda: appeals.contest(author, decision.id, text="Encore."))
    assert (second.status, second.code) == (409, "already_appealed")
    own = _refused(lambda: appeals.decide_appeal(moderator, appeal.id, outcome="uphold"))
    assert (own.status, own.code) == (403, "own_decision")

    with unit_of_work():
        appeals.decide_appeal(second_moderator, appeal.id, outcome="uphold", reason="Le nom est reconnaissable.")
    assert appeal.status == AppealStatus.UPHELD and appeal.decided_by_id == second_moderator.id
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.HIDDEN
    assert _kinds(author)[-1] == "moderation_appeal_upheld"
    assert any("la décision est maintenue" in mail["Subject"] for mail in mail_outbox)
    closed = _refused(lambda: appeals.decide_appeal(second_moderator, appeal.id, outcome="overturn"))
    assert (closed.status, closed.code) == (409, "appeal_closed")
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.position))]
    assert "moderation_appeal_opened" in actions and "moderation_appeal_upheld" in actions


def test_an_overturn_restores_the_item_through_a_restore_decision(proposal, author, moderator, second_moderator):
    decision = _hide("proposal", proposal.id, moderator)
    with unit_of_work():
        appeal = appeals.contest(author, decision.id, text=APPEAL_TEXT)
        appeals.decide_appeal(second_moderator, appeal.id, outcome="overturn")
    assert appeal.status == AppealStatus.OVERTURNED
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.PUBLISHED
    restore = db.session.get(type(decision), appeal.restore_decision_id)
    assert restore.action == "restore" and restore.moderator_id == second_moderator.id
    # Told once, by the appeal's outcome: not also by the restore it made.
    assert _kinds(author)[-2:] == ["moderation_hidden", "moderation_appeal_overturned"]


def test_who_may_contest_and_who_may_decide(proposal, author, moderator, second_moderator, reporter):
    decision = _hide("proposal", proposal.id, moderator)
    assert _refused(lambda: appeals.contest(None, decision.id, text="x")).status == 401
    stranger = _refused(lambda: appeals.contest(reporter, decision.id, text="x"))
    assert (stranger.status, stranger.code) == (403, "not_author")
    assert _refused(lambda: appeals.contest(author, 999999, text="x")).status == 404
    empty = _refused(lambda: appeals.contest(author, decision.id, text="   "))
    assert (empty.status, set(empty.fields)) == (422, {"text"})
    long = _refused(lambda: appeals.contest(author, decision.id, text="x" * 1001))
    assert set(long.fields) == {"text"}
    with unit_of_work():
        appeal = appeals.contest(author, decision.id, text="x" * 1000)
    resident = _refused(lambda: appeals.decide_appeal(reporter, appeal.id, outcome="uphold"))
    assert (resident.status, resident.code) == (403, "not_moderator")
    bad = _refused(lambda: appeals.decide_appeal(second_moderator, appeal.id, outcome="maybe"))
    assert set(bad.fields) == {"outcome"}


def test_an_automatic_hiding_can_be_contested_and_any_moderator_decides(consultation, proposal, author,
                                                                        moderator):
    consultation.report_threshold = 1
    with unit_of_work():
        services.report_content(UserFactory(), "proposal", proposal.id, reason="spam")
    decision = services.latest_hide("proposal", proposal.id)
    assert decision.automatic
    with unit_of_work():
        appeal = appeals.contest(author, decision.id, text=APPEAL_TEXT)
        appeals.decide_appeal(moderator, appeal.id, outcome="overturn")
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.PUBLISHED


def test_a_comment_author_contests_from_the_placeholder(client, proposal, moderator, second_moderator):
    writer = UserFactory(display_name="Lou")
    comment = CommentFactory(proposal=proposal, author=writer, body="Un commentaire discutable.")
    decision = _hide("comment", comment.id, moderator)
    sign_in(client, writer)
    path = f"/proposals/{proposal.id}"
    page = _text(client.get(path))
    assert "Contester cette décision" in page
    response = post_form(client, f"/moderation/decisions/{decision.id}/appeal",
                         {"text": APPEAL_TEXT, "next": f"{path}#comment-{comment.id}"}, token_from=path)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#comment-{comment.id}")
    page = _text(client.get(path))
    assert "Votre recours a été transmis" in page and "Vous avez contesté cette décision le" in page
    assert "Contester cette décision" not in page

    sign_in(client, second_moderator)
    queue = _text(client.get("/moderation"))
    assert "Recours en attente de décision" in queue and APPEAL_TEXT in queue
    appeal = db.session.scalar(select(ModerationAppeal))
    response = post_form(client, f"/moderation/appeals/{appeal.id}/decision", {"outcome": "overturn"},
                         token_from="/moderation")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(comment), comment.id).status == CommentStatus.PUBLISHED

    log = _text(client.get("/moderation/log"))
    assert "recours : décision levée" in log and APPEAL_TEXT not in log


def test_the_queue_tells_the_deciding_moderator_someone_else_decides(client, proposal, author, moderator):
    decision = _hide("proposal", proposal.id, moderator)
    with unit_of_work():
        appeals.contest(author, decision.id, text=APPEAL_TEXT)
    commit_setup()
    sign_in(client, moderator)
    page = _text(client.get("/moderation"))
    assert APPEAL_TEXT in page and "un·e autre modérateur·rice décide du recours" in page
    assert 'action="/moderation/appeals/' not in page


def test_the_appeal_page_from_a_notification(client, proposal, author, moderator, reporter):
    decision = _hide("proposal", proposal.id, moderator)
    path = f"/moderation/decisions/{decision.id}/appeal"
    sign_in(client, reporter)
    assert client.get(path).status_code == 403
    sign_in(client, author)
    page = _text(client.get(path))
    assert "Contester une décision de modération" in page and "Envoyer mon recours" in page
    response = post_form(client, path, {"text": ""})
    assert response.status_code == 302
    assert db.session.scalar(select(ModerationAppeal)) is None


def test_api_appeal_and_decision(client, proposal, author, moderator, second_moderator, reporter):
    decision = _hide("proposal", proposal.id, moderator)
    url = f"/api/v1/moderation/decisions/{decision.id}/appeal"
    assert client.post(url, json={"text": APPEAL_TEXT}).status_code == 401
    refused = client.post(url, json={"text": APPEAL_TEXT}, headers=bearer(reporter))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_author"
    created = client.post(url, json={"text": APPEAL_TEXT}, headers=bearer(author))
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["status"] == "open" and body["decision_id"] == decision.id
    again = client.post(url, json={"text": APPEAL_TEXT}, headers=bearer(author))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_appealed"

    decide = f"/api/v1/moderation/appeals/{body['id']}/decision"
    own = client.post(decide, json={"outcome": "uphold"}, headers=bearer(moderator))
    assert own.status_code == 403 and own.get_json()["error"]["code"] == "own_decision"
    assert client.post(decide, json={"outcome": "later"}, headers=bearer(second_moderator)).status_code == 422
    done = client.post(decide, json={"outcome": "overturn", "reason": "Fiction."}, headers=bearer(second_moderator))
    assert done.status_code == 200 and done.get_json()["status"] == "overturned"
    log = client.get("/api/v1/moderation/log").get_json()
    assert APPEAL_TEXT not in str(log) and HIDDEN_TITLE not in str(log)


def test_the_log_counts_decisions_and_appeal_outcomes_per_month(client, proposal, author, moderator,
                                                                 second_moderator):
    from datetime import UTC, datetime

    from deliberation.core import clock

    with clock.frozen_at(datetime(2026, 10, 20, 10, 0, tzinfo=UTC)):
        decision = _hide("proposal", proposal.id, moderator)
        with unit_of_work():
            appeal = appeals.contest(author, decision.id, text=APPEAL_TEXT)
    with clock.frozen_at(datetime(2026, 11, 3, 10, 0, tzinfo=UTC)):
        with unit_of_work():
            appeals.decide_appeal(second_moderator, appeal.id, outcome="overturn")
        commit_setup()
        rows = appeals.with_appeal_outcomes(services.monthly_counts())
        page = _text(client.get("/moderation/log"))
    assert [(month.month, counts) for month, counts in rows] == [
        (11, {"restore": 1, "appeal_overturned": 1}), (10, {"hide": 1})]
    assert "Recours : décision levée" in page and "Novembre 2026" in page and "Octobre 2026" in page

    proposal.consultation.is_published = False  # an unpublished consultation's decisions and appeals: not counted
    commit_setup()
    with clock.frozen_at(datetime(2026, 11, 3, 11, 0, tzinfo=UTC)):
        assert appeals.with_appeal_outcomes(services.monthly_counts()) == []


def test_the_hiding_e_mail_says_the_author_can_contest(proposal, author, moderator, mail_outbox):
    _hide("proposal", proposal.id, moderator)
    [mail] = [m for m in mail_outbox if m["To"] == author.email]
    assert "vous pouvez contester cette décision une fois" in mail.get_content()


def test_overturning_an_item_restored_meanwhile_changes_nothing_else(proposal, author, moderator,
                                                                     second_moderator):
    decision = _hide("proposal", proposal.id, moderator)
    with unit_of_work():
        appeal = appeals.contest(author, decision.id, text=APPEAL_TEXT)
        services.decide(moderator, "proposal", proposal.id, action="restore")
        appeals.decide_appeal(second_moderator, appeal.id, outcome="overturn")
    assert appeal.status == AppealStatus.OVERTURNED and appeal.restore_decision_id is None
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.PUBLISHED


def test_only_the_hiding_that_holds_now_can_be_contested_and_nobody_who_hid_it_decides(
        consultation, proposal, author, moderator, second_moderator):
    consultation.report_threshold = 1
    commit_setup()
    with unit_of_work():
        services.report_content(UserFactory(), "proposal", proposal.id, reason="offensive")
    automatic = services.latest_hide("proposal", proposal.id)
    assert automatic.automatic
    with unit_of_work():
        confirmed = services.decide(moderator, "proposal", proposal.id, action="hide", reason="offensive")
    commit_setup()

    assert _refused(lambda: appeals.contest(author, automatic.id, text=APPEAL_TEXT)).code == "not_appealable"
    with unit_of_work():
        appeal = appeals.contest(author, confirmed.id, text=APPEAL_TEXT)
    commit_setup()
    # The moderator who confirmed the hiding may not judge the appeal, even through the other decision.
    assert _refused(lambda: appeals.decide_appeal(moderator, appeal.id, outcome="uphold")).code == "own_decision"
    with unit_of_work():
        appeals.decide_appeal(second_moderator, appeal.id, outcome="uphold")


def test_a_moderator_who_reported_the_item_does_not_judge_its_appeal(proposal, author, moderator,
                                                                      second_moderator):
    with unit_of_work():
        services.report_content(second_moderator, "proposal", proposal.id, reason="offensive")
    decision = _hide("proposal", proposal.id, moderator)
    with unit_of_work():
        appeal = appeals.contest(author, decision.id, text=APPEAL_TEXT)
    commit_setup()
    assert _refused(lambda: appeals.decide_appeal(second_moderator, appeal.id, outcome="overturn")).code \
        == "own_report"


def test_a_blocked_account_neither_contests_nor_judges(proposal, author, moderator, second_moderator):
    decision = _hide("proposal", proposal.id, moderator)
    author.blocked_at = second_moderator.blocked_at = decision.decided_at
    commit_setup()
    assert _refused(lambda: appeals.contest(author, decision.id, text=APPEAL_TEXT)).code == "account_blocked"
    author.blocked_at = None
    commit_setup()
    with unit_of_work():
        appeal = appeals.contest(author, decision.id, text=APPEAL_TEXT)
    commit_setup()
    assert _refused(lambda: appeals.decide_appeal(second_moderator, appeal.id, outcome="uphold")).code \
        == "account_blocked"
