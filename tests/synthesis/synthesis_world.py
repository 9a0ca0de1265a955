"""What the synthesis workflow tests share: a consultation, one person per role (scoped to it), two public
proposals by two residents, and syntheses at any status."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import AnonymousUserMixin

from deliberation.consultations.models import Consultation
from deliberation.extensions import db
from deliberation.proposals.models import Proposal
from deliberation.synthesis import citations, syntheses
from deliberation.synthesis.models import Synthesis, SynthesisStatus, SynthesisVersion
from tests.factories import ConsultationFactory, ProposalFactory, SynthesisFactory, UserFactory


@dataclass
class World:
    consultation: Consultation
    anonymous: object
    resident: object
    facilitator: object
    moderator: object
    second_moderator: object
    other_moderator: object  # moderates another consultation
    official: object
    admin: object
    proposals: list[Proposal]

    def people(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in ROLES}


ROLES = ("anonymous", "resident", "facilitator", "moderator", "other_moderator", "official", "admin")


def make_world() -> World:
    consultation = ConsultationFactory()
    elsewhere = ConsultationFactory()
    authors = [UserFactory(display_name="Awa"), UserFactory(display_name="Bastien")]
    return World(
        consultation=consultation,
        anonymous=AnonymousUserMixin(),
        resident=UserFactory(),
        facilitator=UserFactory(roles=[("facilitator", consultation)]),
        moderator=UserFactory(display_name="Mona", roles=[("moderator", consultation)]),
        second_moderator=UserFactory(display_name="Malik", roles=[("moderator", consultation)]),
        other_moderator=UserFactory(roles=[("moderator", elsewhere)]),
        official=UserFactory(display_name="Élise", roles=[("official", consultation)]),
        admin=UserFactory(roles=["admin"]),
        proposals=[ProposalFactory(consultation=consultation, author=author,
                                   title=f"Proposition de {author.display_name}") for author in authors],
    )


def cited_body(world: World) -> str:
    first, second = world.proposals
    return (f"## Cadre de vie\n\nDes bancs sont demandés ([{first.title}](/proposals/{first.id})).\n\n"
            f"## Jeunesse\n\nUn local pour les jeunes ([{second.title}](/proposals/{second.id})).\n")


def synthesis_at(world: World, status: SynthesisStatus, *, body: str | None = None) -> Synthesis:
    """A synthesis of the world's consultation at `status`, with its sections and citations built."""
    body = body if body is not None else cited_body(world)
    synthesis = SynthesisFactory(consultation=world.consultation, status=status, body=body,
                                 body_html=citations.render_synthesis(body))
    db.session.add(SynthesisVersion(synthesis_id=synthesis.id, number=1, body=synthesis.body, origin="drafted"))
    syntheses._rebuild_structure(synthesis)
    return synthesis
