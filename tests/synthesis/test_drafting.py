"""The drafted synthesis: only public contributions cited, small groups kept, similar texts grouped, figures,
polls as the public sees them, one assembly's scope, and the same text for the same data."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from deliberation.assemblies.models import PollState, ResultsVisibility
from deliberation.extensions import db
from deliberation.proposals.models import CommentStance, ProposalKind
from deliberation.synthesis.citations import check_citations, find_citations, sections_of
from deliberation.synthesis.drafting import draft_synthesis_markdown
from deliberation.synthesis.drafting.document import escape_markdown, shorten
from deliberation.synthesis.drafting.grouping import MINORITY_MAX_SIZE, group_texts
from deliberation.synthesis.drafting.text import stems
from tests.factories import AssemblyFactory, CommentFactory, ConsultationFactory, ProposalFactory
from tests.synthesis.draft_world import assembly_with_agenda, closed_poll, make_world


@pytest.fixture
def world(db_session):
    return make_world()


def _cited(markdown: str, target_type: str) -> set[int]:
    return {c.target_id for c in find_citations(markdown) if c.target_type == target_type}


def _section(markdown: str, heading: str) -> str:
    """The text under a level-2 heading, up to the next one."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.S | re.M)
    assert match, f"no section {heading!r}"
    return match.group(1)


# Text and grouping

def test_french_normalisation_stems_inflections_and_drops_stop_words():
    assert stems("Les jardins partagés") == stems("un JARDIN partagé") == ["jardin", "partag"]
    assert stems("l'école et l’éclairage") == ["ecol", "eclairag"]
    assert stems("") == [] and stems(None) == []


def test_grouping_puts_similar_texts_together_and_keeps_the_lone_one_as_minority():
    items = [(1, "Créer des jardins partagés"), (2, "Éclairage des rues la nuit"),
             (3, "Un jardin partagé au pied des immeubles"), (4, "Les rues sont sombres : plus d'éclairage"),
             (5, "Jardins partagés pour les écoles"), (6, "Réparer l'éclairage de la rue"),
             (7, "Ouvrir la piscine le dimanche")]
    groups = group_texts(items)
    by_keys = {tuple(group.keys): group for group in groups}
    assert set(by_keys) == {(1, 3, 5), (2, 4, 6), (7,)}
    # labelled with the most frequent surface form of their commonest stems
    assert by_keys[(1, 3, 5)].label[:2] == ["jardins", "partagés"]
    assert set(by_keys[(2, 4, 6)].label[:2]) == {"éclairage", "rues"}
    assert by_keys[(7,)].is_minority and not by_keys[(1, 3, 5)].is_minority
    assert sorted(key for group in groups for key in group.keys) == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize("items", [[], [(1, "Un banc")], [(1, "Un banc"), (2, "Des arbres")],
                                   [(1, "le la les"), (2, "de du des")]])
def test_grouping_handles_tiny_and_empty_inputs(items):
    groups = group_texts(items)
    assert sorted(key for group in groups for key in group.keys) == [key for key, _text in items]
    assert not any(group.is_minority for group in groups)  # no larger group: nothing is a minority


def test_identical_texts_form_one_group():
    groups = group_texts([(n, "Un jardin partagé rue des Lilas") for n in range(5)] + [(9, "Piscine")])
    assert [group.keys for group in groups] == [[0, 1, 2, 3, 4], [9]]
    assert groups[1].is_minority and groups[1].size <= MINORITY_MAX_SIZE


def test_escape_and_shorten():
    assert escape_markdown("A [lien](x) *gras* <b>") == r"A \[lien\](x) \*gras\* \<b\>"
    text = "mot " * 100
    short = shorten(text, 20)
    assert len(short) <= 21 and short.endswith("…") and not short[:-1].endswith(" ")


# The draft

def test_draft_cites_only_public_contributions(world):
    markdown = draft_synthesis_markdown(world.consultation)
    proposals = _cited(markdown, "proposal")
    comments = _cited(markdown, "comment")
    public = {p.id for p in world.gardens + world.lighting + [world.lone]}
    assert proposals == public
    assert comments == {world.comment_for.id, world.comment_against.id}
    for proposal in world.hidden:
        assert proposal.title not in markdown
        assert f"/proposals/{proposal.id})" not in markdown and f"/proposals/{proposal.id}#" not in markdown
    assert "Texte caché" not in markdown and "proposition cachée" not in markdown
    assert check_citations(world.consultation, find_citations(markdown)) == []


def test_draft_groups_similar_proposals_and_keeps_the_minority_view(world):
    markdown = draft_synthesis_markdown(world.consultation)
    area = _section(markdown, "Cadre de vie").split("### Les Tilleuls", 1)[1]
    lines = area.strip().splitlines()
    garden_line = next(line for line in lines if f"/proposals/{world.gardens[0].id})" in line)
    assert all(f"/proposals/{p.id})" in garden_line for p in world.gardens)
    assert "3 contributions" in garden_line and garden_line.startswith("- **")
    # most supported first
    assert garden_line.index(f"/proposals/{world.gardens[0].id})") < garden_line.index(
        f"/proposals/{world.gardens[1].id})")
    lighting_line = next(line for line in lines if f"/proposals/{world.lighting[0].id})" in line)
    assert all(f"/proposals/{p.id})" in lighting_line for p in world.lighting)
    assert lighting_line != garden_line
    minority = area.split("Points de vue minoritaires", 1)[1]
    assert f"[« {world.lone.title} »](/proposals/{world.lone.id})" in minority
    assert "1 contribution," in minority


def test_a_small_group_residents_supported_massively_is_not_called_a_minority(world):
    from deliberation.extensions import db

    most = max(sum(p.supports_count for p in group) for group in (world.gardens, world.lighting))
    world.lone.supports_count = most + 1  # the draft reads the counter, as the lists do
    db.session.flush()
    area = _section(draft_synthesis_markdown(world.consultation), "Cadre de vie").split("### Les Tilleuls", 1)[1]
    assert "Points de vue minoritaires" not in area
    assert f"[« {world.lone.title} »](/proposals/{world.lone.id})" in area  # listed with the main groups


def test_draft_quotes_arguments_for_and_against(world):
    markdown = draft_synthesis_markdown(world.consultation)
    assert (f"Arguments pour : « Excellente idée, les voisins se rencontreraient enfin. » "
            f"([commentaire](/proposals/{world.gardens[0].id}#comment-{world.comment_for.id}))") in markdown
    assert f"#comment-{world.comment_against.id})" in markdown.split("Arguments contre", 1)[1]


def test_draft_figures(world):
    commenter = world.comment_for.author_id
    markdown = draft_synthesis_markdown(world.consultation)
    figures = _section(markdown, "Chiffres clés")
    # 7 authors + 5 supporters of public proposals + 2 commenters (hidden proposals' supporters not counted)
    assert commenter not in {p.author_id for p in world.gardens}
    assert "Participant·es : 14" in figures
    assert "Contributions publiques : 7" in figures
    assert "7 propositions" in figures
    assert f"Les Tilleuls : 7 contributions ([liste](/consultations/{world.consultation.id}/proposals?area_id=" \
        in figures
    assert "Soutiens : 5, de 5 personnes" in figures
    assert "Commentaires : 2 (1 pour, 1 contre, 0 neutre)" in figures
    assert f"](/consultations/{world.consultation.id})" in figures


def test_figures_by_kind_and_area_without_priority(db_session):
    consultation = ConsultationFactory()
    ProposalFactory(consultation=consultation, kind=ProposalKind.QUESTION, title="Quand ouvre la salle ?")
    ProposalFactory(consultation=consultation, kind=ProposalKind.OBSERVATION, title="Le parc est sale")
    markdown = draft_synthesis_markdown(consultation)
    figures = _section(markdown, "Chiffres clés")
    assert "1 constat" in figures and "1 question" in figures
    assert "Hors quartier précisé : 2 contributions" in figures
    section = _section(markdown, "Contributions sans enjeu précisé")
    assert "### Hors quartier précisé" in section


def test_empty_consultation_drafts_figures_only(db_session):
    consultation = ConsultationFactory(title="Vide")
    markdown = draft_synthesis_markdown(consultation)
    assert markdown.startswith("# Synthèse — Vide\n")
    assert [s.title for s in sections_of(markdown)] == ["Chiffres clés"]
    assert "Contributions publiques : 0" in markdown
    assert find_citations(markdown) == []


def test_draft_sections_are_the_priorities(world):
    markdown = draft_synthesis_markdown(world.consultation)
    assert [s.title for s in sections_of(markdown)] == ["Chiffres clés", "Cadre de vie"]
    assert markdown.splitlines()[0] == "# Synthèse — Cœur de ville"


def test_titles_with_markdown_marks_do_not_break_links(world):
    tricky = ProposalFactory(consultation=world.consultation, title="Un [vrai] *banc* ](/x)", body="Bancs")
    markdown = draft_synthesis_markdown(world.consultation)
    assert tricky.id in _cited(markdown, "proposal")
    assert "/x" not in {c.href for c in find_citations(markdown)}
    assert r"[« Un \[vrai\] \*banc\* \](/x) »](/proposals/" in markdown


def test_long_comments_are_cut(world):
    long = CommentFactory(proposal=world.lighting[1], stance=CommentStance.AGAINST,
                          body="Les lampadaires coûtent cher " * 30)
    markdown = draft_synthesis_markdown(world.consultation)
    quote = re.search(rf"« ([^»]*) » \(\[commentaire\]\(/proposals/{world.lighting[1].id}#comment-{long.id}\)",
                      markdown)
    assert quote and quote.group(1).endswith("…") and len(quote.group(1)) <= 201


def test_draft_is_deterministic(world):
    assert draft_synthesis_markdown(world.consultation) == draft_synthesis_markdown(world.consultation)


def test_draft_uses_a_bounded_number_of_queries(world):
    def count():
        statements = []

        def listen(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            draft_synthesis_markdown(world.consultation)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        return len(statements)

    before = count()
    for n in range(20):
        ProposalFactory(consultation=world.consultation, title=f"Jardin partagé numéro {n}", body="Jardins")
    assert count() == before


# Polls

def test_closed_polls_are_reported_and_open_ones_are_not(world):
    assembly = AssemblyFactory(consultation_id=world.consultation.id, title="Assemblée des Tilleuls",
                               peak_attendance=42)
    closed = closed_poll(assembly, {"yes": 3, "no": 1})
    open_hidden = closed_poll(assembly, {"yes": 5}, state=PollState.OPEN, question="Question ouverte ?")
    open_live = closed_poll(assembly, {"no": 2}, state=PollState.OPEN, visibility=ResultsVisibility.LIVE,
                            question="Question en direct ?")
    totals = closed_poll(assembly, {"no": 2}, totals_only=True, question="Totaux seulement ?")
    other = closed_poll(AssemblyFactory(consultation_id=ConsultationFactory().id), {"yes": 1},
                        question="Autre consultation ?")
    markdown = draft_synthesis_markdown(world.consultation)
    polls = _section(markdown, "Résultats des scrutins en assemblée")
    assert "**Faut\\-il" not in polls  # '-' is not escaped
    assert "Faut-il un jardin partagé ?" in polls
    assert "4 bulletins" in polls and "Oui : 3, 75" in polls and "Non : 1, 25" in polls
    assert polls.index("Oui : 3") < polls.index("Non : 1")
    assert "Totaux seulement ?" in polls  # totals-only polls publish their totals
    assert "Question ouverte" not in markdown and "Question en direct" not in markdown
    assert "Autre consultation" not in markdown
    assert _cited(markdown, "poll") == {closed.id, totals.id}
    assert open_hidden.id not in _cited(markdown, "poll") and open_live.id not in _cited(markdown, "poll")
    assert other.id not in _cited(markdown, "poll")
    assert "« Assemblée des Tilleuls » : au plus 42 personnes connectées en même temps" in markdown
    assert check_citations(world.consultation, find_citations(markdown)) == []


def test_ranking_and_judgment_polls_read_as_rankings(world):
    from deliberation.assemblies.models import Ballot
    from deliberation.assemblies.voting import PollMethod
    from tests.factories import ParticipantFactory, PollFactory

    assembly = AssemblyFactory(consultation_id=world.consultation.id)
    poll = PollFactory(assembly=assembly, method=PollMethod.RANKING, state=PollState.CLOSED,
                       labels=("Square", "Jardin partagé", "Terrain de sport"), question="Quel projet ?")
    square, garden, sport = (option.id for option in poll.options)
    for number, choice in enumerate([[garden, square, sport], [garden, sport, square], [square, garden]]):
        participant = ParticipantFactory(assembly=assembly)
        db.session.add(Ballot(poll_id=poll.id, participant_id=participant.id, choice=choice,
                              ballot_id=f"00000000-0000-4000-8000-{number:012d}", receipt=f"{number:064x}"))
    poll.ballot_count = poll.log_length = 3
    poll.log_head = "ranking-" + "0" * 56  # counts are cached by head: stand for these ballots, not a reused id's
    db.session.flush()
    markdown = draft_synthesis_markdown(world.consultation)
    assert "classement : 1. Jardin partagé, 2. Square, 3. Terrain de sport" in markdown


# One assembly

def test_assembly_scope(world):
    assembly = assembly_with_agenda(world.consultation, [world.gardens[0], world.gardens[1], world.hidden[0]],
                                    title="Assemblée des jardins")
    poll = closed_poll(assembly, {"yes": 2})
    elsewhere = closed_poll(AssemblyFactory(consultation_id=world.consultation.id), {"no": 2},
                            question="Ailleurs ?")
    markdown = draft_synthesis_markdown(world.consultation, assembly=assembly)
    assert markdown.splitlines()[0] == "# Synthèse — Cœur de ville — Assemblée des jardins"
    assert _cited(markdown, "proposal") == {world.gardens[0].id, world.gardens[1].id}
    assert _cited(markdown, "poll") == {poll.id}
    assert elsewhere.question not in markdown
    assert "Contributions publiques : 2" in markdown
    assert check_citations(world.consultation, find_citations(markdown)) == []


def test_draft_is_french_by_default_and_english_on_request(app, world):
    from flask_babel import force_locale

    with force_locale("en"):
        english = draft_synthesis_markdown(world.consultation)
    assert "## Key figures" in english and "Minority views" in english
    assert "## Chiffres clés" in draft_synthesis_markdown(world.consultation)


def test_a_long_draft_quotes_less_then_is_cut_between_lines(world):
    for n in range(40):
        proposal = ProposalFactory(consultation=world.consultation, title=f"Jardin partagé numéro {n}",
                                   body="Des jardins partagés partout.", priority=world.extra["priority"],
                                   area=world.extra["area"])
        CommentFactory(proposal=proposal, stance=CommentStance.FOR, body=f"Oui, un jardin de plus ({n}) " * 8)
    full = draft_synthesis_markdown(world.consultation)
    public = _cited(full, "proposal")
    # shorter: fewer quotes, bare numbers, yet every contribution still cited
    shorter = draft_synthesis_markdown(world.consultation, max_length=len(full) - 300)
    assert len(shorter) <= len(full) - 300
    assert "coupé" not in shorter and "Arguments pour" in full
    assert _cited(shorter, "proposal") == public
    # far too short: cut at the end of a line, with a note, every remaining link whole
    compact = draft_synthesis_markdown(world.consultation, max_length=len(shorter))
    cut = draft_synthesis_markdown(world.consultation, max_length=1500)
    assert len(cut) <= 1500 and cut.endswith("_\n") and "coupé" in cut
    kept = cut.rsplit("\n\n", 1)[0]
    assert compact.startswith(kept) and compact[len(kept)] == "\n"  # whole lines only
    assert check_citations(world.consultation, cut) == []
