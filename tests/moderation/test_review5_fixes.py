"""Regressions of the fifth review: what appeals, merges, notifications and blocked accounts show to whom."""

from __future__ import annotations

import html

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from deliberation.accounts.models import User
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import appeals, services
from deliberation.moderation.appeals import AppealStatus, ModerationAppeal
from deliberation.notifications.models import Notification
from deliberation.notifications.services import messages_for
from deliberation.proposals.models import Proposal, ProposalStatus
from tests.factories import CommentFactory, ProposalFactory, UserFactory
from tests.helpers import bearer, commit_setup, post_form, sign_in
from tests.moderation.conftest import HIDDEN_TITLE

APPEAL_TEXT = "Je ne vise personne."
PENDING_TITLE = "Titre jamais publié : Paul Durand triche aux impôts"


@pytest.fixture
def second_moderator(db_session):
    return UserFactory(display_name="Noé le second modérateur", roles=["moderator"])


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _notifications(user, kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.kind == kind)))


# 1. The outcome of an appeal does not give away the title of a proposal one may not read ----------------------


def test_the_appeal_outcome_names_a_hidden_proposal_by_its_number_only(client, proposal, moderator,
                                                                       second_moderator, mail_outbox):
    writer = UserFactory(display_name="Lou", email="lou@example.org")
    comment = CommentFactory(proposal=proposal, author=writer)
    commit_setup()
    with unit_of_work():
        decision = services.decide(moderator, "comment", comment.id, action="hide", reason="offensive")
        appeal = appeals.contest(writer, decision.id, text=APPEAL_TEXT)
        services.decide(moderator, "proposal", proposal.id, action="hide", reason="personal_data")
    commit_setup()
    mail_outbox.clear()
    with unit_of_work():
        appeals.decide_appeal(second_moderator, appeal.id, outcome="uphold")
    commit_setup()

    [notification] = _notifications(writer, "moderation_appeal_upheld")
    assert notification.params["proposal"] is None  # named by its number, in the reader's language
    with force_locale("en"):
        assert f"“no. {proposal.id}”" in str(messages_for([notification])[notification.id])
    mails = [mail for mail in mail_outbox if mail["To"] == writer.email]
    assert mails and all(HIDDEN_TITLE not in mail["Subject"] and HIDDEN_TITLE not in mail.get_content()
                         for mail in mails)
    sign_in(client, writer)
    page = _text(client.get("/notifications/"))
    # (The earlier notification of the comment's hiding named the proposal: it was public then.)
    assert f"Votre recours sur « n° {proposal.id} » a été examiné" in page
    assert f"Votre recours sur « {HIDDEN_TITLE} »" not in page


def test_the_appeal_outcome_names_a_public_proposal_by_its_title(proposal, moderator, second_moderator):
    writer = UserFactory()
    comment = CommentFactory(proposal=proposal, author=writer)
    commit_setup()
    with unit_of_work():
        decision = services.decide(moderator, "comment", comment.id, action="hide", reason="offensive")
        appeal = appeals.contest(writer, decision.id, text=APPEAL_TEXT)
        appeals.decide_appeal(second_moderator, appeal.id, outcome="overturn")
    [notification] = _notifications(writer, "moderation_appeal_overturned")
    assert notification.params["proposal"] == HIDDEN_TITLE


# 2. A duplicate merged while awaiting moderation keeps its title unpublished -----------------------------------


def test_a_duplicate_merged_while_awaiting_moderation_shows_by_its_number(client, consultation, proposal, author,
                                                                          moderator):
    other_author = UserFactory()
    pending = ProposalFactory(consultation=consultation, author=other_author, title=PENDING_TITLE,
                              status=ProposalStatus.PENDING_MODERATION)
    published = ProposalFactory(consultation=consultation, author=UserFactory(), title="Un doublon publié")
    commit_setup()
    with unit_of_work():
        services.decide(moderator, "proposal", pending.id, action="merge", into_id=proposal.id)
        services.decide(moderator, "proposal", published.id, action="merge", into_id=proposal.id)
    commit_setup()

    page = _text(client.get(f"/proposals/{proposal.id}"))
    assert PENDING_TITLE not in page
    assert f"Contribution n° {pending.id}</li>" in page
    assert f"Contribution n° {published.id} : « Un doublon publié »" in page
    told = {n.params["from"] for n in _notifications(author, "moderation_merged_into")}
    assert told == {None, "Un doublon publié"}
    sign_in(client, author)
    notifications_page = _text(client.get("/notifications/"))
    assert PENDING_TITLE not in notifications_page and f"« n° {pending.id} »" in notifications_page
    # Its own author still reads its title.
    [own] = _notifications(other_author, "moderation_merged")
    assert own.params["proposal"] == PENDING_TITLE


# 3. Overturning an appeal whose decision a later hiding superseded ---------------------------------------------


@pytest.fixture
def superseded_appeal(consultation, proposal, author, moderator):
    """An automatic hiding contested by the author, then confirmed by `moderator`'s own hiding."""
    consultation.report_threshold = 1
    commit_setup()
    with unit_of_work():
        services.report_content(UserFactory(), "proposal", proposal.id, reason="spam")
    automatic = services.latest_hide("proposal", proposal.id)
    assert automatic.automatic
    with unit_of_work():
        appeal = appeals.contest(author, automatic.id, text=APPEAL_TEXT)
        services.decide(moderator, "proposal", proposal.id, action="hide", reason="offensive")
    commit_setup()
    return appeal


def test_overturning_an_appeal_superseded_by_a_later_hiding_is_refused(client, proposal, author, second_moderator,
                                                                       superseded_appeal):
    decide = f"/api/v1/moderation/appeals/{superseded_appeal.id}/decision"
    response = client.post(decide, json={"outcome": "overturn"}, headers=bearer(second_moderator))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "decision_superseded"
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.HIDDEN
    assert db.session.get(ModerationAppeal, superseded_appeal.id).status == AppealStatus.OPEN
    assert _notifications(author, "moderation_appeal_overturned") == []
    # It can still be upheld, and the author can contest the later hiding.
    response = client.post(decide, json={"outcome": "uphold"}, headers=bearer(second_moderator))
    assert response.status_code == 200 and response.get_json()["status"] == "upheld"
    later = services.latest_hide("proposal", proposal.id)
    assert appeals.can_appeal(db.session.get(User, author.id), later)


def test_the_queue_says_why_a_superseded_appeal_is_not_overturned(client, proposal, second_moderator,
                                                                  superseded_appeal):
    sign_in(client, second_moderator)
    response = post_form(client, f"/moderation/appeals/{superseded_appeal.id}/decision", {"outcome": "overturn"},
                         token_from="/moderation")
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "Une décision plus récente masque cet élément" in page
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.HIDDEN


# 4. A notification number beyond the id column ------------------------------------------------------------------


@pytest.mark.parametrize("ident", ["0", "2147483648", "9223372036854775808", "99999999999999999999"])
def test_marking_a_notification_out_of_range_read_is_not_found(client, ident):
    from tests.conftest import csrf_token_from

    user = UserFactory()
    commit_setup()
    sign_in(client, user)
    token = csrf_token_from(client.get("/notifications/"))
    assert client.post(f"/notifications/{ident}/read", data={"csrf_token": token}).status_code == 404


# 5. A blocked account keeps its public name -----------------------------------------------------------------------


def test_a_blocked_account_cannot_rename_itself_but_may_change_its_language(client, consultation, moderator):
    troll = UserFactory(display_name="Troll")
    proposal = ProposalFactory(consultation=consultation, author=troll)
    commit_setup()
    with unit_of_work():
        services.decide(moderator, "user", troll.id, action="block", justification="Insultes répétées.")
    commit_setup()
    sign_in(client, troll)

    response = post_form(client, "/account/profile", {"display_name": "Le maire est un escroc", "locale": "fr"},
                         token_from="/account")
    assert response.status_code == 403
    assert "Votre compte est bloqué par la modération" in _text(response)
    db.session.expire_all()
    assert db.session.get(User, troll.id).display_name == "Troll"
    assert "Le maire est un escroc" not in _text(client.application.test_client().get(f"/proposals/{proposal.id}"))

    response = post_form(client, "/account/profile", {"display_name": "Troll", "locale": "en"},
                         token_from="/account")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, troll.id).locale == "en"
