"""The smallest journey: the home page on a phone, in French then English, usable with a keyboard."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, assert_fits_phone, visit

pytestmark = pytest.mark.browser


def test_home_page_on_a_phone_in_french_then_english(page):
    visit(page, "/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_count(1)
    for landmark in ("header", "nav", "main", "footer"):
        expect(page.locator(landmark).first).to_be_visible()

    page.locator(".language-switch button[name=language][value=en]").click()
    expect(html).to_have_attribute("lang", "en")
    assert urlparse(page.url).path == "/", "the language switch did not bring us back to the same page"
    assert_accessible(page)
    assert_fits_phone(page)

    page.locator(".language-switch button[name=language][value=fr]").click()
    expect(html).to_have_attribute("lang", "fr")
    assert_accessible(page)


def test_skip_link_moves_the_keyboard_to_the_content(page):
    page.goto("/")

    page.keyboard.press("Tab")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("#main")


def test_health_check_answers(page, live_server):
    response = page.request.get(f"{live_server.url}/healthz")
    assert response.status == 200
    assert response.json() == {"status": "ok"}
