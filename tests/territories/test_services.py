"""Territory services: official codes (SIREN, INSEE, QPV), contract periods, priorities; admin only; audit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Forbidden, Invalid
from deliberation.extensions import db
from deliberation.territories import services
from deliberation.territories.models import Organisation, OrganisationKind, PriorityArea
from tests.factories import (
    CityContractFactory,
    OrganisationFactory,
    PriorityAreaFactory,
    PriorityFactory,
    UserFactory,
)


@pytest.fixture
def admin(db_session):
    return UserFactory(roles=["admin"])


@pytest.fixture
def epci(db_session):
    return OrganisationFactory(name="Grand Lac", kind=OrganisationKind.EPCI, code="200054781")


def commune(epci, name="Lacville", code="74010"):
    return OrganisationFactory(name=name, kind=OrganisationKind.COMMUNE, code=code, parent=epci)


def audit_entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def field_errors(call) -> dict:
    with pytest.raises(Invalid) as caught:
        call()
    assert caught.value.status == 422
    return caught.value.fields


# Organisations


def test_an_epci_is_created_with_its_siren_and_audited(admin):
    epci = services.create_organisation(admin, name=" Grand Lac ", kind="epci", code="200 054 781")

    assert (epci.name, epci.kind, epci.code, epci.parent_id) == (
        "Grand Lac",
        OrganisationKind.EPCI,
        "200054781",
        None,
    )
    [entry] = audit_entries("organisation_created")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (admin.id, "organisations", epci.id)


@pytest.mark.parametrize("code", ["20005478", "2000547810", "20005478A", ""])
def test_an_epci_needs_a_nine_digit_siren(admin, code):
    errors = field_errors(
        lambda: services.create_organisation(admin, name="Grand Lac", kind="epci", code=code)
    )
    assert list(errors) == ["code"]


@pytest.mark.parametrize(
    "code, stored", [("74010", "74010"), ("2A004", "2A004"), ("2b033", "2B033"), ("97411", "97411")]
)
def test_a_commune_has_an_insee_code_and_belongs_to_an_epci(admin, epci, code, stored):
    created = services.create_organisation(
        admin, name="Commune", kind="commune", code=code, parent_id=epci.id
    )
    assert (created.code, created.parent) == (stored, epci)


@pytest.mark.parametrize("code", ["7401", "740100", "2C004", "2A04", "ABCDE"])
def test_a_wrong_insee_code_is_refused(admin, epci, code):
    errors = field_errors(
        lambda: services.create_organisation(
            admin, name="Commune", kind="commune", code=code, parent_id=epci.id
        )
    )
    assert list(errors) == ["code"]


def test_a_commune_must_belong_to_an_epci(admin, epci):
    other_commune = commune(epci)
    for parent_id in (None, other_commune.id, 999999):
        errors = field_errors(
            lambda parent_id=parent_id: services.create_organisation(
                admin, name="Commune", kind="commune", code="74011", parent_id=parent_id
            )
        )
        assert list(errors) == ["parent_id"]


def test_a_code_is_used_once_and_nothing_is_stored_on_error(admin, epci):
    before = db.session.scalar(select(func.count()).select_from(Organisation))
    errors = field_errors(
        lambda: services.create_organisation(admin, name="Copie", kind="epci", code=epci.code)
    )
    assert "code" in errors
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == before


def test_an_epci_with_communes_cannot_become_a_commune(admin, epci):
    commune(epci)
    other = OrganisationFactory(kind=OrganisationKind.EPCI, code="200000999")
    errors = field_errors(
        lambda: services.update_organisation(
            epci, admin, name=epci.name, kind="commune", code="74012", parent_id=other.id
        )
    )
    assert "kind" in errors


def test_update_organisation_records_what_changed(admin, epci):
    services.update_organisation(epci, admin, name="Grand Lac Agglomération", kind="epci", code=epci.code)
    [entry] = audit_entries("organisation_updated")
    assert entry.details["changes"] == {"name": ["Grand Lac", "Grand Lac Agglomération"]}


def test_only_a_global_admin_manages_the_territory(db_session, epci):
    for user in (None, UserFactory(), UserFactory(roles=["official", "moderator"])):
        with pytest.raises(Forbidden):
            services.create_organisation(user, name="X", kind="epci", code="200000001")


# City contracts


def test_a_contract_has_a_period_that_ends_after_it_starts(admin, epci):
    contract = services.create_contract(
        admin,
        organisation_id=epci.id,
        title="Contrat de ville 2024-2030",
        starts_on=date(2024, 1, 1),
        ends_on=date(2030, 12, 31),
        signatories="Préfet, Grand Lac, CAF",
        description="Engagements 2030",
    )
    assert (contract.signatories, contract.organisation) == ("Préfet, Grand Lac, CAF", epci)
    assert audit_entries("contract_created")[0].target_id == contract.id

    for ends_on in (date(2024, 1, 1), date(2023, 12, 31)):
        errors = field_errors(
            lambda ends_on=ends_on: services.update_contract(
                contract,
                admin,
                organisation_id=epci.id,
                title="Contrat",
                starts_on=date(2024, 1, 1),
                ends_on=ends_on,
            )
        )
        assert list(errors) == ["ends_on"]


def test_a_contract_needs_an_existing_organisation_and_a_title(admin):
    errors = field_errors(
        lambda: services.create_contract(
            admin, organisation_id=999999, title=" ", starts_on=date(2024, 1, 1), ends_on=date(2030, 1, 1)
        )
    )
    assert set(errors) == {"organisation_id", "title"}


# Priority areas


def test_a_qpv_code_is_checked_and_stored_in_capitals(admin, epci):
    contract = CityContractFactory(organisation=epci)
    town = commune(epci)
    area = services.create_area(contract, admin, code=" qn07410a ", name="Les Hauts", commune_ids=[town.id])
    assert (area.code, area.is_qpv, area.communes) == ("QN07410A", True, [town])
    assert audit_entries("area_created")[0].details["communes"] == [town.id]


@pytest.mark.parametrize("code", ["QN0741", "QN07410AB", "QP07410A", "QN-07410", "07410AQN", "QN07410É"])
def test_a_wrong_qpv_code_is_refused(admin, code):
    contract = CityContractFactory()
    errors = field_errors(lambda: services.create_area(contract, admin, code=code, name="Quartier"))
    assert list(errors) == ["code"]


def test_a_qpv_code_is_unique_within_a_contract_only(admin):
    contract, other_contract = CityContractFactory(), CityContractFactory()
    PriorityAreaFactory(contract=contract, code="QN07410A")
    errors = field_errors(lambda: services.create_area(contract, admin, code="QN07410A", name="Doublon"))
    assert list(errors) == ["code"]
    assert services.create_area(other_contract, admin, code="QN07410A", name="Ailleurs").code == "QN07410A"


def test_areas_outside_any_qpv_have_no_code(admin):
    contract = CityContractFactory()
    first = services.create_area(contract, admin, code="", name="Centre ancien")
    second = services.create_area(contract, admin, code=None, name="Zone d'activités")
    assert (first.code, first.is_qpv, second.code) == (None, False, None)


def test_area_communes_come_from_the_contract_organisation(admin, epci):
    contract = CityContractFactory(organisation=epci)
    elsewhere = commune(OrganisationFactory(kind=OrganisationKind.EPCI, code="200000777"), code="01001")
    errors = field_errors(
        lambda: services.create_area(
            contract, admin, code="QN07410A", name="Q", commune_ids=[elsewhere.id, 999999]
        )
    )
    assert len(errors["commune_ids"]) == 2
    assert db.session.scalar(select(func.count()).select_from(PriorityArea)) == 0


def test_update_area_records_the_commune_changes(admin, epci):
    contract = CityContractFactory(organisation=epci)
    first, second = commune(epci, "A-ville", "74001"), commune(epci, "B-ville", "74002")
    area = PriorityAreaFactory(contract=contract, code="QN07410A", name="Les Hauts")
    area.communes = [first]
    services.update_area(area, admin, code="QN07410A", name="Les Hauts", commune_ids=[first.id, second.id])
    assert area.communes == [first, second]
    [entry] = audit_entries("area_updated")
    assert entry.details["changes"] == {"communes": [[first.id], [first.id, second.id]]}


# Priorities


def test_a_priority_goes_last_with_its_themes_in_a_stable_order(admin):
    contract = CityContractFactory()
    PriorityFactory(contract=contract, position=4)
    priority = services.create_priority(
        contract, admin, title="Cadre de vie", themes=["ecological_transition", "youth", "youth"]
    )
    assert priority.position == 5
    assert priority.themes == ["youth", "ecological_transition"]
    assert audit_entries("priority_created")[0].details["themes"] == ["youth", "ecological_transition"]


def test_an_unknown_theme_is_refused(admin):
    priority = PriorityFactory()
    errors = field_errors(lambda: services.update_priority(priority, admin, title="Emploi", themes=["sport"]))
    assert list(errors) == ["themes"]


def test_update_priority_keeps_its_position_unless_given(admin):
    priority = PriorityFactory(position=3)
    services.update_priority(priority, admin, title="Emploi et insertion", themes=["gender_equality"])
    assert (priority.position, priority.themes) == (3, ["gender_equality"])
    assert audit_entries("priority_updated")[0].details["changes"]["themes"] == [[], ["gender_equality"]]


def test_list_pages_of_areas_and_priorities(db_session):
    contract = CityContractFactory()
    for name in ("Bellevue", "Acacias", "Centre"):
        PriorityAreaFactory(contract=contract, name=name)
    PriorityAreaFactory(name="Ailleurs")
    page = services.list_areas_page(1, 2, contract_id=contract.id)
    assert ([a.name for a in page.items], page.total) == (["Acacias", "Bellevue"], 3)
    assert services.list_priorities_page(1, 10).total == 0
