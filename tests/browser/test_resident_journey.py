"""A resident's path on a phone, in French: register → submit → support → comment → find it again by search.

Runs against the real server with the demo data (seed-demo), at 360 px, with axe-core on every page visited.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import follow, send, visit

pytestmark = pytest.mark.browser

PASSWORD = "Une soirée au jardin partagé des Tilleuls"
TITLE = "Un jardin partagé derrière l'école Jean-Jaurès"
BODY = "Des **bacs de culture** pour les familles et les enfants de l'école, avec un composteur."


def supports_shown(page) -> int:
    text = page.locator("section[aria-labelledby=supports-heading] p").first.inner_text()
    return int(re.match(r"\d+", text).group())


def test_resident_registers_submits_supports_comments_and_finds_it(page, live_server):
    live_server.cli("seed-demo")

    visit(page, "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    follow(page, page.get_by_role("link", name="Créer un compte"))
    page.get_by_label("Adresse e-mail").fill("samira.parcours@example.org")
    page.get_by_label("Nom public").fill("Samira K.")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    send(page, "Créer mon compte")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

    visit(page, "/")
    follow(page, page.get_by_role("link", name=re.compile("Budget des quartiers 2027")))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Budget des quartiers 2027")
    # The neighbourhood assembly to come, with the proposals on its agenda.
    expect(page.get_by_role("heading", name="Assemblées publiques")).to_be_visible()
    expect(page.locator(".assembly-list")).to_contain_text("Assemblée de quartier des Tilleuls")
    follow(page, page.get_by_role("link", name="Déposer une contribution"))
    page.get_by_label("Proposition", exact=True).check()
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Votre texte").fill(BODY)
    page.get_by_label("Quartier").select_option(label="Le Clos-Fleuri (QN03790C)")
    send(page, "Publier")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("main")).to_contain_text("Samira K.")
    expect(page.locator("main strong", has_text="bacs de culture")).to_be_visible()
    own_proposal_url = page.url

    # Support someone else's proposal (one's own cannot be supported).
    visit(page, "/")
    follow(page, page.get_by_role("link", name=re.compile("Budget des quartiers 2027")))
    follow(page, page.get_by_role("link", name="Voir les propositions"))
    page.get_by_role("searchbox", name="Rechercher").fill("tours jardins")
    send(page, "Afficher")
    follow(page, page.get_by_role("link", name="Des jardins partagés au pied des tours"))
    before = supports_shown(page)
    send(page, "Soutenir")
    expect(page.get_by_role("button", name="Retirer mon soutien")).to_be_visible()
    assert supports_shown(page) == before + 1

    # Comment, against, on that proposal.
    page.get_by_label("Votre commentaire").fill("Attention à l'arrosage l'été : qui s'en occupe en août ?")
    page.locator("#comment-form ~ form").get_by_label("contre").check()
    send(page, "Publier le commentaire")
    comment = page.locator(".comments").get_by_text("qui s'en occupe en août")
    expect(comment).to_be_visible()
    expect(page.locator("main")).to_contain_text("Samira K.")

    # Find the new proposal again by search, without accents and with another word form.
    visit(page, "/")
    follow(page, page.get_by_role("link", name=re.compile("Budget des quartiers 2027")))
    follow(page, page.get_by_role("link", name="Voir les propositions"))
    page.get_by_role("searchbox", name="Rechercher").fill("ecole jardins")
    send(page, "Afficher")
    results = page.locator("main .proposal-card")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    expect(results.get_by_role("link", name="Des jardins partagés au pied des tours")).to_have_count(0)
    follow(page, results.get_by_role("link", name=TITLE))
    assert page.url == own_proposal_url
