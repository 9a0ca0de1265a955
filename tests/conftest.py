"""Test set-up: one schema per run built by the migrations, one rolled-back transaction per test.

The database is SQLite in a temporary folder unless DELIBERATION_DATABASE_URL names a PostgreSQL database
(CI runs the suite on both). Browser and live-server tests use their own committed database (tests/browser).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import text
from sqlalchemy.orm import scoped_session, sessionmaker

from deliberation import create_app
from deliberation.extensions import db


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("DELIBERATION_DATABASE_URL", "")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def reset_database(app) -> None:
    """Empty the database, then build the schema with the migrations (as production does)."""
    from flask_migrate import upgrade

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()


class FreshRequestClient(FlaskClient):
    """Each request starts as it would in production, although the test keeps an app context (and its
    database session) open around it: with an empty `g`, and with what the test set up already committed
    (into the test's savepoint), so that a request that fails and rolls back does not erase the set-up."""

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
            for name in list(vars(g)):
                if name != "_uow":
                    g.pop(name)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app({
        "ENV": "testing",
        "TESTING": True,
        "DATABASE_URL": _database_url(tmp_path_factory),
        "SERVER_NAME": "localhost",
    })
    app.test_client_class = FreshRequestClient
    Path(app.instance_path).mkdir(exist_ok=True)
    reset_database(app)
    return app


@pytest.fixture
def db_session(app):
    """A session whose commits become savepoints of one outer transaction, rolled back after the test."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        # A plain SQLAlchemy session: Flask-SQLAlchemy's own get_bind() would ignore `bind` and use the engine.
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", query_cls=db.Query)
        db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def mail_outbox(app):
    from deliberation.notifications import mail

    mail.memory_outbox.clear()
    return mail.memory_outbox


def csrf_token_from(response) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def csrf(client):
    """A fresh CSRF token for `client`, taken from a real page."""

    def token(path: str = "/") -> str:
        return csrf_token_from(client.get(path))

    return token


@pytest.fixture
def rate_limits_on(app):
    """Turn Flask-Limiter on for the shared test app (the testing configuration turns it off), then off again.

    The limiter is initialised without adding its before/after-request hooks a second time (the app has
    served requests already); the decorated views check their own limits.
    """
    from deliberation.extensions import limiter

    app.config["RATELIMIT_ENABLED"] = True
    app.extensions.setdefault("limiter", set()).add(limiter)
    limiter.init_app(app)
    limiter.reset()
    try:
        yield limiter
    finally:
        limiter.reset()
        limiter.enabled = False
        app.config["RATELIMIT_ENABLED"] = False
