"""Moderation on a phone: a resident reports a proposal, a moderator hides it from the queue with a reason, the
author reads that reason; the public sees a placeholder and the public log, never the text. axe-core and the
360 px fit on every page visited."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check, send, sign_in, visit

pytestmark = pytest.mark.browser

PASSWORD = "un mot de passe bien long pour la modération"
TITLE = "Le voisin du troisième est un escroc"

_SETUP = """
import sys
from datetime import timedelta
from deliberation import create_app
from deliberation.accounts.models import User
from deliberation.consultations.models import Consultation, Phase, PhaseKind
from deliberation.core import clock
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.proposals import services

app = create_app()
with app.app_context(), unit_of_work():
    author = db.session.get(User, int(sys.argv[1]))
    start = clock.now() - timedelta(days=1)
    consultation = Consultation(title="Tranquillité publique", description="", is_published=True,
                                phases=[Phase(kind=PhaseKind.SUBMISSION, starts_at=start,
                                              ends_at=start + timedelta(days=30))])
    db.session.add(consultation)
    db.session.flush()
    proposal_id = services.submit_proposal(consultation, author, title=sys.argv[2], body="Il vole dans les caves.").id
print(proposal_id)
"""


def test_report_hide_and_the_author_reads_why(page, live_server, make_user):
    author = make_user("autrice.moderation@example.org", PASSWORD, display_name="Inès")
    make_user("signalement.moderation@example.org", PASSWORD, display_name="Hugo")
    make_user("moderatrice.moderation@example.org", PASSWORD, ["moderator"], display_name="Maëlle")
    proposal_id = int(live_server.run_python(_SETUP, str(author), TITLE).strip())
    path = f"/proposals/{proposal_id}"

    # A resident reports it.
    sign_in(page, "signalement.moderation@example.org", PASSWORD, path)
    page.locator("details.report > summary").first.click()
    page.get_by_label("Motif").select_option(label="Injurieux, diffamatoire")
    page.get_by_label("Précisions (facultatif)").fill("Accusation contre un voisin reconnaissable.")
    check(page)
    send(page, "Envoyer le signalement")
    expect(page.locator(".flashes")).to_contain_text("Votre signalement a été transmis")
    page.context.clear_cookies()

    # A moderator hides it from the queue.
    sign_in(page, "moderatrice.moderation@example.org", PASSWORD, "/moderation")
    item = page.locator(f"#item-proposal-{proposal_id}")
    expect(item).to_contain_text(TITLE)
    expect(item).to_contain_text("Injurieux, diffamatoire : 1")
    expect(item).not_to_contain_text("Hugo")
    item.locator("details > summary", has_text="Masquer").click()
    item.get_by_label("Note publique (facultatif)").fill("Accusation visant une personne.")
    check(page)
    send(page, item.get_by_role("button", name="Le masquer"))
    expect(page.locator(".flashes")).to_contain_text("Décision enregistrée")
    visit(page, "/moderation/log")
    expect(page.locator("main")).to_contain_text("Injurieux, diffamatoire")
    expect(page.locator("main")).not_to_contain_text(TITLE)
    expect(page.locator("main")).not_to_contain_text("Maëlle")
    page.context.clear_cookies()

    # The author is told why, in the app, and sees the notice on the page.
    sign_in(page, "autrice.moderation@example.org", PASSWORD, "/notifications/")
    expect(page.locator("main")).to_contain_text(re.compile(r"masquée par la modération\. Motif : injurieux"))
    visit(page, path)
    expect(page.locator("main")).to_contain_text("Contribution masquée par la modération le")
    page.context.clear_cookies()

    # Everyone else: the placeholder, never the text.
    visit(page, path)
    expect(page.locator("main")).to_contain_text("motif : injurieux, diffamatoire")
    expect(page.locator("main")).not_to_contain_text(TITLE)
