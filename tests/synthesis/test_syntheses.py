"""Synthesis services: drafting, saving versions (stale saves, citations), review comments, the workflow
transitions (every allowed and refused one, dated and audited), the notifications on publishing, the diff."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.notifications.models import Notification
from deliberation.proposals.models import ProposalStatus
from deliberation.synthesis import policies, syntheses
from deliberation.synthesis.models import (
    BODY_MAX_LENGTH,
    OfficialResponse,
    ResponseType,
    SynthesisCitation,
    SynthesisSection,
    SynthesisStatus,
    SynthesisTransition,
    SynthesisVersion,
)
from tests.factories import AssemblyFactory, CommentFactory, ConsultationFactory, ProposalFactory
from tests.helpers import commit_setup
from tests.synthesis.synthesis_world import cited_body, make_world, synthesis_at

S = SynthesisStatus


@pytest.fixture
def world(db_session):
    return make_world()


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _citations(synthesis) -> set[tuple]:
    rows = db.session.scalars(select(SynthesisCitation).where(SynthesisCitation.synthesis_id == synthesis.id))
    return {(c.target_type.value, c.target_id, c.proposal_id, c.section.anchor if c.section else None)
            for c in rows}


def _answer_every_section(synthesis, official) -> None:
    for section in synthesis.sections:
        db.session.add(OfficialResponse(section_id=section.id, type=ResponseType.UNDER_STUDY, author_id=official.id))
    db.session.flush()


# Drafting ------------------------------------------------------------------------------------------------


def test_a_moderator_drafts_a_synthesis_citing_only_public_contributions(world):
    hidden = ProposalFactory(consultation=world.consultation, status=ProposalStatus.HIDDEN,
                             title="Une proposition masquée")
    synthesis = syntheses.draft_synthesis(world.consultation, world.moderator)

    assert synthesis.status == S.DRAFT
    assert synthesis.version == 1
    assert synthesis.created_by_id == world.moderator.id
    assert world.consultation.title in synthesis.title
    [version] = db.session.scalars(select(SynthesisVersion).where(SynthesisVersion.synthesis_id == synthesis.id))
    assert (version.number, version.origin, version.body) == (1, "drafted", synthesis.body)
    assert f"/proposals/{hidden.id})" not in synthesis.body
    cited = {proposal_id for _type, _id, proposal_id, _anchor in _citations(synthesis)}
    assert cited and cited <= {p.id for p in world.proposals}
    assert hidden.id not in cited
    assert 'href="/proposals/' in synthesis.body_html
    [entry] = _audit("synthesis_drafted")
    assert (entry.actor_id, entry.target_id) == (world.moderator.id, synthesis.id)


def test_a_draft_can_cover_one_assembly_and_carry_a_title(world):
    assembly = AssemblyFactory(consultation_id=world.consultation.id, title="Séance du 12 mars")
    synthesis = syntheses.draft_synthesis(world.consultation, world.admin, assembly=assembly,
                                          title="  Synthèse de la séance  ")
    assert synthesis.assembly_id == assembly.id
    assert synthesis.title == "Synthèse de la séance"


def test_an_assembly_of_another_consultation_is_refused(world):
    assembly = AssemblyFactory(consultation_id=ConsultationFactory().id)
    with pytest.raises(Invalid) as refused:
        syntheses.draft_synthesis(world.consultation, world.moderator, assembly=assembly)
    assert refused.value.code == "assembly_not_in_consultation"


@pytest.mark.parametrize(("role", "error"), [("anonymous", Unauthenticated), ("resident", Forbidden),
                                             ("facilitator", Forbidden), ("official", Forbidden),
                                             ("other_moderator", Forbidden)])
def test_only_moderators_draft(world, role, error):
    with pytest.raises(error):
        syntheses.draft_synthesis(world.consultation, getattr(world, role))
    assert _audit("synthesis_drafted") == []


# Saving --------------------------------------------------------------------------------------------------


def test_saving_writes_a_version_and_rebuilds_sections_by_anchor(world):
    synthesis = synthesis_at(world, S.DRAFT)
    first, second = world.proposals
    kept = {s.anchor: s.id for s in synthesis.sections}
    assert set(kept) == {"cadre-de-vie", "jeunesse"}
    comment = CommentFactory(proposal=second)

    body = (f"## Jeunesse\n\nUn local ([voir](/proposals/{second.id}#comment-{comment.id})).\n\n"
            f"## Mobilité\n\nDes vélos ([voir](/proposals/{first.id})).\n")
    saved = syntheses.save_synthesis(synthesis, world.second_moderator, body=body, based_on_version=1)

    assert saved.version == 2
    assert saved.body == body.strip()
    assert [(s.position, s.anchor, s.title) for s in saved.sections] == [(0, "jeunesse", "Jeunesse"),
                                                                         (1, "mobilite", "Mobilité")]
    assert saved.sections[0].id == kept["jeunesse"], "a kept heading keeps its section"
    assert _citations(saved) == {("comment", comment.id, second.id, "jeunesse"),
                                 ("proposal", first.id, first.id, "mobilite")}
    versions = db.session.scalars(select(SynthesisVersion).where(SynthesisVersion.synthesis_id == synthesis.id)
                                  .order_by(SynthesisVersion.number)).all()
    assert [(v.number, v.origin, v.author_id) for v in versions] == [(1, "drafted", None),
                                                                    (2, "edited", world.second_moderator.id)]
    [entry] = _audit("synthesis_saved")
    assert entry.details == {"version": 2}


def test_a_stale_save_is_refused_and_changes_nothing(world):
    synthesis = synthesis_at(world, S.IN_REVIEW)
    syntheses.save_synthesis(synthesis, world.moderator, body=cited_body(world) + "\nAjout.", based_on_version=1)
    with pytest.raises(Conflict) as refused:
        syntheses.save_synthesis(synthesis, world.second_moderator, body="## Autre\n\nTexte.", based_on_version=1)
    assert refused.value.code == "synthesis_changed"
    assert synthesis.version == 2
    assert "Ajout." in synthesis.body


@pytest.mark.parametrize("kind", ["hidden", "withdrawn", "other_consultation", "unknown", "hidden_comment"])
def test_a_citation_of_anything_but_a_public_contribution_is_refused(world, kind):
    synthesis = synthesis_at(world, S.DRAFT)
    if kind == "hidden":
        target = f"/proposals/{ProposalFactory(consultation=world.consultation, status=ProposalStatus.HIDDEN).id}"
    elif kind == "withdrawn":
        withdrawn = ProposalFactory(consultation=world.consultation, status=ProposalStatus.WITHDRAWN)
        target = f"/proposals/{withdrawn.id}"
    elif kind == "other_consultation":
        target = f"/proposals/{ProposalFactory().id}"
    elif kind == "unknown":
        target = "/proposals/999999"
    else:
        from deliberation.proposals.models import CommentStatus

        comment = CommentFactory(proposal=world.proposals[0], status=CommentStatus.HIDDEN)
        target = f"/proposals/{world.proposals[0].id}#comment-{comment.id}"
    body = f"## Cadre de vie\n\nUn constat ([source]({target}))."
    with pytest.raises(Invalid) as refused:
        syntheses.save_synthesis(synthesis, world.moderator, body=body, based_on_version=1)
    assert refused.value.code == "invalid_citations"
    [problem] = refused.value.fields["body"]
    assert target in str(problem)
    assert synthesis.version == 1
    assert _audit("synthesis_saved") == []


def test_an_empty_or_too_long_text_is_refused(world):
    synthesis = synthesis_at(world, S.DRAFT)
    for body in ("   ", "x" * (BODY_MAX_LENGTH + 1)):
        with pytest.raises(Invalid) as refused:
            syntheses.save_synthesis(synthesis, world.moderator, body=body, based_on_version=1)
        assert "body" in refused.value.fields


@pytest.mark.parametrize("status", [S.VALIDATED, S.SENT_TO_OFFICIALS, S.ANSWERED, S.PUBLISHED])
def test_the_text_is_frozen_once_validated(world, status):
    synthesis = synthesis_at(world, status)
    with pytest.raises(Conflict) as refused:
        syntheses.save_synthesis(synthesis, world.moderator, body="## Autre\n\nTexte.", based_on_version=1)
    assert refused.value.code == "synthesis_not_editable"


@pytest.mark.parametrize("role", ["resident", "facilitator", "official", "other_moderator"])
def test_only_moderators_save(world, role):
    synthesis = synthesis_at(world, S.DRAFT)
    with pytest.raises(Forbidden):
        syntheses.save_synthesis(synthesis, getattr(world, role), body="## A\n\nB", based_on_version=1)


# Transitions ---------------------------------------------------------------------------------------------


def test_the_whole_workflow_is_dated_and_audited(world, mail_outbox):
    synthesis = synthesis_at(world, S.DRAFT)
    steps = [(world.moderator, S.IN_REVIEW), (world.second_moderator, S.DRAFT), (world.moderator, S.IN_REVIEW),
             (world.second_moderator, S.VALIDATED), (world.moderator, S.SENT_TO_OFFICIALS)]
    for actor, to in steps:
        synthesis = syntheses.transition_synthesis(synthesis, actor, to.value)
        assert synthesis.status == to
    _answer_every_section(synthesis, world.official)
    synthesis = syntheses.transition_synthesis(synthesis, world.official, "answered")
    assert synthesis.published_at is None
    with unit_of_work():  # publishing sends e-mails, after the commit
        synthesis = syntheses.transition_synthesis(synthesis, world.moderator, "published")
    assert synthesis.status == S.PUBLISHED
    assert synthesis.published_at is not None
    assert synthesis.status_changed_at == synthesis.published_at

    transitions = syntheses.list_transitions(synthesis)
    expected, previous = [], S.DRAFT
    for actor, to in [*steps, (world.official, S.ANSWERED), (world.moderator, S.PUBLISHED)]:
        expected.append((actor.id, previous, to))
        previous = to
    assert [(t.actor_id, t.from_status, t.to_status) for t in transitions] == expected
    assert all(t.created_at is not None for t in transitions)
    # The validation records who validated.
    assert any(t.to_status == S.VALIDATED and t.actor_id == world.second_moderator.id for t in transitions)
    entries = _audit("synthesis_transitioned")
    assert [(e.actor_id, e.details["from_status"], e.details["to_status"]) for e in entries] == [
        (t.actor_id, t.from_status.value, t.to_status.value) for t in transitions]


REFUSED = [(a, b) for a in S for b in S if not policies.is_transition(a, b)]


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_every_transition_outside_the_graph_is_refused_with_409(world, from_status, to_status):
    synthesis = synthesis_at(world, from_status)
    with pytest.raises(Conflict) as refused:
        syntheses.transition_synthesis(synthesis, world.admin, to_status)
    assert refused.value.code == "transition_not_allowed"
    assert refused.value.status == 409
    assert synthesis.status == from_status
    assert syntheses.list_transitions(synthesis) == []
    assert _audit("synthesis_transitioned") == []


@pytest.mark.parametrize(("from_status", "to_status", "role"), [
    (S.DRAFT, S.IN_REVIEW, "official"),
    (S.DRAFT, S.IN_REVIEW, "facilitator"),
    (S.IN_REVIEW, S.VALIDATED, "facilitator"),
    (S.VALIDATED, S.SENT_TO_OFFICIALS, "official"),
    (S.SENT_TO_OFFICIALS, S.ANSWERED, "moderator"),
    (S.ANSWERED, S.PUBLISHED, "official"),
    (S.DRAFT, S.IN_REVIEW, "resident"),
    (S.DRAFT, S.IN_REVIEW, "other_moderator"),
])
def test_another_roles_step_is_refused_with_403(world, from_status, to_status, role):
    synthesis = synthesis_at(world, from_status)
    with pytest.raises(Forbidden):
        syntheses.transition_synthesis(synthesis, getattr(world, role), to_status)
    assert synthesis.status == from_status


def test_validating_rechecks_the_citations(world):
    synthesis = synthesis_at(world, S.IN_REVIEW)
    world.proposals[1].status = ProposalStatus.HIDDEN  # hidden by moderation since the last save
    db.session.flush()
    with pytest.raises(Conflict) as refused:
        syntheses.transition_synthesis(synthesis, world.moderator, S.VALIDATED)
    assert refused.value.code == "invalid_citations"
    assert f"/proposals/{world.proposals[1].id}" in str(refused.value.fields["body"][0])
    assert synthesis.status == S.IN_REVIEW


def test_an_unknown_status_is_invalid(world):
    with pytest.raises(Invalid) as refused:
        syntheses.transition_synthesis(synthesis_at(world, S.DRAFT), world.moderator, "archived")
    assert "to" in refused.value.fields


def test_answered_needs_a_response_to_every_section(world):
    synthesis = synthesis_at(world, S.SENT_TO_OFFICIALS)
    with pytest.raises(Conflict) as refused:
        syntheses.transition_synthesis(synthesis, world.official, S.ANSWERED)
    assert refused.value.code == "sections_unanswered"
    assert "2" in refused.value.message
    db.session.add(OfficialResponse(section_id=synthesis.sections[0].id, type=ResponseType.ACCEPTED))
    db.session.flush()
    with pytest.raises(Conflict) as refused:
        syntheses.transition_synthesis(synthesis, world.official, S.ANSWERED)
    assert "1" in refused.value.message
    _answer_every_section_left(synthesis)
    assert syntheses.transition_synthesis(synthesis, world.official, S.ANSWERED).status == S.ANSWERED


def _answer_every_section_left(synthesis) -> None:
    answered = set(db.session.scalars(select(OfficialResponse.section_id)))
    for section in synthesis.sections:
        if section.id not in answered:
            db.session.add(OfficialResponse(section_id=section.id, type=ResponseType.ACCEPTED))
    db.session.flush()


# Publishing notifies the cited authors -------------------------------------------------------------------


def _notifications(kind="synthesis_published") -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.kind == kind)))


def test_publishing_notifies_each_cited_author_once_after_the_commit(world, mail_outbox):
    first, second = world.proposals
    ProposalFactory(consultation=world.consultation, author=first.author)  # not cited
    body = cited_body(world) + f"\nEncore ([bis](/proposals/{first.id}#comments)).\n"
    synthesis = synthesis_at(world, S.ANSWERED, body=body)
    with unit_of_work():
        syntheses.transition_synthesis(synthesis, world.moderator, S.PUBLISHED)
        assert mail_outbox == [], "an e-mail left before the commit"
    notes = _notifications()
    assert sorted(n.user_id for n in notes) == sorted([first.author_id, second.author_id])
    assert {n.link for n in notes} == {f"/syntheses/{synthesis.id}"}
    assert sorted(m["To"] for m in mail_outbox) == sorted([first.author.email, second.author.email])
    assert synthesis.title in mail_outbox[0]["Subject"]


def test_nothing_is_sent_when_the_transaction_rolls_back(world, mail_outbox):
    synthesis = synthesis_at(world, S.ANSWERED)
    commit_setup()
    with pytest.raises(RuntimeError), unit_of_work():
        syntheses.transition_synthesis(synthesis, world.moderator, S.PUBLISHED)
        raise RuntimeError("something failed after publishing")
    assert mail_outbox == []
    assert _notifications() == []
    assert syntheses.get_synthesis(synthesis.id).status == S.ANSWERED


def test_other_transitions_notify_nobody(world, mail_outbox):
    synthesis = synthesis_at(world, S.DRAFT)
    with unit_of_work():
        syntheses.transition_synthesis(synthesis, world.moderator, S.IN_REVIEW)
    assert mail_outbox == []
    assert _notifications() == []


# Review comments -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["moderator", "facilitator", "admin"])
def test_staff_comment_while_in_review(world, role):
    synthesis = synthesis_at(world, S.IN_REVIEW)
    comment = syntheses.add_review_comment(synthesis, getattr(world, role), "  Citer aussi le constat n° 4.  ")
    assert (comment.body, comment.version) == ("Citer aussi le constat n° 4.", 1)
    assert syntheses.list_review_comments(synthesis) == [comment]
    assert len(_audit("synthesis_review_commented")) == 1


def test_review_comments_are_refused_outside_review_or_for_others(world):
    with pytest.raises(Conflict):
        syntheses.add_review_comment(synthesis_at(world, S.DRAFT), world.moderator, "Trop tôt")
    in_review = synthesis_at(world, S.IN_REVIEW)
    for role in ("resident", "official", "other_moderator"):
        with pytest.raises(Forbidden):
            syntheses.add_review_comment(in_review, getattr(world, role), "Non")
    with pytest.raises(Unauthenticated):
        syntheses.add_review_comment(in_review, world.anonymous, "Non")
    with pytest.raises(Invalid):
        syntheses.add_review_comment(in_review, world.moderator, "   ")


# Queries -------------------------------------------------------------------------------------------------


def test_lists_show_each_person_what_they_may_read(world):
    made = {status: synthesis_at(world, status) for status in S}
    everyone = {s.id for s in made.values()}
    assert {s.id for s in syntheses.list_syntheses(world.consultation, world.moderator)} == everyone
    assert {s.id for s in syntheses.list_syntheses(world.consultation, world.facilitator)} == everyone
    assert {s.id for s in syntheses.list_syntheses(world.consultation, world.official)} == {
        made[S.SENT_TO_OFFICIALS].id, made[S.ANSWERED].id, made[S.PUBLISHED].id}
    for role in ("resident", "anonymous", "other_moderator"):
        assert [s.id for s in syntheses.list_syntheses(world.consultation, getattr(world, role))] == [
            made[S.PUBLISHED].id]


def test_visibility_refusals(world):
    draft = synthesis_at(world, S.DRAFT)
    with pytest.raises(Unauthenticated):
        syntheses.get_visible_synthesis(draft.id, world.anonymous)
    with pytest.raises(Forbidden):
        syntheses.get_visible_synthesis(draft.id, world.resident)
    with pytest.raises(NotFound):
        syntheses.get_visible_synthesis(2**40, world.moderator)
    assert syntheses.get_visible_synthesis(draft.id, world.facilitator) is draft


def test_the_diff_lists_kept_added_and_removed_lines(world):
    synthesis = synthesis_at(world, S.DRAFT, body="## A\n\nun\ndeux\ntrois")
    syntheses.save_synthesis(synthesis, world.moderator, body="## A\n\nun\nDEUX\ntrois\nquatre", based_on_version=1)
    lines = syntheses.diff_versions(synthesis, 1, 2)
    assert [(line.kind, line.text, line.old, line.new) for line in lines] == [
        ("same", "## A", 1, 1), ("same", "", 2, 2), ("same", "un", 3, 3), ("removed", "deux", 4, None),
        ("added", "DEUX", None, 4), ("same", "trois", 5, 5), ("added", "quatre", None, 6)]
    with pytest.raises(NotFound):
        syntheses.diff_versions(synthesis, 1, 3)


def test_a_removed_section_with_a_response_is_kept(world):
    synthesis = synthesis_at(world, S.DRAFT)
    jeunesse = next(s for s in synthesis.sections if s.anchor == "jeunesse")
    db.session.add(OfficialResponse(section_id=jeunesse.id, type=ResponseType.ACCEPTED))
    db.session.flush()
    syntheses.save_synthesis(synthesis, world.moderator, body="## Cadre de vie\n\nTexte.", based_on_version=1)
    anchors = set(db.session.scalars(select(SynthesisSection.anchor).where(
        SynthesisSection.synthesis_id == synthesis.id)))
    assert anchors == {"cadre-de-vie", "jeunesse"}
    assert db.session.scalar(select(func.count(SynthesisTransition.id))) == 0
