"""Reports on a person's account (target_type `user`): from the API and from « Signaler ce compte » next to an
author's name; never one's own account; the queue shows the display name only; the decisions are dismiss and
block (hide, restore, merge: 422 block_action); the public log says « un compte », never whose."""

from __future__ import annotations

import json

from markupsafe import escape
from sqlalchemy import select

from deliberation.core import clock
from deliberation.extensions import db
from deliberation.moderation.models import ModerationDecision, Report, ReportStatus
from tests.factories import CommentFactory, ConsultationFactory, UserFactory
from tests.helpers import bearer, commit_setup, post_form, sign_in


def _report(client, actor, user, reason="offensive", **extra):
    return client.post("/api/v1/reports", headers=bearer(actor) if actor else {},
                       json={"target_type": "user", "target_id": user.id, "reason": reason, **extra})


def _decide(client, actor, user, action, **extra):
    return client.post("/api/v1/moderation/decisions", headers=bearer(actor),
                       json={"target_type": "user", "target_id": user.id, "action": action, **extra})


def _code(response) -> tuple[int, str]:
    return response.status_code, response.get_json()["error"]["code"]


def test_reporting_an_account(client, author, reporter):
    assert _code(_report(client, None, author)) == (401, "authentication_required")
    assert _code(_report(client, author, author)) == (403, "own_content")  # never one's own account
    created = _report(client, reporter, author, details="Insulte tout le monde.")
    assert created.status_code == 201
    body = created.get_json()
    assert (body["target_type"], body["target_id"], body["reason"]) == ("user", author.id, "offensive")
    assert _code(_report(client, reporter, author)) == (409, "already_reported")
    response = client.post("/api/v1/reports", headers=bearer(reporter),
                           json={"target_type": "user", "target_id": 999999, "reason": "spam"})
    assert _code(response) == (404, "not_found")
    gone = UserFactory()
    gone.deleted_at = clock.now()
    assert _code(_report(client, reporter, gone)) == (409, "not_reportable")


def test_reports_on_an_account_never_hide_or_block_it_by_themselves(client, consultation, author):
    consultation.report_threshold = 2
    for _ in range(3):
        assert _report(client, UserFactory(), author).status_code == 201
    assert db.session.scalar(select(ModerationDecision)) is None and not author.is_blocked


def test_the_queue_shows_a_reported_account_by_its_display_name_only(client, author, reporter, moderator):
    _report(client, reporter, author, details="Messages insultants.")
    body = client.get("/api/v1/moderation/queue", headers=bearer(moderator)).get_json()
    [item] = body["items"]
    assert (item["target_type"], item["target_id"], item["excerpt"]) == ("user", author.id, author.display_name)
    assert author.email not in json.dumps(body) and reporter.display_name not in json.dumps(body)
    assert client.get("/api/v1/moderation/queue?target_type=user", headers=bearer(moderator)).get_json()["total"] == 1
    # A moderator of one consultation does not see accounts (they span every consultation).
    scoped = UserFactory(roles=[("moderator", ConsultationFactory())])
    assert client.get("/api/v1/moderation/queue", headers=bearer(scoped)).get_json()["items"] == []

    sign_in(client, moderator)
    page = client.get("/moderation").get_data(as_text=True)
    assert f'id="item-user-{author.id}"' in page and str(escape(author.display_name)) in page
    assert author.email not in page
    assert "Bloquer ce compte" in page and "Classer les signalements" in page
    card = page.split(f'id="item-user-{author.id}"')[1]
    assert 'value="hide"' not in card.split("</li>")[0]


def test_decisions_on_an_account(client, author, reporter, moderator):
    _report(client, reporter, author)
    for action in ("hide", "restore", "merge"):
        assert _code(_decide(client, moderator, author, action, reason="spam", into_id=1)) == (422, "block_action")
    # The reporter, even a moderator, leaves the decision to another one.
    other = UserFactory(roles=["moderator"])
    _report(client, other, author, reason="spam")
    assert _code(_decide(client, other, author, "dismiss")) == (403, "own_report")
    assert _code(_decide(client, other, author, "block", justification="Insultes.")) == (403, "own_report")
    assert _code(_decide(client, author, author, "dismiss")) == (403, "not_moderator")
    dismissed = _decide(client, moderator, author, "dismiss")
    assert dismissed.status_code == 201
    entry = dismissed.get_json()
    assert (entry["target_type"], entry["target_id"], entry["action"]) == ("user", None, "dismiss")
    assert {r.status for r in db.session.scalars(select(Report))} == {ReportStatus.DISMISSED}
    assert _code(_decide(client, moderator, author, "dismiss")) == (409, "no_open_reports")

    # Reported again, then blocked: the block acts on the reports.
    _report(client, UserFactory(), author)
    assert _decide(client, moderator, author, "block", justification="Insultes répétées.").status_code == 201
    assert author.is_blocked
    assert db.session.scalar(select(Report).where(Report.status == ReportStatus.OPEN)) is None

    # The public log: « un compte », never whose.
    log = client.get("/api/v1/moderation/log").get_json()
    assert {(i["target_type_label"], i["target_id"]) for i in log["items"]} == {("un compte", None)}
    page = client.get("/moderation/log").get_data(as_text=True)
    assert author.display_name not in json.dumps(log) and str(escape(author.display_name)) not in page
    assert "Un compte" in page


def test_a_dismissal_on_an_account_publishes_no_note_that_could_name_the_person(client, author, reporter,
                                                                              moderator):
    _report(client, reporter, author)
    note = f"Rien à reprocher à {author.display_name}."
    response = _decide(client, moderator, author, "dismiss", note=note, charter_rule="Article 2")
    assert response.status_code == 201
    log = json.dumps(client.get("/api/v1/moderation/log").get_json(), ensure_ascii=False)
    assert author.display_name not in log and "Rien à reprocher" not in log


def test_report_this_account_next_to_an_authors_name(client, proposal, author, reporter):
    comment = CommentFactory(proposal=proposal, author=UserFactory(display_name="Côme le commentateur"))
    sign_in(client, reporter)
    path = f"/proposals/{proposal.id}"
    page = client.get(path).get_data(as_text=True)
    assert page.count("Signaler ce compte") == 2
    assert f'id="report-user-{author.id}-proposal-reason"' in page
    assert f'id="report-user-{comment.author_id}-comment-{comment.id}-reason"' in page
    response = post_form(client, "/reports", {"target_type": "user", "target_id": str(author.id),
                                              "reason": "offensive", "next": path}, token_from=path)
    assert response.status_code == 302
    [report] = db.session.scalars(select(Report)).all()
    assert (report.target_type, report.target_id, report.reporter_id) == ("user", author.id, reporter.id)
    # The author sees no « Signaler ce compte » next to their own name.
    commit_setup()
    sign_in(client, author)
    own_page = client.get(path).get_data(as_text=True)
    assert f'id="report-user-{author.id}-proposal-reason"' not in own_page
