"""Home, health check, language switch, redirects that stay on the site, and error answers."""

import pytest

from deliberation.web.urls import is_local_path
from tests.conftest import csrf_token_from
from tests.factories import ConsultationFactory


@pytest.mark.parametrize(("target", "local"), [
    ("/consultations/1", True),
    ("/consultations/1/proposals?q=jardin", True),
    ("//evil.example", False),
    ("/\\evil.example", False),
    ("/\t/evil.example", False),
    ("https://evil.example/", False),
    ("javascript:alert(1)", False),
    ("", False),
    (None, False),
])
def test_only_paths_of_this_site_are_local(target, local):
    assert is_local_path(target) is local


def test_home_lists_published_consultations_in_french(client, db_session):
    ConsultationFactory(title="Budget des quartiers")
    ConsultationFactory(title="Brouillon caché", is_published=False)
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Budget des quartiers" in page
    assert "Brouillon caché" not in page
    assert "Aller au contenu" in page


def test_language_switch_needs_csrf_and_stays_on_the_site(client, db_session):
    assert client.post("/language", data={"language": "en"}).status_code == 400
    token = csrf_token_from(client.get("/"))
    response = client.post("/language", data={"language": "en", "next": "//evil.example", "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Skip to content" in page


def test_healthz_answers_ok(client, db_session):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_healthz_says_unavailable_when_the_database_does_not_answer(tmp_path):
    from deliberation import create_app

    app = create_app({"ENV": "testing", "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable"}


def test_unknown_pages_are_translated_404s(client, db_session):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_api_errors_have_the_documented_body(client, db_session):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert response.json["error"]["message"]


def test_openapi_document_is_served(client, db_session):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json["openapi"].startswith("3.")
