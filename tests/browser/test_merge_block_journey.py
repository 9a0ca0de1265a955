"""Merge and block on a phone: a moderator merges a duplicate from its page (its old address then leads to the
kept one, which lists it), blocks an account from the queue; the blocked person reads why on their account
page and the proposal page tells them they cannot support. axe-core and the 360 px fit on every page visited."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check, send, sign_in, visit

pytestmark = pytest.mark.browser

PASSWORD = "un mot de passe bien long pour fusionner"
JUSTIFICATION = "Insultes répétées envers d'autres habitant·es."

_SETUP = """
import sys
from datetime import timedelta
from deliberation import create_app
from deliberation.accounts.models import User
from deliberation.consultations.models import Consultation, Phase, PhaseKind
from deliberation.core import clock
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import services as moderation
from deliberation.proposals import services

app = create_app()
with app.app_context(), unit_of_work():
    author, troll, reporter = (db.session.get(User, int(arg)) for arg in sys.argv[1:4])
    start = clock.now() - timedelta(days=1)
    consultation = Consultation(title="Espaces verts", description="", is_published=True,
                                phases=[Phase(kind=PhaseKind.SUBMISSION, starts_at=start,
                                              ends_at=start + timedelta(days=30))])
    db.session.add(consultation)
    db.session.flush()
    kept = services.submit_proposal(consultation, author, title="Des bancs au square", body="À l'ombre.")
    duplicate = services.submit_proposal(consultation, author, title="Plus de bancs", body="Au square.")
    rude = services.submit_proposal(consultation, troll, title="Vous êtes tous nuls", body="Voilà.")
    services.support_proposal(duplicate, reporter)
    moderation.report_content(reporter, "proposal", rude.id, reason="offensive")
    ids = f"{kept.id} {duplicate.id}"
print(ids)
"""


def test_merge_from_the_page_then_block_from_the_queue(page, live_server, make_user):
    author = make_user("autrice.fusion@example.org", PASSWORD, display_name="Nadia")
    troll = make_user("troll.fusion@example.org", PASSWORD, display_name="Tony")
    reporter = make_user("voisine.fusion@example.org", PASSWORD, display_name="Léa")
    make_user("moderatrice.fusion@example.org", PASSWORD, ["moderator"], display_name="Maëlle")
    kept_id, duplicate_id = (int(value) for value in live_server.run_python(
        _SETUP, str(author), str(troll), str(reporter)).split())

    sign_in(page, "moderatrice.fusion@example.org", PASSWORD, f"/proposals/{duplicate_id}")
    page.locator("details.merge-form > summary").click()
    page.get_by_label("Contribution à conserver").select_option(str(kept_id))
    check(page)
    send(page, "La fusionner")
    assert page.url.endswith(f"/proposals/{kept_id}")
    expect(page.locator("main")).to_contain_text("Contributions fusionnées dans celle-ci")
    expect(page.locator("main")).to_contain_text("1 personne soutient cette contribution.")

    visit(page, "/moderation")
    card = page.locator("li.card", has_text="Vous êtes tous nuls")
    card.locator("details > summary", has_text="Bloquer le compte").click()
    card.get_by_label("Justification").fill(JUSTIFICATION)
    card.get_by_label("Masquer aussi toutes ses contributions visibles").check()
    card.get_by_label("Motif public (pour masquer)").select_option("offensive")
    check(page)
    send(page, card.get_by_role("button", name="Bloquer le compte"))
    expect(page.locator(".flashes")).to_contain_text("Décision enregistrée : compte bloqué")
    visit(page, "/moderation/log")
    expect(page.locator("main")).to_contain_text("Un compte")
    expect(page.locator("main")).not_to_contain_text("Tony")
    page.context.clear_cookies()

    visit(page, f"/proposals/{duplicate_id}")  # the old address, followed to the kept proposal
    assert page.url.endswith(f"/proposals/{kept_id}")
    expect(page.locator(".flashes")).to_contain_text(f"La contribution n° {duplicate_id} a été fusionnée")

    sign_in(page, "troll.fusion@example.org", PASSWORD, "/account")
    expect(page.locator("#blocked")).to_contain_text(JUSTIFICATION)
    visit(page, f"/proposals/{kept_id}")
    expect(page.locator("main")).to_contain_text("vous ne pouvez pas soutenir")
