"""Policy matrices: who may create and run assemblies, who sees draft polls."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from deliberation.assemblies.models import PollState
from deliberation.assemblies.policies import can_create_assembly, can_manage_assembly, can_view_poll
from deliberation.core import clock
from tests.factories import AssemblyFactory, ConsultationFactory, PollFactory, UserFactory

# Who the user is, relative to the assembly's consultation ("scoped" = scoped to that consultation,
# "elsewhere" = scoped to another one).
PEOPLE = ["anonymous", "resident", "moderator", "facilitator", "facilitator_scoped", "facilitator_elsewhere",
          "admin", "admin_scoped"]


def make_user(who: str, consultation, other):
    if who == "anonymous":
        return AnonymousUserMixin()
    roles = {
        "resident": [], "moderator": ["moderator"], "facilitator": ["facilitator"],
        "facilitator_scoped": [("facilitator", consultation)], "facilitator_elsewhere": [("facilitator", other)],
        "admin": ["admin"], "admin_scoped": [("admin", consultation)],
    }[who]
    return UserFactory(roles=roles)


MANAGE = {"facilitator", "facilitator_scoped", "admin"}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("with_consultation", [True, False])
def test_can_manage_assembly(db_session, who, with_consultation):
    consultation, other = ConsultationFactory(), ConsultationFactory()
    assembly = AssemblyFactory(consultation_id=consultation.id if with_consultation else None)
    expected = who in MANAGE if with_consultation else who in {"facilitator", "admin"}
    assert can_manage_assembly(make_user(who, consultation, other), assembly) is expected


@pytest.mark.parametrize("who", PEOPLE)
def test_can_create_assembly(db_session, who):
    consultation, other = ConsultationFactory(), ConsultationFactory()
    user = make_user(who, consultation, other)
    assert can_create_assembly(user, consultation) is (who in MANAGE)
    assert can_create_assembly(user) is (who in {"facilitator", "admin"})


def test_deleted_facilitators_cannot_manage(db_session):
    user = UserFactory(roles=["facilitator"], deleted_at=clock.now())
    assert not can_manage_assembly(user, AssemblyFactory())


@pytest.mark.parametrize("state", list(PollState))
@pytest.mark.parametrize("who", ["anonymous", "resident", "facilitator"])
def test_draft_polls_are_seen_by_facilitators_only(db_session, state, who):
    poll = PollFactory(state=state)
    user = make_user(who, None, None)
    assert can_view_poll(user, poll) is (state != PollState.DRAFT or who == "facilitator")
