"""Open data: `GET /api/v1/consultations/{id}/export`, its documented columns, and no personal data."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from deliberation.core import clock
from deliberation.exports.open_data import LICENCE, TABLES, build_tables
from tests.exports.world import (
    AUTHOR_EMAIL,
    AUTHOR_NAME,
    DRAFT_TITLE,
    FUTURE_JUSTIFICATION,
    HIDDEN_BODY,
    HIDDEN_COMMENT,
    HIDDEN_TITLE,
    MODERATOR_NAME,
    NOW,
    REPORTER_EMAIL,
    REPORTER_NAME,
    RESIDENT_PSEUDONYM,
    UNPUBLISHED_SYNTHESIS,
    make_world,
)
from tests.factories import ConsultationFactory

SECRETS = (AUTHOR_EMAIL, AUTHOR_NAME, REPORTER_EMAIL, REPORTER_NAME, MODERATOR_NAME, HIDDEN_TITLE, HIDDEN_BODY,
           HIDDEN_COMMENT, DRAFT_TITLE, FUTURE_JUSTIFICATION, UNPUBLISHED_SYNTHESIS, RESIDENT_PSEUDONYM,
           "En attente confidentielle", "mireille@example.org", "eric.elu@example.org", "Élu·e Éric",
           "device-token", "@example.org")


@pytest.fixture
def world(app, db_session):
    with app.test_request_context():
        yield make_world()


def _export(client, world, **query):
    with clock.frozen_at(NOW):
        return client.get(f"/api/v1/consultations/{world.consultation.id}/export",
                          query_string={"format": "json", **query})


def test_json_has_every_documented_table_with_exactly_its_columns(client, world):
    response = _export(client, world)
    assert response.status_code == 200
    body = response.get_json()
    assert body["licence"] == LICENCE == "Licence Ouverte / Etalab 2.0"
    assert body["consultation"]["id"] == world.consultation.id
    assert body["generated_at"].startswith("2026-03-06")
    assert list(body["tables"]) == list(TABLES)
    for name, rows in body["tables"].items():
        for row in rows:
            assert list(row) == TABLES[name].column_names, name
    assert all(body["tables"][name] for name in TABLES), [n for n in TABLES if not body["tables"][n]]


def test_csv_zip_has_one_file_per_table_with_exactly_the_documented_columns(client, world):
    response = _export(client, world, format="csv")
    assert response.status_code == 200
    assert response.content_type == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted([f"{name}.csv" for name in TABLES] + ["LICENCE.txt"])
    json_tables = _export(client, world).get_json()["tables"]
    for name, table in TABLES.items():
        raw = archive.read(f"{name}.csv")
        assert raw.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets need for UTF-8
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0] == table.column_names
        assert len(rows) - 1 == len(json_tables[name])


def test_one_table_as_csv(client, world):
    response = _export(client, world, format="csv", table="proposals")
    assert response.status_code == 200
    assert response.content_type.startswith("text/csv")
    text = response.data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == TABLES["proposals"].column_names
    titles = {row["id"]: row["title"] for row in reader}
    assert titles[str(world.proposal.id)] == "Une navette vers la gare"
    assert titles[str(world.hidden.id)] == ""


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_no_personal_data_nor_hidden_text_anywhere(client, world, fmt):
    response = _export(client, world, format=fmt)
    if fmt == "csv":
        archive = zipfile.ZipFile(io.BytesIO(response.data))
        text = "".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    else:
        text = json.dumps(response.get_json(), ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text, secret


def test_hidden_and_merged_rows_keep_their_status_and_reason_without_text(app, world):
    with app.test_request_context(), clock.frozen_at(NOW):
        tables = build_tables(world.consultation)
    proposals = {row["id"]: row for row in tables["proposals"]}
    hidden = proposals[world.hidden.id]
    assert (hidden["status"], hidden["title"], hidden["body"], hidden["moderation_reason"]) == (
        "hidden", None, None, "offensive")
    merged = proposals[world.duplicate.id]
    assert (merged["status"], merged["title"], merged["merged_into_id"]) == ("merged", None, world.proposal.id)
    assert world.draft.id not in proposals and world.people["pending"].id not in proposals
    assert proposals[world.proposal.id]["response_type"] == "accepted"
    assert proposals[world.people["other"].id]["response_type"] is None  # its response is not public yet
    comments = {row["id"]: row for row in tables["comments"]}
    assert comments[world.hidden_comment.id]["body"] is None
    assert comments[world.hidden_comment.id]["status"] == "hidden"
    assert comments[world.hidden_comment.id]["moderation_reason"] == "offensive"
    log = tables["moderation_log"]
    assert {row["action"] for row in log} == {"hide", "restore", "merge"}
    assert any(row["charter_rule"] == "Respect" for row in log)
    assert [row["id"] for row in tables["syntheses"]] == [world.synthesis.id]
    assert {row["synthesis_id"] for row in tables["synthesis_citations"]} == {world.synthesis.id}
    assert [row["proposal_id"] for row in tables["responses"]] == [world.proposal.id]
    assert tables["responses"][0]["council_decision_number"] == "2026-014"
    assert tables["follow_ups"][0]["proposal_ids"] == str(world.proposal.id)
    assert tables["follow_up_updates"][0]["progress"] == 50


def test_polls_follow_the_public_results_rules(app, world):
    with app.test_request_context(), clock.frozen_at(NOW):
        tables = build_tables(world.consultation)
    polls = {row["id"]: row for row in tables["polls"]}
    closed, totals_only, still_open = world.poll.id, world.totals_only_poll.id, world.after_close_poll.id
    assert polls[closed]["results_public"] and polls[closed]["total_ballots"] == 3
    # after_close, still open: listed, but no count, no results, no ballots
    assert polls[still_open]["results_public"] is False and polls[still_open]["total_ballots"] is None
    results = tables["poll_results"]
    assert still_open not in {row["poll_id"] for row in results}
    leader = next(row for row in results if row["poll_id"] == closed and row["rank"] == 1)
    assert (leader["option_label"], leader["count"]) == ("Navette", 2)
    # totals only: the counts, never the ballot log
    assert polls[totals_only]["total_ballots"] == 2 and polls[totals_only]["log_head"] is None
    assert totals_only in {row["poll_id"] for row in results}
    ballots = tables["ballots"]
    assert {row["poll_id"] for row in ballots} == {closed}
    assert [row["position"] for row in ballots] == [0, 1, 2]
    assert ballots[-1]["receipt"] == polls[closed]["log_head"]


def test_errors_are_422_with_a_code(client, world):
    response = _export(client, world, format="xml")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unknown_export_format"
    response = _export(client, world, format="csv", table="users")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unknown_export_table"


def test_unknown_or_unpublished_consultation_is_not_found(client, db_session):
    unpublished = ConsultationFactory(is_published=False)
    db_session.commit()
    assert client.get("/api/v1/consultations/999999/export").status_code == 404
    assert client.get(f"/api/v1/consultations/{unpublished.id}/export").status_code == 404


def test_the_documentation_page_lists_every_table_and_column(client):
    response = client.get("/open-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name, table in TABLES.items():
        assert f'id="table-{name}"' in html
        for column in table.columns:
            assert f"<code>{column.name}</code>" in html
    assert "Licence Ouverte / Etalab 2.0" in html
    assert "Données ouvertes" in html


def test_the_export_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/consultations/{consultation_id}/export"]
