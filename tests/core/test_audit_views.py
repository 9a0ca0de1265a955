"""The audit log page and its exports: administrators only; the banner says whether the chain holds; the
exports carry what anyone needs to recompute the chain."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import text

from deliberation.core import audit
from deliberation.extensions import db
from tests.factories import UserFactory
from tests.helpers import commit_setup, sign_in


@pytest.fixture
def logged(db_session):
    admin = UserFactory(roles=["admin"], display_name="Camille Admin")
    target = UserFactory()
    granted = audit.record(admin, "role_granted", target, role="moderator", consultation_id=None)
    opened = audit.record(None, "poll_opened", target_type="polls", target_id=42, assembly_id=7)
    commit_setup()
    return {"admin": admin, "granted": granted, "opened": opened}


def test_an_admin_sees_the_entries_newest_first_in_french(client, logged):
    sign_in(client, logged["admin"])
    page = client.get("/admin/audit", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Le journal est intact." in page
    table = page.split("<tbody>")[1]
    assert table.index("Scrutin ouvert") < table.index("Rôle attribué")
    assert "Camille Admin" in page and "Système" in page and "polls #42" in page


def test_the_page_filters_by_action_and_by_actor(client, logged):
    sign_in(client, logged["admin"])
    by_action = client.get("/admin/audit?action=poll_opened").get_data(as_text=True)
    assert "polls #42" in by_action and "users #" not in by_action
    by_actor = client.get(f"/admin/audit?actor={logged['admin'].id}").get_data(as_text=True)
    assert "polls #42" not in by_actor and f"users #{logged['granted'].target_id}" in by_actor


def test_the_banner_names_the_first_altered_entry(client, logged):
    db.session.execute(text("UPDATE audit_entries SET details = '{}' WHERE id = :id"), {"id": logged["granted"].id})
    commit_setup()
    sign_in(client, logged["admin"])
    page = client.get("/admin/audit", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert f"Le journal a été modifié : première entrée altérée n° {logged['granted'].position}." in page


def test_the_exports_let_anyone_recompute_the_chain(client, logged):
    sign_in(client, logged["admin"])
    body = client.get("/admin/audit/export?format=json").get_json()
    assert body["columns"] == list(audit.EXPORT_COLUMNS) and body["length"] == len(body["entries"])
    previous = body["genesis"]
    for entry in body["entries"]:
        assert entry["previous_hash"] == previous
        assert entry["entry_hash"] == audit.entry_hash(previous, entry["position"], entry["at"], entry["actor_id"],
                                                       entry["action"], entry["target_type"], entry["target_id"],
                                                       entry["details"])
        previous = entry["entry_hash"]
    assert previous == body["last_hash"]

    response = client.get("/admin/audit/export?format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == audit.EXPORT_COLUMNS
    assert [row["entry_hash"] for row in rows] == [entry["entry_hash"] for entry in body["entries"]]
    assert rows[-1]["details"] == '{"assembly_id":7}' and rows[-1]["actor_id"] == ""
    assert client.get("/admin/audit/export?format=xml").status_code == 404


@pytest.mark.parametrize("role", ["moderator", "facilitator", "official"])
def test_other_roles_are_refused(client, logged, role):
    sign_in(client, UserFactory(roles=[role]))
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit/export?format=json").status_code == 403


def test_the_administration_links_to_the_log(client, logged):
    sign_in(client, logged["admin"])
    assert 'href="/admin/audit"' in client.get("/admin").get_data(as_text=True)


def test_the_api_lists_entries_newest_first_for_admins_only(client, logged):
    from tests.helpers import bearer

    admin_headers = bearer(logged["admin"])
    resident_headers = bearer(UserFactory())
    commit_setup()
    body = client.get("/api/v1/audit?per_page=1", headers=admin_headers).get_json()
    assert body["page"] == 1 and body["per_page"] == 1 and body["total"] >= 2
    [newest] = body["items"]
    assert (newest["action"], newest["target_id"], newest["entry_hash"]) == (
        "poll_opened", 42, logged["opened"].entry_hash)
    filtered = client.get("/api/v1/audit?action=role_granted", headers=admin_headers).get_json()
    assert {item["action"] for item in filtered["items"]} == {"role_granted"}

    assert client.get("/api/v1/audit").status_code == 401
    refused = client.get("/api/v1/audit", headers=resident_headers)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
