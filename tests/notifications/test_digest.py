"""E-mail frequency: at once, daily or weekly digests, or never; the digest command; the account setting."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from deliberation.accounts.models import EmailFrequency
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.notifications import services
from deliberation.notifications.cli import send_digests_command
from deliberation.notifications.models import Notification
from tests.factories import UserFactory
from tests.helpers import commit_setup, post_form, sign_in


def _notify(user, title="Un banc"):
    with unit_of_work():
        return services.notify(user, "comment_on_my_proposal", params={"proposal": title, "proposal_id": 1},
                               link="/proposals/1")


def test_immediately_sends_at_once(db_session, mail_outbox):
    user = UserFactory(email_frequency=EmailFrequency.IMMEDIATELY)
    notification = _notify(user)
    assert len(mail_outbox) == 1
    assert notification.in_digest is False


@pytest.mark.parametrize("frequency", [EmailFrequency.DAILY, EmailFrequency.WEEKLY])
def test_digest_readers_get_no_e_mail_at_once(db_session, mail_outbox, frequency):
    user = UserFactory(email_frequency=frequency)
    notification = _notify(user)
    assert mail_outbox == []
    assert notification.in_digest is True


def test_never_sends_no_e_mail_but_keeps_the_notification(db_session, mail_outbox):
    user = UserFactory(email_frequency=EmailFrequency.NEVER)
    notification = _notify(user)
    assert mail_outbox == []
    assert notification.in_digest is False
    assert services.count_unread(user) == 1


def test_the_daily_digest_sends_one_e_mail_per_person_then_nothing(db_session, mail_outbox, app):
    daily = UserFactory(email="daily@example.org", email_frequency=EmailFrequency.DAILY)
    weekly = UserFactory(email="weekly@example.org", email_frequency=EmailFrequency.WEEKLY)
    _notify(daily, "Un banc")
    _notify(daily, "Une fontaine")
    _notify(weekly, "Un arbre")
    commit_setup()
    runner = app.test_cli_runner()
    result = runner.invoke(send_digests_command, ["--frequency", "daily"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1"
    assert [m["To"] for m in mail_outbox] == ["daily@example.org"]
    body = mail_outbox[0].get_content()
    assert "Un banc" in body and "Une fontaine" in body and "Un arbre" not in body
    assert "/proposals/1" in body
    pending = db.session.scalars(select(Notification).where(Notification.in_digest.is_(True))).all()
    assert [n.user_id for n in pending] == [weekly.id]
    # Run again: nothing left for the daily readers.
    assert runner.invoke(send_digests_command, ["--frequency", "daily"]).output.strip() == "0"
    assert len(mail_outbox) == 1
    assert runner.invoke(send_digests_command, ["--frequency", "weekly"]).output.strip() == "1"
    assert [m["To"] for m in mail_outbox] == ["daily@example.org", "weekly@example.org"]
    # Digested notifications stay in the app, unread.
    assert services.count_unread(daily) == 2


def test_a_digest_that_rolls_back_sends_nothing(db_session, mail_outbox):
    user = UserFactory(email_frequency=EmailFrequency.DAILY)
    _notify(user)
    commit_setup()
    with pytest.raises(RuntimeError), unit_of_work():
        services.send_digests("daily")
        raise RuntimeError("later failure")
    assert mail_outbox == []
    db.session.expire_all()
    assert db.session.scalars(select(Notification.in_digest)).all() == [True]


def test_leftovers_of_someone_who_left_the_digest_are_sent_or_dropped(db_session, mail_outbox):
    back_to_immediate = UserFactory(email="now@example.org", email_frequency=EmailFrequency.DAILY)
    silenced = UserFactory(email="silent@example.org", email_frequency=EmailFrequency.DAILY)
    _notify(back_to_immediate)
    _notify(silenced)
    back_to_immediate.email_frequency = EmailFrequency.IMMEDIATELY
    silenced.email_frequency = EmailFrequency.NEVER
    with unit_of_work():
        assert services.send_digests("daily") == 1
    assert [m["To"] for m in mail_outbox] == ["now@example.org"]
    assert db.session.scalars(select(Notification).where(Notification.in_digest.is_(True))).all() == []


def test_the_account_page_sets_the_frequency(client, db_session):
    user = UserFactory()
    sign_in(client, user)
    page = client.get("/account").get_data(as_text=True)
    assert '<input checked id="email_frequency-0" name="email_frequency" required type="radio" value="immediately">' \
        in page
    assert "Un récapitulatif hebdomadaire" in page
    response = post_form(client, "/account/notifications", {"email_frequency": "weekly"}, token_from="/account")
    assert response.status_code == 302
    db.session.expire_all()
    assert user.email_frequency == EmailFrequency.WEEKLY
    assert post_form(client, "/account/notifications", {"email_frequency": "hourly"},
                     token_from="/account").status_code == 422
    data = client.get("/account/data.json").get_json()
    assert data["profile"]["email_frequency"] == "weekly"


def test_the_setting_needs_a_sign_in(client, db_session):
    response = client.post("/account/notifications", data={"email_frequency": "never"})
    assert response.status_code in (302, 400)
