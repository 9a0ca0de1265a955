"""HTML pages of proposals: status codes, PRG with flashes, CSRF, form errors (422), never a 500."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from deliberation.consultations.models import PhaseKind
from deliberation.core import clock
from deliberation.core.errors import MESSAGES
from deliberation.extensions import db
from deliberation.proposals.models import Comment, Proposal, ProposalStatus
from tests.factories import CommentFactory, ConsultationFactory, ProposalFactory, UserFactory
from tests.helpers import post_form, sign_in


def _count(model=Proposal) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _html(response) -> str:
    return response.get_data(as_text=True)


def _message(app, code: str) -> str:
    """The French text of an error code, as a page shows it (escaped)."""
    with app.test_request_context():
        return str(escape(str(MESSAGES[code])))


# The list

def test_the_list_shows_public_proposals_with_their_details(client, consultation):
    area, priority = consultation.areas[0], consultation.priorities[0]
    ProposalFactory(consultation=consultation, title="Des bancs", area=area, priority=priority,
                    supports_count=3, comments_count=2,
                    author=UserFactory(display_name="Awa", email="awa@x.org"))
    ProposalFactory(consultation=consultation, title="Retirée", status=ProposalStatus.WITHDRAWN)
    page = _html(response := client.get(f"/consultations/{consultation.id}/proposals"))
    assert response.status_code == 200
    assert '<label for="q">Rechercher</label>' in page
    assert "1 contribution" in page and "Des bancs" in page and "Retirée" not in page
    assert "Par Awa" in page and "awa@x.org" not in page
    assert "3 soutiens" in page and "2 commentaires" in page
    assert area.name in page and priority.title in page and "Publiée" in page


def test_filters_search_and_pages_keep_each_other(app, client, consultation):
    area = consultation.areas[0]
    for n in range(app.config["PROPOSALS_PER_PAGE"] + 1):
        ProposalFactory(consultation=consultation, title=f"Jardin {n}", area=area)
    ProposalFactory(consultation=consultation, title="École", area=area)
    page = _html(client.get(f"/consultations/{consultation.id}/proposals",
                            query_string={"q": "jardins", "area_id": area.id}))
    assert "21 contributions" in page and "École" not in page
    next_link = re.search(r'href="([^"]+)" rel="next"', page).group(1)
    assert "q=jardins" in next_link and f"area_id={area.id}" in next_link
    assert "1 contribution" in _html(client.get(next_link.replace("&amp;", "&")))


@pytest.mark.parametrize("query", [
    "area_id=abc", "area_id=99999999999999999999", "priority_id=-1", "kind=poem", "status=hidden",
    "sort=title", "page=-3", "page=abc", "page=99999", "q=" + "x" * 300, 'q="NEAR(*', "q=%00",
])
def test_odd_filters_never_break_the_list(client, consultation, query):
    ProposalFactory(consultation=consultation)
    response = client.get(f"/consultations/{consultation.id}/proposals?{query}")
    assert response.status_code == 200


def test_the_random_order_stays_the_same_for_a_visitor(client, consultation):
    for _ in range(8):
        ProposalFactory(consultation=consultation)
    path = f"/consultations/{consultation.id}/proposals?sort=random"
    order = re.findall(r'href="/proposals/(\d+)"', _html(client.get(path)))
    assert order == re.findall(r'href="/proposals/(\d+)"', _html(client.get(path)))
    with client.session_transaction() as session:
        assert "proposals_seed" in session


def test_an_empty_list_invites_to_contribute(client, consultation, resident):
    sign_in(client, resident)
    page = _html(client.get(f"/consultations/{consultation.id}/proposals"))
    assert "Aucune contribution pour l'instant." in page and "/proposals/new" in page
    page = _html(client.get(f"/consultations/{consultation.id}/proposals?q=piscine"))
    assert "Aucune contribution ne correspond" in page


@pytest.mark.parametrize("path", [
    "/consultations/999999/proposals", "/consultations/99999999999999/proposals", "/proposals/999999",
    "/proposals/99999999999999999999",
])
def test_unknown_ids_are_404(client, path):
    assert client.get(path).status_code == 404


def test_an_unpublished_consultation_is_hidden(client):
    consultation = ConsultationFactory(is_published=False)
    assert client.get(f"/consultations/{consultation.id}/proposals").status_code == 404


# Submitting

def test_submitting_needs_a_sign_in(client, consultation):
    response = client.get(f"/consultations/{consultation.id}/proposals/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_submit_then_see_the_proposal(client, consultation, resident):
    sign_in(client, resident)
    new = f"/consultations/{consultation.id}/proposals/new"
    form = _html(client.get(new))
    assert "140 caractères au plus" in form and "Markdown" in form
    assert "Déposer avec et pour" not in form  # not a mediator
    area = consultation.areas[1]
    response = post_form(client, new, {"kind": "proposal", "title": "Un banc", "body": "Près de *l'école*",
                                       "area_id": str(area.id), "priority_id": ""}, token_from=new)
    proposal = db.session.scalar(select(Proposal).where(Proposal.title == "Un banc"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/proposals/{proposal.id}")
    page = _html(client.get(response.headers["Location"]))
    assert "Merci, votre contribution est publiée." in page
    assert "<em>l'école</em>" in page and area.name in page
    assert proposal.area_id == area.id and proposal.priority_id is None


@pytest.mark.parametrize("data, field", [
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "t" * 141}, "title"),
    ({"body": ""}, "body"),
    ({"body": "b" * 5001}, "body"),
    ({"kind": "manifesto"}, "kind"),
    ({"kind": ""}, "kind"),
    ({"area_id": "abc"}, "area_id"),
    ({"area_id": "999999"}, "area_id"),
    ({"priority_id": "99999999999999999999999"}, "priority_id"),
])
def test_invalid_forms_come_back_with_errors_next_to_the_fields(client, consultation, resident, data, field):
    sign_in(client, resident)
    new = f"/consultations/{consultation.id}/proposals/new"
    before = _count()
    response = post_form(client, new, {"kind": "proposal", "title": "Un titre", "body": "Un texte", **data},
                         token_from=new)
    assert response.status_code == 422
    assert f'id="{field}-error"' in _html(response)
    assert _count() == before


def test_posting_without_the_csrf_token_is_refused(client, consultation, resident):
    sign_in(client, resident)
    response = client.post(f"/consultations/{consultation.id}/proposals/new",
                           data={"kind": "proposal", "title": "Sans jeton", "body": "Texte"})
    assert response.status_code == 400 and _count() == 0


def test_script_in_title_and_body_is_shown_as_text(client, consultation, resident):
    sign_in(client, resident)
    new = f"/consultations/{consultation.id}/proposals/new"
    response = post_form(client, new, {"kind": "proposal", "title": "<script>alert('t')</script>",
                                       "body": "<script>alert('b')</script><b>gras</b>"}, token_from=new)
    page = _html(client.get(response.headers["Location"]))
    assert "<script>alert" not in page and "<b>gras</b>" not in page
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(" in page


def test_the_form_offers_only_the_kinds_the_phase_opens(client, resident):
    diagnosis = ConsultationFactory(phase=PhaseKind.DIAGNOSIS)
    sign_in(client, resident)
    form = _html(client.get(f"/consultations/{diagnosis.id}/proposals/new"))
    assert 'value="observation"' in form and 'value="proposal"' not in form


def test_a_closed_phase_is_a_clear_403(app, client, resident):
    closed = ConsultationFactory(phase=PhaseKind.REVIEW)
    sign_in(client, resident)
    response = client.get(f"/consultations/{closed.id}/proposals/new")
    assert response.status_code == 403
    assert _message(app, "phase_closed") in _html(response)


def test_a_mediator_submits_with_and_for_a_resident(client, consultation):
    mediator = UserFactory(display_name="Nadia", roles=["mediator"])
    sign_in(client, mediator)
    new = f"/consultations/{consultation.id}/proposals/new"
    assert "Déposer avec et pour un·e habitant·e" in _html(client.get(new))
    data = {"kind": "question", "title": "Horaires du bus", "body": "Le soir ?", "for_resident_name": "Fatou"}
    response = post_form(client, new, data, token_from=new)
    assert response.status_code == 422 and 'id="resident_consent-error"' in _html(response)
    response = post_form(client, new, {**data, "resident_consent": "y"}, token_from=new)
    assert response.status_code == 302
    assert "Déposée par Nadia avec et pour Fatou" in _html(client.get(response.headers["Location"]))


# The proposal page, supports, comments

def test_a_hidden_proposal_shows_a_placeholder(client):
    proposal = ProposalFactory(status=ProposalStatus.HIDDEN, title="Secret", body="Texte masqué")
    page = _html(response := client.get(f"/proposals/{proposal.id}"))
    assert response.status_code == 200
    assert "masquée par la modération" in page and "Secret" not in page and "Texte masqué" not in page


def test_drafts_of_others_do_not_exist(client, resident):
    proposal = ProposalFactory(status=ProposalStatus.PENDING_MODERATION)
    db.session.commit()  # the 404 below rolls back to here
    assert client.get(f"/proposals/{proposal.id}").status_code == 404
    sign_in(client, proposal.author)
    assert client.get(f"/proposals/{proposal.id}").status_code == 200


def test_support_then_withdraw_the_support(app, client, consultation, resident):
    proposal = ProposalFactory(consultation=consultation)
    show = f"/proposals/{proposal.id}"
    assert "Connectez-vous pour soutenir" in _html(client.get(show))
    sign_in(client, resident)
    response = post_form(client, f"{show}/support", {}, token_from=show)
    assert response.status_code == 302 and response.headers["Location"].endswith(show)
    page = _html(client.get(show))
    assert "Merci pour votre soutien." in page and "1 personne soutient" in page
    assert "Retirer mon soutien" in page
    post_form(client, f"{show}/support", {}, token_from=show)
    assert _message(app, "already_supported") in _html(client.get(show))
    db.session.refresh(proposal)
    assert proposal.supports_count == 1
    post_form(client, f"{show}/unsupport", {}, token_from=show)
    db.session.refresh(proposal)
    assert proposal.supports_count == 0


def test_authors_get_no_support_button_and_a_refusal(app, client, consultation):
    proposal = ProposalFactory(consultation=consultation)
    sign_in(client, proposal.author)
    show = f"/proposals/{proposal.id}"
    assert f'action="{show}/support"' not in _html(client.get(show))
    response = post_form(client, f"{show}/support", {}, token_from=show)
    assert response.status_code == 302
    assert _message(app, "own_proposal") in _html(client.get(show))
    db.session.refresh(proposal)
    assert proposal.supports_count == 0


def test_support_when_the_phase_is_closed_is_a_flash_not_an_error(app, client, resident):
    proposal = ProposalFactory(consultation=ConsultationFactory(phase=PhaseKind.VOTE))
    sign_in(client, resident)
    show = f"/proposals/{proposal.id}"
    response = post_form(client, f"{show}/support", {}, token_from=show)
    assert response.status_code == 302
    assert _message(app, "phase_closed") in _html(client.get(show))


def test_comment_reply_and_errors(client, consultation, resident):
    proposal = ProposalFactory(consultation=consultation)
    show = f"/proposals/{proposal.id}"
    sign_in(client, resident)
    response = post_form(client, f"{show}/comments", {"body": "**Oui** !", "stance": "for"}, token_from=show)
    comment = db.session.scalar(select(Comment).where(Comment.proposal_id == proposal.id))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#comment-{comment.id}")
    page = _html(client.get(show))
    assert "<strong>Oui</strong>" in page and "Pour : 1" in page and "Votre commentaire est publié." in page

    response = post_form(client, f"{show}/comments", {"body": "", "stance": "against"}, token_from=show)
    assert response.status_code == 422 and 'id="body-error"' in _html(response)
    response = post_form(client, f"{show}/comments",
                         {"body": "", "stance": "for", "parent_id": str(comment.id)}, token_from=show)
    assert response.status_code == 422 and f'id="reply-{comment.id}-body-error"' in _html(response)
    response = post_form(client, f"{show}/comments", {"body": "Non", "stance": "maybe"}, token_from=show)
    assert response.status_code == 422
    assert _count(Comment) == 1


def test_too_deep_or_foreign_replies_are_explained(app, client, consultation, resident):
    proposal = ProposalFactory(consultation=consultation)
    deepest = CommentFactory(proposal=proposal, depth=2)
    foreign = CommentFactory()
    show = f"/proposals/{proposal.id}"
    sign_in(client, resident)
    for parent in (deepest.id, foreign.id, 2**40, "abc"):
        response = post_form(client, f"{show}/comments", {"body": "Et alors ?", "stance": "neutral",
                                                          "parent_id": str(parent)}, token_from=show)
        assert response.status_code == 422
    assert _message(app, "comment_too_deep") in _html(post_form(client, f"{show}/comments", {
        "body": "Et alors ?", "stance": "neutral", "parent_id": str(deepest.id)}, token_from=show))
    assert _count(Comment) == 2


# Editing, withdrawing, my proposals

def test_the_author_edits_within_the_window(app, client, consultation, resident):
    proposal = ProposalFactory(consultation=consultation, author=resident)
    edit = f"/proposals/{proposal.id}/edit"
    sign_in(client, resident)
    assert client.get(edit).status_code == 200
    response = post_form(client, edit, {"title": "Nouveau titre", "body": "Nouveau texte"}, token_from=edit)
    assert response.status_code == 302
    assert proposal.title == "Nouveau titre"
    response = post_form(client, edit, {"title": "", "body": "Nouveau texte"}, token_from=edit)
    assert response.status_code == 422
    later = proposal.created_at + timedelta(minutes=app.config["PROPOSALS_EDIT_WINDOW_MINUTES"] + 1)
    with clock.frozen_at(later):
        assert client.get(edit).status_code == 403
        assert "Modifier" not in _html(client.get(f"/proposals/{proposal.id}")).split("<main")[1]


def test_others_cannot_edit_or_withdraw(client, consultation, other):
    proposal = ProposalFactory(consultation=consultation)
    sign_in(client, other)
    show = f"/proposals/{proposal.id}"
    assert client.get(f"{show}/edit").status_code == 403
    post_form(client, f"{show}/withdraw", {}, token_from=show)
    assert proposal.status == ProposalStatus.PUBLISHED


def test_withdraw_then_find_it_in_my_proposals(client, consultation, resident):
    proposal = ProposalFactory(consultation=consultation, author=resident, title="Mon idée")
    show = f"/proposals/{proposal.id}"
    sign_in(client, resident)
    response = post_form(client, f"{show}/withdraw", {}, token_from=show)
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert "Mon idée" not in _html(client.get(f"/consultations/{consultation.id}/proposals"))
    mine = _html(client.get("/my/proposals"))
    assert "Mon idée" in mine and "Retirée par son auteur·e" in mine
    client.post("/logout")
    with client.session_transaction() as session:
        session.clear()
    assert "Cette contribution a été retirée" in _html(client.get(show))


def test_my_proposals_needs_a_sign_in(client):
    assert client.get("/my/proposals").status_code == 302


def test_comment_forms_come_back_to_their_errors_not_to_the_page_top(app, client, consultation, resident):
    """On a phone the comment form is screens below the top: it posts to …#comment-form (a reply to
    …#comment-<parent>) so that the errors are in view; a refusal shown as a flash redirects to #main, where
    the flash is (a redirect without a fragment keeps the request's)."""
    proposal = ProposalFactory(consultation=consultation)
    parent = CommentFactory(proposal=proposal)
    show = f"/proposals/{proposal.id}"
    sign_in(client, resident)
    page = _html(client.get(show))
    assert f'action="{show}/comments#comment-form"' in page
    assert f'action="{show}/comments#comment-{parent.id}"' in page

    html = _html(post_form(client, f"{show}/comments", {"body": "", "stance": "for"}, token_from=show))
    assert (html.index('id="comment-form"') < html.index('class="error-summary"')
            < html.index('id="body-error"'))

    closed = ProposalFactory(consultation=ConsultationFactory(phase=PhaseKind.VOTE))
    closed_show = f"/proposals/{closed.id}"
    response = post_form(client, f"{closed_show}/comments", {"body": "Trop tard ?", "stance": "neutral"},
                         token_from=closed_show)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{closed_show}#main")
    assert _message(app, "phase_closed") in _html(client.get(closed_show))
