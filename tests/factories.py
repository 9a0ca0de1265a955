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


# Live assemblies

from hashlib import sha256  # noqa: E402 - appended section

from deliberation.assemblies.models import (  # noqa: E402
    YES_NO_LABELS,
    Assembly,
    AssemblyState,
    Participant,
    Poll,
    PollOption,
    PollState,
    ResultsVisibility,
)
from deliberation.assemblies.services import new_join_code  # noqa: E402
from deliberation.assemblies.voting import PollMethod  # noqa: E402


class AssemblyFactory(BaseFactory):
    class Meta:
        model = Assembly

    title = factory.Sequence(lambda n: f"Assemblée de quartier {n}")
    join_code = factory.LazyFunction(new_join_code)
    state = AssemblyState.LIVE
    created_at = factory.LazyFunction(clock.now)


class PollFactory(BaseFactory):
    """PollFactory(method=PollMethod.SINGLE, labels=["A", "B"]); yes_no polls get yes, no, abstain."""

    class Meta:
        model = Poll
        exclude = ("labels",)

    assembly = factory.SubFactory(AssemblyFactory)
    question = factory.Sequence(lambda n: f"Question {n} ?")
    method = PollMethod.YES_NO
    results_visibility = ResultsVisibility.LIVE
    state = PollState.OPEN
    labels = ("Square", "Jardin partagé", "Terrain de sport")
    options = factory.LazyAttribute(
        lambda poll: [PollOption(position=i, key=key, label=key) for i, key in enumerate(YES_NO_LABELS)]
        if poll.method == PollMethod.YES_NO
        else [PollOption(position=i, label=label) for i, label in enumerate(poll.labels)])


class ParticipantFactory(BaseFactory):
    """A participant; its device token (to vote through the API) is in `participant.device_token`."""

    class Meta:
        model = Participant

    assembly = factory.SubFactory(AssemblyFactory)
    device_token = factory.Sequence(lambda n: f"device-token-{n}")
    device_hash = factory.LazyAttribute(lambda participant: sha256(participant.device_token.encode()).hexdigest())

    @classmethod
    def _create(cls, model_class, *args, device_token, **kwargs):
        participant = super()._create(model_class, *args, **kwargs)
        participant.device_token = device_token  # not a column: only the hash is stored
        return participant


from deliberation.synthesis.models import Synthesis, SynthesisStatus  # noqa: E402 - kept with its factory


class SynthesisFactory(BaseFactory):
    """A synthesis at any status (status=...), its text with one section and its version 1; sections and
    citations are built by synthesis.syntheses when it is drafted or saved, not here."""

    class Meta:
        model = Synthesis

    consultation = factory.SubFactory(ConsultationFactory)
    title = factory.Sequence(lambda n: f"Synthèse {n}")
    status = SynthesisStatus.DRAFT
    body = "## Cadre de vie\n\nLes habitant·es demandent des bancs."
    body_html = factory.LazyAttribute(lambda s: render_markdown(s.body))
    version = 1
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.LazyAttribute(lambda s: s.created_at)
    status_changed_at = factory.LazyAttribute(lambda s: s.created_at)
