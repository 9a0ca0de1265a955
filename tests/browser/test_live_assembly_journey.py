"""A live assembly, in French, on four screens at once: the facilitator's console (phone), the projector screen
(1280 px) and two participants' phones (360 px) that join with the code.

Questions from the room, pre-moderated: a phone asks, the others and the screen see nothing until the console
accepts it, then a phone supports it and the console puts it on the screen. A phone asks to speak with a name, the
console gives it the floor with a speaking time: the phone hears it is its turn, the screen shows the speaker and the
countdown. Then a single-choice vote with live results: the phones and the screen see it open and count the
ballots without a reload; a phone that reloads still sees its own vote and changes it (the last ballot counts). Then a
majority-judgment vote hidden until closing: no figures while it is open, then the merit profiles and the
final fingerprint of the ballot log, the same as the public API's `log_head`.

Runs against the real server (gunicorn + gevent, Socket.IO) with the demo data, axe-core after every change
of what a page shows, and no page of a phone wider than 360 px.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE_VIEWPORT, assert_accessible, assert_fits_phone, check, send, sign_in, visit

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Quartiers-2030-demo"
FACILITATOR = "animatrice@demo.deliberation.fr"
TITLE = "Assemblée de quartier des Acacias"
SINGLE = "Quel jour pour la fête des Acacias ?"
DAYS = ("Samedi", "Dimanche", "Mercredi")
JUDGMENT = "Que pensez-vous de ces aménagements de la place ?"
PLANS = ("Des bancs à l’ombre", "Une aire de jeux", "Un marché couvert")
SCREEN_VIEWPORT = {"width": 1280, "height": 720}
LIVE_TIMEOUT_MS = 5_000  # a tally is coalesced every 200 ms: a few seconds is plenty


@pytest.fixture
def open_page(browser, live_server):
    """More pages like the `page` fixture's, each in its own context (its own cookies and localStorage);
    an uncaught JavaScript error on any of them fails the test."""
    contexts, errors = [], []

    def make(viewport=PHONE_VIEWPORT):
        context = browser.new_context(viewport=viewport, locale="fr-FR", device_scale_factor=2, is_mobile=False,
                                      base_url=live_server.url, bypass_csp=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        new_page = context.new_page()
        new_page.on("pageerror", lambda error: errors.append(f"{new_page.url}: {error}"))
        return new_page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the pages: {errors}"


def check_screen(screen) -> None:
    assert_accessible(screen)
    assert_fits_phone(screen, SCREEN_VIEWPORT["width"])


def create_poll(console, question: str, method: str, options: tuple[str, ...], visibility: str) -> int:
    console.locator("#poll-question").fill(question)
    console.locator("#poll-method").select_option(method)
    console.locator("#poll-options").fill("\n".join(options))
    console.locator("#poll-results_visibility").select_option(visibility)
    send(console, "Créer le vote")
    expect(console.locator(".flashes")).to_contain_text("Le vote a été créé")
    item = console.locator("li[data-poll-id]").filter(has=console.get_by_role("heading", name=question))
    expect(item.locator("[data-poll-state]")).to_have_text("brouillon")
    return int(item.get_attribute("data-poll-id"))


def console_button(console, poll_id: int, action: str) -> None:
    """The console's own POST button (it works without JavaScript), then the console reloaded and checked."""
    send(console, console.locator(f"#poll-{poll_id} [data-action={action}] button"))


def vote_for(phone, poll_id: int, label: str, button: str = "Voter") -> None:
    poll = phone.locator(f"#poll-{poll_id}")
    poll.get_by_label(label, exact=True).check()
    poll.get_by_role("button", name=button, exact=True).click()
    expect(phone.locator(f"#poll-{poll_id}-receipt")).to_contain_text("Vote enregistré")


def give_mentions(phone, poll_id: int, mentions: dict[str, str]) -> None:
    poll = phone.locator(f"#poll-{poll_id}")
    for option, mention in mentions.items():
        group = poll.get_by_role("group", name=option, exact=True)
        group.get_by_label(mention, exact=True).check()
    check(phone)
    poll.get_by_role("button", name="Voter", exact=True).click()
    expect(phone.locator(f"#poll-{poll_id}-receipt")).to_contain_text("Vote enregistré")


def bar(page, poll_id: int, label: str, phone: bool):
    """One option's row of live results: its label and its figures."""
    if phone:
        return page.locator(f"#poll-{poll_id}-results li").filter(
            has=page.locator(".live-bar-label", has_text=re.compile(rf"^{re.escape(label)}$")))
    return page.locator(f".live-results[data-results-for='{poll_id}'] .result-bars li").filter(
        has=page.locator(".result-label", has_text=re.compile(rf"^{re.escape(label)}$")))


def test_a_live_assembly_on_a_console_a_screen_and_two_phones(page, open_page, live_server):
    live_server.cli("seed-demo")
    console = page

    # The facilitator creates the assembly and lands on its console.
    sign_in(console, FACILITATOR, DEMO_PASSWORD, "/assemblies/new")
    check(console)
    console.get_by_label(re.compile(r"^Titre\b")).fill(TITLE)
    send(console, "Créer l'assemblée")
    expect(console.get_by_role("heading", level=1)).to_contain_text(TITLE)
    assembly_id = int(re.search(r"/assemblies/(\d+)/console", console.url).group(1))
    code = console.locator(".join-code strong").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", code), code
    expect(console.locator(".flashes")).to_contain_text(code)
    expect(console.locator("[data-live=status]")).to_have_text("Mise à jour en direct active.")
    check(console)

    single_id = create_poll(console, SINGLE, "single", DAYS, "live")
    judgment_id = create_poll(console, JUDGMENT, "majority_judgment", PLANS, "after_close")

    # The projector screen: the code and the QR code, no vote yet.
    screen = open_page(SCREEN_VIEWPORT)
    response = screen.goto(f"/assemblies/{assembly_id}/screen")
    assert response is not None and response.ok
    expect(screen.locator(".screen-code")).to_contain_text(code)
    qr = screen.get_by_role("img", name=re.compile(rf"QR.*{code}"))
    expect(qr).to_be_visible()
    screen.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=qr.element_handle())  # loaded
    expect(screen.locator("#screen-question")).to_have_text("Aucun vote n'est ouvert pour le moment.")
    check_screen(screen)

    # Two phones: one through the short address, one with the code typed in lower case with a space.
    phone1 = open_page()
    visit(phone1, f"/j/{code}")
    phone2 = open_page()
    visit(phone2, f"/j/{quote(code[:3].lower() + ' ' + code[3:].lower())}")
    for phone in (phone1, phone2):
        assert phone.url.endswith(f"/assemblies/join/{code}"), phone.url
        expect(phone.locator("#live-status")).to_have_text("Connecté", timeout=LIVE_TIMEOUT_MS)
        expect(phone.locator("#live-empty")).to_be_visible()
        check(phone)
    # The console counts them as they arrive.
    expect(console.locator("[data-live=connected]")).to_have_text("2", timeout=LIVE_TIMEOUT_MS)
    expect(console.locator("[data-live=peak]")).to_have_text("2")
    check(console)

    questions_and_speakers(console, screen, phone1, phone2)

    # The facilitator opens the single-choice vote: the phones and the screen show it without a reload.
    console_button(console, single_id, "open")
    expect(console.locator(f"#poll-{single_id} [data-poll-state]")).to_have_text("ouvert")
    for phone in (phone1, phone2):
        expect(phone.locator(f"#poll-{single_id}-title")).to_have_text(SINGLE, timeout=LIVE_TIMEOUT_MS)
        expect(phone.locator(f"#poll-{single_id}")).to_contain_text("Vote ouvert")
        check(phone)
    expect(screen.locator("#screen-question")).to_have_text(SINGLE, timeout=LIVE_TIMEOUT_MS)
    expect(screen.locator(".screen-state")).to_have_text("Vote ouvert")
    check_screen(screen)

    # Phone 1 votes and gets a receipt; phone 2 votes; everybody counts 2 ballots, live.
    vote_for(phone1, single_id, DAYS[0])
    expect(phone1.locator(f"#poll-{single_id}-receipt")).to_contain_text(re.compile(r"Reçu : [0-9a-f]{12}"))
    check(phone1)
    phone1.locator(f"#poll-{single_id}-receipt summary").click()  # the full receipt, 64 characters, still fits
    expect(phone1.locator(f"#poll-{single_id}-receipt code")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    check(phone1)
    vote_for(phone2, single_id, DAYS[1])
    check(phone2)
    for phone in (phone1, phone2):
        expect(phone.locator(f"#poll-{single_id}-results")).to_contain_text("Bulletins : 2", timeout=LIVE_TIMEOUT_MS)
        expect(bar(phone, single_id, DAYS[0], phone=True)).to_contain_text("1 (50 %)")
        expect(bar(phone, single_id, DAYS[1], phone=True)).to_contain_text("1 (50 %)")
        check(phone)
    console_results = console.locator(f".live-results[data-results-for='{single_id}']")
    expect(console_results.locator(".results-total")).to_have_text("Bulletins : 2", timeout=LIVE_TIMEOUT_MS)
    check(console)
    screen_results = screen.locator(f".live-results[data-results-for='{single_id}']")
    expect(screen_results.locator(".results-total")).to_have_text("Bulletins : 2", timeout=LIVE_TIMEOUT_MS)
    expect(bar(screen, single_id, DAYS[0], phone=False)).to_contain_text("1 (50 %)")
    check_screen(screen)

    # Phone 1 reloads: its vote is still recorded (from the snapshot), and it changes it.
    receipt = phone1.locator(f"#poll-{single_id}-receipt p").nth(1).inner_text()
    phone1.reload()
    expect(phone1.locator(f"#poll-{single_id}-receipt")).to_contain_text("Vote enregistré")
    expect(phone1.locator(f"#poll-{single_id}-receipt")).to_contain_text(receipt)
    check(phone1)
    phone1.get_by_role("button", name="Modifier mon vote").click()
    expect(phone1.locator(f"#poll-{single_id}").get_by_label(DAYS[0], exact=True)).to_be_checked()
    check(phone1)
    vote_for(phone1, single_id, DAYS[1], button="Enregistrer mon nouveau vote")
    expect(phone1.locator(f"#poll-{single_id}-receipt")).not_to_contain_text(receipt)
    check(phone1)
    expect(bar(screen, single_id, DAYS[1], phone=False)).to_contain_text("2 (100 %)", timeout=LIVE_TIMEOUT_MS)
    expect(bar(screen, single_id, DAYS[0], phone=False)).to_contain_text("0 (0 %)")
    expect(screen_results.locator(".results-total")).to_have_text("Bulletins : 2")
    check_screen(screen)
    expect(bar(phone2, single_id, DAYS[1], phone=True)).to_contain_text("2 (100 %)", timeout=LIVE_TIMEOUT_MS)
    check(phone2)

    # Closed: the last counts stay up, with the fingerprint of the ballot log.
    console_button(console, single_id, "close")
    expect(screen.locator(".screen-state")).to_have_text("Vote clos", timeout=LIVE_TIMEOUT_MS)
    expect(screen_results.locator(".log-head")).to_contain_text("Empreinte finale du registre des bulletins")
    expect(bar(screen, single_id, DAYS[1], phone=False)).to_contain_text("2 (100 %)")
    check_screen(screen)
    for phone in (phone1, phone2):
        expect(phone.locator(f"#poll-{single_id}")).to_contain_text("Vote clos", timeout=LIVE_TIMEOUT_MS)
        expect(phone.locator(f"#poll-{single_id}-change")).to_have_count(0)
        check(phone)

    # The majority-judgment vote, results hidden until closing.
    console_button(console, judgment_id, "open")
    for phone in (phone1, phone2):
        expect(phone.locator(f"#poll-{judgment_id}-title")).to_have_text(JUDGMENT, timeout=LIVE_TIMEOUT_MS)
        expect(phone.locator(f"#poll-{judgment_id}")).to_contain_text(
            "Une mention laissée vide compte comme « À rejeter ».")
        expect(phone.locator(f"#poll-{judgment_id}-results")).to_contain_text("Résultats affichés à la clôture.")
        check(phone)
    expect(screen.locator("#screen-question")).to_have_text(JUDGMENT, timeout=LIVE_TIMEOUT_MS)
    check_screen(screen)

    give_mentions(phone1, judgment_id, {PLANS[0]: "Très bien", PLANS[1]: "Bien", PLANS[2]: "Passable"})
    check(phone1)
    give_mentions(phone2, judgment_id, {PLANS[0]: "Bien", PLANS[1]: "Insuffisant"})  # the market left blank
    check(phone2)
    screen_judgment = screen.locator(f".live-results[data-results-for='{judgment_id}']")
    expect(screen_judgment).to_contain_text("Résultats à la clôture")
    # While open, the screen gives no result: neither profiles nor mentions nor percentages.
    expect(screen_judgment.locator(".merit-profiles")).to_have_count(0)
    expect(screen_judgment).not_to_contain_text("%")
    expect(screen_judgment).not_to_contain_text("Mention majoritaire")
    check_screen(screen)

    # Closing: the merit profiles and the final fingerprint of the ballot log, as the API publishes it.
    console_button(console, judgment_id, "close")
    expect(console.locator(f"#poll-{judgment_id} [data-poll-state]")).to_have_text("clos")
    profiles = screen_judgment.locator(".merit-profiles > li")
    expect(profiles).to_have_count(3, timeout=LIVE_TIMEOUT_MS)
    expect(screen.locator(".screen-state")).to_have_text("Vote clos")
    expect(profiles.nth(0)).to_contain_text(PLANS[0])
    # Très bien + Bien: the lower median of two ballots.
    expect(profiles.nth(0)).to_contain_text("Mention majoritaire : Bien +50 %")
    # The mention phone 2 left blank for the market counted as « À rejeter ».
    market = profiles.filter(has_text=PLANS[2])
    expect(market).to_contain_text("À rejeter 1 (50 %)")
    expect(market).to_contain_text("Passable 1 (50 %)")
    api = screen.request.get(f"/api/v1/polls/{judgment_id}/results")
    assert api.ok, api.status
    body = api.json()
    assert body["total_ballots"] == 2
    log_head = body["log_head"]
    assert re.fullmatch(r"[0-9a-f]{64}", log_head), log_head
    head = screen_judgment.locator(".log-head")
    expect(head).to_contain_text("Empreinte finale du registre des bulletins")
    expect(head.locator(".log-head-short")).to_have_text(log_head[:16])
    expect(head.locator(".log-head-full")).to_contain_text(log_head)
    check_screen(screen)
    for phone in (phone1, phone2):
        expect(phone.locator(f"#poll-{judgment_id}")).to_contain_text("Vote clos", timeout=LIVE_TIMEOUT_MS)
        expect(phone.locator(f"#poll-{judgment_id}-results")).to_contain_text("Mention majoritaire : Bien +50 %")
        check(phone)
    check(console)


ROOM_QUESTION = "Le square sera-t-il éclairé le soir ?"


def position(number: int) -> str:
    return f"Vous êtes n°{number} dans la file d'attente."


def questions_and_speakers(console, screen, phone1, phone2) -> None:
    """Questions from the room and the speaker queue, every action of the console over the socket (no reload)."""
    # Pre-moderation, chosen on the console.
    console.get_by_label(re.compile(r"^Modération a priori")).check()
    console.get_by_role("button", name="Enregistrer le mode de modération").click()
    expect(console.locator("#console-announcer")).to_contain_text("Modération a priori", timeout=LIVE_TIMEOUT_MS)
    check(console)

    # Phone 1 asks: only phone 1 and the console see the question, awaiting moderation.
    phone1.get_by_label("Votre question", exact=True).fill(ROOM_QUESTION)
    expect(phone1.locator("#ask-counter")).to_have_text(f"{280 - len(ROOM_QUESTION)} caractères restants")
    phone1.get_by_role("button", name="Envoyer ma question").click()
    mine = phone1.locator("#questions-list li").filter(has_text=ROOM_QUESTION)
    expect(mine).to_contain_text("Votre question est en attente de modération", timeout=LIVE_TIMEOUT_MS)
    expect(phone1.locator("#ask-text")).to_have_value("")
    check(phone1)
    pending = console.locator("#console-questions li").filter(has_text=ROOM_QUESTION)
    expect(pending).to_contain_text("en attente de modération", timeout=LIVE_TIMEOUT_MS)
    check(console)
    expect(phone2.locator("#questions-empty")).to_be_visible()
    expect(phone2.locator("#questions-list")).not_to_contain_text(ROOM_QUESTION)
    check(phone2)
    expect(screen.locator("#screen-room-question")).to_be_hidden()

    # Accepted: phone 2 sees it and supports it (a toggle button, pressed once supported).
    pending.get_by_role("button", name=re.compile(r"^Accepter")).click()
    support = phone2.get_by_role("button", name=f"Soutenir la question : {ROOM_QUESTION}")
    expect(support).to_have_attribute("aria-pressed", "false", timeout=LIVE_TIMEOUT_MS)
    check(phone2)
    support.click()
    expect(support).to_have_attribute("aria-pressed", "true", timeout=LIVE_TIMEOUT_MS)
    expect(phone2.locator("#questions-list li").filter(has_text=ROOM_QUESTION)).to_contain_text("1 soutien")
    check(phone2)
    expect(mine).to_contain_text("1 soutien", timeout=LIVE_TIMEOUT_MS)
    expect(mine).to_contain_text("Votre question")
    check(phone1)

    # On the screen.
    visible = console.locator("#console-questions li").filter(has_text=ROOM_QUESTION)
    expect(visible).to_contain_text("1 soutien", timeout=LIVE_TIMEOUT_MS)
    visible.get_by_role("button", name=re.compile(r"^Afficher à l'écran")).click()
    expect(screen.locator("#screen-question-text")).to_have_text(ROOM_QUESTION, timeout=LIVE_TIMEOUT_MS)
    check_screen(screen)
    expect(console.locator("#console-questions li").filter(has_text=ROOM_QUESTION)).to_contain_text("à l'écran")
    check(console)

    # Phone 2 asks to speak, with a name; phone 1 without one.
    phone2.get_by_label(re.compile(r"^Nom à annoncer")).fill("Samia")
    phone2.get_by_role("button", name="Demander la parole").click()
    expect(phone2.locator("#hand-status")).to_have_text(position(1), timeout=LIVE_TIMEOUT_MS)
    expect(phone2.get_by_role("button", name="Baisser la main")).to_be_visible()
    check(phone2)
    phone1.get_by_role("button", name="Demander la parole").click()
    expect(phone1.locator("#hand-status")).to_have_text(position(2), timeout=LIVE_TIMEOUT_MS)
    check(phone1)
    queue = console.locator("#console-queue li")
    expect(queue).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
    expect(queue.nth(0)).to_contain_text("Samia")
    expect(queue.nth(1)).to_contain_text(re.compile(r"Participant·e n°\d+"))
    check(console)
    expect(screen.locator("#screen-queue")).to_have_text("2 personnes attendent la parole", timeout=LIVE_TIMEOUT_MS)

    # The console gives the floor to the next person (Samia) for one minute.
    speaking = console.locator("form[action$='/speakers/call'][data-socket]")
    speaking.get_by_label("Minutes").fill("1")
    speaking.get_by_role("button", name="Donner la parole à la personne suivante").click()
    expect(console.locator("[data-live=speaker]")).to_have_text("Samia", timeout=LIVE_TIMEOUT_MS)
    expect(phone2.locator("#hand-status")).to_have_text("C'est à vous de parler.", timeout=LIVE_TIMEOUT_MS)
    expect(phone2.locator("#live-announcer")).to_have_text("C'est à vous de parler.")
    expect(phone2.locator("#live-timer")).to_contain_text("Temps de parole : Samia")
    expect(phone2.locator("#live-timer .timer-clock")).to_have_text(re.compile(r"^(1:00|0:5\d)$"))
    check(phone2)
    expect(phone1.locator("#hand-status")).to_have_text(position(1), timeout=LIVE_TIMEOUT_MS)
    expect(phone1.locator("#hand-speaker")).to_have_text("Parole à : Samia")
    check(phone1)
    expect(screen.locator("#screen-speaker")).to_have_text("Parole à : Samia", timeout=LIVE_TIMEOUT_MS)
    expect(screen.locator("#screen-queue")).to_have_text("1 personne attend la parole")
    expect(screen.locator("#screen-timer")).to_contain_text("Temps de parole : Samia")
    check_screen(screen)
    check(console)

    # Samia has finished; the timer is stopped; phone 1 lowers its hand.
    console.get_by_role("button", name="Fin de l'intervention").click()
    expect(phone2.get_by_role("button", name="Demander la parole")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    console.locator("[data-timer-action=stop]").get_by_role("button").click()
    expect(screen.locator("#screen-timer")).to_be_hidden(timeout=LIVE_TIMEOUT_MS)
    expect(phone2.locator("#room-timer")).to_be_hidden(timeout=LIVE_TIMEOUT_MS)
    phone1.get_by_role("button", name="Baisser la main").click()
    expect(screen.locator("#screen-queue")).to_have_text("", timeout=LIVE_TIMEOUT_MS)
    expect(console.locator("[data-live=queue-empty]")).to_be_visible()
    check(console)
    check_screen(screen)
    check(phone1)
