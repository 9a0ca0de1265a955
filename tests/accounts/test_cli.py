"""`deliberation users create EMAIL --role ROLE [--role ROLE…] [--name NAME]`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from deliberation.accounts.cli import users
from deliberation.accounts.models import User, UserRole
from deliberation.accounts.passwords import verify_password
from tests.accounts.conftest import STRONG_PASSWORD
from tests.factories import UserFactory


@pytest.fixture
def run(app, db_session):
    runner = app.test_cli_runner()

    def invoke(*args: str, password: str | None = STRONG_PASSWORD):
        return runner.invoke(users, ["create", *args], input=None if password is None else password + "\n")

    return invoke


def test_creates_the_account_with_its_roles_and_prints_the_id(run, db_session):
    result = run("Chloe@Example.org", "--role", "moderator", "--role", "official", "--name", "Chloé")
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "chloe@example.org"))
    assert result.output.strip() == str(user.id)
    assert user.display_name == "Chloé"
    assert sorted(a.role for a in user.roles) == [UserRole.MODERATOR, UserRole.OFFICIAL, UserRole.RESIDENT]
    assert verify_password(user.password_hash, STRONG_PASSWORD)


def test_only_the_first_line_of_standard_input_is_the_password(run, db_session):
    result = run("first@example.org", "--role", "admin", password=STRONG_PASSWORD + "\nsomething else")
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "first@example.org"))
    assert user.is_admin and verify_password(user.password_hash, STRONG_PASSWORD)
    assert user.display_name  # a label of the role when --name is not given


def test_duplicate_email(run, db_session):
    UserFactory(email="double@example.org")
    result = run("double@example.org", "--role", "resident")
    assert result.exit_code != 0
    assert "email_taken" in result.output


def test_weak_password(run, db_session):
    result = run("weak@example.org", "--role", "resident", password="azertyuiop")
    assert result.exit_code != 0
    assert "weak_password" in result.output
    assert "mot de passe" in result.output  # the reason, in the site's default language
    assert db_session.scalar(select(User).where(User.email == "weak@example.org")) is None


def test_unknown_role(run, db_session):
    result = run("role@example.org", "--role", "emperor")
    assert result.exit_code != 0
    assert "emperor" in result.output
    assert db_session.scalar(select(User).where(User.email == "role@example.org")) is None


def test_a_role_is_required(run, db_session):
    result = run("norole@example.org")
    assert result.exit_code != 0
    assert "--role" in result.output


def test_invalid_email(run, db_session):
    result = run("not-an-email", "--role", "resident")
    assert result.exit_code != 0
    assert "validation_error" in result.output


def test_no_password_given(run, db_session):
    result = run("empty@example.org", "--role", "resident", password=None)
    assert result.exit_code != 0
