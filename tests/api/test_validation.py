"""Marshmallow's messages reach API clients translated, in the caller's language."""

from __future__ import annotations


def test_a_range_on_both_sides_reads_as_one_sentence(client, db_session):
    response = client.get("/api/v1/consultations?per_page=500", headers={"Accept-Language": "fr"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["per_page"] == ["Doit être compris entre 1 et 100."]


def test_a_one_sided_range_keeps_its_own_sentence(client, db_session):
    response = client.get("/api/v1/consultations?page=0", headers={"Accept-Language": "fr"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["page"] == ["Doit valoir au moins 1."]
