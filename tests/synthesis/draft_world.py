"""What the drafting and citation tests share: a consultation with two priorities and two neighbourhoods,
public proposals on two subjects (shared gardens, street lighting) plus a lone one, and contributions that
must never be cited (hidden, withdrawn, merged, pending, a hidden comment), all heavily supported."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from deliberation.assemblies.models import AgendaItem, Ballot, PollState, ResultsVisibility
from deliberation.assemblies.voting import PollMethod
from deliberation.consultations.models import Consultation
from deliberation.extensions import db
from deliberation.proposals.models import CommentStance, CommentStatus, Proposal, ProposalKind, ProposalStatus
from tests.factories import (
    AssemblyFactory,
    CommentFactory,
    ConsultationFactory,
    ParticipantFactory,
    PollFactory,
    PriorityAreaFactory,
    PriorityFactory,
    ProposalFactory,
    SupportFactory,
    UserFactory,
)

GARDENS = [
    ("Créer des jardins partagés", "Un jardin partagé où cultiver des légumes entre voisins."),
    ("Un jardin partagé au pied des immeubles", "Les jardins partagés créent du lien entre habitants."),
    ("Jardins partagés pour les écoles", "Les enfants apprendraient à jardiner dans un jardin partagé."),
]
LIGHTING = [
    ("Éclairage des rues la nuit", "Les rues sont trop sombres la nuit, l'éclairage public manque."),
    ("Réparer l'éclairage de la rue Victor Hugo", "Plusieurs lampadaires de la rue sont éteints, "
                                                  "l'éclairage est en panne."),
    ("Plus de lampadaires dans les rues", "Un meilleur éclairage des rues rassurerait les piétons la nuit."),
]
LONE = ("Ouvrir la piscine municipale le dimanche", "Horaires de baignade élargis le week-end.")


@dataclass
class DraftWorld:
    consultation: Consultation
    gardens: list[Proposal]
    lighting: list[Proposal]
    lone: Proposal
    hidden: list[Proposal]  # hidden, withdrawn, merged, pending: never cited
    comment_for: object
    comment_against: object
    hidden_comment: object
    comment_on_hidden: object
    extra: dict = field(default_factory=dict)


def support(proposal: Proposal, count: int) -> None:
    for _ in range(count):
        SupportFactory(proposal_id=proposal.id, user_id=UserFactory().id)
    proposal.supports_count = count


def make_world() -> DraftWorld:
    consultation = ConsultationFactory(title="Cœur de ville")
    area = PriorityAreaFactory(name="Les Tilleuls")
    other_area = PriorityAreaFactory(contract=area.contract, name="Le Val Fourré")
    life = PriorityFactory(contract=area.contract, title="Cadre de vie", position=1)
    consultation.areas.extend([area, other_area])
    consultation.priorities.append(life)

    def make(title, body, **kwargs):
        kwargs.setdefault("priority", life)
        kwargs.setdefault("area", area)
        return ProposalFactory(consultation=consultation, title=title, body=body, **kwargs)

    gardens = [make(title, body) for title, body in GARDENS]
    lighting = [make(title, body) for title, body in LIGHTING]
    lone = make(*LONE)
    support(gardens[0], 3)
    support(lighting[1], 2)
    hidden = [
        make("Jardins partagés cachés", "Un jardin partagé caché par la modération.",
             status=ProposalStatus.HIDDEN),
        make("Jardins partagés retirés", "Un jardin partagé retiré par son auteur.",
             status=ProposalStatus.WITHDRAWN),
        make("Jardins partagés fusionnés", "Un jardin partagé fusionné dans un autre.",
             status=ProposalStatus.MERGED),
        make("Jardins partagés en attente", "Un jardin partagé en attente de modération.",
             status=ProposalStatus.PENDING_MODERATION),
        make("Jardins partagés brouillon", "Un jardin partagé encore en brouillon.", status=ProposalStatus.DRAFT),
    ]
    for proposal in hidden:
        support(proposal, 9)
    comment_for = CommentFactory(proposal=gardens[0], stance=CommentStance.FOR,
                                 body="Excellente idée, les voisins se rencontreraient enfin.")
    comment_against = CommentFactory(proposal=gardens[0], stance=CommentStance.AGAINST,
                                     body="Qui entretiendra le jardin pendant l'été ?")
    hidden_comment = CommentFactory(proposal=gardens[0], stance=CommentStance.FOR, status=CommentStatus.HIDDEN,
                                    body="Texte caché qui ne doit jamais apparaître.")
    comment_on_hidden = CommentFactory(proposal=hidden[0], stance=CommentStance.FOR,
                                       body="Commentaire d'une proposition cachée.")
    db.session.flush()
    return DraftWorld(consultation=consultation, gardens=gardens, lighting=lighting, lone=lone, hidden=hidden,
                      comment_for=comment_for, comment_against=comment_against, hidden_comment=hidden_comment,
                      comment_on_hidden=comment_on_hidden, extra={"area": area, "other_area": other_area,
                                                                   "priority": life})


def closed_poll(assembly, votes: dict[str, int], *, state=PollState.CLOSED, totals_only=False,
                visibility=ResultsVisibility.AFTER_CLOSE, question="Faut-il un jardin partagé ?"):
    """A yes_no poll of `assembly` with `votes` ({"yes": 3, …}) counted online. The log head stands for these
    ballots, as the real chain's would: counts are cached by head, and ids are reused once a test rolls back."""
    poll = PollFactory(assembly=assembly, method=PollMethod.YES_NO, state=state, totals_only=totals_only,
                       results_visibility=visibility, question=question)
    number = 0
    receipts = []
    for choice, count in votes.items():
        for _ in range(count):
            participant = ParticipantFactory(assembly=assembly)
            number += 1
            db.session.add(Ballot(poll_id=poll.id, participant_id=participant.id,
                                  ballot_id=f"00000000-0000-4000-8000-{poll.id:06d}{number:06d}",
                                  choice=choice, receipt=f"{poll.id:032x}{number:032x}"))
            receipts.append(f"{choice}:{number}")
    poll.ballot_count = poll.log_length = number
    poll.log_head = hashlib.sha256(f"{question}|{'|'.join(receipts)}".encode()).hexdigest()
    db.session.flush()
    return poll


def assembly_with_agenda(consultation, proposals, **kwargs):
    assembly = AssemblyFactory(consultation_id=consultation.id, **kwargs)
    item = AgendaItem(assembly=assembly, position=0, title="Jardins")
    item.proposals.extend(proposals)
    db.session.add(item)
    db.session.flush()
    return assembly


__all__ = ["DraftWorld", "ProposalKind", "assembly_with_agenda", "closed_poll", "make_world", "support"]
