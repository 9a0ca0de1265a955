"""A mediator submits a contribution with and for a resident (her consent is required, and the page says so);
then an anonymous visitor browses the list on a phone: one neighbourhood, the most supported first, page 2,
then one kind only.

Runs against the real server with the demo data (seed-demo), at 360 px, with axe-core on every page and on
every page sent back with errors.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import field_error, follow, send, sign_in, visit

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Quartiers-2030-demo"
CONSULTATION = re.compile("Budget des quartiers 2027")
MEDIATOR = "Karim, médiateur au centre social"
TITLE = "Un banc et de l'ombre devant la pharmacie des Tilleuls"
BODY = "Les personnes âgées attendent debout au soleil. Un **banc** et un arbre suffiraient."
TILLEULS = "Les Tilleuls (QN03790T)"


def open_proposal_list(page) -> None:
    visit(page, "/")
    follow(page, page.get_by_role("link", name=CONSULTATION))
    follow(page, page.get_by_role("link", name="Voir les propositions"))


def cards(page):
    return page.locator("main li.proposal-card")


def results_count(page) -> int:
    return int(re.match(r"\d+", page.locator("h2#results").inner_text()).group())


def kinds_other_than(page, kind: str):
    return cards(page).locator(".tag").filter(has_not_text=re.compile(f"^{kind}$"))


def supports_of_cards(page) -> list[int]:
    counts = cards(page).locator(".meta span", has_text=re.compile(r"^\d+ soutiens?$")).all_inner_texts()
    assert len(counts) == cards(page).count(), "every card shows its number of supports"
    return [int(text.split()[0]) for text in counts]


def test_mediator_submits_with_and_for_a_resident_who_consents(page, live_server):
    live_server.cli("seed-demo")
    sign_in(page, "mediateur@demo.deliberation.fr", DEMO_PASSWORD)
    follow(page, page.get_by_role("link", name=CONSULTATION))
    follow(page, page.get_by_role("link", name="Déposer une contribution"))

    page.get_by_label("Proposition", exact=True).check()
    page.get_by_label(re.compile(r"^Titre")).fill(TITLE)
    page.get_by_label(re.compile(r"^Votre texte")).fill(BODY)
    page.get_by_label("Quartier", exact=True).select_option(label=TILLEULS)
    resident = page.get_by_role("group", name="Déposer avec et pour un·e habitant·e")
    resident.get_by_label("Prénom ou pseudonyme de l'habitant·e").fill("Mme Diallo")
    consent = resident.get_by_label("L'habitant·e est d'accord avec ce dépôt et pour apparaître sous ce nom")
    expect(consent).not_to_be_checked()

    # Without her consent: refused, next to the box, nothing lost.
    send(page, "Publier", status=422)
    expect(field_error(page, "resident_consent")).to_have_text(
        "L'accord de l'habitant·e est nécessaire pour déposer avec et pour elle ou lui.")
    expect(page.get_by_role("alert")).to_contain_text("L'accord de l'habitant·e est nécessaire")
    expect(page.get_by_label(re.compile(r"^Titre"))).to_have_value(TITLE)
    expect(page.get_by_label("Prénom ou pseudonyme de l'habitant·e")).to_have_value("Mme Diallo")
    expect(page.get_by_label("Quartier", exact=True)).to_have_value(re.compile(r"^\d+$"))

    consent.check()
    send(page, "Publier")
    expect(page.locator(".flashes")).to_have_text("Merci, votre contribution est publiée.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    article = page.locator("article.proposal")
    expect(article).to_contain_text(f"Déposée par {MEDIATOR} avec et pour Mme Diallo")
    expect(article).to_contain_text("Quartier : Les Tilleuls")
    expect(article.locator(".user-content strong")).to_have_text("banc")


def test_visitor_filters_sorts_and_pages_through_the_proposals(page, live_server):
    live_server.cli("seed-demo")
    open_proposal_list(page)
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)

    # Proposals only, the most supported first: more than a page of them. On a phone the lists are folded.
    expect(page.get_by_label("Type", exact=True)).to_be_hidden()
    page.get_by_text("Filtrer et trier").click()
    page.get_by_label("Type", exact=True).select_option(label="Proposition")
    page.get_by_label("Trier par").select_option(label="Les plus soutenues")
    send(page, "Afficher")
    total = results_count(page)
    assert total > 20, f"the demo should hold more than one page of proposals, not {total}"
    expect(cards(page)).to_have_count(20)
    expect(kinds_other_than(page, "Proposition")).to_have_count(0)
    first_page = supports_of_cards(page)
    assert first_page == sorted(first_page, reverse=True), f"not the most supported first: {first_page}"
    first_titles = cards(page).get_by_role("link").all_inner_texts()
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages.locator("[aria-current=page]")).to_have_text(re.compile(r"^Page 1 sur \d+$"))

    # Page 2 keeps the filter and the order.
    follow(page, pages.get_by_role("link", name="Page suivante"))
    query = parse_qs(urlparse(page.url).query)
    assert (query.get("page"), query.get("sort"), query.get("kind")) == (["2"], ["supports"], ["proposal"]), \
        page.url
    expect(pages.locator("[aria-current=page]")).to_have_text(re.compile(r"^Page 2 sur \d+$"))
    expect(cards(page)).to_have_count(min(total - 20, 20))
    expect(kinds_other_than(page, "Proposition")).to_have_count(0)
    second_page = supports_of_cards(page)
    assert second_page == sorted(second_page, reverse=True)
    assert max(second_page) <= min(first_page), "page 2 continues the order of page 1"
    assert not set(cards(page).get_by_role("link").all_inner_texts()) & set(first_titles), "pages overlap"
    expect(page.get_by_label("Type", exact=True)).to_have_value("proposal")
    expect(page.get_by_label("Trier par")).to_have_value("supports")
    expect(pages.get_by_role("link", name="Page précédente")).to_be_visible()

    # One neighbourhood too: the list starts again from its first page.
    page.get_by_label("Quartier", exact=True).select_option(label=TILLEULS)
    send(page, "Afficher")
    assert "page" not in parse_qs(urlparse(page.url).query)
    narrowed = results_count(page)
    assert 0 < narrowed < total
    expect(cards(page)).to_have_count(min(narrowed, 20))
    expect(cards(page).filter(has_not_text="Quartier : Les Tilleuls")).to_have_count(0)
    expect(kinds_other_than(page, "Proposition")).to_have_count(0)
    in_tilleuls = supports_of_cards(page)
    assert in_tilleuls == sorted(in_tilleuls, reverse=True)
    follow(page, page.get_by_role("link", name="Effacer les filtres"))
    assert results_count(page) > total
