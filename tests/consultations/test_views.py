"""Consultation pages: the public page in French, the admin dashboard and the consultation admin pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from deliberation.consultations.models import Consultation, Phase, PhaseKind
from deliberation.core import clock
from deliberation.extensions import db
from deliberation.territories.models import OrganisationKind
from tests.conftest import csrf_token_from
from tests.factories import (
    CityContractFactory,
    ConsultationFactory,
    OrganisationFactory,
    PhaseFactory,
    PriorityAreaFactory,
    PriorityFactory,
    UserFactory,
)
from tests.helpers import commit_setup, post_form, sign_in

NOW = datetime(2025, 3, 15, 11, 0, tzinfo=UTC)
DAY = timedelta(days=1)
ADMIN_PAGES = ["/admin", "/admin/consultations", "/admin/consultations/new"]


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def admin(client):
    user = UserFactory(roles=["admin"])
    sign_in(client, user)
    return user


def consultation_with_timeline(current: PhaseKind = PhaseKind.SUBMISSION, **kwargs) -> Consultation:
    consultation = ConsultationFactory(phase=False, **kwargs)
    PhaseFactory(
        consultation=consultation,
        kind=PhaseKind.INFORMATION,
        starts_at=NOW - 20 * DAY,
        ends_at=NOW - 10 * DAY,
    )
    PhaseFactory(
        consultation=consultation,
        kind=current,
        starts_at=NOW - 10 * DAY,
        ends_at=datetime(2025, 4, 1, 16, 30, tzinfo=UTC),
    )
    PhaseFactory(
        consultation=consultation,
        kind=PhaseKind.REVIEW,
        starts_at=datetime(2025, 4, 2, tzinfo=UTC),
        ends_at=datetime(2025, 5, 1, tzinfo=UTC),
    )
    db.session.refresh(consultation)
    return consultation


# Public page


def test_public_page_shows_the_current_phase_timeline_areas_and_priorities_in_french(client):
    epci = OrganisationFactory(name="Grand Lac")
    town = OrganisationFactory(name="Lacville", kind=OrganisationKind.COMMUNE, code="74010", parent=epci)
    contract = CityContractFactory(organisation=epci)
    area = PriorityAreaFactory(contract=contract, code="QN07410A", name="Les Hauts")
    area.communes = [town]
    outside = PriorityAreaFactory(contract=contract, code=None, name="Centre ancien")
    priority = PriorityFactory(
        contract=contract, title="Emploi des jeunes", themes=["youth", "gender_equality"]
    )
    consultation = consultation_with_timeline(
        title="Cadre de vie",
        description="Un **projet** partagé",
        contract=contract,
        areas=[area, outside],
        priorities=[priority],
    )

    response = client.get(f"/consultations/{consultation.id}")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1>") == 1 and "Cadre de vie" in html
    assert "Un <strong>projet</strong> partagé" in html
    # Current phase, with its end localised in Paris time, and what it opens.
    assert "Dépôt des propositions" in html
    assert "1 avril 2025 à 18:30" in html
    assert "déposer des propositions" in html
    # Timeline: an ordered list, the running step marked for assistive technologies.
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S).group(1)
    steps = re.findall(r"<li([^>]*)>", timeline)
    assert len(steps) == 3
    assert ['aria-current="step"' in attributes for attributes in steps] == [False, True, False]
    assert "terminée" in timeline and "en cours" in timeline and "à venir" in timeline
    assert "du 2 avril 2025 au 1 mai 2025" in timeline
    # Areas (QPV code, communes) and priorities (themes).
    for text in (
        "QN07410A",
        "Les Hauts",
        "Lacville",
        "Centre ancien",
        "hors QPV",
        "Emploi des jeunes",
        "jeunesse",
        "égalité entre les femmes et les hommes",
    ):
        assert text in html
    # Calls to action.
    assert f'href="/consultations/{consultation.id}/proposals"' in html
    assert f'href="/consultations/{consultation.id}/proposals/new"' in html
    assert "Déposer une contribution" in html


@pytest.mark.parametrize(
    "kind, can_submit",
    [
        (PhaseKind.SUBMISSION, True),
        (PhaseKind.DIAGNOSIS, True),
        (PhaseKind.REVIEW, False),
        (PhaseKind.VOTE, False),
        (PhaseKind.INFORMATION, False),
    ],
)
def test_submit_link_only_when_the_phase_opens_contributions(client, kind, can_submit):
    consultation = ConsultationFactory(phase=kind)
    html = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert (f'href="/consultations/{consultation.id}/proposals/new"' in html) is can_submit
    assert f'href="/consultations/{consultation.id}/proposals"' in html


def test_public_page_without_a_running_phase_names_the_next_one(client):
    consultation = ConsultationFactory(phase=False)
    PhaseFactory(
        consultation=consultation, kind=PhaseKind.DIAGNOSIS, starts_at=NOW + DAY, ends_at=NOW + 9 * DAY
    )
    html = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Aucune étape n'est en cours" in html
    assert "Prochaine étape : diagnostic partagé, à partir du 16 mars 2025." in html
    assert "/proposals/new" not in html


def test_public_page_in_english(client):
    consultation = consultation_with_timeline()
    client.set_cookie("lang", "en")
    html = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Submission of proposals" in html and "April 1, 2025" in html


def test_an_unpublished_consultation_is_hidden_except_from_admins(client):
    draft = ConsultationFactory(is_published=False)
    commit_setup()
    assert client.get(f"/consultations/{draft.id}").status_code == 404
    sign_in(client, UserFactory(roles=["moderator"]))
    assert client.get(f"/consultations/{draft.id}").status_code == 404
    sign_in(client, UserFactory(roles=["admin"]))
    response = client.get(f"/consultations/{draft.id}")
    assert response.status_code == 200
    assert "n’est pas publiée" in response.get_data(as_text=True)


def test_unknown_consultation_is_404(client):
    assert client.get("/consultations/999999").status_code == 404


# Admin access


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_send_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


@pytest.mark.parametrize("roles", [[], ["mediator"], ["facilitator"], ["moderator"], ["official"]])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_refuse_other_roles(client, path, roles):
    sign_in(client, UserFactory(roles=roles))
    assert client.get(path).status_code == 403


def test_a_scoped_admin_is_refused(client):
    sign_in(client, UserFactory(roles=[("admin", ConsultationFactory())]))
    assert client.get("/admin").status_code == 403


def test_dashboard_links_to_every_admin_area(client, admin):
    html = client.get("/admin").get_data(as_text=True)
    for path in ("/admin/territory/", "/admin/consultations", "/admin/users"):
        assert f'href="{path}"' in html


# Consultation admin


def test_create_a_consultation_then_its_phases(client, admin):
    contract = CityContractFactory()
    area, priority = PriorityAreaFactory(contract=contract), PriorityFactory(contract=contract)

    response = post_form(
        client,
        "/admin/consultations/new",
        {
            "title": "Cadre de vie",
            "description": "Donnez votre avis",
            "contract_id": str(contract.id),
            "area_ids": [str(area.id)],
            "priority_ids": [str(priority.id)],
            "is_published": "y",
        },
    )

    consultation = db.session.scalar(select(Consultation))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/consultations/{consultation.id}/phases")
    assert (consultation.areas, consultation.priorities, consultation.is_published) == (
        [area],
        [priority],
        True,
    )

    # datetime-local values are Paris time: UTC+1 in winter, UTC+2 in summer.
    path = f"/admin/consultations/{consultation.id}/phases"
    assert (
        post_form(
            client,
            path,
            {"kind": "information", "starts_at": "2025-03-01T09:00", "ends_at": "2025-04-01T09:00"},
        ).status_code
        == 302
    )
    phase = db.session.scalar(select(Phase))
    assert (phase.starts_at, phase.ends_at) == (
        datetime(2025, 3, 1, 8, tzinfo=UTC),
        datetime(2025, 4, 1, 7, tzinfo=UTC),
    )


def test_invalid_consultation_form_shows_errors_next_to_fields(client, admin):
    contract = CityContractFactory()
    foreign_area = PriorityAreaFactory()
    response = post_form(
        client,
        "/admin/consultations/new",
        {
            "title": "T",
            "contract_id": str(contract.id),
            "area_ids": [str(foreign_area.id)],
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="area_ids-error"' in html and 'aria-describedby="area_ids-hint area_ids-error"' in html
    assert "n’appartient pas au contrat" in html

    response = post_form(client, "/admin/consultations/new", {"title": ""})
    assert response.status_code == 422
    assert 'id="title-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Consultation)) is None


def test_overlapping_phase_is_refused_with_the_error_on_the_start_field(client, admin):
    consultation = consultation_with_timeline()
    path = f"/admin/consultations/{consultation.id}/phases"
    page = client.get(path).get_data(as_text=True)
    assert 'type="datetime-local"' in page

    response = post_form(
        client, path, {"kind": "vote", "starts_at": "2025-03-30T10:00", "ends_at": "2025-04-05T10:00"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="starts_at-error">(.*?)</p>', html, re.S).group(1)
    assert "se chevauchent" in error
    assert len(consultation.phases) == 3

    response = post_form(
        client, path, {"kind": "vote", "starts_at": "2025-06-01T10:00", "ends_at": "2025-06-01T09:00"}
    )
    assert response.status_code == 422
    assert 'id="ends_at-error"' in response.get_data(as_text=True)


def test_edit_and_delete_a_phase(client, admin):
    consultation = consultation_with_timeline()
    review = consultation.phases[-1]
    path = f"/admin/consultations/{consultation.id}/phases/{review.id}/edit"
    assert 'value="2025-04-02T02:00"' in client.get(path).get_data(as_text=True)  # shown in Paris time

    response = post_form(
        client, path, {"kind": "synthesis", "starts_at": "2025-04-02T02:00", "ends_at": "2025-05-15T18:00"}
    )
    assert response.status_code == 302
    db.session.refresh(review)
    assert (review.kind, review.ends_at) == (PhaseKind.SYNTHESIS, datetime(2025, 5, 15, 16, tzinfo=UTC))

    delete = f"/admin/consultations/{consultation.id}/phases/{review.id}/delete"
    assert client.post(delete).status_code == 400  # no CSRF token
    token = csrf_token_from(client.get(f"/admin/consultations/{consultation.id}/phases"))
    response = client.post(delete, data={"csrf_token": token})
    assert response.status_code == 302
    assert db.session.get(Phase, review.id) is None


def test_a_phase_of_another_consultation_is_404(client, admin):
    other = ConsultationFactory()
    consultation = ConsultationFactory()
    commit_setup()
    assert (
        client.get(f"/admin/consultations/{consultation.id}/phases/{other.phases[0].id}/edit").status_code
        == 404
    )


def test_edit_a_consultation(client, admin):
    consultation = ConsultationFactory(title="Ancien titre")
    path = f"/admin/consultations/{consultation.id}/edit"
    assert 'value="Ancien titre"' in client.get(path).get_data(as_text=True)
    response = post_form(client, path, {"title": "Nouveau titre", "contract_id": ""})
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert (consultation.title, consultation.is_published) == ("Nouveau titre", False)


def test_a_post_without_csrf_token_is_refused(client, admin):
    response = client.post("/admin/consultations/new", data={"title": "Sans jeton"})
    assert response.status_code == 400
    assert db.session.scalar(select(Consultation)) is None


def test_the_phase_form_comes_back_to_its_errors_and_a_success_to_its_message(client, admin):
    """On a phone the form is below the timeline: it posts to …#add-phase so that its errors are in view; a
    success redirects to #main, where the flash message is (a redirect without a fragment keeps the
    request's)."""
    consultation = consultation_with_timeline()
    path = f"/admin/consultations/{consultation.id}/phases"
    assert f'action="{path}#add-phase"' in client.get(path).get_data(as_text=True)

    overlapping = {"kind": "vote", "starts_at": "2025-03-30T10:00", "ends_at": "2025-04-05T10:00"}
    response = post_form(client, path, overlapping)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (html.index('id="add-phase"') < html.index('class="error-summary"')
            < html.index('id="starts_at-error"'))

    later = {"kind": "vote", "starts_at": "2025-06-01T10:00", "ends_at": "2025-06-02T10:00"}
    response = post_form(client, path, later)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{path}#main")
