"""Listing proposals: French full-text search on both databases, filters, sorts and pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from deliberation.core import clock
from deliberation.core.errors import Invalid
from deliberation.extensions import db
from deliberation.proposals import services
from deliberation.proposals.models import Proposal, ProposalKind, ProposalStatus
from deliberation.proposals.services import search as search_service
from tests.factories import ProposalFactory, UserFactory

pytestmark = pytest.mark.usefixtures("unit")


def _submit(consultation, title, body="Rien de plus.", **kwargs):
    return services.submit_proposal(consultation, UserFactory(), title=title, body=body, **kwargs)


def _titles(page) -> list[str]:
    return [proposal.title for proposal in page.items]


@pytest.fixture
def corpus(consultation):
    _submit(consultation, "Rénover l'École Jules-Ferry", "Le préau prend l'eau.")
    _submit(consultation, "Un jardin partagé", "Près de la médiathèque, des bacs à légumes.")
    _submit(consultation, "Plus de bancs", "Pour les écoles et les jardins d'enfants.")
    _submit(consultation, "Éclairer le parking", "Il fait très sombre l'hiver.")
    return consultation


@pytest.mark.parametrize("query, expected", [
    ("ecole", ["Plus de bancs", "Rénover l'École Jules-Ferry"]),
    ("École", ["Plus de bancs", "Rénover l'École Jules-Ferry"]),
    ("Ecoles", ["Plus de bancs", "Rénover l'École Jules-Ferry"]),
    ("jardins", ["Plus de bancs", "Un jardin partagé"]),
    ("JARDIN partagé", ["Un jardin partagé"]),
    ("mediatheque", ["Un jardin partagé"]),
    ("éclairage", []),
    ("eclairer", ["Éclairer le parking"]),
    ("jardin parking", []),
    ("piscine", []),
])
def test_search_ignores_accents_and_matches_word_forms(corpus, query, expected):
    assert sorted(_titles(services.list_proposals(corpus, q=query))) == expected


@pytest.mark.parametrize("query", ["", "   ", "le la de", "!!!", "de l'", "pour une"])
def test_a_query_without_searchable_words_filters_nothing(corpus, query):
    assert services.list_proposals(corpus, q=query).total == 4


@pytest.mark.parametrize("query", [
    '"', '""', "AND", "OR NOT", "NEAR(", "NEAR(jardin école, 2)", "-", "(", ")", "{terms}", "terms:jardin",
    "^jardin", "a & b | !c", "'; DROP", "\x00", "jardin\x00école", "\\", "école" * 60, "é" * 500,
])
def test_search_syntax_typed_by_users_never_fails(corpus, query):
    assert services.list_proposals(corpus, q=query).total >= 0


@pytest.mark.parametrize("query, total", [
    ("*", 4), ("-", 4), ('"', 4),  # no word: no filter
    ('"école', 2), ("école*", 2), ("-jardin", 2), ("(jardin)", 2),  # the words, as words
    ("jardin AND", 0), ("NEAR(jardin, 2)", 0), ("jardin OR piscine", 0),  # operators are words (all needed)
])
def test_operators_are_searched_as_plain_words(corpus, query, total):
    assert services.list_proposals(corpus, q=query).total == total


def test_search_follows_edits_and_leaves_out_withdrawn_proposals(consultation):
    author = UserFactory()
    proposal = services.submit_proposal(consultation, author, title="Une fontaine", body="Place du marché")
    assert services.list_proposals(consultation, q="fontaines").total == 1
    services.edit_proposal(proposal, author, title="Un kiosque", body="Place du marché")
    db.session.flush()
    assert services.list_proposals(consultation, q="fontaine").total == 0
    assert services.list_proposals(consultation, q="kiosques").total == 1
    services.withdraw_proposal(proposal, author)
    assert services.list_proposals(consultation, q="kiosque").total == 0


def test_postgresql_search_uses_the_index(app, corpus):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    statement = select(Proposal.id).where(search_service._search_condition("ecole"))
    sql = statement.compile(dialect=db.session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {sql}")))
    assert "ix_proposals_search" in plan


def test_only_public_proposals_are_listed_and_filters_combine(consultation):
    area, other_area = consultation.areas
    priority = consultation.priorities[0]
    wanted = ProposalFactory(consultation=consultation, area=area, priority=priority,
                             kind=ProposalKind.OBSERVATION, title="Constat")
    ProposalFactory(consultation=consultation, area=other_area, priority=priority,
                    kind=ProposalKind.OBSERVATION)
    ProposalFactory(consultation=consultation, area=area, kind=ProposalKind.PROPOSAL)
    answered = ProposalFactory(consultation=consultation, status=ProposalStatus.ANSWERED, title="Répondue")
    for status in (ProposalStatus.HIDDEN, ProposalStatus.WITHDRAWN, ProposalStatus.MERGED,
                   ProposalStatus.DRAFT, ProposalStatus.PENDING_MODERATION):
        ProposalFactory(consultation=consultation, status=status)
    ProposalFactory()  # another consultation

    assert services.list_proposals(consultation).total == 4
    assert _titles(services.list_proposals(consultation, area_id=area.id, priority_id=priority.id,
                                           kind="observation")) == ["Constat"]
    assert _titles(services.list_proposals(consultation, status="answered")) == ["Répondue"]
    assert services.list_proposals(consultation, status=ProposalStatus.PUBLISHED).total == 3
    assert wanted.id and answered.id
    for bad in ({"status": "hidden"}, {"status": "withdrawn"}, {"kind": "poem"}, {"sort": "title"},
                {"area_id": "3"}, {"priority_id": 2**40}):
        with pytest.raises(Invalid) as refused:
            services.list_proposals(consultation, **bad)
        assert list(refused.value.fields) == [next(iter(bad))]


def test_sorts_recent_and_most_supported(consultation):
    now = clock.now()
    old = ProposalFactory(consultation=consultation, created_at=now - timedelta(days=2), supports_count=5)
    new = ProposalFactory(consultation=consultation, created_at=now, supports_count=1)
    tie = ProposalFactory(consultation=consultation, created_at=now, supports_count=5)
    assert services.list_proposals(consultation, sort="recent").items == [tie, new, old]
    assert services.list_proposals(consultation, sort="supports").items == [tie, old, new]


def _random_order_reference(proposals, seed: int) -> list[int]:
    """The random order, in Python: shuffle keys from the seed on, then wrapping around to the smallest."""
    ordered = sorted(proposals, key=lambda p: (p.shuffle_key, p.id))
    return [p.id for p in ordered if p.shuffle_key >= seed] + [p.id for p in ordered if p.shuffle_key < seed]


def test_random_order_is_stable_per_seed_and_pages_do_not_overlap(consultation):
    proposals = [ProposalFactory(consultation=consultation) for _ in range(12)]

    def order(seed, per_page=12, page=1):
        return [p.id for p in services.list_proposals(consultation, sort="random", seed=seed, page=page,
                                                      per_page=per_page).items]

    middle = sorted(p.shuffle_key for p in proposals)[5]
    assert order(middle) == order(middle) == _random_order_reference(proposals, middle)
    assert sorted(order(middle)) == sorted(p.id for p in proposals)
    pages = [order(middle, per_page=5, page=page) for page in (1, 2, 3)]
    assert [len(items) for items in pages] == [5, 5, 2]
    assert pages[0] + pages[1] + pages[2] == order(middle)  # page 2 crosses the wrap-around
    assert order(middle, per_page=5, page=4) == []
    starts = {order(p.shuffle_key)[0] for p in proposals}
    assert starts == {p.id for p in proposals}  # every proposal can come first
    assert 0 <= services.new_random_seed() <= services.RANDOM_SEED_MAX


def test_random_order_keeps_filters_and_search(consultation):
    area = consultation.areas[0]
    wanted = [ProposalFactory(consultation=consultation, area=area, title=f"Jardin {n}") for n in range(4)]
    ProposalFactory(consultation=consultation, title="Jardin ailleurs")
    ProposalFactory(consultation=consultation, area=area, title="Autre chose")
    seed = sorted(p.shuffle_key for p in wanted)[2]
    page = services.list_proposals(consultation, sort="random", seed=seed, area_id=area.id, q="jardins")
    assert page.total == 4
    assert [p.id for p in page.items] == _random_order_reference(wanted, seed)


def test_pages_and_my_proposals(consultation):
    author = UserFactory()
    mine = [ProposalFactory(consultation=consultation, author=author, status=status)
            for status in (ProposalStatus.PUBLISHED, ProposalStatus.WITHDRAWN,
                           ProposalStatus.PENDING_MODERATION)]
    for _ in range(4):
        ProposalFactory(consultation=consultation)
    page = services.list_proposals(consultation, page=2, per_page=3)
    assert (page.total, page.pages, len(page.items), page.has_next) == (5, 2, 2, False)
    assert services.list_proposals(consultation, page=9, per_page=3).items == []
    assert {p.id for p in services.list_my_proposals(author).items} == {p.id for p in mine}
