"""notify(): a row in the caller's transaction, an e-mail only once it committed; reading and counting."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from deliberation.accounts.models import DELETED_USER_LABEL
from deliberation.core import clock
from deliberation.core.errors import NotFound
from deliberation.core.transaction import unit_of_work
from deliberation.notifications import services
from deliberation.notifications.models import Notification
from deliberation.proposals.models import PROPOSAL_STATUS_LABELS, ProposalStatus
from tests.factories import UserFactory


def _count(db_session, user) -> int:
    return db_session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == user.id))


def test_notify_stores_a_row_and_sends_the_email_only_after_the_commit(db_session, mail_outbox):
    marie = UserFactory(display_name="Marie")
    karim = UserFactory(display_name="Karim")

    with unit_of_work():
        notification = services.notify(marie, "comment_on_my_proposal", actor=karim, link="/proposals/7",
                                       params={"proposal_id": 7, "proposal": "Un banc place Jaurès"})
        assert mail_outbox == [], "an e-mail left before the commit"

    assert _count(db_session, marie) == 1
    assert notification.params == {"proposal_id": 7, "proposal": "Un banc place Jaurès", "actor_id": karim.id}
    assert notification.read_at is None
    [message] = mail_outbox
    assert message["To"] == marie.email
    # French by default, with the actor and the proposal in the subject and body, and a link back.
    assert message["Subject"] == "Nouveau commentaire sur votre proposition « Un banc place Jaurès »"
    body = message.get_content()
    assert "Bonjour Marie," in body
    assert "Karim a commenté votre proposition « Un banc place Jaurès »." in body
    assert "http://127.0.0.1:5000/proposals/7" in body


def test_a_rolled_back_unit_of_work_stores_nothing_and_sends_nothing(db_session, mail_outbox):
    marie = UserFactory()

    with pytest.raises(RuntimeError), unit_of_work():
        services.notify(marie, "comment_on_my_proposal", link="/proposals/1", params={"proposal": "Un banc"})
        raise RuntimeError("the service failed after notifying")

    assert _count(db_session, marie) == 0
    assert mail_outbox == []


def test_the_email_is_written_in_the_recipients_language(db_session, mail_outbox, notify_committed):
    alex = UserFactory(locale="en")

    notify_committed(alex, "proposal_status_changed",
                     params={"proposal": "A bench", "status": "under_review"})

    [message] = mail_outbox
    assert message["Subject"] == "Your proposal “A bench” is now: under review"
    assert "Hello" in message.get_content()
    assert "Your proposal “A bench” is now: under review." in message.get_content()


@pytest.mark.parametrize("locale", [None, "xx"])
def test_an_unknown_or_missing_language_falls_back_to_french(db_session, mail_outbox, notify_committed,
                                                             locale):
    notify_committed(UserFactory(locale=locale), "proposal_status_changed",
                     params={"proposal": "Un banc", "status": "done"})

    with force_locale("fr"):
        done = str(PROPOSAL_STATUS_LABELS[ProposalStatus.DONE])
    assert mail_outbox[0]["Subject"] == f"Votre proposition « Un banc » est maintenant : {done}"


def test_no_email_when_not_wanted(db_session, mail_outbox, notify_committed):
    marie = UserFactory()

    notify_committed(marie, email=False)

    assert _count(db_session, marie) == 1
    assert mail_outbox == []


def test_a_deleted_account_is_never_notified(db_session, mail_outbox, notify_committed):
    gone = UserFactory(email=None, deleted_at=clock.now())

    assert notify_committed(gone) is None
    assert _count(db_session, gone) == 0
    assert mail_outbox == []


@pytest.mark.parametrize("link",
                         ["https://evil.example/", "//evil.example/x", "/\\evil.example", "proposals/1", ""])
def test_a_notification_only_links_inside_the_site(db_session, notify_committed, link):
    with pytest.raises(ValueError):
        notify_committed(UserFactory(), link=link)


def test_an_unknown_kind_is_a_programming_error(db_session, notify_committed):
    with pytest.raises(ValueError):
        notify_committed(UserFactory(), "no_such_kind")


def test_the_file_backend_writes_an_eml_file_after_the_commit(app, db_session, tmp_path):
    saved = app.config["MAIL_BACKEND"], app.config["MAIL_DIRECTORY"]
    app.config.update(MAIL_BACKEND="file", MAIL_DIRECTORY=str(tmp_path / "mail"))
    try:
        marie = UserFactory(display_name="Marie")
        with unit_of_work():
            services.notify(marie, "comment_on_my_proposal", link="/proposals/3",
                            params={"proposal": "Un banc"})
            assert not (tmp_path / "mail").exists()
    finally:
        app.config["MAIL_BACKEND"], app.config["MAIL_DIRECTORY"] = saved

    [eml] = list((tmp_path / "mail").glob("*.eml"))
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == marie.email
    assert "Un banc" in message["Subject"]
    assert "/proposals/3" in message.get_content()


def test_mark_read_and_counts(db_session, notify_committed):
    marie, karim = UserFactory(), UserFactory()
    first = notify_committed(marie)
    notify_committed(marie)
    notify_committed(karim)

    assert services.count_unread(marie) == 2
    with unit_of_work():
        services.mark_read(first, marie)
    assert first.read_at is not None
    assert services.count_unread(marie) == 1

    read_at = first.read_at
    with unit_of_work():
        services.mark_read(first, marie)  # opening it again changes nothing
    assert first.read_at == read_at

    with unit_of_work():
        assert services.mark_all_read(marie) == 1
    assert services.count_unread(marie) == 0
    assert services.count_unread(karim) == 1, "marking all read touched someone else's notifications"


def test_someone_elses_notification_does_not_exist_for_you(db_session, notify_committed):
    marie, karim = UserFactory(), UserFactory()
    notification = notify_committed(marie)

    with pytest.raises(NotFound):
        services.get_notification(notification.id, karim)
    with pytest.raises(NotFound), unit_of_work():
        services.mark_read(notification, karim)
    assert notification.read_at is None
    with pytest.raises(NotFound):
        services.get_notification(notification.id + 1000, marie)


def test_list_is_newest_first_and_paginated(db_session, notify_committed):
    marie = UserFactory()
    start = clock.now() - timedelta(hours=1)
    for minutes in range(25):
        with clock.frozen_at(start + timedelta(minutes=minutes)):
            notify_committed(marie, params={"proposal": f"P{minutes}"}, email=False)
    notify_committed(UserFactory(), email=False)

    first = services.list_notifications(marie, 1)
    assert (first.total, first.pages, len(first.items)) == (25, 2, 20)
    assert [n.params["proposal"] for n in first.items[:3]] == ["P24", "P23", "P22"]
    second = services.list_notifications(marie, 2)
    assert [n.params["proposal"] for n in second.items] == ["P4", "P3", "P2", "P1", "P0"]
    assert services.list_notifications(marie, -3).page == 1


def test_messages_show_the_actors_current_name(db_session, notify_committed):
    marie, karim = UserFactory(), UserFactory(display_name="Karim")
    notification = notify_committed(marie, actor=karim, email=False, params={"proposal": "Un banc"})

    with force_locale("fr"):
        assert str(services.messages_for([notification])[notification.id]) == \
            "Karim a commenté votre proposition « Un banc »."

        karim.display_name, karim.deleted_at = None, clock.now()  # the account was erased since
        assert str(services.messages_for([notification])[notification.id]) == \
            f"{DELETED_USER_LABEL} a commenté votre proposition « Un banc »."
