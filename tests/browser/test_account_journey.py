"""A resident's account on a phone, from registration to deletion: a weak password refused, a comment on a
demo proposal, a new public name, the site in English, an API token shown once, "my data" downloaded, and the
account deleted (password asked again), after which the comment is signed "participant·e supprimé·e".

Runs against the real server with the demo data (seed-demo), at 360 px, with axe-core on every page and on
every page sent back with errors.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import field_error, follow, send, visit

pytestmark = pytest.mark.browser

EMAIL = "lou.compte@example.org"
PASSWORD = "Le marché du dimanche sous les platanes"
PROPOSAL = "Une aide aux devoirs tous les soirs à la médiathèque"
COMMENT = "Je peux donner une heure le mardi, je suis en master de maths."


def open_demo_proposal(page) -> None:
    visit(page, "/")
    follow(page, page.get_by_role("link", name=re.compile("Budget des quartiers 2027")))
    follow(page, page.get_by_role("link", name="Voir les propositions"))
    page.get_by_role("searchbox", name="Rechercher").fill("aide aux devoirs")
    send(page, page.get_by_role("button", name="Afficher", exact=True))
    follow(page, page.get_by_role("link", name=PROPOSAL))


def test_resident_account_from_registration_to_deletion(page, live_server):
    live_server.cli("seed-demo")

    # Registration: a weak password is refused next to the field, the rest of the form is kept.
    visit(page, "/register")
    page.get_by_label(re.compile(r"^Adresse e-mail")).fill(EMAIL)
    page.get_by_label(re.compile(r"^Nom public")).fill("Lou")
    page.get_by_label(re.compile(r"^Mot de passe")).fill("azertyuiop")
    send(page, page.get_by_role("button", name="Créer mon compte"), status=422)
    expect(field_error(page, "password")).to_contain_text("trop facile à deviner")
    expect(page.get_by_role("alert")).to_contain_text("Mot de passe")
    expect(page.get_by_label(re.compile(r"^Adresse e-mail"))).to_have_value(EMAIL)
    expect(page.get_by_label(re.compile(r"^Mot de passe"))).to_have_value("")
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    send(page, page.get_by_role("button", name="Créer mon compte"))
    expect(page.locator(".flashes")).to_have_text("Bienvenue, Lou ! Votre compte est prêt.")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

    # A comment on a demo proposal, signed with the public name.
    open_demo_proposal(page)
    proposal_url = page.url
    page.get_by_label(re.compile(r"^Votre commentaire")).fill(COMMENT)
    send(page, page.get_by_role("button", name="Publier le commentaire"))
    expect(page.locator(".flashes")).to_have_text("Votre commentaire est publié.")
    comment = page.locator(".comments > li.comment").filter(has_text=COMMENT)
    expect(comment.locator(".meta strong")).to_have_text("Lou")

    # Mon compte: a new public name and the site in English.
    follow(page, page.get_by_role("link", name="Mon compte"))
    page.get_by_label(re.compile(r"^Nom public")).fill("Lou R.")
    page.get_by_label("Langue du site et des e-mails").select_option(label="English")
    send(page, page.get_by_role("button", name="Enregistrer mon profil"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".flashes")).to_be_in_viewport()
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.get_by_label(re.compile(r"^Public name"))).to_have_value("Lou R.")
    expect(page.get_by_label("Language of the site and of e-mails")).to_have_value("en")

    # An API token, shown once.
    send(page, page.get_by_role("button", name="Create a token"), status=201)
    token = page.locator("code.token-value")
    expect(token).to_have_text(re.compile(r"^\S{20,}$"))
    expect(token).to_be_in_viewport()
    raw_token = token.inner_text()
    expect(page.locator("#tokens tbody tr")).to_have_count(1)
    visit(page, "/account")
    expect(page.locator("code.token-value")).to_have_count(0)
    assert raw_token not in page.content()
    expect(page.locator("#tokens tbody tr")).to_have_count(1)

    # My data, as a JSON file.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data (JSON)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".json")
    with open(download.path(), encoding="utf-8") as exported:
        data = json.load(exported)
    assert data["profile"]["display_name"] == "Lou R."
    assert data["profile"]["email"] == EMAIL
    assert COMMENT in json.dumps(data, ensure_ascii=False)

    # Deletion: the password is asked again; a wrong one is refused next to the field.
    password = page.get_by_label(re.compile(r"^Your password, to confirm"))
    password.fill("not my password at all")
    send(page, page.get_by_role("button", name="Delete my account for good"), status=422)
    expect(field_error(page, "delete_password")).to_be_visible()
    password.fill(PASSWORD)
    send(page, page.get_by_role("button", name="Delete my account for good"))
    assert page.url == f"{live_server.url}/#main", page.url
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert page.context.request.get(f"{live_server.url}/account", max_redirects=0).status == 302

    # Back in French, the comment is still there, signed by a deleted participant.
    with page.expect_navigation():
        page.locator(".language-switch button[name=language][value=fr]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    visit(page, proposal_url)
    comment = page.locator(".comments > li.comment").filter(has_text=COMMENT)
    expect(comment.locator(".meta strong")).to_have_text("participant·e supprimé·e")
    expect(page.locator("main")).not_to_contain_text("Lou R.")
