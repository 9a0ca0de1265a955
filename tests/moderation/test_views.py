"""Moderation pages: « Signaler » on proposals and comments, placeholders, the queue, the public log, the
consultation settings and pre-moderation seen by the author."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from deliberation.consultations.models import Consultation
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import services
from deliberation.moderation.models import Report
from deliberation.proposals.models import CommentStatus, Proposal, ProposalStatus
from tests.conftest import csrf_token_from
from tests.factories import CommentFactory, UserFactory
from tests.helpers import commit_setup, post_form, sign_in
from tests.moderation.conftest import HIDDEN_BODY, HIDDEN_TITLE

REPORT_ACTION = 'action="/reports"'


def _text(response) -> str:
    """The page as a reader sees it (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


def _hide(proposal, moderator, reason="personal_data", **extra):
    with unit_of_work():
        services.report_content(UserFactory(), "proposal", proposal.id, reason="spam")
        services.decide(moderator, "proposal", proposal.id, action="hide", reason=reason, **extra)
    commit_setup()


def test_the_report_form_shows_to_residents_not_to_the_author_nor_anonymous(client, proposal, author):
    comment = CommentFactory(proposal=proposal)
    commit_setup()
    path = f"/proposals/{proposal.id}"
    assert REPORT_ACTION not in _text(client.get(path))
    sign_in(client, author)
    page = _text(client.get(path))
    # The comment and its author's account (« Signaler ce compte »), not their own proposal nor account.
    assert page.count(REPORT_ACTION) == 2 and page.count('name="target_type" value="user"') == 1
    sign_in(client, UserFactory())
    page = _text(client.get(path))
    assert page.count(REPORT_ACTION) == 4 and "Signaler" in page  # the proposal, the comment, both authors
    assert page.count('name="target_type" value="user"') == 2
    assert f'name="next" value="{path}#comment-{comment.id}"' in page


def test_reporting_from_the_page(client, proposal, reporter):
    sign_in(client, reporter)
    path = f"/proposals/{proposal.id}"
    response = post_form(client, "/reports", {"target_type": "proposal", "target_id": proposal.id,
                                              "reason": "offensive", "details": "Insultes", "next": path},
                         token_from=path)
    assert response.status_code == 302 and response.headers["Location"] == path
    assert "Votre signalement a été transmis" in _text(client.get(path))
    report = db.session.scalar(select(Report))
    assert (report.reporter_id, report.reason, report.details) == (reporter.id, "offensive", "Insultes")

    again = post_form(client, "/reports", {"target_type": "proposal", "target_id": proposal.id,
                                           "reason": "spam", "next": "//evil.example/"}, token_from=path)
    assert again.headers["Location"] == "/"  # never off the site
    assert "Vous avez déjà signalé ce contenu" in _text(client.get("/"))


def test_a_report_without_csrf_token_is_refused(client, proposal, reporter):
    sign_in(client, reporter)
    response = client.post("/reports", data={"target_type": "proposal", "target_id": proposal.id,
                                             "reason": "spam"})
    assert response.status_code == 400
    assert db.session.scalar(select(Report)) is None


def test_a_hidden_proposal_shows_a_placeholder_with_date_and_reason(client, proposal, moderator):
    _hide(proposal, moderator, note="Un nom de voisin.")
    path = f"/proposals/{proposal.id}"
    for user in (None, UserFactory()):
        if user is not None:
            sign_in(client, user)
        response = client.get(path)
        page = _text(response)
        assert response.status_code == 200
        assert "Contribution masquée par la modération le" in page
        assert "motif : données personnelles d'un tiers" in page and "Un nom de voisin." in page
        assert HIDDEN_TITLE not in page and "Pierre Martin" not in page
    sign_in(client, moderator)
    page = _text(client.get(path))
    assert HIDDEN_TITLE in page and "Vous voyez son texte parce que vous modérez cette démarche." in page
    assert "Contribution masquée par la modération le" in page


def test_a_hidden_comment_shows_a_placeholder_to_all_but_moderators(client, proposal, moderator):
    comment = CommentFactory(proposal=proposal, body="Pierre Martin habite au 12.")
    with unit_of_work():
        services.report_content(UserFactory(), "comment", comment.id, reason="offensive")
        services.decide(moderator, "comment", comment.id, action="hide", reason="offensive")
    commit_setup()
    assert comment.status == CommentStatus.HIDDEN
    page = _text(client.get(f"/proposals/{proposal.id}"))
    assert "Commentaire masqué par la modération le" in page and "injurieux, diffamatoire" in page
    assert "Pierre Martin habite au 12." not in page
    sign_in(client, moderator)
    assert "Pierre Martin habite au 12." in _text(client.get(f"/proposals/{proposal.id}"))


def test_the_lists_leave_hidden_proposals_out(client, proposal, consultation, moderator):
    _hide(proposal, moderator)
    page = _text(client.get(f"/consultations/{consultation.id}/proposals"))
    assert HIDDEN_TITLE not in page


def test_the_queue_and_a_decision_from_it(client, proposal, reporter, moderator):
    with unit_of_work():
        services.report_content(reporter, "proposal", proposal.id, reason="spam")
    sign_in(client, moderator)
    page = _text(client.get("/moderation"))
    assert HIDDEN_TITLE in page and "1 personne l'a signalé" in page and "Spam : 1" in page
    assert reporter.display_name not in page and reporter.email not in page
    assert "?target_type=comment" not in page
    assert HIDDEN_TITLE not in _text(client.get("/moderation?target_type=comment"))

    response = post_form(client, "/moderation/decisions", {
        "target_type": "proposal", "target_id": proposal.id, "action": "hide", "reason": "spam",
        "note": "Publicité", "charter_rule": ""}, token_from="/moderation")
    assert response.status_code == 302
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.HIDDEN
    assert "Décision enregistrée" in _text(client.get("/moderation"))

    refused = post_form(client, "/moderation/decisions", {
        "target_type": "proposal", "target_id": proposal.id, "action": "merge", "reason": "duplicate"},
        token_from="/moderation")
    assert refused.status_code == 302
    assert "Choisissez la contribution à conserver." in _text(client.get("/moderation"))


@pytest.mark.parametrize("typed, into_id", [("12", 12), ("n° 12", 12), ("#12 ", 12), ("", None),
                                             ("12 ou 13", 0), ("1, 2", 0), ("douze", 0)])
def test_the_kept_proposal_is_read_as_one_number_or_refused(typed, into_id):
    from deliberation.moderation.views import _into_id

    assert _into_id(typed) == into_id  # « 12 ou 13 » was read as no. 1213; 0 is refused as unknown


def test_the_public_log_never_shows_the_text_the_reporters_or_the_moderator(client, proposal, reporter,
                                                                               moderator):
    with unit_of_work():
        services.report_content(reporter, "proposal", proposal.id, reason="personal_data",
                                details="Pierre Martin")
        services.decide(moderator, "proposal", proposal.id, action="hide", reason="personal_data",
                        charter_rule="Article 3")
    commit_setup()
    response = client.get("/moderation/log")
    page = _text(response)
    assert response.status_code == 200
    assert "Journal de modération" in page and "l'équipe de modération" in page
    assert "Données personnelles d'un tiers" in page and "Article 3" in page and "Décisions par mois" in page
    assert "Novembre 2026" in page or "Décembre 2026" in page or "2026" in page
    for secret in (HIDDEN_TITLE, HIDDEN_BODY, "Pierre Martin", reporter.display_name, reporter.email,
                   moderator.display_name, moderator.email):
        assert secret not in page


def test_pre_moderation_seen_by_the_author(client, consultation, author, moderator):
    consultation.premoderation = True
    commit_setup()
    sign_in(client, author)
    path = f"/consultations/{consultation.id}/proposals/new"
    response = post_form(client, path, {"title": "Un banc", "body": "Devant l'école.", "kind": "proposal"})
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal).where(Proposal.title == "Un banc"))
    assert proposal.status == ProposalStatus.PENDING_MODERATION
    page = _text(client.get(response.headers["Location"]))
    assert "dès qu'un·e modérateur·rice l'aura lue" in page and "En attente de modération" in page
    assert "En attente de modération" in _text(client.get("/my/proposals"))
    client.get("/logout")
    sign_in(client, UserFactory())
    assert client.get(f"/proposals/{proposal.id}").status_code == 404
    assert "Un banc" not in _text(client.get(f"/consultations/{consultation.id}/proposals"))

    sign_in(client, moderator)
    assert "Un banc" in _text(client.get("/moderation"))
    post_form(client, "/moderation/decisions", {"target_type": "proposal", "target_id": proposal.id,
                                                "action": "restore"}, token_from="/moderation")
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.PUBLISHED


def test_admins_set_the_threshold_and_pre_moderation(client, consultation):
    sign_in(client, UserFactory(roles=["admin"]))
    path = f"/admin/consultations/{consultation.id}/edit"
    assert 'name="report_threshold"' in _text(client.get(path))
    response = post_form(client, path, {"title": consultation.title, "contract_id": "", "is_published": "y",
                                        "report_threshold": "5", "premoderation": "y"})
    assert response.status_code == 302
    saved = db.session.get(Consultation, consultation.id)
    db.session.refresh(saved)
    assert (saved.report_threshold, saved.premoderation) == (5, True)
    refused = post_form(client, path, {"title": consultation.title, "contract_id": "", "report_threshold": "0"})
    assert refused.status_code == 422


def test_bulk_decisions_from_the_queue(client, consultation, moderator):
    from tests.factories import ProposalFactory

    first, second, untouched = (ProposalFactory(consultation=consultation) for _ in range(3))
    with unit_of_work():
        for proposal in (first, second, untouched):
            services.report_content(UserFactory(), "proposal", proposal.id, reason="spam")
    sign_in(client, moderator)
    page = _text(client.get("/moderation"))
    assert 'form="bulk-form"' in page and f'value="proposal:{first.id}"' in page
    commit_setup()
    token = csrf_token_from(client.get("/moderation"))
    response = client.post("/moderation/decisions/bulk", data={
        "csrf_token": token, "action": "dismiss", "items": [f"proposal:{first.id}", f"proposal:{second.id}",
                                                             "proposal:999999"]})
    assert response.status_code == 302
    page = _text(client.get("/moderation"))
    assert "2 décisions enregistrées." in page
    assert f'value="proposal:{untouched.id}"' in page and f'value="proposal:{first.id}"' not in page
    statuses = db.session.scalars(select(Report.status).where(Report.target_id.in_([first.id, second.id])))
    assert set(statuses) == {"dismissed"}
