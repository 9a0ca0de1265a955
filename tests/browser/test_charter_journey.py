"""The moderation charter on a phone: anyone reads it from the footer; an administrator publishes a new version
with the form; the earlier version stays readable. axe-core and the 360 px fit on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check, follow, send, sign_in, visit

pytestmark = pytest.mark.browser

PASSWORD = "un mot de passe bien long pour la charte"


def test_an_administrator_publishes_a_new_version(page, live_server, make_user):
    make_user("admin.charte@example.org", PASSWORD, ["admin"], display_name="Ada")
    visit(page, "/")
    follow(page, page.locator("footer").get_by_role("link", name="Charte de modération"))
    expect(page.locator("h1")).to_have_text("Charte de modération")

    sign_in(page, "admin.charte@example.org", PASSWORD, "/moderation/charter/edit")
    page.get_by_label("Texte de la charte (Markdown)").fill("## 1. Politesse\nSoyez courtois.")
    send(page, "Publier cette version")
    expect(page.locator(".flashes")).to_contain_text("est publiée")
    page.get_by_role("link", name="Publier une nouvelle version").click()
    check(page)
    page.get_by_label("Texte de la charte (Markdown)").fill("## 1. Politesse\nSoyez courtois et bref.")
    send(page, "Publier cette version")
    expect(page.locator("main")).to_contain_text("Soyez courtois et bref.")
    follow(page, page.get_by_role("link", name="Version 1 du", exact=False))
    expect(page.locator("main")).to_contain_text("Ceci est une version précédente.")
    expect(page.locator("main")).not_to_contain_text("et bref")
