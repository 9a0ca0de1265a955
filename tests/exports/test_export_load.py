"""Open-data downloads read a whole consultation: one address is rate-limited (429), and a server process builds
a bounded number at once; a download that waits too long is told to come back (503 export_busy, Retry-After)."""

from __future__ import annotations

import pytest

from deliberation.exports.open_data import slots
from tests.factories import ConsultationFactory


@pytest.fixture
def consultation(db_session):
    consultation = ConsultationFactory()
    db_session.commit()
    return consultation


def test_an_address_downloading_again_and_again_is_rate_limited(app, client, consultation, rate_limits_on,
                                                                monkeypatch):
    monkeypatch.setitem(app.config, "EXPORTS_RATE_LIMIT", "2 per minute")
    url = f"/api/v1/consultations/{consultation.id}/export?format=json"
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url, headers={"Accept-Language": "fr"})
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"


def test_a_download_that_finds_every_build_slot_taken_is_told_to_come_back(app, client, consultation,
                                                                          monkeypatch):
    monkeypatch.setitem(app.config, "EXPORTS_CONCURRENT_BUILDS", 1)
    monkeypatch.setitem(app.config, "EXPORTS_BUILD_WAIT_SECONDS", 0.05)
    url = f"/api/v1/consultations/{consultation.id}/export?format=csv"
    with app.test_request_context():
        with slots.build_slot():  # another download under way in this process
            busy = client.get(url, headers={"Accept-Language": "fr"})
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "30"
    error = busy.get_json()["error"]
    assert error["code"] == "export_busy" and "réessayer dans une minute" in error["message"]
    assert client.get(url).status_code == 200  # the slot is free again
