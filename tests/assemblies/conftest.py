"""Shared set-up of the assembly tests."""

from __future__ import annotations

import uuid

import pytest

from tests.factories import UserFactory


@pytest.fixture
def facilitator(db_session):
    return UserFactory(roles=["facilitator"])


def new_ballot_id() -> str:
    return str(uuid.uuid4())
