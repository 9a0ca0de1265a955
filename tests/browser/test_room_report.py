"""« Signaler » on a phone in the room: a signed-in resident reports a question from the room through the socket;
the phone says it was sent and the question appears in the moderators' queue, without the reporter's name.
axe-core and the 360 px fit with the disclosure open."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check, sign_in, visit

pytestmark = pytest.mark.browser

PASSWORD = "un mot de passe bien long pour signaler"
QUESTION = "Pourquoi le maire cache-t-il les comptes ?"
LIVE_TIMEOUT_MS = 15_000

_SETUP = """
import sys
from deliberation import create_app
from deliberation.accounts.models import User
from deliberation.assemblies import services
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db

app = create_app()
with app.app_context(), unit_of_work():
    facilitator = db.session.get(User, int(sys.argv[1]))
    assembly = services.create_assembly(facilitator, title="Réunion publique du quartier")
    services.start_assembly(assembly, facilitator)
    participant, _token = services.join_assembly(assembly.join_code)
    services.ask_question(participant, sys.argv[2])
    code = assembly.join_code
print(code)
"""


def test_a_signed_in_phone_reports_a_question(page, live_server, make_user):
    facilitator = make_user("animatrice.signalement@example.org", PASSWORD, ["facilitator"], display_name="Léa")
    make_user("habitant.signalement@example.org", PASSWORD, display_name="Omar")
    make_user("moderateur.salle@example.org", PASSWORD, ["moderator"], display_name="Sacha")
    code = live_server.run_python(_SETUP, str(facilitator), QUESTION).strip()

    sign_in(page, "habitant.signalement@example.org", PASSWORD, f"/assemblies/join/{code}")
    expect(page.locator("#live-status")).to_have_text("Connecté", timeout=LIVE_TIMEOUT_MS)
    question = page.locator("#questions-list li").filter(has_text=QUESTION)
    expect(question).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    question.locator("details.report > summary").click()
    question.get_by_label("Motif").select_option(label="Injurieux, diffamatoire")
    check(page)
    question.get_by_role("button", name="Envoyer le signalement").click()
    expect(question).to_contain_text("Vous avez signalé cette question.", timeout=LIVE_TIMEOUT_MS)
    expect(question.locator("details.report")).to_have_count(0)
    check(page)
    page.context.clear_cookies()

    sign_in(page, "moderateur.salle@example.org", PASSWORD, "/moderation")
    expect(page.locator("main")).to_contain_text(QUESTION)
    expect(page.locator("main")).to_contain_text("Injurieux, diffamatoire : 1")
    expect(page.locator("main")).not_to_contain_text("Omar")
    visit(page, "/moderation")
