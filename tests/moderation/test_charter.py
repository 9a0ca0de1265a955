"""The moderation charter: a default text until a first version, new versions by administrators only (old ones
never change and stay readable), rendered safely, anchors for numbered rules, and seeded by seed-demo."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Forbidden, Invalid, Unauthenticated
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import charter, services
from deliberation.moderation.charter import CharterVersion
from deliberation.seed import data, seed_demo_command
from tests.factories import UserFactory
from tests.helpers import commit_setup, post_form, sign_in


@pytest.fixture
def admin(db_session):
    return UserFactory(display_name="Ada l'administratrice", roles=["admin"])


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_default_charter_until_the_first_version(client):
    page = _text(client.get("/moderation/charter"))
    assert "Charte par défaut" in page and "Respect des personnes" in page
    assert 'id="regle-2"' in page


def test_versions_are_added_never_edited(admin, moderator):
    with unit_of_work():
        first = charter.publish_version(admin, "## 1. Politesse\nSoyez courtois.")
        second = charter.publish_version(admin, "## 1. Politesse\nSoyez courtois et bref.")
    assert (first.number, second.number) == (1, 2)
    assert first.body == "## 1. Politesse\nSoyez courtois."
    assert charter.current_version() == second
    with pytest.raises(Forbidden):
        charter.publish_version(moderator, "Autre chose")
    with pytest.raises(Unauthenticated):
        charter.publish_version(None, "Autre chose")
    with pytest.raises(Invalid):
        charter.publish_version(admin, "   ")
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "moderation_charter_published")) == 2


def test_the_page_the_versions_and_the_edit_form(client, admin, moderator):
    with unit_of_work():
        charter.publish_version(admin, "## 1. Politesse\nSoyez courtois.")
    commit_setup()
    sign_in(client, moderator)
    assert client.get("/moderation/charter/edit").status_code == 403
    sign_in(client, admin)
    response = post_form(client, "/moderation/charter/edit",
                         {"body": "## 1. Politesse\nSoyez courtois.\n\n## 2. Vie privée\n<script>x()</script>"})
    assert response.status_code == 302
    raw = client.get("/moderation/charter").get_data(as_text=True)
    page = html.unescape(raw)
    assert "Version 2 du" in page and "Vie privée" in page and "<script>x()" not in raw
    assert 'href="/moderation/charter/versions/1"' in page
    old = _text(client.get("/moderation/charter/versions/1"))
    assert "Ceci est une version précédente." in old and "Vie privée" not in old
    assert client.get("/moderation/charter/versions/9").status_code == 404
    refused = post_form(client, "/moderation/charter/edit", {"body": ""})
    assert refused.status_code == 200 and db.session.scalar(select(func.count()).select_from(CharterVersion)) == 2


def test_a_decision_links_its_rule_and_the_log_and_footer_link_the_charter(client, proposal, moderator):
    assert charter.rule_anchor("règle 2") == "regle-2" and charter.rule_anchor("Article 3 – respect") == "regle-3"
    assert charter.rule_anchor("respect") is None
    with unit_of_work():
        services.report_content(UserFactory(), "proposal", proposal.id, reason="personal_data")
        services.decide(moderator, "proposal", proposal.id, action="hide", reason="personal_data",
                        charter_rule="règle 2")
    commit_setup()
    log = _text(client.get("/moderation/log"))
    assert 'href="/moderation/charter#regle-2"' in log
    assert log.count('href="/moderation/charter"') >= 2  # the page and the footer
    assert 'href="/moderation/charter#regle-2"' in _text(client.get(f"/proposals/{proposal.id}"))


def test_seed_demo_adds_the_charter_once(app, db_session):
    runner = app.test_cli_runner()
    assert runner.invoke(seed_demo_command).exit_code == 0
    assert charter.current_version().body == data.CHARTER
    db.session.delete(charter.current_version())
    db.session.flush()
    result = runner.invoke(seed_demo_command)
    assert "the moderation charter was added" in result.output
    assert runner.invoke(seed_demo_command).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(CharterVersion)) == 1
