"""A resident reads their notifications on a phone: the list, opening one, marking all as read."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, assert_fits_phone, sign_in, visit

pytestmark = pytest.mark.browser

PASSWORD = "un mot de passe bien long pour les tests"

_NOTIFY = """
import sys
from deliberation import create_app
from deliberation.accounts.models import User
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.notifications import services

app = create_app()
with app.app_context(), unit_of_work():
    user, actor = db.session.get(User, int(sys.argv[1])), db.session.get(User, int(sys.argv[2]))
    services.notify(user, "proposal_status_changed", email=False, link="/?from=older",
                    params={"proposal": "Des bancs rue Jean-Jaurès", "status": "under_review"})
    services.notify(user, "comment_on_my_proposal", email=False, actor=actor, link="/?from=newer",
                    params={"proposal": "Une aire de jeux au square des Tilleuls avec un nom très long"})
"""


def test_reading_notifications_on_a_phone(page, live_server, make_user):
    resident = make_user("lecture.notifications@example.org", PASSWORD, display_name="Aïcha")
    commenter = make_user("commentaire.notifications@example.org", PASSWORD, display_name="Bastien")
    live_server.run_python(_NOTIFY, str(resident), str(commenter))

    sign_in(page, "lecture.notifications@example.org", PASSWORD, "/notifications/")
    assert_accessible(page)
    assert_fits_phone(page)
    expect(page.locator(".site-nav .badge")).to_contain_text("2")
    items = page.locator("ul.notifications > li")
    expect(items).to_have_count(2)
    expect(page.locator("li.notification-unread")).to_have_count(2)
    expect(items.first).to_contain_text("Bastien")  # newest first
    expect(items.first.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d{2}-\d{2}T"))

    items.first.locator("button").click()
    page.wait_for_url(lambda url: urlparse(url).query == "from=newer")

    visit(page, "/notifications/")
    expect(page.locator("li.notification-unread")).to_have_count(1)
    expect(page.locator(".site-nav .badge")).to_contain_text("1")

    page.locator("form[action='/notifications/read-all'] button").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/notifications/")
    expect(page.locator("li.notification-unread")).to_have_count(0)
    expect(page.locator(".site-nav .badge")).to_have_count(0)
    expect(page.locator(".flashes")).to_be_visible()
    assert_accessible(page)
    assert_fits_phone(page)
