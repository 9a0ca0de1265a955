"""Reading a synthesis back: sections and their anchors, citations (real links only), the check that each
cites a public source of the consultation, and the HTML with heading ids."""

from __future__ import annotations

import pytest

from deliberation.assemblies.models import PollState
from deliberation.synthesis.citations import (
    Citation,
    check_citations,
    citation_proposal_ids,
    find_citations,
    render_synthesis,
    sections_of,
    slugify,
)
from deliberation.synthesis.drafting import draft_synthesis_markdown
from tests.factories import AssemblyFactory, CommentFactory, ConsultationFactory, PollFactory, ProposalFactory
from tests.synthesis.draft_world import make_world


@pytest.fixture
def world(db_session):
    return make_world()


def test_sections_are_the_level_two_headings_with_unique_anchors():
    markdown = ("# Synthèse\n\nIntro\n\n## Cadre de vie\n\ntexte\n\n### Les Tilleuls\n\n## Cadre de vie\n\n"
                "## Emploi & *formation*\n\n## Cadre de vie 2\n\n```\n## pas un titre\n```\n")
    sections = sections_of(markdown)
    assert [(s.position, s.anchor, s.title) for s in sections] == [
        (0, "cadre-de-vie", "Cadre de vie"),
        (1, "cadre-de-vie-2", "Cadre de vie"),
        (2, "emploi-formation", "Emploi & formation"),
        (3, "cadre-de-vie-2-2", "Cadre de vie 2"),
    ]
    assert len({s.anchor for s in sections}) == len(sections)
    assert sections_of("") == [] and sections_of("Pas de titre") == []
    assert slugify("Éducation, santé !") == "education-sante" and slugify("***") == "section"


def test_find_citations_reads_links_by_section():
    markdown = ("Intro [a](/proposals/1)\n\n## Premier\n\n[b](/proposals/2) [c](/proposals/2#comment-7) "
                "[d](/assemblies/polls/3/verify) [e](/proposals/2) [f](/consultations/1) "
                "[g](https://ailleurs.example/proposals/4) `[h](/proposals/5)`\n\n    [i](/proposals/6)\n\n"
                "## Second\n\n[b again](/proposals/2/) [j][ref]\n\n[ref]: /proposals/8#comments\n")
    found = [(c.target_type, c.target_id, c.section_anchor) for c in find_citations(markdown)]
    assert found == [
        ("proposal", 1, None),
        ("proposal", 2, "premier"),
        ("comment", 7, "premier"),
        ("poll", 3, "premier"),
        ("proposal", 2, "second"),
        ("proposal", 8, "second"),
    ]
    comment = find_citations(markdown)[2]
    assert comment.linked_proposal_id == 2 and comment.href == "/proposals/2#comment-7"


def test_absolute_links_with_the_site_address_count(app, db_session):
    base = app.config["BASE_URL"].rstrip("/")
    markdown = (f"## A\n\n[x]({base}/proposals/12) [y]({base}/assemblies/polls/4/verify) [z](//evil/proposals/3) "
                "[w](https://evil.example/proposals/5)")
    assert [(c.target_type, c.target_id) for c in find_citations(markdown)] == [("proposal", 12), ("poll", 4)]


def test_check_citations_flags_each_problem(world):
    other = ConsultationFactory()
    foreign = ProposalFactory(consultation=other)
    foreign_comment = CommentFactory(proposal=foreign)
    assembly = AssemblyFactory(consultation_id=world.consultation.id)
    draft_poll = PollFactory(assembly=assembly, state=PollState.DRAFT)
    closed = PollFactory(assembly=assembly, state=PollState.CLOSED)
    foreign_poll = PollFactory(assembly=AssemblyFactory(consultation_id=other.id), state=PollState.CLOSED)
    good, hidden = world.gardens[0], world.hidden
    markdown = "\n".join([
        "## Section",
        f"[ok](/proposals/{good.id}) [ok comment](/proposals/{good.id}#comment-{world.comment_for.id})",
        f"[ok poll](/assemblies/polls/{closed.id}/verify)",
        *[f"[hidden](/proposals/{p.id})" for p in hidden],
        f"[hidden comment](/proposals/{good.id}#comment-{world.hidden_comment.id})",
        f"[comment of hidden](/proposals/{hidden[0].id}#comment-{world.comment_on_hidden.id})",
        f"[wrong proposal](/proposals/{world.lighting[0].id}#comment-{world.comment_for.id})",
        f"[foreign](/proposals/{foreign.id}) [foreign comment](/proposals/{foreign.id}#comment-{foreign_comment.id})",
        f"[foreign poll](/assemblies/polls/{foreign_poll.id}/verify)",
        f"[draft poll](/assemblies/polls/{draft_poll.id}/verify)",
        "[unknown](/proposals/999999) [unknown comment](/proposals/1#comment-999999) "
        "[unknown poll](/assemblies/polls/999999/verify)",
        f"`[in code](/proposals/{hidden[0].id}#x)`",
    ])
    # the same comment cited twice in a section with two different links: both links are checked
    assert len([c for c in find_citations(markdown) if c.target_id == world.comment_for.id
                and c.target_type == "comment"]) == 1
    assert check_citations(world.consultation, find_citations(markdown, unique=False)) == check_citations(
        world.consultation, markdown)
    problems = check_citations(world.consultation, markdown)
    codes = {(p.target_type, p.target_id): p.code for p in problems}
    expected = {
        **{("proposal", p.id): "not_public" for p in hidden},
        ("comment", world.hidden_comment.id): "not_public",
        ("comment", world.comment_on_hidden.id): "not_public",
        ("comment", world.comment_for.id): "wrong_proposal",
        ("proposal", foreign.id): "other_consultation",
        ("comment", foreign_comment.id): "other_consultation",
        ("poll", foreign_poll.id): "other_consultation",
        ("poll", draft_poll.id): "not_public",
        ("proposal", 999999): "not_found",
        ("comment", 999999): "not_found",
        ("poll", 999999): "not_found",
    }
    assert codes == expected
    assert len(problems) == len(expected)
    message = next(p for p in problems if p.code == "not_public")
    assert "pas publique" in message.message and message.link.startswith("/proposals/")


def test_check_citations_uses_one_query_per_type(world):
    from sqlalchemy import event

    from deliberation.extensions import db

    citations = [Citation("proposal", p.id, None) for p in world.gardens + world.lighting]
    citations += [Citation("comment", c.id, None) for c in (world.comment_for, world.comment_against)]
    statements = []

    def listen(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        assert check_citations(world.consultation, citations) == []
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert len(statements) == 2


def test_citation_proposal_ids(world):
    citations = [Citation("proposal", world.lone.id, "a"), Citation("comment", world.comment_for.id, "a"),
                 Citation("poll", 5, None), Citation("comment", 999999, None), Citation("proposal", 999999, None),
                 Citation("proposal", world.hidden[0].id, None)]
    assert citation_proposal_ids(citations) == [world.lone.id, world.gardens[0].id, None, None, None,
                                                world.hidden[0].id]


def test_render_keeps_section_ids_and_sanitises():
    markdown = ("# Synthèse\n\n## Cadre de vie\n\nVoir [ceci](/proposals/3).\n\n## Cadre de vie\n\n"
                "<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n### Quartier\n\n###### petit\n")
    html = render_synthesis(markdown)
    assert '<h2 id="cadre-de-vie">Cadre de vie</h2>' in html
    assert '<h2 id="cadre-de-vie-2">Cadre de vie</h2>' in html
    assert "<h2>Synthèse</h2>" in html and "<h1" not in html
    assert "<h3>Quartier</h3>" in html and "<h4>petit</h4>" in html
    assert '<a href="/proposals/3"' in html
    assert "<script" not in html and "&lt;script&gt;" in html  # raw HTML is shown as text
    assert 'href="javascript' not in html
    assert [s.anchor for s in sections_of(markdown)] == ["cadre-de-vie", "cadre-de-vie-2"]


def test_render_drops_ids_written_by_hand():
    html = render_synthesis('Texte <h2 id="x">faux</h2>\n\n### titre {#id}\n')
    assert "<h2" not in html and "&lt;h2 id" in html
    assert "<h3>titre {#id}</h3>" in html


def test_the_draft_renders_with_its_sections(world):
    markdown = draft_synthesis_markdown(world.consultation)
    html = render_synthesis(markdown)
    for section in sections_of(markdown):
        assert f'<h2 id="{section.anchor}">' in html
    assert f'href="/proposals/{world.gardens[0].id}"' in html
