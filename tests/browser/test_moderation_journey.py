"""Moderation on a phone: a resident reports a proposal, a moderator hides it from the queue with a reason, the
author reads that reason and contests it; the public sees a placeholder and the public log, never the text;
another moderator upholds the decision, the log shows the outcome (never the appeal's text) and the author is
told. axe-core and the 360 px fit on every page visited."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check, follow, send, sign_in, visit

pytestmark = pytest.mark.browser

PASSWORD = "un mot de passe bien long pour la modération"
TITLE = "Le voisin du troisième est un escroc"
APPEAL = "Je ne donne ni nom ni adresse : personne ne peut le reconnaître."

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


def test_report_hide_contest_and_another_moderator_decides(page, live_server, make_user):
    author = make_user("autrice.moderation@example.org", PASSWORD, display_name="Inès")
    make_user("signalement.moderation@example.org", PASSWORD, display_name="Hugo")
    make_user("moderatrice.moderation@example.org", PASSWORD, ["moderator"], display_name="Maëlle")
    make_user("moderateur.recours@example.org", PASSWORD, ["moderator"], display_name="Yanis")
    proposal_id = int(live_server.run_python(_SETUP, str(author), TITLE).strip())
    path = f"/proposals/{proposal_id}"

    # A resident reports it.
    sign_in(page, "signalement.moderation@example.org", PASSWORD, path)
    report = page.locator("details.report").first  # the contribution's; « Signaler ce compte » comes after
    report.locator("summary").click()
    report.get_by_label("Motif").select_option(label="Injurieux, diffamatoire")
    report.get_by_label("Précisions (facultatif)").fill("Accusation contre un voisin reconnaissable.")
    check(page)
    send(page, report.get_by_role("button", name="Envoyer le signalement"))
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

    # She contests it, once, from the notice on her contribution.
    page.locator("details.appeal > summary", has_text="Contester cette décision").click()
    page.get_by_label("Pourquoi contestez-vous cette décision ?").fill(APPEAL)
    check(page)
    send(page, "Envoyer mon recours")
    expect(page.locator(".flashes")).to_contain_text("Votre recours a été transmis")
    expect(page.locator("main")).to_contain_text("Vous avez contesté cette décision le")
    expect(page.locator("details.appeal")).to_have_count(0)
    page.context.clear_cookies()

    # Everyone else: the placeholder, never the text.
    visit(page, path)
    expect(page.locator("main")).to_contain_text("motif : injurieux, diffamatoire")
    expect(page.locator("main")).not_to_contain_text(TITLE)

    # The moderator who decided cannot decide the appeal; another one upholds the decision.
    sign_in(page, "moderatrice.moderation@example.org", PASSWORD, "/moderation")
    expect(page.locator("section[aria-labelledby=appeals]")).to_contain_text(
        "un·e autre modérateur·rice décide du recours")
    page.context.clear_cookies()
    sign_in(page, "moderateur.recours@example.org", PASSWORD, "/moderation")
    appeal = page.locator("section[aria-labelledby=appeals] li.card").first
    expect(appeal).to_contain_text(APPEAL)
    appeal.get_by_label("Maintenir la décision").check()
    appeal.get_by_label("Note publique (facultatif)").fill("Le voisin reste reconnaissable.")
    send(page, appeal.get_by_role("button", name=re.compile("Trancher le recours")))
    expect(page.locator(".flashes")).to_contain_text("Recours tranché : recours : décision maintenue")
    follow(page, page.get_by_role("link", name="Tableau de bord de la modération"))
    expect(page.locator("#stat-appeals")).to_have_text("0")
    visit(page, "/moderation/log")
    expect(page.locator("main")).to_contain_text("recours : décision maintenue")
    expect(page.locator("main")).not_to_contain_text(APPEAL)
    follow(page, page.locator("main").get_by_role("link", name="Charte de modération"))
    expect(page.locator("h1")).to_have_text("Charte de modération")
    page.context.clear_cookies()

    # The author is told the outcome.
    sign_in(page, "autrice.moderation@example.org", PASSWORD, "/notifications/")
    expect(page.locator("main")).to_contain_text("la décision est maintenue")
    visit(page, path)
    expect(page.locator("main")).to_contain_text("Votre recours a été examiné le")
    expect(page.locator("main")).to_contain_text("Le voisin reste reconnaissable.")
