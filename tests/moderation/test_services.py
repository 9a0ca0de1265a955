"""Reports, the threshold, decisions, the queue and the log (services)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from deliberation.accounts.models import RoleAssignment, UserRole
from deliberation.assemblies import services as assembly_services
from deliberation.assemblies.models import QuestionState
from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import services
from deliberation.moderation.models import ModerationAction, ModerationDecision, Report, ReportStatus
from deliberation.notifications.models import Notification
from deliberation.proposals import services as proposal_services
from deliberation.proposals.models import CommentStatus, ProposalStatus
from tests.factories import (
    AssemblyFactory,
    CommentFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    UserFactory,
)
from tests.helpers import commit_setup


def _refused(call) -> Exception:
    with pytest.raises((Conflict, Forbidden, Invalid, NotFound, Unauthenticated)) as caught:
        call()
    return caught.value


def _decisions(target_type="proposal", target_id=None) -> list[ModerationDecision]:
    query = select(ModerationDecision).where(ModerationDecision.target_type == target_type)
    if target_id is not None:
        query = query.where(ModerationDecision.target_id == target_id)
    return list(db.session.scalars(query.order_by(ModerationDecision.id)))


@pytest.mark.usefixtures("unit")
def test_one_report_per_person_and_item(proposal, reporter):
    report = services.report_content(reporter, "proposal", proposal.id, reason="spam", details="  pub  ")
    assert (report.status, report.reason, report.details) == (ReportStatus.OPEN, "spam", "pub")
    error = _refused(lambda: services.report_content(reporter, "proposal", proposal.id, reason="offensive"))
    assert (error.status, error.code) == (409, "already_reported")
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1


@pytest.mark.usefixtures("unit")
def test_reports_refused_with_a_clear_code(proposal, author, reporter):
    assert _refused(lambda: services.report_content(None, "proposal", proposal.id, reason="spam")).status == 401
    own = _refused(lambda: services.report_content(author, "proposal", proposal.id, reason="spam"))
    assert (own.status, own.code) == (403, "own_content")
    bad = _refused(lambda: services.report_content(reporter, "proposal", proposal.id, reason="boring"))
    assert (bad.status, set(bad.fields)) == (422, {"reason"})
    long = _refused(lambda: services.report_content(reporter, "proposal", proposal.id, reason="spam",
                                                    details="x" * 1001))
    assert set(long.fields) == {"details"}
    assert _refused(lambda: services.report_content(reporter, "proposal", 999999, reason="spam")).status == 404
    assert _refused(lambda: services.report_content(reporter, "poll", proposal.id, reason="spam")).status == 422
    withdrawn = ProposalFactory(status=ProposalStatus.WITHDRAWN)
    error = _refused(lambda: services.report_content(reporter, "proposal", withdrawn.id, reason="spam"))
    assert (error.status, error.code) == (409, "not_reportable")


@pytest.mark.usefixtures("unit")
def test_threshold_minus_one_stays_visible_the_threshold_hides_pending_moderation(consultation, proposal):
    consultation.report_threshold = 3
    people = [UserFactory() for _ in range(3)]
    for person in people[:2]:
        services.report_content(person, "proposal", proposal.id, reason="offensive")
    assert proposal.status == ProposalStatus.PUBLISHED and _decisions() == []

    services.report_content(people[2], "proposal", proposal.id, reason="spam")
    assert proposal.status == ProposalStatus.HIDDEN
    [decision] = _decisions()
    assert decision.automatic and decision.moderator_id is None and decision.reason == "automatic"
    assert decision.action == ModerationAction.HIDE and decision.previous_state == "published"
    # The reports wait for a moderator; hidden items cannot be reported any more.
    assert services.count_open_reporters(services.get_target("proposal", proposal.id)) == 3
    late = _refused(lambda: services.report_content(UserFactory(), "proposal", proposal.id, reason="spam"))
    assert late.code == "not_reportable"
    assert [n.kind for n in db.session.scalars(select(Notification).where(
        Notification.user_id == proposal.author_id))] == ["moderation_hidden"]


@pytest.mark.usefixtures("unit")
def test_the_threshold_is_per_consultation(proposal, consultation):
    consultation.report_threshold = 1
    services.report_content(UserFactory(), "proposal", proposal.id, reason="spam")
    assert proposal.status == ProposalStatus.HIDDEN


def test_hide_then_restore_a_proposal(app, proposal, reporter, moderator, mail_outbox):
    proposal.status = ProposalStatus.UNDER_REVIEW
    with unit_of_work():
        services.report_content(reporter, "proposal", proposal.id, reason="personal_data")
    with unit_of_work():
        decision = services.decide(moderator, "proposal", proposal.id, action="hide", reason="personal_data",
                                   note="Nom d'un voisin.", charter_rule="Article 3")
    assert proposal.status == ProposalStatus.HIDDEN
    assert (decision.previous_state, decision.moderator_id, decision.automatic) == ("under_review", moderator.id,
                                                                                    False)
    assert db.session.scalar(select(Report.status)) == ReportStatus.ACTED
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "moderation_hide")).one()
    assert (entry.actor_id, entry.target_type, entry.target_id) == (moderator.id, "proposal", proposal.id)
    [mail] = mail_outbox
    assert mail["To"] == proposal.author.email and "données personnelles d'un tiers" in mail.get_content()

    with unit_of_work():
        services.decide(moderator, "proposal", proposal.id, action="restore")
    assert proposal.status == ProposalStatus.UNDER_REVIEW
    assert [d.action for d in _decisions()] == [ModerationAction.HIDE, ModerationAction.RESTORE]
    assert len(mail_outbox) == 2


@pytest.mark.usefixtures("unit")
def test_dismiss_closes_the_reports_and_changes_nothing(proposal, reporter, moderator):
    services.report_content(reporter, "proposal", proposal.id, reason="off_topic")
    services.decide(moderator, "proposal", proposal.id, action="dismiss")
    assert proposal.status == ProposalStatus.PUBLISHED
    assert db.session.scalar(select(Report.status)) == ReportStatus.DISMISSED
    again = _refused(lambda: services.decide(moderator, "proposal", proposal.id, action="dismiss"))
    assert (again.status, again.code) == (409, "no_open_reports")
    assert not db.session.scalars(select(Notification).where(Notification.user_id == proposal.author_id)).all()


@pytest.mark.usefixtures("unit")
def test_refused_decisions(proposal, consultation, author, reporter, moderator):
    services.report_content(reporter, "proposal", proposal.id, reason="spam")
    merge = _refused(lambda: services.decide(moderator, "proposal", proposal.id, action="merge", reason="duplicate"))
    assert (merge.status, merge.code, set(merge.fields)) == (422, "validation_error", {"into_id"})
    no_reason = _refused(lambda: services.decide(moderator, "proposal", proposal.id, action="hide"))
    assert set(no_reason.fields) == {"reason"}
    assert _refused(lambda: services.decide(moderator, "proposal", proposal.id, action="restore")).code == "not_hidden"

    elsewhere = UserFactory(roles=[("moderator", ConsultationFactory())])
    resident = UserFactory()
    author.roles.append(RoleAssignment(role=UserRole.MODERATOR))  # the author moderates too
    reporting_moderator = UserFactory(roles=["moderator"])
    services.report_content(reporting_moderator, "proposal", proposal.id, reason="spam")
    for actor, code in ((resident, "not_moderator"), (elsewhere, "not_moderator"), (author, "own_content"),
                        (reporting_moderator, "own_report")):
        error = _refused(lambda actor=actor: services.decide(actor, "proposal", proposal.id, action="hide",
                                                             reason="spam"))
        assert (error.status, error.code) == (403, code)
    assert proposal.status == ProposalStatus.PUBLISHED and _decisions() == []

    scoped = UserFactory(roles=[("moderator", consultation)])
    services.decide(scoped, "proposal", proposal.id, action="hide", reason="spam")
    assert proposal.status == ProposalStatus.HIDDEN
    assert _refused(lambda: services.decide(moderator, "proposal", proposal.id, action="hide",
                                            reason="spam")).code == "already_hidden"


@pytest.mark.usefixtures("unit")
def test_a_moderator_confirms_an_automatic_hiding_and_restore_goes_back_before_it(proposal, consultation, moderator):
    consultation.report_threshold = 1
    services.report_content(UserFactory(), "proposal", proposal.id, reason="spam")
    services.decide(moderator, "proposal", proposal.id, action="hide", reason="spam")
    assert [d.previous_state for d in _decisions()] == ["published", "published"]
    services.decide(moderator, "proposal", proposal.id, action="restore")
    assert proposal.status == ProposalStatus.PUBLISHED


@pytest.mark.usefixtures("unit")
def test_comments_are_reported_hidden_and_restored(proposal, reporter, moderator):
    comment = CommentFactory(proposal=proposal)
    services.report_content(reporter, "comment", comment.id, reason="offensive")
    services.decide(moderator, "comment", comment.id, action="hide", reason="offensive")
    assert comment.status == CommentStatus.HIDDEN
    assert [n.kind for n in db.session.scalars(select(Notification).where(
        Notification.user_id == comment.author_id))] == ["moderation_comment_hidden"]
    services.decide(moderator, "comment", comment.id, action="restore")
    assert comment.status == CommentStatus.PUBLISHED


@pytest.mark.usefixtures("unit")
def test_questions_from_the_room_are_reported_and_hidden(consultation, reporter, moderator):
    assembly = AssemblyFactory(consultation_id=consultation.id)
    question = assembly_services.ask_question(ParticipantFactory(assembly=assembly), "Pourquoi ?")
    services.report_content(reporter, "question", question.id, reason="off_topic")
    services.decide(moderator, "question", question.id, action="hide", reason="off_topic")
    assert question.state == QuestionState.HIDDEN
    services.decide(moderator, "question", question.id, action="restore")
    assert question.state == QuestionState.VISIBLE


@pytest.mark.usefixtures("unit")
def test_pre_moderation(consultation, author, moderator):
    consultation.premoderation = True
    proposal = proposal_services.submit_proposal(consultation, author, title="Un banc", body="Devant l'école.")
    assert proposal.status == ProposalStatus.PENDING_MODERATION and proposal.published_at is None
    assert proposal_services.list_proposals(consultation).total == 0
    assert [p.id for p in proposal_services.list_my_proposals(author).items] == [proposal.id]
    # Others may not even see a proposal awaiting moderation: reporting it is 404, as its page is.
    assert _refused(lambda: services.report_content(UserFactory(), "proposal", proposal.id,
                                                    reason="spam")).code == "not_found"
    [item] = services.list_queue(moderator)
    assert item.target.id == proposal.id and item.target.is_pending and item.reporters == 0

    services.decide(moderator, "proposal", proposal.id, action="restore")
    assert proposal.status == ProposalStatus.PUBLISHED and proposal.published_at is not None
    assert proposal_services.list_proposals(consultation).total == 1
    assert [n.kind for n in db.session.scalars(select(Notification).where(
        Notification.user_id == author.id))] == ["moderation_published"]
    assert services.list_queue(moderator) == []


@pytest.mark.usefixtures("unit")
def test_the_queue_groups_by_item_most_reporters_first_within_the_moderators_scope(consultation, moderator):
    one, two = ProposalFactory(consultation=consultation), ProposalFactory(consultation=consultation)
    foreign = ProposalFactory()
    for person in (UserFactory(), UserFactory()):
        services.report_content(person, "proposal", two.id, reason="spam")
    services.report_content(UserFactory(), "proposal", one.id, reason="offensive")
    services.report_content(UserFactory(), "proposal", foreign.id, reason="illegal")
    comment = CommentFactory(proposal=one)
    services.report_content(UserFactory(), "comment", comment.id, reason="offensive")

    queue = services.list_queue(moderator)
    assert [(i.target.type, i.target.id) for i in queue][:2] == [("proposal", two.id), ("proposal", one.id)]
    assert queue[0].reporters == 2 and queue[0].reasons == {"spam": 2}
    assert [i.target.id for i in services.list_queue(moderator, target_type="comment")] == [comment.id]

    scoped = UserFactory(roles=[("moderator", consultation)])
    assert foreign.id not in {i.target.id for i in services.list_queue(scoped)}
    assert _refused(lambda: services.list_queue(UserFactory())).status == 403


@pytest.mark.usefixtures("unit")
def test_the_log_counts_decisions_per_month(proposal, moderator):
    services.report_content(UserFactory(), "proposal", proposal.id, reason="spam")
    services.decide(moderator, "proposal", proposal.id, action="hide", reason="spam")
    services.decide(moderator, "proposal", proposal.id, action="restore")
    page = services.list_decisions()
    assert page.total == 2 and page.items[0].action == ModerationAction.RESTORE
    [(_month, counts)] = services.monthly_counts()
    assert counts == {"hide": 1, "restore": 1}


def test_reports_on_a_hidden_item_are_not_just_dismissed(consultation, proposal, moderator):
    """Dismissing would leave the item hidden with nothing left in the queue: restore it or confirm instead."""
    consultation.report_threshold = 1
    commit_setup()
    with unit_of_work():
        services.report_content(UserFactory(), "proposal", proposal.id, reason="spam")
    with pytest.raises(Conflict) as caught:
        services.decide(moderator, "proposal", proposal.id, action="dismiss", reason="spam")
    assert caught.value.code == "already_hidden"


def test_huge_ids_and_pages_are_refused_or_clamped_never_a_500(client):
    for url in ("/api/v1/moderation/log?consultation_id=100000000000000000000",
                "/api/v1/moderation/log?page=100000000000000000000", "/moderation/log?page=100000000000000000000"):
        assert client.get(url).status_code in (200, 422), url
