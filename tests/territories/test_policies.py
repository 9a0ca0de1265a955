"""Only a global administrator manages the territory."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from deliberation.territories.policies import can_manage_territory
from tests.factories import ConsultationFactory, UserFactory


@pytest.mark.parametrize(
    "roles, expected",
    [
        ([], False),
        (["mediator"], False),
        (["facilitator"], False),
        (["moderator"], False),
        (["official"], False),
        (["admin"], True),
    ],
)
def test_role_matrix(db_session, roles, expected):
    assert can_manage_territory(UserFactory(roles=roles)) is expected


def test_nobody_signed_out_and_no_scoped_admin(db_session):
    assert can_manage_territory(None) is False
    assert can_manage_territory(AnonymousUserMixin()) is False
    assert can_manage_territory(UserFactory(roles=[("admin", ConsultationFactory())])) is False
