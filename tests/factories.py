"""factory-boy factories for every model; they add to the test's session and flush."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from deliberation.accounts.models import RoleAssignment, User, UserRole
from deliberation.accounts.passwords import hash_password
from deliberation.consultations.models import Consultation, Phase, PhaseKind
from deliberation.core import clock
from deliberation.core.text import render_markdown
from deliberation.extensions import db
from deliberation.proposals.models import (
    Comment,
    CommentStance,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Support,
)
from deliberation.territories.models import CityContract, Organisation, OrganisationKind, Priority, PriorityArea

DEFAULT_PASSWORD = "correct horse battery staple"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - resolved per test
        sqlalchemy_session_persistence = "flush"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"habitant{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Habitant·e {n}")
    password_hash = factory.LazyFunction(lambda: hash_password(DEFAULT_PASSWORD))
    created_at = factory.LazyFunction(clock.now)

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        """UserFactory(roles=["moderator"]) or [("moderator", consultation)]; every user is a resident."""
        wanted = [UserRole.RESIDENT, *(extracted or [])]
        for item in wanted:
            role, consultation = (item, None) if not isinstance(item, tuple) else item
            user.roles.append(RoleAssignment(role=UserRole(role),
                                             consultation_id=consultation.id if consultation else None))
        if create:
            db.session.flush()


class OrganisationFactory(BaseFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Communauté d'agglomération {n}")
    kind = OrganisationKind.EPCI
    code = factory.Sequence(lambda n: f"{200000000 + n}")


class CityContractFactory(BaseFactory):
    class Meta:
        model = CityContract

    organisation = factory.SubFactory(OrganisationFactory)
    title = "Contrat de ville 2024-2030"
    starts_on = date(2024, 1, 1)
    ends_on = date(2030, 12, 31)


class PriorityAreaFactory(BaseFactory):
    class Meta:
        model = PriorityArea

    contract = factory.SubFactory(CityContractFactory)
    code = factory.Sequence(lambda n: f"QN{n:06d}")
    name = factory.Sequence(lambda n: f"Quartier {n}")


class PriorityFactory(BaseFactory):
    class Meta:
        model = Priority

    contract = factory.SubFactory(CityContractFactory)
    title = factory.Sequence(lambda n: f"Enjeu {n}")
    position = factory.Sequence(int)
    themes = factory.LazyFunction(list)


class ConsultationFactory(BaseFactory):
    class Meta:
        model = Consultation

    title = factory.Sequence(lambda n: f"Consultation {n}")
    description = "Donnez votre avis."
    is_published = True

    @factory.post_generation
    def phase(consultation, create, extracted, **kwargs):
        """ConsultationFactory(phase=PhaseKind.VOTE): one phase running now; phase=None for no phase."""
        if extracted is False:
            return
        kind = extracted or PhaseKind.SUBMISSION
        start = clock.now() - timedelta(days=1)
        consultation.phases.append(Phase(kind=PhaseKind(kind), starts_at=start, ends_at=start + timedelta(days=30)))
        if create:
            db.session.flush()


class PhaseFactory(BaseFactory):
    class Meta:
        model = Phase

    consultation = factory.SubFactory(ConsultationFactory, phase=False)
    kind = PhaseKind.SUBMISSION
    starts_at = factory.LazyFunction(lambda: clock.now() - timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda phase: phase.starts_at + timedelta(days=30))


class ProposalFactory(BaseFactory):
    class Meta:
        model = Proposal

    consultation = factory.SubFactory(ConsultationFactory)
    author = factory.SubFactory(UserFactory)
    kind = ProposalKind.PROPOSAL
    title = factory.Sequence(lambda n: f"Proposition {n}")
    body = "Un texte **simple**."
    body_html = factory.LazyAttribute(lambda p: render_markdown(p.body))
    status = ProposalStatus.PUBLISHED
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyAttribute(lambda p: p.created_at)
    published_at = factory.LazyAttribute(lambda p: p.created_at)


class SupportFactory(BaseFactory):
    class Meta:
        model = Support

    proposal_id = factory.LazyAttribute(lambda s: ProposalFactory().id)
    user_id = factory.LazyAttribute(lambda s: UserFactory().id)


class CommentFactory(BaseFactory):
    class Meta:
        model = Comment

    proposal = factory.SubFactory(ProposalFactory)
    author = factory.SubFactory(UserFactory)
    stance = CommentStance.NEUTRAL
    body = "Je suis d'accord."
    body_html = factory.LazyAttribute(lambda c: render_markdown(c.body))
    depth = 0
