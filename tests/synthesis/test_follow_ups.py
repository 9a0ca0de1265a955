"""Follow-up of commitments: linked proposals, dated updates, progress, statuses and notifications."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from deliberation.core import clock
from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Forbidden, Invalid
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.notifications.models import Notification
from deliberation.proposals.models import ProposalStatus
from deliberation.synthesis import follow_ups
from tests.factories import ConsultationFactory, ProposalFactory, SupportFactory, UserFactory
from tests.synthesis.response_world import make_world


@pytest.fixture
def world(db_session):
    return make_world()


def _create(world, **kwargs):
    values = {"title": "Installer des bancs", "owner": "Service voirie", "proposal_ids": [world.proposal.id]}
    values.update(kwargs)
    with unit_of_work():
        return follow_ups.create_follow_up(world.consultation, world.official, **values)


def _update(world, follow_up, progress, **kwargs):
    values = {"happened_on": clock.now().date(), "progress": progress, "body": "Devis signé."}
    values.update(kwargs)
    with unit_of_work():
        return follow_ups.add_follow_up_update(follow_up, world.official, **values)


def _told() -> list[int]:
    return sorted(db.session.scalars(select(Notification.user_id).where(Notification.kind == "follow_up_updated")))


def test_a_commitment_links_proposals_and_tells_their_followers(world, mail_outbox):
    follow_up = _create(world, description="Trois bancs.")
    assert follow_up.proposals == [world.proposal]
    assert follow_up.progress == 0 and follow_up.owner == "Service voirie"
    assert _told() == sorted([world.author.id, *(s.id for s in world.supporters)])
    assert len(mail_outbox) == 3
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "follow_ups")).all() == [
        "follow_up_created"]


def test_updates_move_the_proposals_forward_never_back(world):
    follow_up = _create(world)
    world.proposal.status = ProposalStatus.ANSWERED
    update = _update(world, follow_up, 40, body="Devis **signé**.")
    assert "<strong>signé</strong>" in update.body_html
    assert follow_up.progress == 40
    assert world.proposal.status == ProposalStatus.IN_PROGRESS
    _update(world, follow_up, 100, body="Bancs posés.")
    assert world.proposal.status == ProposalStatus.DONE
    _update(world, follow_up, 80, body="Un banc retiré pour réparation.")
    assert follow_up.progress == 80
    assert world.proposal.status == ProposalStatus.DONE
    assert [u.progress for u in follow_up.updates] == [40, 100, 80]


def test_zero_progress_leaves_the_status(world):
    follow_up = _create(world)
    _update(world, follow_up, 0, body="Réunion de lancement.")
    assert world.proposal.status == ProposalStatus.PUBLISHED


def test_a_person_following_two_linked_proposals_is_told_once(world, mail_outbox):
    other = ProposalFactory(consultation=world.consultation, author=world.supporters[0])
    SupportFactory(proposal_id=other.id, user_id=world.author.id)
    follow_up = _create(world, proposal_ids=[world.proposal.id, other.id])
    mail_outbox.clear()
    db.session.execute(Notification.__table__.delete())
    _update(world, follow_up, 10)
    assert _told() == sorted([world.author.id, *(s.id for s in world.supporters)])
    assert len(mail_outbox) == 3


def test_nothing_is_told_when_the_update_rolls_back(world, mail_outbox):
    follow_up = _create(world)
    mail_outbox.clear()
    before = len(_told())
    with pytest.raises(RuntimeError), unit_of_work():
        follow_ups.add_follow_up_update(follow_up, world.official, happened_on=clock.now().date(), progress=50,
                                        body="Travaux.")
        raise RuntimeError("later failure")
    assert mail_outbox == [] and len(_told()) == before


@pytest.mark.parametrize(("progress", "happened_on", "body", "fields"), [
    (101, None, "Ok", {"progress"}),
    (-1, None, "Ok", {"progress"}),
    (50, "future", "Ok", {"happened_on"}),
    (50, None, "  ", {"body"}),
])
def test_an_update_is_checked(world, progress, happened_on, body, fields):
    follow_up = _create(world)
    day = clock.now().date() + timedelta(days=2) if happened_on == "future" else clock.now().date()
    with pytest.raises(Invalid) as raised:
        _update(world, follow_up, progress, happened_on=day, body=body)
    assert set(raised.value.fields) == fields
    assert follow_up.progress == 0


def test_an_update_may_be_dated_in_the_past(world):
    follow_up = _create(world)
    update = _update(world, follow_up, 20, happened_on=date(2025, 5, 1))
    assert update.happened_on == date(2025, 5, 1)


def test_only_public_proposals_of_the_consultation_can_be_linked(world):
    foreign = ProposalFactory(consultation=ConsultationFactory())
    hidden = ProposalFactory(consultation=world.consultation, status=ProposalStatus.HIDDEN)
    for ids in ([foreign.id], [hidden.id], [999_999], [0]):
        with pytest.raises(Invalid) as raised:
            _create(world, proposal_ids=ids)
        assert "proposal_ids" in raised.value.fields


def test_title_and_owner_are_required(world):
    with pytest.raises(Invalid) as raised:
        _create(world, title=" ", owner="")
    assert set(raised.value.fields) == {"title", "owner"}


def test_editing_relinks_and_applies_the_progress(world):
    follow_up = _create(world, proposal_ids=[])
    _update(world, follow_up, 30)
    with unit_of_work():
        follow_ups.edit_follow_up(follow_up, world.official, title="Bancs et ombre", owner="Voirie",
                                  proposal_ids=[world.proposal.id])
    assert follow_up.title == "Bancs et ombre"
    assert world.proposal.status == ProposalStatus.IN_PROGRESS
    assert follow_ups.follow_ups_of(world.proposal) == [follow_up]


def test_only_officials_and_admins_manage_follow_ups(world):
    follow_up = _create(world)
    for actor in (world.resident, world.author, UserFactory(roles=["moderator"]),
                  UserFactory(roles=[("official", ConsultationFactory())])):
        with pytest.raises(Forbidden), unit_of_work():
            follow_ups.create_follow_up(world.consultation, actor, title="X", owner="Y")
        with pytest.raises(Forbidden), unit_of_work():
            follow_ups.add_follow_up_update(follow_up, actor, happened_on=clock.now().date(), progress=50, body="Z")
    admin = UserFactory(roles=["admin"])
    with unit_of_work():
        follow_ups.add_follow_up_update(follow_up, admin, happened_on=clock.now().date(), progress=50, body="Z")
    assert follow_up.progress == 50


def test_list_is_paginated(world):
    for n in range(3):
        _create(world, title=f"Engagement {n}")
    page = follow_ups.list_follow_ups(world.consultation, page=1, per_page=2)
    assert page.total == 3 and len(page.items) == 2
