"""Who may do what, phase by phase and person by person (the predicates hide buttons and refuse calls)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from deliberation.consultations.models import PhaseKind
from deliberation.core import clock
from deliberation.proposals import policies
from deliberation.proposals.models import ProposalKind, ProposalStatus
from tests.factories import CommentFactory, ConsultationFactory, ProposalFactory, UserFactory

P = PhaseKind
ALL_PHASES = [*PhaseKind, None]

# Phase → (submit proposal, submit observation/question/testimony, support, comment); None: no phase running.
EXPECTED = {
    P.INFORMATION: (False, False, False, False),
    P.DIAGNOSIS: (False, True, False, True),
    P.SUBMISSION: (True, True, True, True),
    P.DELIBERATION: (False, False, False, True),
    P.REVIEW: (False, False, False, False),
    P.VOTE: (False, False, False, False),
    P.SYNTHESIS: (False, False, False, False),
    P.FEEDBACK: (False, False, False, False),
    P.DECISION: (False, False, False, False),
    P.FOLLOW_UP: (False, False, False, False),
    P.EVALUATION: (False, False, False, True),
    None: (False, False, False, False),
}


def _consultation(phase):
    return ConsultationFactory(phase=phase if phase is not None else False)


@pytest.mark.parametrize("phase", ALL_PHASES)
def test_submit_by_phase_and_kind(db_session, phase):
    consultation = _consultation(phase)
    resident = UserFactory()
    proposal_open, observation_open, _, _ = EXPECTED[phase]
    assert policies.can_submit(resident, consultation, ProposalKind.PROPOSAL) is proposal_open
    for kind in (ProposalKind.OBSERVATION, ProposalKind.QUESTION, ProposalKind.TESTIMONY):
        assert policies.can_submit(resident, consultation, kind) is observation_open
    assert policies.can_submit(resident, consultation) is (proposal_open or observation_open)
    # Nobody submits without signing in; the refusal says so only where signing in would help.
    for anonymous in (None, AnonymousUserMixin()):
        assert not policies.can_submit(anonymous, consultation)
        expected = "authentication_required" if proposal_open or observation_open else "phase_closed"
        assert policies.submit_refusal(anonymous, consultation) == expected


@pytest.mark.parametrize("phase", ALL_PHASES)
def test_support_and_comment_by_phase(db_session, phase):
    proposal = ProposalFactory(consultation=_consultation(phase))
    reader = UserFactory()
    _, _, support_open, comment_open = EXPECTED[phase]
    assert policies.can_support(reader, proposal) is support_open
    assert policies.can_unsupport(reader, proposal) is support_open
    assert policies.can_comment(reader, proposal) is comment_open


def test_an_unpublished_consultation_opens_nothing(db_session):
    consultation = ConsultationFactory(is_published=False)
    proposal = ProposalFactory(consultation=consultation)
    resident, admin = UserFactory(), UserFactory(roles=["admin"])
    assert not policies.can_submit(resident, consultation)
    assert not policies.can_support(resident, proposal)
    assert not policies.can_comment(resident, proposal)
    assert not policies.can_list(resident, consultation)
    assert not policies.can_view(resident, proposal)
    assert policies.can_list(admin, consultation)


@pytest.mark.parametrize("who, expected", [
    ("anonymous", "authentication_required"),
    ("author", "own_proposal"),
    ("other", None),
    ("deleted", "authentication_required"),
])
def test_who_may_support(db_session, who, expected):
    proposal = ProposalFactory()
    users = {"anonymous": None, "author": proposal.author, "other": UserFactory(),
             "deleted": UserFactory(deleted_at=clock.now())}
    assert policies.support_refusal(users[who], proposal) == expected


@pytest.mark.parametrize("status", list(ProposalStatus))
def test_only_public_proposals_take_supports_and_comments(db_session, status):
    proposal = ProposalFactory(status=status)
    reader = UserFactory()
    public = status in {ProposalStatus.PUBLISHED, ProposalStatus.UNDER_REVIEW, ProposalStatus.ANSWERED,
                        ProposalStatus.IN_PROGRESS, ProposalStatus.DONE}
    assert policies.can_support(reader, proposal) is public
    assert policies.can_comment(reader, proposal) is public


@pytest.mark.parametrize("roles, phase, expected", [
    ([], P.SUBMISSION, False),
    (["mediator"], P.SUBMISSION, True),
    (["mediator"], P.DIAGNOSIS, True),
    (["mediator"], P.INFORMATION, False),
    (["admin"], P.SUBMISSION, True),
    (["facilitator"], P.SUBMISSION, False),
    ("mediator here", P.SUBMISSION, True),
    ("mediator elsewhere", P.SUBMISSION, False),
])
def test_who_may_submit_for_a_resident(db_session, roles, phase, expected):
    consultation = ConsultationFactory(phase=phase)
    if roles == "mediator here":
        roles = [("mediator", consultation)]
    elif roles == "mediator elsewhere":
        roles = [("mediator", ConsultationFactory())]
    assert policies.can_submit_for_resident(UserFactory(roles=roles), consultation) is expected


@pytest.mark.parametrize("case, expected", [
    ("author", None),
    ("other", "not_author"),
    ("anonymous", "authentication_required"),
    ("after the window", "edit_window_over"),
    ("withdrawn", "not_editable"),
    ("hidden", "not_editable"),
    ("pending", None),
    ("pre-moderated, pending", None),
    ("pre-moderated, published by moderation", "not_editable"),
    ("phase closed", "phase_closed"),
    ("observation in diagnosis", None),
    ("proposal in diagnosis", "phase_closed"),
])
def test_who_may_edit_and_until_when(app, db_session, case, expected):
    start = clock.now()
    phase = P.DIAGNOSIS if "diagnosis" in case else (P.VOTE if case == "phase closed" else P.SUBMISSION)
    status = {"withdrawn": ProposalStatus.WITHDRAWN, "hidden": ProposalStatus.HIDDEN,
              "pending": ProposalStatus.PENDING_MODERATION,
              "pre-moderated, pending": ProposalStatus.PENDING_MODERATION}.get(case, ProposalStatus.PUBLISHED)
    kind = ProposalKind.OBSERVATION if case.startswith("observation") else ProposalKind.PROPOSAL
    consultation = ConsultationFactory(phase=phase, premoderation=case.startswith("pre-moderated"))
    proposal = ProposalFactory(consultation=consultation, status=status, kind=kind, created_at=start)
    user = {"other": UserFactory(), "anonymous": None}.get(case, proposal.author)
    window = timedelta(minutes=app.config["PROPOSALS_EDIT_WINDOW_MINUTES"])
    moment = start + window + timedelta(seconds=1) if case == "after the window" else start + window
    with clock.frozen_at(moment):
        assert policies.edit_refusal(user, proposal) == expected


@pytest.mark.parametrize("status, allowed", [
    (ProposalStatus.PUBLISHED, True),
    (ProposalStatus.PENDING_MODERATION, True),
    (ProposalStatus.UNDER_REVIEW, True),
    (ProposalStatus.DONE, True),
    (ProposalStatus.WITHDRAWN, False),
    (ProposalStatus.MERGED, False),
    (ProposalStatus.HIDDEN, False),
])
def test_the_author_may_withdraw_until_a_final_status(db_session, status, allowed):
    proposal = ProposalFactory(status=status, consultation=ConsultationFactory(phase=P.REVIEW))
    assert policies.can_withdraw(proposal.author, proposal) is allowed
    assert not policies.can_withdraw(UserFactory(), proposal)
    assert not policies.can_withdraw(None, proposal)


@pytest.mark.parametrize("status, anonymous, author, moderator, page_for_anonymous", [
    (ProposalStatus.PUBLISHED, True, True, True, True),
    (ProposalStatus.DONE, True, True, True, True),
    (ProposalStatus.DRAFT, False, True, True, False),
    (ProposalStatus.PENDING_MODERATION, False, True, True, False),
    (ProposalStatus.WITHDRAWN, False, True, True, True),
    (ProposalStatus.HIDDEN, False, True, True, True),
    (ProposalStatus.MERGED, False, True, True, True),
])
def test_who_reads_what(db_session, status, anonymous, author, moderator, page_for_anonymous):
    proposal = ProposalFactory(status=status)
    assert policies.can_view(None, proposal) is anonymous
    assert policies.can_view(UserFactory(), proposal) is anonymous
    assert policies.can_view(proposal.author, proposal) is author
    assert policies.can_view(UserFactory(roles=[("moderator", proposal.consultation)]), proposal) is moderator
    assert policies.can_see_page(None, proposal) is page_for_anonymous


@pytest.mark.parametrize("depth, allowed", [(0, True), (1, True), (2, False)])
def test_replies_stop_at_the_third_level(db_session, depth, allowed):
    comment = CommentFactory(depth=depth)
    assert policies.can_reply(UserFactory(), comment) is allowed
    assert not policies.can_reply(None, comment)
