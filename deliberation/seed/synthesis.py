"""The demo's answer loop, through the real services so every step is audited and traceable: a synthesis drafted
from the contributions, reviewed, validated, sent to the elected official who answers each section and the most
supported proposals, then published; two commitments followed with dated updates. The demo compresses a year:
the consultation is still collecting proposals while the first answers are already public."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from deliberation.accounts.models import User
from deliberation.consultations.models import Consultation
from deliberation.core import clock
from deliberation.extensions import db
from deliberation.proposals.models import PUBLIC_STATUSES, Proposal
from deliberation.synthesis import follow_ups, responses, syntheses
from deliberation.synthesis.models import ResponseType, SynthesisStatus

# (response type, justification, partner) for the most supported proposals, in order.
PROPOSAL_ANSWERS = [
    (ResponseType.ACCEPTED, "Inscrit au budget 2027 des quartiers ; les travaux seront suivis ici.", None),
    (ResponseType.PARTIALLY_ACCEPTED,
     "Retenue pour les Tilleuls dès 2027 ; le Clos-Fleuri suivra après l'étude de la voirie, en 2028.", None),
    (ResponseType.NOT_ACCEPTED,
     "Le terrain visé appartient au bailleur, qui le réserve à une résidence pour personnes âgées ; nous "
     "proposons un autre emplacement au comité de quartier.", None),
    (ResponseType.REFERRED, "La compétence relève du Département, à qui la proposition a été transmise.",
     "Conseil départemental d'Indre-et-Loire"),
    (ResponseType.UNDER_STUDY, "Le service jeunesse chiffre la proposition ; réponse au conseil de mars.", None),
]
SECTION_ANSWER = ("Les élu·es ont lu cette partie de la synthèse ; les réponses proposition par proposition "
                  "figurent sur chaque proposition citée.")


def seed_synthesis(consultation: Consultation, moderator: User, official: User) -> None:
    synthesis = syntheses.draft_synthesis(consultation, moderator)
    for status in (SynthesisStatus.IN_REVIEW, SynthesisStatus.VALIDATED, SynthesisStatus.SENT_TO_OFFICIALS):
        syntheses.transition_synthesis(synthesis, moderator, status)

    top = list(db.session.scalars(
        select(Proposal).where(Proposal.consultation_id == consultation.id, Proposal.status.in_(PUBLIC_STATUSES))
        .order_by(Proposal.supports_count.desc(), Proposal.id).limit(len(PROPOSAL_ANSWERS))))
    for proposal, (kind, justification, partner) in zip(top, PROPOSAL_ANSWERS, strict=False):
        responses.answer_proposal(proposal, official, type=kind, justification=justification, referred_to=partner)
    for section in synthesis.sections:
        responses.answer_section(section, official, type=ResponseType.UNDER_STUDY, justification=SECTION_ANSWER)
    syntheses.transition_synthesis(synthesis, official, SynthesisStatus.ANSWERED)
    syntheses.transition_synthesis(synthesis, moderator, SynthesisStatus.PUBLISHED)

    accepted, partial = top[0], top[1]
    today = clock.now().date()
    works = follow_ups.create_follow_up(
        consultation, official, title=accepted.title[:150], owner="Direction de la politique de la ville",
        description="Mise en œuvre de la proposition retenue.", priority_id=accepted.priority_id,
        proposal_ids=[accepted.id])
    follow_ups.add_follow_up_update(works, official, happened_on=today - timedelta(days=3), progress=20,
                                    body="Devis signés, calendrier présenté au comité de quartier.")
    follow_ups.add_follow_up_update(works, official, happened_on=today, progress=45,
                                    body="Premiers travaux réalisés ; visite ouverte aux habitant·es samedi.")
    first_step = follow_ups.create_follow_up(
        consultation, official, title=partial.title[:150], owner="Service voirie de l'agglomération",
        description="Première tranche aux Tilleuls.", priority_id=partial.priority_id, proposal_ids=[partial.id])
    follow_ups.add_follow_up_update(first_step, official, happened_on=today, progress=10,
                                    body="Étude lancée avec le bailleur et les habitant·es.")
