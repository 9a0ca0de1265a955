"""The synthesis policies as a matrix: role × status × action (read, edit, comment in review, each
transition)."""

from __future__ import annotations

import pytest

from deliberation.core import clock
from deliberation.synthesis import policies
from deliberation.synthesis.models import SynthesisStatus
from tests.factories import SynthesisFactory
from tests.synthesis.synthesis_world import ROLES, make_world

S = SynthesisStatus
ALL = tuple(S)
STAFF = {"facilitator", "moderator", "admin"}
MODERATORS = {"moderator", "admin"}


@pytest.fixture
def world(db_session):
    return make_world()


def _synthesis(world, status):
    return SynthesisFactory(consultation=world.consultation, status=status)


def _expected_view(role: str, status: S) -> bool:
    if role in STAFF:
        return True
    if role == "official" and status in (S.SENT_TO_OFFICIALS, S.ANSWERED, S.PUBLISHED):
        return True
    return status == S.PUBLISHED


@pytest.mark.parametrize("status", ALL)
@pytest.mark.parametrize("role", ROLES)
def test_who_reads_a_synthesis(world, role, status):
    synthesis = _synthesis(world, status)
    assert policies.can_view(getattr(world, role), synthesis) is _expected_view(role, status)


@pytest.mark.parametrize("status", ALL)
@pytest.mark.parametrize("role", ROLES)
def test_who_edits_and_comments(world, role, status):
    synthesis = _synthesis(world, status)
    user = getattr(world, role)
    assert policies.can_edit(user, synthesis) is (role in MODERATORS and status in (S.DRAFT, S.IN_REVIEW))
    assert policies.can_comment(user, synthesis) is (role in STAFF and status == S.IN_REVIEW)
    assert policies.can_view_review(user, synthesis) is (role in STAFF)


@pytest.mark.parametrize("role", ROLES)
def test_who_drafts(world, role):
    assert policies.can_draft(getattr(world, role), world.consultation) is (role in MODERATORS)


ALLOWED = {
    (S.DRAFT, S.IN_REVIEW): MODERATORS,
    (S.IN_REVIEW, S.DRAFT): MODERATORS,
    (S.IN_REVIEW, S.VALIDATED): MODERATORS,
    (S.VALIDATED, S.SENT_TO_OFFICIALS): MODERATORS,
    (S.SENT_TO_OFFICIALS, S.ANSWERED): {"official", "admin"},
    (S.ANSWERED, S.PUBLISHED): MODERATORS,
}


def _expected_refusal(role: str, from_status: S, to_status: S) -> str | None:
    if role == "anonymous":
        return "authentication_required"
    if role in ("resident", "other_moderator"):
        return "forbidden"
    if (from_status, to_status) not in ALLOWED:
        return "transition_not_allowed"
    return None if role in ALLOWED[(from_status, to_status)] else "not_allowed_to_transition"


@pytest.mark.parametrize("to_status", ALL)
@pytest.mark.parametrize("from_status", ALL)
@pytest.mark.parametrize("role", ROLES)
def test_who_moves_a_synthesis_and_where(world, role, from_status, to_status):
    synthesis = _synthesis(world, from_status)
    user = getattr(world, role)
    expected = _expected_refusal(role, from_status, to_status)
    assert policies.transition_refusal(user, synthesis, to_status) == expected
    assert policies.can_transition(user, synthesis, to_status) is (expected is None)


def test_the_graph_is_the_workflow_of_the_domain():
    assert {(a, b) for a, targets in policies.TRANSITIONS.items() for b in targets} == set(ALLOWED)
    assert policies.TRANSITIONS[S.PUBLISHED] == ()


def test_buttons_offer_only_the_allowed_transitions(world):
    in_review = _synthesis(world, S.IN_REVIEW)
    assert policies.available_transitions(world.moderator, in_review) == [S.VALIDATED, S.DRAFT]
    assert policies.available_transitions(world.facilitator, in_review) == []
    assert policies.available_transitions(world.official, _synthesis(world, S.SENT_TO_OFFICIALS)) == [S.ANSWERED]


def test_a_blocked_moderator_uses_none_of_their_roles(world):
    world.moderator.blocked_at = clock.now()
    synthesis = _synthesis(world, S.DRAFT)
    assert not policies.can_edit(world.moderator, synthesis)
    assert policies.transition_refusal(world.moderator, synthesis, S.IN_REVIEW) == "account_blocked"
