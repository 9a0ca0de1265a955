"""API: /api/v1/consultations (list, one, create), /api/v1/areas, /api/v1/priorities, exactly as API.md."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from deliberation.consultations.models import Consultation, PhaseKind
from deliberation.core import clock
from deliberation.extensions import db
from deliberation.territories.models import OrganisationKind
from tests.factories import (
    CityContractFactory,
    ConsultationFactory,
    OrganisationFactory,
    PhaseFactory,
    PriorityAreaFactory,
    PriorityFactory,
    UserFactory,
)
from tests.helpers import bearer, commit_setup

NOW = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
CONSULTATION_KEYS = {
    "id",
    "title",
    "description",
    "description_html",
    "contract_id",
    "is_published",
    "created_at",
    "updated_at",
    "current_phase",
    "phases",
    "areas",
    "priorities",
}


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def admin_headers(db_session):
    return bearer(UserFactory(roles=["admin"]))


def new_consultation_body(**overrides) -> dict:
    return {
        "title": "Cadre de vie",
        "description": "Donnez **votre** avis",
        "phases": [
            {
                "kind": "information",
                "starts_at": "2025-03-01T09:00:00+01:00",
                "ends_at": "2025-03-10T00:00:00+01:00",
            },
            {
                "kind": "submission",
                "starts_at": "2025-03-10T00:00:00+01:00",
                "ends_at": "2025-04-10T00:00:00Z",
            },
        ],
        **overrides,
    }


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"].get("fields", {})


# Reading


def test_list_is_paginated_published_only_running_first(client):
    upcoming = ConsultationFactory(title="À venir", phase=False)
    PhaseFactory(consultation=upcoming, starts_at=NOW + DAY, ends_at=NOW + 2 * DAY)
    running = ConsultationFactory(title="En cours")
    ConsultationFactory(title="Brouillon", is_published=False)

    body = client.get("/api/v1/consultations").get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    assert (body["page"], body["total"]) == (1, 2)
    assert [item["id"] for item in body["items"]] == [running.id, upcoming.id]
    assert set(body["items"][0]) == CONSULTATION_KEYS

    body = client.get("/api/v1/consultations?page=2&per_page=1").get_json()
    assert (body["page"], body["per_page"], [i["id"] for i in body["items"]]) == (2, 1, [upcoming.id])


def test_list_refuses_a_bad_page_size(client):
    fields = assert_error(client.get("/api/v1/consultations?per_page=0"), 422, "validation_error")
    assert "per_page" in fields


def test_one_consultation_with_its_current_phase_areas_and_priorities(client):
    epci = OrganisationFactory()
    town = OrganisationFactory(name="Lacville", kind=OrganisationKind.COMMUNE, code="74010", parent=epci)
    contract = CityContractFactory(organisation=epci)
    area = PriorityAreaFactory(contract=contract, code="QN07410A", name="Les Hauts")
    area.communes = [town]
    priority = PriorityFactory(contract=contract, title="Emploi", themes=["youth"])
    consultation = ConsultationFactory(
        phase=False, contract=contract, areas=[area], priorities=[priority], description="Un **projet**"
    )
    PhaseFactory(consultation=consultation, kind=PhaseKind.SUBMISSION, starts_at=NOW - DAY, ends_at=NOW + DAY)
    PhaseFactory(consultation=consultation, kind=PhaseKind.REVIEW, starts_at=NOW + DAY, ends_at=NOW + 9 * DAY)
    db.session.refresh(consultation)

    response = client.get(f"/api/v1/consultations/{consultation.id}")

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == CONSULTATION_KEYS
    assert body["description_html"] == "<p>Un <strong>projet</strong></p>\n"
    assert body["current_phase"] == {
        "id": consultation.phases[0].id,
        "kind": "submission",
        "label": "dépôt des propositions",
        "starts_at": "2025-03-14T12:00:00+00:00",
        "ends_at": "2025-03-16T12:00:00+00:00",
        "actions": ["submit_observation", "submit_proposal", "support", "comment"],
    }
    assert [(p["kind"], p["actions"]) for p in body["phases"]] == [
        ("submission", ["comment", "submit_observation", "submit_proposal", "support"]),
        ("review", []),
    ]
    assert body["areas"] == [
        {
            "id": area.id,
            "contract_id": contract.id,
            "code": "QN07410A",
            "name": "Les Hauts",
            "description": "",
            "is_qpv": True,
            "communes": [{"id": town.id, "name": "Lacville", "code": "74010"}],
        }
    ]
    assert body["priorities"] == [
        {
            "id": priority.id,
            "contract_id": contract.id,
            "title": "Emploi",
            "description": "",
            "position": priority.position,
            "themes": ["youth"],
        }
    ]


def test_current_phase_is_null_when_none_runs(client):
    consultation = ConsultationFactory(phase=False)
    assert client.get(f"/api/v1/consultations/{consultation.id}").get_json()["current_phase"] is None


def test_an_unpublished_consultation_is_404_except_for_admins(client, admin_headers):
    draft = ConsultationFactory(is_published=False)
    commit_setup()
    assert_error(client.get(f"/api/v1/consultations/{draft.id}"), 404, "not_found")
    assert_error(client.get("/api/v1/consultations/999999"), 404, "not_found")
    response = client.get(f"/api/v1/consultations/{draft.id}", headers=admin_headers)
    assert (response.status_code, response.get_json()["is_published"]) == (200, False)


# Creating


def test_an_admin_creates_a_consultation(client, admin_headers):
    contract = CityContractFactory()
    area, priority = PriorityAreaFactory(contract=contract), PriorityFactory(contract=contract)

    response = client.post(
        "/api/v1/consultations",
        headers=admin_headers,
        json=new_consultation_body(contract_id=contract.id, area_ids=[area.id], priority_ids=[priority.id]),
    )

    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == CONSULTATION_KEYS
    assert (body["title"], body["is_published"], body["contract_id"]) == ("Cadre de vie", True, contract.id)
    assert [a["id"] for a in body["areas"]] == [area.id]
    assert [(p["kind"], p["starts_at"], p["ends_at"]) for p in body["phases"]] == [
        ("information", "2025-03-01T08:00:00+00:00", "2025-03-09T23:00:00+00:00"),
        ("submission", "2025-03-09T23:00:00+00:00", "2025-04-10T00:00:00+00:00"),
    ]
    assert body["current_phase"]["kind"] == "submission"
    assert db.session.get(Consultation, body["id"]) is not None


def test_creating_needs_a_signed_in_admin(client):
    assert_error(
        client.post("/api/v1/consultations", json=new_consultation_body()), 401, "authentication_required"
    )
    # Refused before the body is even read.
    assert_error(client.post("/api/v1/consultations", json={}), 401, "authentication_required")
    for roles in ([], ["moderator"], ["official"]):
        headers = bearer(UserFactory(roles=roles))
        assert_error(
            client.post("/api/v1/consultations", headers=headers, json=new_consultation_body()),
            403,
            "forbidden",
        )
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": ""}, "title"),
        ({"phases": None}, "phases"),
        (
            {
                "phases": [
                    {"kind": "party", "starts_at": "2025-03-01T09:00:00Z", "ends_at": "2025-03-02T09:00:00Z"}
                ]
            },
            "phases.0.kind",
        ),
        (
            {
                "phases": [
                    {"kind": "vote", "starts_at": "2025-03-01T09:00:00", "ends_at": "2025-03-02T09:00:00Z"}
                ]
            },
            "phases.0.starts_at",
        ),
        (
            {"phases": [{"kind": "vote", "starts_at": "demain", "ends_at": "2025-03-02T09:00:00Z"}]},
            "phases.0.starts_at",
        ),
        (
            {
                "phases": [
                    {"kind": "vote", "starts_at": "2025-03-02T09:00:00Z", "ends_at": "2025-03-01T09:00:00Z"}
                ]
            },
            "phases.0.ends_at",
        ),
        ({"area_ids": [999999]}, "area_ids"),
        ({"priority_ids": ["x"]}, "priority_ids.0"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_422_with_the_field(client, admin_headers, body, field):
    response = client.post("/api/v1/consultations", headers=admin_headers, json=new_consultation_body(**body))
    fields = assert_error(response, 422, "validation_error")
    assert field in fields and all(isinstance(m, str) and m for m in fields[field])


def test_a_naive_datetime_is_refused_with_a_french_message(client, admin_headers):
    response = client.post(
        "/api/v1/consultations",
        headers=admin_headers,
        json=new_consultation_body(
            phases=[{"kind": "vote", "starts_at": "2025-03-01T09:00:00", "ends_at": "2025-03-02T09:00:00Z"}]
        ),
    )
    assert "fuseau horaire" in response.get_json()["error"]["fields"]["phases.0.starts_at"][0]


def test_overlapping_phases_are_422_phases_overlap(client, admin_headers):
    response = client.post(
        "/api/v1/consultations",
        headers=admin_headers,
        json=new_consultation_body(
            phases=[
                {
                    "kind": "information",
                    "starts_at": "2025-03-01T00:00:00Z",
                    "ends_at": "2025-03-10T00:00:00Z",
                },
                {
                    "kind": "submission",
                    "starts_at": "2025-03-09T00:00:00Z",
                    "ends_at": "2025-04-10T00:00:00Z",
                },
            ]
        ),
    )
    fields = assert_error(response, 422, "phases_overlap")
    assert "se chevauchent" in response.get_json()["error"]["message"]
    assert list(fields) == ["phases"]
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0


# Areas and priorities


def test_areas_and_priorities_lists(client):
    contract = CityContractFactory()
    PriorityAreaFactory(contract=contract, code="QN07410A", name="Les Hauts")
    PriorityAreaFactory(contract=contract, code=None, name="Centre ancien")
    PriorityAreaFactory(name="Ailleurs")
    PriorityFactory(contract=contract, title="Emploi", themes=["youth"])

    body = client.get(f"/api/v1/areas?contract_id={contract.id}").get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    assert [(a["name"], a["code"], a["is_qpv"]) for a in body["items"]] == [
        ("Centre ancien", None, False),
        ("Les Hauts", "QN07410A", True),
    ]
    assert client.get("/api/v1/areas?per_page=1").get_json()["total"] == 3

    body = client.get("/api/v1/priorities").get_json()
    assert (body["total"], body["items"][0]["themes"]) == (1, ["youth"])


def test_openapi_lists_the_routes(client):
    commit_setup()
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/consultations"])
    for path in ("/api/v1/consultations/{consultation_id}", "/api/v1/areas", "/api/v1/priorities"):
        assert "get" in paths[path]
