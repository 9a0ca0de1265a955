"""A consultation where one proposal went through every step, plus things that must never be exported or traced:
a hidden proposal and a hidden comment (with their reporter and moderator), a draft, an unpublished synthesis, a
response not yet public, a totals-only vote and an after_close vote still open. Plain functions (not fixtures)
so that the trace tests and the export tests share them without clashing with other fixtures."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from deliberation.assemblies import services as assembly_services
from deliberation.assemblies.models import AgendaItem, AssemblyState, PollState, ResultsVisibility
from deliberation.assemblies.voting import PollMethod
from deliberation.core import clock
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import services as moderation
from deliberation.proposals.models import CommentStatus, ProposalStatus
from deliberation.synthesis.models import (
    CitationTargetType,
    CouncilDecision,
    FollowUp,
    FollowUpUpdate,
    OfficialResponse,
    ResponseType,
    Synthesis,
    SynthesisCitation,
    SynthesisSection,
    SynthesisStatus,
)
from tests.factories import (
    AssemblyFactory,
    CommentFactory,
    ConsultationFactory,
    ParticipantFactory,
    PollFactory,
    ProposalFactory,
    SupportFactory,
    UserFactory,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday
NOW = T0 + timedelta(days=60)

AUTHOR_EMAIL = "awa.autrice@example.org"
AUTHOR_NAME = "Awa Autrice"
REPORTER_NAME = "Rémi Rapporteur"
REPORTER_EMAIL = "remi.rapporteur@example.org"
MODERATOR_NAME = "Mireille Modératrice"
HIDDEN_TITLE = "Titre masqué inadmissible"
HIDDEN_BODY = "Corps masqué inadmissible"
HIDDEN_COMMENT = "Commentaire masqué inadmissible"
DRAFT_TITLE = "Brouillon confidentiel"
FUTURE_JUSTIFICATION = "Justification pas encore publique"
UNPUBLISHED_SYNTHESIS = "Synthèse encore en relecture"
RESIDENT_PSEUDONYM = "Fatou du 3e"


@dataclass
class World:
    consultation: object
    proposal: object  # the one that went through every step
    duplicate: object
    hidden: object
    hidden_comment: object
    draft: object
    assembly: object
    poll: object
    totals_only_poll: object
    after_close_poll: object
    synthesis: object
    unpublished_synthesis: object
    follow_up: object
    people: dict = field(default_factory=dict)


def _at(days: float, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def _vote(poll, participants, choices):
    for participant, choice in zip(participants, choices, strict=False):
        assembly_services.cast_vote(poll, participant, ballot_id=str(uuid.uuid4()), choice=choice)


def make_world() -> World:
    with unit_of_work():  # moderation decisions queue their notifications after the commit
        return _make_world()


def _make_world() -> World:
    consultation = ConsultationFactory(title="Mobilités du quartier")
    author = UserFactory(display_name=AUTHOR_NAME, email=AUTHOR_EMAIL)
    moderator = UserFactory(display_name=MODERATOR_NAME, email="mireille@example.org",
                            roles=[("moderator", consultation)])
    reporter = UserFactory(display_name=REPORTER_NAME, email=REPORTER_EMAIL)
    official = UserFactory(display_name="Élu·e Éric", email="eric.elu@example.org",
                           roles=[("official", consultation)])

    proposal = ProposalFactory(consultation=consultation, author=author, title="Une navette vers la gare",
                               body="Une navette **le dimanche**.", created_at=_at(0),
                               published_at=_at(0, 1), on_behalf_of=RESIDENT_PSEUDONYM)
    # Supports: three in the first week, two in the third.
    for when in (_at(0, 2), _at(1), _at(2), _at(14), _at(15)):
        SupportFactory(proposal_id=proposal.id, user_id=UserFactory().id, created_at=when)
    proposal.supports_count = 5
    comment = CommentFactory(proposal=proposal, body="Très bonne idée.", created_at=_at(1))
    hidden_comment = CommentFactory(proposal=proposal, body=HIDDEN_COMMENT, created_at=_at(1, 2))
    proposal.comments_count = 2

    # Hidden for a day by moderation (reported first), then restored.
    with clock.frozen_at(_at(3)):
        moderation.report_content(reporter, "proposal", proposal.id, reason="off_topic")
        moderation.decide(moderator, "proposal", proposal.id, action="hide", reason="off_topic",
                          note="En attente de vérification", tell_author=False)
    with clock.frozen_at(_at(4)):
        moderation.decide(moderator, "proposal", proposal.id, action="restore", tell_author=False)
    # A duplicate merged into it.
    duplicate = ProposalFactory(consultation=consultation, title="Navette gare (doublon)", created_at=_at(4),
                                published_at=_at(4))
    with clock.frozen_at(_at(5)):
        moderation.decide(moderator, "proposal", duplicate.id, action="merge", into_id=proposal.id,
                          tell_author=False)

    # Another proposal hidden for good, and a hidden comment.
    hidden = ProposalFactory(consultation=consultation, title=HIDDEN_TITLE, body=HIDDEN_BODY, created_at=_at(2),
                             published_at=_at(2))
    with clock.frozen_at(_at(6)):
        moderation.report_content(reporter, "proposal", hidden.id, reason="offensive")
        moderation.decide(moderator, "proposal", hidden.id, action="hide", reason="offensive",
                          charter_rule="Respect", tell_author=False)
        moderation.decide(moderator, "comment", hidden_comment.id, action="hide", reason="offensive",
                          tell_author=False)
    assert hidden.status == ProposalStatus.HIDDEN and hidden_comment.status == CommentStatus.HIDDEN
    draft = ProposalFactory(consultation=consultation, title=DRAFT_TITLE, status=ProposalStatus.DRAFT,
                            published_at=None)
    pending = ProposalFactory(consultation=consultation, title="En attente confidentielle",
                              status=ProposalStatus.PENDING_MODERATION, published_at=None)

    # Debated at an assembly, with a vote on its agenda item.
    assembly = AssemblyFactory(title="Assemblée du quartier Nord", consultation_id=consultation.id,
                               starts_at=_at(10), state=AssemblyState.LIVE)
    item = AgendaItem(assembly=assembly, position=1, title="Transports", proposals=[proposal])
    db.session.add(item)
    db.session.flush()
    poll = PollFactory(assembly=assembly, agenda_item_id=item.id, method=PollMethod.SINGLE,
                       labels=("Navette", "Vélos"), question="Quelle priorité ?")
    participants = [ParticipantFactory(assembly=assembly) for _ in range(3)]
    navette, velos = (option.id for option in poll.options)
    _vote(poll, participants, [navette, navette, velos])
    poll.state, poll.opened_at, poll.closed_at = PollState.CLOSED, _at(10), _at(10, 1)
    totals_only_poll = PollFactory(assembly=assembly, question="Question sensible ?", totals_only=True)
    _vote(totals_only_poll, participants, ["yes", "no"])
    totals_only_poll.state, totals_only_poll.closed_at = PollState.CLOSED, _at(10, 2)
    after_close_poll = PollFactory(assembly=assembly, question="Vote encore ouvert ?",
                                   results_visibility=ResultsVisibility.AFTER_CLOSE)
    _vote(after_close_poll, participants, ["yes"])
    assembly.state = AssemblyState.ENDED

    # Cited in a published synthesis; also in one still in review (never shown).
    synthesis = Synthesis(consultation_id=consultation.id, title="Synthèse de la concertation",
                          status=SynthesisStatus.PUBLISHED, body="## Transports\n\nLa navette [1](/proposals/1).",
                          body_html="<h2>Transports</h2>", published_at=_at(20), created_at=_at(18))
    section = SynthesisSection(synthesis=synthesis, position=0, anchor="transports", title="Transports")
    db.session.add_all([synthesis, section])
    db.session.flush()
    db.session.add(SynthesisCitation(synthesis_id=synthesis.id, section_id=section.id,
                                     target_type=CitationTargetType.PROPOSAL, target_id=proposal.id,
                                     proposal_id=proposal.id))
    db.session.add(SynthesisCitation(synthesis_id=synthesis.id, section_id=section.id,
                                     target_type=CitationTargetType.COMMENT, target_id=comment.id,
                                     proposal_id=proposal.id))
    unpublished = Synthesis(consultation_id=consultation.id, title=UNPUBLISHED_SYNTHESIS,
                            status=SynthesisStatus.IN_REVIEW, body=f"## Brouillon\n\n{UNPUBLISHED_SYNTHESIS}",
                            created_at=_at(19))
    unpublished_section = SynthesisSection(synthesis=unpublished, position=0, anchor="brouillon",
                                           title=UNPUBLISHED_SYNTHESIS)
    db.session.add_all([unpublished, unpublished_section])
    db.session.flush()
    db.session.add(SynthesisCitation(synthesis_id=unpublished.id, section_id=unpublished_section.id,
                                     target_type=CitationTargetType.PROPOSAL, target_id=proposal.id,
                                     proposal_id=proposal.id))

    # The officials' response (public), and one on another proposal published only later.
    decision = CouncilDecision(consultation_id=consultation.id, number="2026-014", decided_on=date(2026, 1, 29),
                               body="Conseil communautaire")
    db.session.add(decision)
    db.session.flush()
    db.session.add(OfficialResponse(proposal_id=proposal.id, type=ResponseType.ACCEPTED,
                                    justification="Une navette sera testée.", council_decision_id=decision.id,
                                    author_id=official.id, publish_at=_at(25), created_at=_at(24)))
    other = ProposalFactory(consultation=consultation, title="Plus de bancs", created_at=_at(3),
                            published_at=_at(3))
    db.session.add(OfficialResponse(proposal_id=other.id, type=ResponseType.NOT_ACCEPTED,
                                    justification=FUTURE_JUSTIFICATION, author_id=official.id,
                                    publish_at=NOW + timedelta(days=10), created_at=_at(26)))

    # The follow-up of the commitment, with a dated update.
    follow_up = FollowUp(consultation_id=consultation.id, title="Navette du dimanche",
                         owner="Service mobilité de l'agglomération", progress=50, created_at=_at(30),
                         updated_at=_at(40), proposals=[proposal], created_by_id=official.id)
    db.session.add(follow_up)
    db.session.flush()
    db.session.add(FollowUpUpdate(follow_up_id=follow_up.id, happened_on=date(2026, 2, 14), progress=50,
                                  body="Appel d'offres lancé.", body_html="<p>Appel d'offres lancé.</p>",
                                  author_id=official.id, created_at=_at(41)))
    db.session.flush()
    return World(consultation=consultation, proposal=proposal, duplicate=duplicate, hidden=hidden,
                 hidden_comment=hidden_comment, draft=draft, assembly=assembly, poll=poll,
                 totals_only_poll=totals_only_poll, after_close_poll=after_close_poll, synthesis=synthesis,
                 unpublished_synthesis=unpublished, follow_up=follow_up,
                 people={"author": author, "moderator": moderator, "reporter": reporter, "official": official,
                         "pending": pending, "other": other})
