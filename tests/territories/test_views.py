"""Territory admin pages: admins only, CSRF, field errors (422), and the overview of what was saved."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from deliberation.extensions import db
from deliberation.territories.models import CityContract, Organisation, OrganisationKind, PriorityArea
from tests.factories import (
    CityContractFactory,
    OrganisationFactory,
    PriorityAreaFactory,
    PriorityFactory,
    UserFactory,
)
from tests.helpers import commit_setup, post_form, sign_in

PAGES = [
    "/admin/territory/",
    "/admin/territory/organisations/new",
    "/admin/territory/contracts/new",
]


@pytest.fixture
def admin(client):
    user = UserFactory(roles=["admin"])
    sign_in(client, user)
    return user


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", PAGES)
def test_other_roles_are_refused(client, path):
    sign_in(client, UserFactory(roles=["moderator", "official", "facilitator"]))
    assert client.get(path).status_code == 403


def test_overview_lists_organisations_contract_areas_and_priorities(client, admin):
    epci = OrganisationFactory(name="Grand Lac", code="200054781")
    OrganisationFactory(name="Lacville", kind=OrganisationKind.COMMUNE, code="74010", parent=epci)
    contract = CityContractFactory(organisation=epci, title="Contrat de ville du Grand Lac")
    PriorityAreaFactory(contract=contract, code="QN07410A", name="Les Hauts")
    PriorityAreaFactory(contract=contract, code=None, name="Centre ancien")
    PriorityFactory(contract=contract, title="Emploi", themes=["youth"])

    html = client.get("/admin/territory/").get_data(as_text=True)

    for text in (
        "Grand Lac",
        "Lacville",
        "SIREN 200054781",
        "Contrat de ville du Grand Lac",
        "QN07410A",
        "Les Hauts",
        "hors QPV",
        "Emploi",
        "jeunesse",
    ):
        assert text in html
    assert html.count("<h1>") == 1


def test_an_epci_then_a_commune_are_created(client, admin):
    response = post_form(
        client,
        "/admin/territory/organisations/new",
        {"name": "Grand Lac", "kind": "epci", "code": "200054781", "parent_id": ""},
    )
    assert response.status_code == 302
    epci = db.session.scalar(select(Organisation).where(Organisation.code == "200054781"))

    response = post_form(
        client,
        "/admin/territory/organisations/new",
        {"name": "Ajaccio", "kind": "commune", "code": "2a004", "parent_id": str(epci.id)},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Organisation).where(Organisation.code == "2A004")).parent == epci


def test_a_wrong_siren_is_shown_next_to_its_field(client, admin):
    response = post_form(
        client,
        "/admin/territory/organisations/new",
        {"name": "Grand Lac", "kind": "epci", "code": "1234", "parent_id": ""},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="code-error"' in html
    assert 'aria-describedby="code-hint code-error"' in html
    assert "9 chiffres" in html


def test_a_post_without_csrf_token_is_refused(client, admin):
    response = client.post(
        "/admin/territory/organisations/new", data={"name": "Grand Lac", "kind": "epci", "code": "200054781"}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(Organisation)) is None


def test_a_contract_with_an_inverted_period_is_refused(client, admin):
    epci = OrganisationFactory()
    response = post_form(
        client,
        "/admin/territory/contracts/new",
        {
            "organisation_id": str(epci.id),
            "title": "Contrat",
            "starts_on": "2030-12-31",
            "ends_on": "2024-01-01",
        },
    )
    assert response.status_code == 422
    assert 'id="ends_on-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(CityContract)) is None


def test_an_area_with_its_communes_and_a_bad_qpv_code(client, admin):
    epci = OrganisationFactory()
    town = OrganisationFactory(name="Lacville", kind=OrganisationKind.COMMUNE, code="74010", parent=epci)
    contract = CityContractFactory(organisation=epci)
    path = f"/admin/territory/contracts/{contract.id}/areas/new"

    page = client.get(path).get_data(as_text=True)
    assert re.search(r'<fieldset id="commune_ids"[^>]*>\s*<legend>Communes</legend>', page)

    response = post_form(client, path, {"code": "QN12", "name": "Les Hauts", "commune_ids": [str(town.id)]})
    assert response.status_code == 422
    assert 'id="code-error"' in response.get_data(as_text=True)

    response = post_form(
        client, path, {"code": "qn07410a", "name": "Les Hauts", "commune_ids": [str(town.id)]}
    )
    assert response.status_code == 302
    area = db.session.scalar(select(PriorityArea))
    assert (area.code, area.communes) == ("QN07410A", [town])


def test_a_priority_is_edited_with_its_themes(client, admin):
    priority = PriorityFactory(title="Emploi")
    path = f"/admin/territory/priorities/{priority.id}/edit"
    assert 'value="Emploi"' in client.get(path).get_data(as_text=True)
    response = post_form(
        client,
        path,
        {"title": "Emploi et insertion", "position": "2", "themes": ["youth", "gender_equality"]},
    )
    assert response.status_code == 302
    db.session.refresh(priority)
    assert (priority.title, priority.position, priority.themes) == (
        "Emploi et insertion",
        2,
        ["youth", "gender_equality"],
    )


def test_unknown_things_answer_404(client, admin):
    commit_setup()
    assert client.get("/admin/territory/areas/999999/edit").status_code == 404
    assert client.get("/admin/territory/contracts/999999/priorities/new").status_code == 404
