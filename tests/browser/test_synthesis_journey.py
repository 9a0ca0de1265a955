"""The answer loop on a phone (issue #5): a moderator drafts a synthesis from the contributions, corrects it (a
bad citation is refused without losing the text), looks at the versions, sends it for review, validates it and
sends it to the elected officials; an official answers the resident's proposal (a « non retenue » without
justification is refused, nothing typed is lost), answers every section, marks the answer received, takes a
commitment with a dated update; a moderator publishes the synthesis. The resident is told, reads the response
on her proposal and follows its trace. Everyone reads the published synthesis, the restitution (page and PDF),
the follow-up and the open data. axe-core and the 360 px fit on every page visited."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check, field_error, follow, send, sign_in, visit

pytestmark = pytest.mark.browser

PASSWORD = "un mot de passe bien long pour la synthèse"
TITLE = "Des bancs à l'ombre sur la place du marché"
HIDDEN_TITLE = "Repeindre la mairie en violet fluo"
OTHER_TITLES = ["Un composteur partagé rue des Lilas", "Ouvrir la médiathèque le dimanche"]
JUSTIFICATION = "Trois bancs seront posés en 2027 ; les arbres viendront avec la rénovation de la place."
ADDED = "La modération retient surtout le besoin d'ombre"
COMMITMENT = "Poser trois bancs place du marché"

_SETUP = """
import json, sys
from datetime import timedelta
from deliberation import create_app
from deliberation.accounts.models import User
from deliberation.consultations.models import Consultation, Phase, PhaseKind
from deliberation.core import clock
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import services as moderation
from deliberation.proposals import services

spec = json.loads(sys.argv[1])
app = create_app()
with app.app_context(), unit_of_work():
    author, neighbour, other, moderator = (db.session.get(User, spec[name])
                                           for name in ("author", "neighbour", "other", "moderator"))
    start = clock.now() - timedelta(days=1)
    consultation = Consultation(title="Place du marché", description="Que faire de la place ?", is_published=True,
                                phases=[Phase(kind=PhaseKind.SUBMISSION, starts_at=start,
                                              ends_at=start + timedelta(days=30))])
    db.session.add(consultation)
    db.session.flush()
    proposal = services.submit_proposal(consultation, author, title=spec["title"],
                                        body="L'été, la place est une fournaise : il faut des bancs sous des arbres.")
    first = services.submit_proposal(consultation, neighbour, title=spec["others"][0],
                                     body="Les déchets verts du quartier nourriraient les jardinières.")
    second = services.submit_proposal(consultation, other, title=spec["others"][1],
                                      body="Le dimanche, les familles n'ont nulle part où lire au calme.")
    hidden = services.submit_proposal(consultation, other, title=spec["hidden"],
                                      body="Une couleur qui se voit de loin.")
    services.support_proposal(proposal, neighbour)
    services.support_proposal(proposal, other)
    services.support_proposal(first, author)
    services.post_comment(proposal, neighbour, body="Oui, et des fontaines à côté.", stance="for")
    services.post_comment(proposal, other, body="Les bancs attirent le bruit la nuit.", stance="against")
    moderation.decide(moderator, "proposal", hidden.id, action="hide", reason="off_topic")
    ids = {"consultation": consultation.id, "proposal": proposal.id, "hidden": hidden.id,
           "others": [first.id, second.id]}
print(json.dumps(ids))
"""


def _trace_kinds(page) -> list[str]:
    return page.locator("ol.trace > li").evaluate_all(
        "items => items.map(item => [...item.classList].find(c => c.startsWith('trace-') && c !== 'trace-step')"
        ".slice('trace-'.length))")


def test_draft_review_answer_publish_and_follow_the_trace(page, live_server, make_user):
    author = make_user("autrice.synthese@example.org", PASSWORD, display_name="Nadia")
    neighbour = make_user("voisin.synthese@example.org", PASSWORD, display_name="Paul")
    other = make_user("voisine.synthese@example.org", PASSWORD, display_name="Awa")
    moderator = make_user("moderatrice.synthese@example.org", PASSWORD, ["moderator"], display_name="Clémence")
    make_user("elue.synthese@example.org", PASSWORD, ["official"], display_name="Mme la maire adjointe")
    spec = {"author": author, "neighbour": neighbour, "other": other, "moderator": moderator, "title": TITLE,
            "others": OTHER_TITLES, "hidden": HIDDEN_TITLE}
    ids = json.loads(live_server.run_python(_SETUP, json.dumps(spec)).strip())
    consultation_id, proposal_id = ids["consultation"], ids["proposal"]
    proposal_path = f"/proposals/{proposal_id}"

    # -- A moderator drafts the synthesis from the public contributions. -----------------------------------
    sign_in(page, "moderatrice.synthese@example.org", PASSWORD, f"/consultations/{consultation_id}/syntheses")
    check(page)  # sign_in checks the sign-in form; this, the page it leads to
    expect(page.get_by_role("heading", level=1)).to_contain_text("Synthèses de « Place du marché »")
    send(page, page.locator("main form").get_by_role("button", name="Rédiger une synthèse"))
    expect(page.locator(".flashes")).to_contain_text("Le brouillon est prêt")
    synthesis_id = int(re.search(r"/syntheses/(\d+)$", page.url).group(1))
    synthesis_path = f"/syntheses/{synthesis_id}"
    text = page.locator(".synthesis-text")
    expect(text.locator(f"a[href$='{proposal_path}']").first).to_be_visible()
    expect(text.get_by_role("link", name=TITLE).first).to_have_attribute("href", re.compile(rf"{proposal_path}$"))
    expect(page.locator("main")).not_to_contain_text(HIDDEN_TITLE)
    expect(text.locator(f"a[href$='/proposals/{ids['hidden']}']")).to_have_count(0)

    # She adds a sentence; a citation of a contribution that does not exist is refused, her text is kept.
    follow(page, page.get_by_role("link", name="Modifier le texte"))
    body = page.locator("#body")
    expect(body).not_to_contain_text(HIDDEN_TITLE)
    drafted = body.input_value()
    bad = f"{drafted.rstrip()}\n\n## Ce que retient la modération\n\n{ADDED} ([source](/proposals/999999)).\n"
    body.fill(bad)
    check(page)
    send(page, "Enregistrer une nouvelle version", status=422)
    expect(field_error(page, "body")).to_contain_text("n'existe pas")
    expect(page.locator("#body")).to_have_value(bad)
    good = bad.replace("/proposals/999999", proposal_path)
    page.locator("#body").fill(good)
    send(page, "Enregistrer une nouvelle version")
    expect(page.locator(".flashes")).to_contain_text("Enregistré : version 2.")
    expect(page.locator(".synthesis-text")).to_contain_text(ADDED)
    expect(page.get_by_role("link", name="Ce que retient la modération")).to_have_attribute(
        "href", re.compile(r"^#"))

    # The versions and what changed.
    follow(page, page.get_by_role("link", name="Versions et modifications"))
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody")).to_contain_text("rédigée par le système")
    follow(page, page.get_by_role("link", name="Comparer avec la version 1"))
    expect(page.locator("ol.diff ins", has_text="## Ce que retient la modération")).to_have_count(1)
    expect(page.locator("ol.diff ins", has_text=ADDED)).to_have_count(1)
    visit(page, synthesis_path)

    # Review, validation, then to the elected officials.
    send(page, "Envoyer en relecture")
    expect(page.locator(".flashes")).to_contain_text("La synthèse est maintenant : en relecture.")
    send(page, "Valider")
    expect(page.locator(".flashes")).to_contain_text("validée")
    expect(page.get_by_role("link", name="Modifier le texte")).to_have_count(0)
    send(page, "Transmettre aux élu·es")
    expect(page.locator(".flashes")).to_contain_text("transmise aux élu·es")
    expect(page.get_by_role("button", name="Publier")).to_have_count(0)
    page.context.clear_cookies()

    # -- An elected official answers from the desk. --------------------------------------------------------
    desk_path = f"/consultations/{consultation_id}/responses"
    sign_in(page, "elue.synthese@example.org", PASSWORD, desk_path)
    check(page)
    proposals_table = page.locator("section[aria-labelledby=proposals-heading]")
    expect(proposals_table).to_contain_text(TITLE)
    expect(proposals_table).not_to_contain_text(HIDDEN_TITLE)
    follow(page, proposals_table.locator("tr", has_text=TITLE).get_by_role("link", name=re.compile("^Répondre")))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Répondre à la proposition « {TITLE} »")

    # « Non retenue » needs a justification: refused, what was typed stays.
    page.locator("#type").select_option(label="Non retenue")
    page.locator("#council_number").fill("2026-117")
    page.locator("#council_decided_on").fill("2026-11-20")
    page.locator("#council_body").fill("Conseil municipal")
    check(page)
    send(page, "Enregistrer la réponse", status=422)
    expect(field_error(page, "justification")).to_contain_text("Une justification est obligatoire")
    expect(page.locator("#type")).to_have_value("not_accepted")
    expect(page.locator("#council_number")).to_have_value("2026-117")
    expect(page.locator("#council_decided_on")).to_have_value("2026-11-20")
    expect(page.locator("#council_body")).to_have_value("Conseil municipal")

    # Partially accepted, justified: published at once, with its council decision.
    page.locator("#type").select_option(label="Retenue partiellement")
    page.locator("#justification").fill(JUSTIFICATION)
    send(page, "Enregistrer la réponse")
    assert page.url.endswith(f"{proposal_path}#official-response"), page.url
    expect(page.locator(".flashes")).to_contain_text("La réponse est publiée.")
    expect(page.locator("#official-response")).to_contain_text("Réponse : Retenue partiellement")
    expect(page.locator("#official-response")).to_contain_text("Délibération n° 2026-117 du")

    # Every section of the synthesis, from the desk.
    visit(page, desk_path)
    sections = page.locator("section[aria-labelledby=sections-heading] tbody tr")
    count = sections.count()
    assert count >= 2, f"the synthesis should have several sections, found {count}"
    expect(page.locator("section[aria-labelledby=sections-heading]")).to_contain_text("Ce que retient la modération")
    for index in range(count):
        row = page.locator("section[aria-labelledby=sections-heading] tbody tr").nth(index)
        follow(page, row.get_by_role("link", name=re.compile("^Répondre")))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Répondre à la section")
        page.locator("#type").select_option(label="À l'étude")
        page.locator("#justification").fill(f"Les services étudient ce point ({index + 1}).")
        send(page, "Enregistrer la réponse")
        expect(page.locator(".flashes")).to_contain_text("La réponse à cette section est enregistrée.")
    expect(page.locator("section[aria-labelledby=sections-heading]")).not_to_contain_text("sans réponse")

    # The answer is received; publishing is the moderators' part.
    visit(page, synthesis_path)
    expect(page.locator("section[aria-labelledby=section-responses-title] li.card")).to_have_count(count)
    send(page, "Marquer la réponse comme reçue")
    expect(page.locator(".flashes")).to_contain_text("La synthèse est maintenant : réponse reçue.")
    expect(page.get_by_role("button", name="Publier")).to_have_count(0)
    page.context.clear_cookies()

    # -- The moderator publishes the synthesis. -------------------------------------------------------------
    sign_in(page, "moderatrice.synthese@example.org", PASSWORD, synthesis_path)
    check(page)
    send(page, "Publier")
    expect(page.locator(".flashes")).to_contain_text("La synthèse est maintenant : publiée.")
    page.context.clear_cookies()

    # -- Once it is public, the official takes a commitment answering the proposal, with a dated update. ----
    sign_in(page, "elue.synthese@example.org", PASSWORD, f"/consultations/{consultation_id}/follow-ups")
    check(page)
    follow(page, page.get_by_role("link", name="Nouvel engagement"))
    page.get_by_label(re.compile("^Engagement")).fill(COMMITMENT)
    page.get_by_label(re.compile("^Porté par")).fill("Service des espaces publics")
    page.get_by_label(TITLE).check()
    check(page)
    send(page, "Enregistrer")
    expect(page.locator(".flashes")).to_contain_text("L'engagement est créé.")
    follow_up_path = re.search(r"/follow-ups/\d+$", page.url).group(0)
    page.get_by_label(re.compile(r"^Avancement \(%\)")).fill("30")
    page.get_by_label(re.compile("^Ce qui a été fait")).fill(
        "Les trois emplacements sont choisis avec le comité de quartier.")
    send(page, "Publier la mise à jour")
    expect(page.locator(".flashes")).to_contain_text("La mise à jour est publiée.")
    expect(page.locator("#updates")).to_contain_text("30 % réalisé")
    page.context.clear_cookies()

    # -- The resident is told, reads the response and follows her proposal's trace. ------------------------
    sign_in(page, "autrice.synthese@example.org", PASSWORD, "/notifications/")
    check(page)
    main = page.locator("main")
    expect(main).to_contain_text(f"Les élu·es ont répondu à « {TITLE} » : retenue partiellement.")
    expect(main).to_contain_text("qui cite votre contribution, est publiée.")
    expect(main).to_contain_text(f"L'engagement « {COMMITMENT} », pris en réponse à « {TITLE} », a été mis à jour")
    visit(page, proposal_path)
    response = page.locator("#official-response")
    expect(response).to_contain_text("Réponse : Retenue partiellement")
    expect(response).to_contain_text(JUSTIFICATION)
    expect(response.get_by_role("link", name=COMMITMENT)).to_have_attribute("href", follow_up_path)
    follow(page, page.get_by_role("link", name=re.compile("Suivre le fil de cette contribution")))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Le fil de la proposition")
    kinds = _trace_kinds(page)
    # Oldest first: the proposal was answered before the synthesis citing it was published (publishing needs
    # the answer received), and the commitment came after both.
    expected = ["submitted", "published", "official_response", "cited", "follow_up"]
    shown = [kind for kind in kinds if kind in {"submitted", "published", "official-response", "cited",
                                                "follow-up"}]
    assert [kind.replace("-", "_") for kind in dict.fromkeys(shown)] == expected, kinds
    cited = page.locator("ol.trace > li.trace-cited a").first
    expect(cited).to_have_attribute("href", re.compile(rf"^/syntheses/{synthesis_id}#.+"))
    expect(page.locator("ol.trace > li.trace-official-response")).to_contain_text("retenue partiellement")
    follow(page, cited)
    assert page.url.split("#")[0].endswith(synthesis_path)
    page.context.clear_cookies()

    # -- Anyone: the published synthesis, the restitution, the follow-up, the open data. -------------------
    visit(page, synthesis_path)
    expect(page.locator("main")).to_contain_text(ADDED)
    expect(page.locator("main")).not_to_contain_text(HIDDEN_TITLE)
    expect(page.locator("section[aria-labelledby=review-comments]")).to_have_count(0)
    expect(page.locator("section[aria-labelledby=section-responses-title]")).to_contain_text("À l'étude")
    visit(page, f"/consultations/{consultation_id}/restitution")
    restitution = page.locator("main")
    expect(restitution.get_by_role("link", name="Ce que retient la modération")).to_have_attribute(
        "href", re.compile(rf"^{synthesis_path}#"))
    expect(restitution.get_by_role("link", name=COMMITMENT)).to_have_attribute("href", follow_up_path)
    # what was decided counts the proposals answered (the sections, all « à l'étude », are read with the synthesis)
    expect(restitution).to_contain_text(re.compile(r"Retenue partiellement\s+1 \(100 %\)"))
    expect(restitution).not_to_contain_text(HIDDEN_TITLE)
    visit(page, f"/consultations/{consultation_id}/follow-ups")
    expect(page.locator("main")).to_contain_text(COMMITMENT)
    expect(page.get_by_role("link", name="Nouvel engagement")).to_have_count(0)
    visit(page, follow_up_path)
    expect(page.locator("#updates")).to_contain_text("30 % réalisé")
    expect(page.get_by_role("button", name="Publier la mise à jour")).to_have_count(0)
    visit(page, "/open-data")
    pdf = page.request.get(f"/consultations/{consultation_id}/restitution.pdf")
    assert pdf.status == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body().startswith(b"%PDF")
