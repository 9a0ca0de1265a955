"""An administrator on a phone, in French: the dashboard, a priority area (QPV), a consultation and its
phases, then a moderator scoped to that consultation, found again in the audit log. And a resident who opens
/admin gets the French 403 page.

Runs against the real server with the demo data (seed-demo), at 360 px, with axe-core on every page and on
every page sent back with errors.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import check, field_error, follow, send, sign_in, visit

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Quartiers-2030-demo"
CONTRACT = "Contrat de ville « Engagements Quartiers 2030 » des Deux-Rives"
AREA = "Les Acacias"
CONSULTATION = "Fête des Acacias : que faire de la place du marché ?"
PARIS = ZoneInfo("Europe/Paris")  # BABEL_DEFAULT_TIMEZONE: datetime-local inputs are read in it


def local(days: int, hour: int) -> str:
    """A datetime-local value `days` from today at `hour` o'clock, Paris time."""
    day = datetime.now(PARIS).date() + timedelta(days=days)
    return datetime.combine(day, time(hour)).strftime("%Y-%m-%dT%H:%M")


def add_phase(page, kind: str, starts: str, ends: str) -> None:
    page.get_by_label(re.compile(r"^Type d’étape\b")).select_option(label=kind)
    page.get_by_label(re.compile(r"^Début\b")).fill(starts)
    page.get_by_label(re.compile(r"^Fin\b")).fill(ends)


def test_admin_sets_up_an_area_a_consultation_its_phases_and_a_moderator(page, live_server):
    live_server.cli("seed-demo")
    sign_in(page, "admin@demo.deliberation.fr", DEMO_PASSWORD, "/admin")
    check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")

    # A priority area: a wrong QPV code first, refused next to the field.
    follow(page, page.get_by_role("link", name="Territoire", exact=True))
    follow(page, page.get_by_role("link", name=f"Ajouter un quartier – {CONTRACT}"))
    page.get_by_label("Code QPV").fill("QP-123")
    page.get_by_label(re.compile(r"^Nom\b")).fill(AREA)
    page.get_by_label("Saint-Aubin-sur-Loire").check()
    send(page, "Enregistrer", status=422)
    expect(field_error(page, "code")).to_contain_text("Un code QPV commence par QN")
    expect(page.get_by_label(re.compile(r"^Nom\b"))).to_have_value(AREA)
    page.get_by_label("Code QPV").fill("QN03790A")
    send(page, "Enregistrer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Territoire")
    expect(page.locator(".flashes")).to_have_text("Le quartier a été créé.")
    new_area = page.get_by_role("listitem").filter(has=page.locator("strong", has_text=AREA))
    expect(new_area).to_contain_text("QPV QN03790A")
    expect(new_area).to_contain_text("Saint-Aubin-sur-Loire")

    # A consultation on that area, published.
    visit(page, "/admin")
    follow(page, page.get_by_role("main").get_by_role("link", name="Consultations", exact=True))
    follow(page, page.get_by_role("link", name="Nouvelle consultation"))
    page.get_by_label(re.compile(r"^Titre\b")).fill(CONSULTATION)
    page.get_by_label("Description").fill("Un marché, une fête, des bancs : **à vous** de choisir.")
    page.get_by_label("Contrat de ville").select_option(label=CONTRACT)
    page.get_by_label(f"{AREA} (QN03790A)").check()
    page.get_by_label("Publiée (visible par tout le monde)").check()
    send(page, "Enregistrer")
    expect(page.get_by_role("heading", level=1)).to_contain_text(CONSULTATION)
    expect(page.locator(".flashes")).to_have_text(
        "La consultation a été créée. Ajoutez maintenant ses étapes.")

    # Two phases: the submission now, then a debate that first overlaps it.
    add_phase(page, "Dépôt des propositions", local(-1, 9), local(14, 18))
    send(page, "Ajouter l’étape")
    expect(page.locator(".flashes")).to_have_text("L’étape a été ajoutée.")
    expect(page.locator("ol.timeline > li")).to_have_count(1)
    add_phase(page, "Débat", local(10, 9), local(30, 18))
    send(page, "Ajouter l’étape", status=422)
    expect(field_error(page, "starts_at")).to_contain_text("se chevauchent")
    expect(page.locator("ol.timeline > li")).to_have_count(1)
    add_phase(page, "Débat", local(14, 18), local(30, 18))
    send(page, "Ajouter l’étape")
    expect(page.locator(".flashes")).to_be_in_viewport()
    expect(page.locator("ol.timeline > li")).to_have_count(2)

    # The public page shows the running phase and the timeline.
    follow(page, page.get_by_role("link", name="Voir la page publique"))
    expect(page.get_by_role("heading", level=1)).to_have_text(CONSULTATION)
    expect(page.locator(".current-phase")).to_contain_text("Dépôt des propositions")
    steps = page.locator("section[aria-labelledby=timeline-title] ol.timeline > li")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_have_attribute("aria-current", "step")
    expect(steps.nth(0)).to_contain_text("en cours")
    expect(steps.nth(1)).to_contain_text("Débat")
    expect(steps.nth(1)).to_contain_text("à venir")
    expect(page.get_by_role("link", name="Déposer une contribution")).to_be_visible()

    # A resident becomes moderator of that consultation only.
    visit(page, "/admin/users")
    page.get_by_label("Rechercher par nom ou adresse e-mail").fill("Aïcha")
    send(page, "Rechercher")
    follow(page, page.get_by_role("link", name="Aïcha B."))
    expect(page.get_by_role("heading", level=1)).to_have_text("Aïcha B.")
    page.get_by_label("Rôle", exact=True).select_option(label="modérateur·rice")
    page.get_by_label("Démarche").select_option(label=CONSULTATION)
    send(page, "Attribuer le rôle")
    expect(page.locator(".flashes")).to_have_text("Le rôle a été attribué.")
    row = page.get_by_role("row").filter(has_text="modérateur·rice")
    expect(row).to_contain_text(CONSULTATION)
    expect(page.get_by_role("row").filter(has_text="habitant·e")).to_contain_text("toutes les démarches")
    follow(page, page.get_by_role("link", name="Retour aux comptes"))
    page.get_by_label("Rechercher par nom ou adresse e-mail").fill("Aïcha")
    send(page, "Rechercher")
    expect(page.get_by_role("row").filter(has_text="Aïcha B.")).to_contain_text("modérateur·rice")

    # The audit log shows that role granted, and says the log is intact.
    visit(page, "/admin")
    follow(page, page.get_by_role("main").get_by_role("link", name="Journal", exact=True))
    expect(page.locator("#audit-chain-status")).to_contain_text("Le journal est intact.")
    page.get_by_label("Action", exact=True).select_option(label="Rôle attribué")
    send(page, "Filtrer")
    granted = page.get_by_role("row").filter(has_text="Rôle attribué")
    expect(granted).to_have_count(1)
    expect(granted).to_contain_text('"role":"moderator"')


def test_a_resident_opening_the_administration_gets_a_french_403(page, live_server, make_user):
    make_user("curieuse.admin@example.org", "Une balade le long du canal", display_name="Curieuse")
    sign_in(page, "curieuse.admin@example.org", "Une balade le long du canal")
    for path in ("/admin", "/admin/users", "/admin/territory/", "/admin/audit"):
        response = page.goto(path)
        assert response is not None and response.status == 403, f"{path}: {response and response.status}"
        check(page)
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
        expect(page.get_by_role("main")).to_contain_text("Vous n'êtes pas autorisé·e à faire cela.")
        expect(page.get_by_role("link", name="Administration")).to_have_count(0)
