"""`deliberation seed-demo`: idempotent demo data in French, refused in production.

A fictional agglomeration with two communes and three QPV, its city contract and priorities, a consultation in
its submission phase with about sixty contributions, comments and supports, an assembly with a closed poll and a
draft one, and one account per role.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from deliberation.accounts.models import RoleAssignment, User, UserRole
from deliberation.accounts.passwords import hash_password
from deliberation.assemblies import services as assembly_services
from deliberation.consultations.models import Consultation, Phase, PhaseKind
from deliberation.core import audit, clock
from deliberation.core.text import render_markdown
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import charter
from deliberation.proposals.models import Comment, CommentStance, Proposal, ProposalKind, ProposalStatus, Support
from deliberation.seed import data
from deliberation.seed.synthesis import seed_synthesis
from deliberation.territories.models import CityContract, Organisation, OrganisationKind, Priority, PriorityArea


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Create the demo territory, consultation, contributions and one account per role (idempotent)."""
    if current_app.config["ENV"] == "production":
        raise click.ClickException("seed-demo is refused in production: it creates accounts with known passwords.")
    if db.session.scalar(select(Organisation).where(Organisation.code == data.EPCI["code"])) is not None:
        with unit_of_work():
            charter_added = charter.seed_charter(data.CHARTER) is not None
        click.echo("The demo data is already there; " + ("the moderation charter was added." if charter_added
                                                          else "nothing to do."))
        return
    with unit_of_work():
        summary = seed_demo()
    click.echo(
        f"Demo created: {summary['proposals']} contributions, {summary['comments']} comments, "
        f"{summary['supports']} supports. Accounts (password {data.DEMO_PASSWORD}):"
    )
    for email, _name, roles in data.ROLE_ACCOUNTS:
        click.echo(f"  {', '.join(roles):<12} {email}")


def seed_demo() -> dict[str, int]:
    rng = random.Random(2027)
    now = clock.now()
    password_hash = hash_password(data.DEMO_PASSWORD)

    epci = Organisation(name=data.EPCI["name"], code=data.EPCI["code"], kind=OrganisationKind.EPCI)
    communes = {
        c["key"]: Organisation(name=c["name"], code=c["code"], kind=OrganisationKind.COMMUNE, parent=epci)
        for c in data.COMMUNES
    }
    contract = CityContract(organisation=epci, starts_on=date(2024, 1, 1), ends_on=date(2030, 12, 31),
                            **data.CONTRACT)
    areas = {
        a["key"]: PriorityArea(contract=contract, code=a["code"], name=a["name"], description=a["description"],
                               communes=[communes[key] for key in a["communes"]])
        for a in data.AREAS
    }
    priorities = {
        p["key"]: Priority(contract=contract, title=p["title"], description=p["description"], position=index,
                           themes=p["themes"])
        for index, p in enumerate(data.PRIORITIES)
    }
    consultation = Consultation(contract=contract, areas=list(areas.values()), priorities=list(priorities.values()),
                                is_published=True, **data.CONSULTATION)
    for kind, start_in_days, length_in_days in data.PHASES:
        start = (now + timedelta(days=start_in_days)).replace(hour=8, minute=0, second=0, microsecond=0)
        consultation.phases.append(Phase(kind=PhaseKind(kind), starts_at=start,
                                         ends_at=start + timedelta(days=length_in_days)))
    db.session.add_all([epci, consultation])

    role_users = {}
    for email, name, roles in data.ROLE_ACCOUNTS:
        user = _user(email, name, password_hash, now - timedelta(days=60), roles)
        role_users[roles[0]] = user
    residents = [role_users["resident"]] + [
        _user(f"habitant{index + 1}@demo.deliberation.fr", name, password_hash, now - timedelta(days=50), [])
        for index, name in enumerate(data.RESIDENT_NAMES)
    ]
    admin = role_users["admin"]
    db.session.flush()

    counts = {"proposals": 0, "comments": 0, "supports": 0}
    for index, (kind, area_key, priority_key, title, body) in enumerate(data.CONTRIBUTIONS):
        author = residents[index % len(residents)]
        for_resident = data.MEDIATED.get(index)
        if for_resident:  # submitted at the social centre by the mediator, with and for a resident
            author = role_users["mediator"]
        created = now - timedelta(days=28 - (index * 27 // len(data.CONTRIBUTIONS)), hours=rng.randint(0, 10))
        proposal = Proposal(
            consultation=consultation, author=author, kind=ProposalKind(kind), title=title, body=body,
            body_html=render_markdown(body), area=areas[area_key], priority=priorities[priority_key],
            status=ProposalStatus.PUBLISHED, created_at=created, updated_at=created, published_at=created,
        )
        if for_resident:
            proposal.mediator_id, proposal.on_behalf_of = author.id, for_resident
        db.session.add(proposal)
        db.session.flush()
        counts["proposals"] += 1
        counts["supports"] += _add_supports(proposal, residents, rng, created)
        counts["comments"] += _add_comments(proposal, residents, rng, created)

    _seed_assembly(consultation, role_users["facilitator"], rng)
    charter.seed_charter(data.CHARTER)
    seed_synthesis(consultation, role_users["moderator"], role_users["official"])
    audit.record(admin, "demo_seeded", consultation, proposals=counts["proposals"])
    return counts


def _seed_assembly(consultation: Consultation, facilitator: User, rng: random.Random) -> None:
    """Through the services, so the ballot log is a real hash chain that the verify page can check."""
    plan = data.ASSEMBLY
    assembly = assembly_services.create_assembly(
        facilitator, title=plan["title"], consultation=consultation,
        starts_at=(clock.now() + timedelta(days=2)).replace(hour=17, minute=30, second=0, microsecond=0),
    )
    top = sorted(db.session.scalars(select(Proposal).where(Proposal.consultation_id == consultation.id)),
                 key=lambda p: (-p.supports_count, p.id))[:3]
    item = assembly_services.add_agenda_item(assembly, facilitator, title=plan["agenda"], proposals=top)
    closed = plan["closed_poll"]
    poll = assembly_services.create_poll(assembly, facilitator, question=closed["question"],
                                         method=closed["method"], results_visibility="live", agenda_item=item)
    assembly_services.open_poll(poll, facilitator)
    for choice in closed["votes"]:
        participant, _token = assembly_services.join_assembly(assembly.join_code)
        assembly_services.cast_vote(poll, participant, ballot_id=str(uuid.UUID(int=rng.getrandbits(128))),
                                    choice=choice)
    assembly_services.close_poll(poll, facilitator)
    draft = plan["draft_poll"]
    assembly_services.create_poll(assembly, facilitator, question=draft["question"], method=draft["method"],
                                  options=[proposal.title for proposal in top], results_visibility="after_close",
                                  agenda_item=item)


def _user(email: str, name: str, password_hash: str, created, roles: list[str]) -> User:
    user = User(email=email, display_name=name, password_hash=password_hash, created_at=created,
                email_confirmed_at=created, locale="fr")
    user.roles = [RoleAssignment(role=UserRole.RESIDENT)]
    user.roles += [RoleAssignment(role=UserRole(role)) for role in roles if role != "resident"]
    db.session.add(user)
    return user


def _add_supports(proposal: Proposal, residents: list[User], rng: random.Random, since) -> int:
    popularity = rng.choice([0, 1, 2, 3, 5, 8, 12, 17])
    supporters = [user for user in rng.sample(residents, min(popularity, len(residents) - 1))
                  if user.id != proposal.author_id]
    for user in supporters:
        db.session.add(Support(proposal_id=proposal.id, user_id=user.id,
                               created_at=since + timedelta(hours=rng.randint(1, 200))))
    proposal.supports_count = len(supporters)
    return len(supporters)


def _add_comments(proposal: Proposal, residents: list[User], rng: random.Random, since) -> int:
    if rng.random() < 0.3:
        return 0
    added = 0
    for _ in range(rng.randint(1, 4)):
        stance = rng.choice([CommentStance.FOR, CommentStance.FOR, CommentStance.AGAINST, CommentStance.NEUTRAL])
        text = rng.choice(data.COMMENTS[stance.value])
        at = since + timedelta(hours=rng.randint(1, 300))
        comment = _comment(proposal, rng.choice(residents), text, stance, at, parent=None)
        added += 1
        if rng.random() < 0.35:
            reply = _comment(proposal, rng.choice(residents), rng.choice(data.REPLIES), CommentStance.NEUTRAL,
                             at + timedelta(hours=3), parent=comment)
            added += 1
            if rng.random() < 0.4:
                _comment(proposal, rng.choice(residents), rng.choice(data.REPLIES), CommentStance.NEUTRAL,
                         at + timedelta(hours=6), parent=reply)
                added += 1
    proposal.comments_count = added
    return added


def _comment(proposal, author, text, stance, at, *, parent) -> Comment:
    comment = Comment(proposal_id=proposal.id, author=author, body=text, body_html=render_markdown(text),
                      stance=stance, created_at=at, parent_id=parent.id if parent else None,
                      depth=parent.depth + 1 if parent else 0)
    db.session.add(comment)
    db.session.flush()
    return comment
