"""What the tests of officials' responses and follow-ups share: a consultation with a public proposal, its
author, two supporters and an official of the consultation (plain functions, not fixtures, so that they do
not clash with the other synthesis tests' fixtures)."""

from __future__ import annotations

from dataclasses import dataclass

from deliberation.accounts.models import User
from deliberation.consultations.models import Consultation
from deliberation.extensions import db
from deliberation.proposals.models import Proposal
from deliberation.synthesis.models import Synthesis, SynthesisSection, SynthesisStatus
from tests.factories import ConsultationFactory, ProposalFactory, SupportFactory, UserFactory


@dataclass
class World:
    consultation: Consultation
    proposal: Proposal
    author: User
    supporters: list[User]
    official: User
    resident: User


def make_world() -> World:
    consultation = ConsultationFactory()
    author = UserFactory(display_name="Awa l'autrice", email="awa@example.org")
    proposal = ProposalFactory(consultation=consultation, author=author, title="Un banc place du marché")
    supporters = [UserFactory(email="sam@example.org"), UserFactory(email="lea@example.org")]
    for supporter in supporters:
        SupportFactory(proposal_id=proposal.id, user_id=supporter.id)
    official = UserFactory(display_name="Élu·e", email="elu@example.org", roles=[("official", consultation)])
    world = World(consultation=consultation, proposal=proposal, author=author, supporters=supporters,
                  official=official, resident=UserFactory())
    # Survive a unit of work that rolls back (in tests a commit is a savepoint of the outer transaction).
    db.session.commit()
    return world


def make_section(consultation: Consultation, status: SynthesisStatus = SynthesisStatus.SENT_TO_OFFICIALS
                 ) -> SynthesisSection:
    synthesis = Synthesis(consultation_id=consultation.id, title="Synthèse", status=status,
                          body="## Mobilité\n\nDes bancs.", body_html="<h2>Mobilité</h2><p>Des bancs.</p>")
    section = SynthesisSection(position=0, anchor="mobilite", title="Mobilité")
    synthesis.sections.append(section)
    db.session.add(synthesis)
    db.session.commit()
    return section
