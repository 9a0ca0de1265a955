"""`deliberation seed-demo`: a living French demo, idempotent, consistent, refused in production."""

from sqlalchemy import func, select

from deliberation.accounts.models import User, UserRole
from deliberation.assemblies import receipts
from deliberation.assemblies import services as assembly_services
from deliberation.assemblies.models import Assembly
from deliberation.consultations.models import Consultation, PhaseKind
from deliberation.extensions import db
from deliberation.proposals import services as proposal_services
from deliberation.proposals.models import Comment, Proposal, Support
from deliberation.seed import data, seed_demo_command
from deliberation.territories.models import Organisation, OrganisationKind, PriorityArea


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_builds_a_living_consultation_once(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(seed_demo_command)
    assert result.exit_code == 0, result.output
    assert data.DEMO_PASSWORD in result.output

    kinds = sorted(o.kind for o in db.session.scalars(select(Organisation)))
    assert kinds == [OrganisationKind.COMMUNE, OrganisationKind.COMMUNE, OrganisationKind.EPCI]
    qpv = [area for area in db.session.scalars(select(PriorityArea)) if area.is_qpv]
    assert len(qpv) == 3

    consultation = db.session.scalar(select(Consultation))
    assert consultation.current_phase.kind == PhaseKind.SUBMISSION
    assert 55 <= _count(Proposal) <= 70
    assert _count(Comment) > 50 and _count(Support) > 100
    for proposal in db.session.scalars(select(Proposal)):
        supports = db.session.scalar(select(func.count()).where(Support.proposal_id == proposal.id))
        comments = db.session.scalar(select(func.count()).where(Comment.proposal_id == proposal.id))
        assert (proposal.supports_count, proposal.comments_count) == (supports, comments)
        assert not db.session.scalar(select(func.count()).where(
            Support.proposal_id == proposal.id, Support.user_id == proposal.author_id))

    for email, _name, roles in data.ROLE_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        assert all(user.has_role(UserRole(role)) for role in roles)

    mediated = db.session.scalars(select(Proposal).where(Proposal.on_behalf_of.is_not(None))).all()
    assert mediated and all(p.mediator_id == p.author_id for p in mediated)

    assembly = db.session.scalar(select(Assembly))
    closed, draft = sorted(assembly.polls, key=lambda poll: poll.id)
    results = assembly_services.poll_results(closed)
    assert results["total_ballots"] == len(data.ASSEMBLY["closed_poll"]["votes"])
    assert receipts.verify_chain(assembly_services.ballot_log(closed), poll_id=closed.id,
                                 head=closed.log_head) is None
    assert draft.state == "draft" and len(draft.options) == 3

    found = proposal_services.list_proposals(consultation, q="jardins")
    assert "Des jardins partagés au pied des tours" in [p.title for p in found.items]

    again = runner.invoke(seed_demo_command)
    assert again.exit_code == 0
    assert _count(Organisation) == 3
    assert _count(Consultation) == 1


def test_seed_demo_is_refused_in_production(app, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "ENV", "production")
    result = app.test_cli_runner().invoke(seed_demo_command)
    assert result.exit_code != 0
    assert "production" in result.output
    assert _count(User) == 0
