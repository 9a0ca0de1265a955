"""Consultation services: dated phases never overlapping, linked areas and priorities, admin only, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from deliberation.consultations import services
from deliberation.consultations.models import Consultation, Phase, PhaseKind
from deliberation.core import clock
from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Forbidden, Invalid, NotFound
from deliberation.extensions import db
from tests.factories import (
    CityContractFactory,
    ConsultationFactory,
    PhaseFactory,
    PriorityAreaFactory,
    PriorityFactory,
    UserFactory,
)

NOW = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def admin(db_session):
    return UserFactory(roles=["admin"])


def phase(kind: str, start: datetime, end: datetime) -> dict:
    return {"kind": kind, "starts_at": start, "ends_at": end}


def audit_entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def count_consultations() -> int:
    return db.session.scalar(select(func.count()).select_from(Consultation))


def refused(call) -> Invalid:
    with pytest.raises(Invalid) as caught:
        call()
    assert caught.value.status == 422
    return caught.value


def test_a_consultation_is_created_with_its_links_and_phases_and_audited(admin):
    contract = CityContractFactory()
    area, priority = PriorityAreaFactory(contract=contract), PriorityFactory(contract=contract)
    paris = timezone(timedelta(hours=1))

    consultation = services.create_consultation(
        admin,
        title=" Cadre de vie ",
        description="Donnez votre avis",
        contract=contract,
        area_ids=[area.id],
        priority_ids=[priority.id],
        is_published=False,
        phases=[
            phase("information", datetime(2025, 3, 1, 9, tzinfo=paris), datetime(2025, 3, 10, tzinfo=paris)),
            {
                **phase(
                    "submission", datetime(2025, 3, 10, tzinfo=paris), datetime(2025, 4, 10, tzinfo=paris)
                ),
                "description": "À vos idées",
            },
        ],
    )

    assert (consultation.title, consultation.is_published, consultation.contract) == (
        "Cadre de vie",
        False,
        contract,
    )
    assert (consultation.areas, consultation.priorities) == ([area], [priority])
    assert [(p.kind, p.starts_at, p.description) for p in consultation.phases] == [
        (PhaseKind.INFORMATION, datetime(2025, 3, 1, 8, tzinfo=UTC), ""),
        (PhaseKind.SUBMISSION, datetime(2025, 3, 9, 23, tzinfo=UTC), "À vos idées"),
    ]
    [entry] = audit_entries("consultation_created")
    assert (entry.actor_id, entry.target_id) == (admin.id, consultation.id)
    assert entry.details["area_ids"] == [area.id]
    assert [p["kind"] for p in entry.details["phases"]] == ["information", "submission"]


def test_a_phase_must_end_after_it_starts(admin):
    error = refused(
        lambda: services.create_consultation(
            admin,
            title="T",
            phases=[
                phase("information", NOW, NOW + DAY),
                phase("submission", NOW + 2 * DAY, NOW + 2 * DAY),
            ],
        )
    )
    assert (error.code, list(error.fields)) == ("validation_error", ["phases.1.ends_at"])
    assert count_consultations() == 0


def test_phases_never_overlap(admin, app):
    error = refused(
        lambda: services.create_consultation(
            admin,
            title="T",
            phases=[
                phase("submission", NOW + DAY, NOW + 10 * DAY),
                phase("information", NOW, NOW + 2 * DAY),
            ],
        )
    )
    assert error.code == "phases_overlap"
    assert list(error.fields) == ["phases"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "“information”" in error.message and "“submission of proposals”" in error.message
        assert "overlap" in error.message
    assert count_consultations() == 0


def test_a_phase_may_start_when_the_previous_one_ends(admin):
    consultation = services.create_consultation(
        admin,
        title="T",
        phases=[
            phase("information", NOW, NOW + DAY),
            phase("submission", NOW + DAY, NOW + 2 * DAY),
        ],
    )
    assert len(consultation.phases) == 2


@pytest.mark.parametrize(
    "value, message_field",
    [
        (datetime(2025, 3, 1, 9), "phases.0.starts_at"),  # naive: no offset
        (None, "phases.0.starts_at"),
        ("2025-03-01", "phases.0.starts_at"),
    ],
)
def test_phase_dates_must_be_aware_datetimes(admin, value, message_field):
    error = refused(
        lambda: services.create_consultation(
            admin, title="T", phases=[phase("information", value, NOW + DAY)]
        )
    )
    assert message_field in error.fields


def test_an_unknown_phase_kind_is_refused(admin):
    error = refused(
        lambda: services.create_consultation(admin, title="T", phases=[phase("party", NOW, NOW + DAY)])
    )
    assert list(error.fields) == ["phases.0.kind"]


def test_areas_and_priorities_must_exist_and_belong_to_the_contract(admin):
    contract = CityContractFactory()
    foreign_area, foreign_priority = PriorityAreaFactory(), PriorityFactory()
    error = refused(
        lambda: services.create_consultation(
            admin,
            title="T",
            contract=contract,
            area_ids=[foreign_area.id, 999999],
            priority_ids=[foreign_priority.id],
            phases=[],
        )
    )
    assert len(error.fields["area_ids"]) == 2  # one unknown, one of another contract
    assert len(error.fields["priority_ids"]) == 1
    # Without a contract, any existing area or priority may be linked.
    consultation = services.create_consultation(
        admin, title="T", area_ids=[foreign_area.id], priority_ids=[foreign_priority.id]
    )
    assert consultation.areas == [foreign_area]


def test_an_unknown_contract_is_refused(admin):
    error = refused(lambda: services.create_consultation(admin, title="T", contract=999999))
    assert list(error.fields) == ["contract_id"]


@pytest.mark.parametrize("roles", [[], ["moderator"], ["official"], ["facilitator"], ["mediator"]])
def test_only_admins_create_consultations(db_session, roles):
    with pytest.raises(Forbidden):
        services.create_consultation(UserFactory(roles=roles), title="T")


def test_a_scoped_admin_is_not_a_global_admin(db_session):
    consultation = ConsultationFactory()
    scoped = UserFactory(roles=[("admin", consultation)])
    with pytest.raises(Forbidden):
        services.update_consultation(consultation, scoped, title="Autre")
    with pytest.raises(Forbidden):
        services.create_consultation(None, title="T")


def test_update_consultation_checks_links_against_the_new_contract(admin):
    old_contract, new_contract = CityContractFactory(), CityContractFactory()
    area = PriorityAreaFactory(contract=old_contract)
    consultation = ConsultationFactory(contract=old_contract, areas=[area])

    error = refused(
        lambda: services.update_consultation(
            consultation, admin, title="T", contract=new_contract, area_ids=[area.id]
        )
    )
    assert list(error.fields) == ["area_ids"]

    services.update_consultation(
        consultation, admin, title="Nouveau titre", contract=new_contract, is_published=False
    )
    assert (consultation.title, consultation.contract, consultation.areas) == (
        "Nouveau titre",
        new_contract,
        [],
    )
    [entry] = audit_entries("consultation_updated")
    assert entry.details["changes"]["is_published"] == [True, False]
    assert entry.details["changes"]["areas"] == [[area.id], []]


def test_add_phase_refuses_an_overlap_with_existing_phases(admin):
    consultation = ConsultationFactory(phase=False)
    PhaseFactory(consultation=consultation, kind=PhaseKind.SUBMISSION, starts_at=NOW, ends_at=NOW + 10 * DAY)

    error = refused(
        lambda: services.add_phase(
            consultation, admin, kind="review", starts_at=NOW + 9 * DAY, ends_at=NOW + 20 * DAY
        )
    )
    assert (error.code, list(error.fields)) == ("phases_overlap", ["starts_at"])

    added = services.add_phase(
        consultation, admin, kind="review", starts_at=NOW + 10 * DAY, ends_at=NOW + 20 * DAY
    )
    assert [p.kind for p in consultation.phases] == [PhaseKind.SUBMISSION, PhaseKind.REVIEW]
    [entry] = audit_entries("phase_added")
    assert (entry.target_id, entry.details["consultation_id"], entry.details["kind"]) == (
        added.id,
        consultation.id,
        "review",
    )


def test_update_phase_ignores_the_phase_itself_but_not_the_others(admin):
    consultation = ConsultationFactory(phase=False)
    first = PhaseFactory(
        consultation=consultation, kind=PhaseKind.INFORMATION, starts_at=NOW, ends_at=NOW + DAY
    )
    PhaseFactory(
        consultation=consultation, kind=PhaseKind.SUBMISSION, starts_at=NOW + 5 * DAY, ends_at=NOW + 9 * DAY
    )

    services.update_phase(first, admin, kind="diagnosis", starts_at=NOW - DAY, ends_at=NOW + 5 * DAY)
    assert (first.kind, first.ends_at) == (PhaseKind.DIAGNOSIS, NOW + 5 * DAY)
    assert audit_entries("phase_updated")[0].details["changes"]["kind"] == ["information", "diagnosis"]

    error = refused(
        lambda: services.update_phase(first, admin, kind="diagnosis", starts_at=NOW, ends_at=NOW + 6 * DAY)
    )
    assert error.code == "phases_overlap"
    error = refused(lambda: services.update_phase(first, admin, kind="diagnosis", starts_at=NOW, ends_at=NOW))
    assert list(error.fields) == ["ends_at"]


def test_remove_phase_is_audited(admin):
    consultation = ConsultationFactory(phase=PhaseKind.VOTE)
    [running] = consultation.phases
    services.remove_phase(running, admin)
    assert consultation.phases == []
    assert db.session.scalar(select(func.count()).select_from(Phase)) == 0
    [entry] = audit_entries("phase_removed")
    assert (entry.target_type, entry.details["kind"]) == ("phases", "vote")


def test_public_list_puts_running_consultations_first(db_session):
    finished = ConsultationFactory(title="Finie", phase=False)
    PhaseFactory(consultation=finished, starts_at=NOW - 10 * DAY, ends_at=NOW - DAY)
    no_phase = ConsultationFactory(title="Sans étape", phase=False)
    upcoming = ConsultationFactory(title="À venir", phase=False)
    PhaseFactory(consultation=upcoming, starts_at=NOW + DAY, ends_at=NOW + 3 * DAY)
    running_long = ConsultationFactory(title="En cours longue", phase=False)
    PhaseFactory(consultation=running_long, starts_at=NOW - DAY, ends_at=NOW + 30 * DAY)
    running_short = ConsultationFactory(title="En cours courte", phase=False)
    PhaseFactory(consultation=running_short, starts_at=NOW - DAY, ends_at=NOW + 2 * DAY)
    ConsultationFactory(title="Brouillon", is_published=False)

    assert services.list_public_consultations() == [running_short, running_long, upcoming, finished, no_phase]
    page = services.list_public_consultations_page(2, 2)
    assert (page.items, page.total) == ([upcoming, finished], 5)


def test_unpublished_consultations_are_found_only_by_admins(admin):
    draft = ConsultationFactory(is_published=False)
    assert services.get_public_consultation(draft.id, admin) is draft
    for viewer in (None, UserFactory(), UserFactory(roles=["moderator"])):
        with pytest.raises(NotFound):
            services.get_public_consultation(draft.id, viewer)
    with pytest.raises(NotFound):
        services.get_public_consultation(999999, admin)


def test_timeline_marks_past_current_and_upcoming_steps(db_session):
    consultation = ConsultationFactory(phase=False)
    for kind, start, end in [
        (PhaseKind.SUBMISSION, NOW - DAY, NOW + DAY),
        (PhaseKind.INFORMATION, NOW - 5 * DAY, NOW - DAY),
        (PhaseKind.REVIEW, NOW + DAY, NOW + 5 * DAY),
    ]:
        PhaseFactory(consultation=consultation, kind=kind, starts_at=start, ends_at=end)
    db.session.refresh(consultation)

    timeline = services.phase_timeline(consultation)
    assert [(step.phase.kind, step.state) for step in timeline] == [
        (PhaseKind.INFORMATION, "past"),
        (PhaseKind.SUBMISSION, "current"),
        (PhaseKind.REVIEW, "upcoming"),
    ]
    assert services.current_phase(consultation).kind == PhaseKind.SUBMISSION
    assert services.next_phase(consultation).kind == PhaseKind.REVIEW
