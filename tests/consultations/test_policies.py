"""Policy matrices: every phase kind × every action, no running phase, unpublished; roles × managing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_login import AnonymousUserMixin

from deliberation.consultations.models import PHASE_ACTIONS, Consultation, Phase, PhaseAction, PhaseKind
from deliberation.consultations.policies import (
    can_manage_consultations,
    can_view_consultation,
    open_actions,
    phase_opens,
)
from deliberation.core import clock
from tests.factories import ConsultationFactory, UserFactory

NOW = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen_at(NOW):
        yield


def consultation_with(kind: PhaseKind | None, *, published: bool = True, offset: timedelta = timedelta(0)):
    """An unsaved consultation whose only phase (if any) runs from 1 day before NOW+offset to 1 day after."""
    phases = (
        []
        if kind is None
        else [
            Phase(
                kind=kind,
                starts_at=NOW + offset - timedelta(days=1),
                ends_at=NOW + offset + timedelta(days=1),
            )
        ]
    )
    return Consultation(title="Démarche", is_published=published, phases=phases)


@pytest.mark.parametrize("kind", list(PhaseKind))
@pytest.mark.parametrize("action", list(PhaseAction))
def test_the_running_phase_opens_exactly_its_actions(app, kind, action):
    assert phase_opens(consultation_with(kind), action) is (action in PHASE_ACTIONS[kind])


# What DOMAIN.md says each phase opens, written out independently of PHASE_ACTIONS.
DOMAIN_EXPECTATIONS = {
    PhaseKind.INFORMATION: set(),
    PhaseKind.DIAGNOSIS: {PhaseAction.SUBMIT_OBSERVATION, PhaseAction.COMMENT},
    PhaseKind.SUBMISSION: {
        PhaseAction.SUBMIT_OBSERVATION,
        PhaseAction.SUBMIT_PROPOSAL,
        PhaseAction.SUPPORT,
        PhaseAction.COMMENT,
    },
    PhaseKind.DELIBERATION: {PhaseAction.COMMENT, PhaseAction.HOLD_ASSEMBLY},
    PhaseKind.REVIEW: set(),
    PhaseKind.VOTE: {PhaseAction.VOTE, PhaseAction.HOLD_ASSEMBLY},
}


@pytest.mark.parametrize("kind, expected", DOMAIN_EXPECTATIONS.items())
def test_phases_open_what_the_domain_says(app, kind, expected):
    assert set(open_actions(consultation_with(kind))) == expected


def test_supports_are_frozen_during_the_vote(app):
    assert not phase_opens(consultation_with(PhaseKind.VOTE), PhaseAction.SUPPORT)


@pytest.mark.parametrize("action", list(PhaseAction))
@pytest.mark.parametrize("situation", ["no phase", "phase over", "phase to come", "unpublished"])
def test_nothing_opens_without_a_running_phase_of_a_published_consultation(app, action, situation):
    consultation = {
        "no phase": lambda: consultation_with(None),
        "phase over": lambda: consultation_with(PhaseKind.SUBMISSION, offset=-timedelta(days=2)),
        "phase to come": lambda: consultation_with(PhaseKind.SUBMISSION, offset=timedelta(days=2)),
        "unpublished": lambda: consultation_with(PhaseKind.SUBMISSION, published=False),
    }[situation]()
    assert phase_opens(consultation, action) is False


def test_a_phase_is_running_from_its_start_included_to_its_end_excluded(app):
    phase = Phase(kind=PhaseKind.SUBMISSION, starts_at=NOW, ends_at=NOW + timedelta(hours=1))
    consultation = Consultation(title="Démarche", is_published=True, phases=[phase])
    assert phase_opens(consultation, PhaseAction.SUBMIT_PROPOSAL)
    with clock.frozen_at(NOW + timedelta(hours=1)):
        assert not phase_opens(consultation, PhaseAction.SUBMIT_PROPOSAL)


ROLE_MATRIX = [
    ([], False),  # resident (every user is one)
    (["mediator"], False),
    (["facilitator"], False),
    (["moderator"], False),
    (["official"], False),
    (["admin"], True),
]


@pytest.mark.parametrize("roles, expected", ROLE_MATRIX)
def test_only_global_admins_manage_consultations(db_session, roles, expected):
    user = UserFactory(roles=roles)
    assert can_manage_consultations(user) is expected
    unpublished = ConsultationFactory(is_published=False)
    assert can_view_consultation(user, unpublished) is expected
    assert can_view_consultation(user, ConsultationFactory()) is True


def test_anonymous_visitors_and_scoped_admins_do_not_manage(db_session):
    consultation = ConsultationFactory(is_published=False)
    scoped_admin = UserFactory(roles=[("admin", consultation)])
    for user in (None, AnonymousUserMixin(), scoped_admin):
        assert can_manage_consultations(user) is False
        assert can_view_consultation(user, consultation) is False
