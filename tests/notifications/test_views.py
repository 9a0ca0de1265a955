"""The notifications page, opening a notification and marking all as read."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from deliberation.extensions import db
from deliberation.notifications.models import Notification
from tests.factories import UserFactory


@pytest.fixture
def marie(login):
    return login(UserFactory(display_name="Marie", locale="fr"))


def test_the_page_needs_a_signed_in_person(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_empty_list_says_so(client, marie):
    response = client.get("/notifications/")
    assert response.status_code == 200
    assert "Vous n’avez pas encore de notification" in response.get_data(as_text=True)


def test_the_list_shows_each_notification_newest_first_and_marks_unread_ones_in_text(
        client, marie, notify_committed):
    karim = UserFactory(display_name="Karim")
    older = notify_committed(marie, actor=karim, params={"proposal": "Un banc"})
    newer = notify_committed(marie, actor=karim, params={"proposal": "Des arbres"}, link="/proposals/2")
    older.read_at = older.created_at

    html = client.get("/notifications/").get_data(as_text=True)

    assert html.index("Des arbres") < html.index("Un banc")
    assert "Karim a commenté votre proposition « Des arbres »." in html
    assert html.count("Non lue") == 1  # said in words, not only with a colour
    assert "Vous avez 1 notification non lue." in html
    assert f'action="/notifications/{newer.id}/read"' in html
    assert f'<time datetime="{newer.created_at.isoformat()}">' in html
    # the header's badge comes from the context processor
    assert re.search(r'class="badge">1<span class="visually-hidden">', html)
    assert "Tout marquer comme lu" in html


def test_unread_count_is_one_query_and_zero_for_anonymous(client, app, notify_committed, login):
    assert '<span class="badge">' not in client.get("/").get_data(as_text=True)

    marie = login(UserFactory())
    notify_committed(marie)
    notify_committed(marie)
    counts = []

    def record(conn, cursor, statement, *args):
        if "FROM notifications" in statement:
            counts.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        html = client.get("/").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert re.search(r'class="badge">2<span', html)
    assert len(counts) == 1 and "count(" in counts[0].lower()


def test_opening_marks_read_and_follows_the_link(client, marie, csrf, notify_committed, db_session):
    notification = notify_committed(marie, link="/proposals/7#comment-3")

    response = client.post(f"/notifications/{notification.id}/read", data={"csrf_token": csrf()})

    assert response.status_code == 302
    assert response.headers["Location"] == "/proposals/7#comment-3"
    db_session.refresh(notification)
    assert notification.read_at is not None


def test_opening_needs_the_csrf_token(client, marie, notify_committed, db_session):
    notification = notify_committed(marie)

    response = client.post(f"/notifications/{notification.id}/read")

    assert response.status_code == 400
    db_session.refresh(notification)
    assert notification.read_at is None


def test_someone_elses_notification_is_not_found(client, marie, csrf, notify_committed, db_session):
    theirs = notify_committed(UserFactory())

    response = client.post(f"/notifications/{theirs.id}/read", data={"csrf_token": csrf()})

    assert response.status_code == 404
    db_session.refresh(theirs)
    assert theirs.read_at is None
    assert client.post("/notifications/999999/read", data={"csrf_token": csrf()}).status_code == 404


@pytest.mark.parametrize("stored_link",
                         ["https://evil.example/", "//evil.example/", "/\\evil.example/", "/\t/evil.example/",
                          "javascript:alert(1)", ""])
def test_opening_never_leaves_the_site(client, marie, csrf, db_session, stored_link):
    notification = Notification(user_id=marie.id, kind="comment_on_my_proposal", params={}, link=stored_link)
    db_session.add(notification)
    db_session.flush()

    response = client.post(f"/notifications/{notification.id}/read", data={"csrf_token": csrf()})

    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/"


def test_opening_needs_a_signed_in_person(client, csrf, notify_committed):
    notification = notify_committed(UserFactory())
    response = client.post(f"/notifications/{notification.id}/read", data={"csrf_token": csrf()})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_mark_all_as_read(client, marie, csrf, notify_committed, db_session):
    mine = [notify_committed(marie), notify_committed(marie)]
    theirs = notify_committed(UserFactory())

    response = client.post("/notifications/read-all", data={"csrf_token": csrf()})

    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications/"
    for notification in [*mine, theirs]:
        db_session.refresh(notification)
    assert all(n.read_at is not None for n in mine)
    assert theirs.read_at is None
    html = client.get("/notifications/").get_data(as_text=True)
    assert "Toutes vos notifications sont marquées comme lues." in html
    assert "Non lue" not in html
    assert "Tout marquer comme lu" not in html


def test_mark_all_as_read_needs_the_csrf_token(client, marie, notify_committed, db_session):
    notification = notify_committed(marie)
    assert client.post("/notifications/read-all").status_code == 400
    db_session.refresh(notification)
    assert notification.read_at is None


def test_pagination(client, marie, notify_committed):
    for number in range(23):
        notify_committed(marie, params={"proposal": f"Sujet {number:02d}"}, email=False)

    first = client.get("/notifications/").get_data(as_text=True)
    second = client.get("/notifications/?page=2").get_data(as_text=True)

    assert "Sujet 22" in first and "Sujet 02" not in first
    assert "Sujet 02" in second and "Sujet 22" not in second
    assert 'href="/notifications/?page=2"' in first
    assert client.get("/notifications/?page=nonsense").status_code == 200
    assert client.get("/notifications/?page=99").status_code == 200


def test_the_page_follows_the_language(client, marie, notify_committed):
    notify_committed(marie, params={"proposal": "A bench"})
    client.set_cookie("lang", "en")
    html = client.get("/notifications/").get_data(as_text=True)
    assert "commented on your proposal “A bench”" in html
    assert "Unread" in html
