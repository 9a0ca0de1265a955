"""Residents see a consultation's assemblies on its page (coming ones with their agenda, past ones with the
outcome of each vote and the link to check it) and, on a proposal's page, the coming assemblies that debate it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from deliberation.assemblies import services
from deliberation.assemblies.models import AssemblyMode, AssemblyState
from deliberation.extensions import db
from deliberation.proposals.models import ProposalStatus
from tests.assemblies.conftest import new_ballot_id
from tests.factories import AssemblyFactory, ConsultationFactory, ParticipantFactory, PollFactory, ProposalFactory


@pytest.fixture
def consultation(db_session):
    return ConsultationFactory()


def _main(response) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    return html[html.index("<main"):html.index("</main>")]


def test_the_consultation_page_lists_coming_assemblies_with_their_agenda(client, consultation, facilitator):
    proposal = ProposalFactory(consultation=consultation, title="Un banc place Jaurès")
    hidden = ProposalFactory(consultation=consultation, title="Texte masqué", status=ProposalStatus.HIDDEN)
    assembly = AssemblyFactory(consultation_id=consultation.id, state=AssemblyState.SCHEDULED,
                               title="Assemblée des Tilleuls", starts_at=datetime(2026, 12, 3, 17, 30, tzinfo=UTC))
    AssemblyFactory(title="Assemblée d’une autre démarche")
    services.add_agenda_item(assembly, facilitator, title="Le square", proposals=[])
    assembly.agenda_items[0].proposals.extend([proposal, hidden])
    db.session.commit()

    page = _main(client.get(f"/consultations/{consultation.id}"))
    assert "Assemblées publiques" in page and "À venir et en cours" in page
    assert "Assemblée des Tilleuls" in page and "3 décembre 2026 à 18:30" in page
    assert "Le square" in page and f'href="/proposals/{proposal.id}"' in page
    assert "Texte masqué" not in page and "Assemblée d’une autre démarche" not in page


def test_past_assemblies_show_each_vote_outcome_and_where_to_check_it(client, consultation, facilitator):
    assembly = AssemblyFactory(consultation_id=consultation.id, title="Assemblée de novembre")
    poll = PollFactory(assembly=assembly, question="Ouvrir le dimanche ?")
    totals_only = PollFactory(assembly=assembly, question="Budget ?", totals_only=True)
    for _ in range(2):
        services.cast_vote(poll, ParticipantFactory(assembly=assembly), ballot_id=new_ballot_id(), choice="yes")
    services.close_poll(poll, facilitator)
    services.close_poll(totals_only, facilitator)
    services.end_assembly(assembly, facilitator)
    db.session.commit()

    page = _main(client.get(f"/consultations/{consultation.id}"))
    assert "Assemblées passées" in page
    assert "Scrutin « Ouvrir le dimanche ? » : « Oui » arrive en tête (2 bulletins)" in page
    assert f'href="/assemblies/polls/{poll.id}/verify"' in page
    assert "Scrutin « Budget ? » : clos sans aucun bulletin" in page
    assert f"/assemblies/polls/{totals_only.id}/verify" not in page


def test_a_consultation_without_assemblies_shows_no_section(client, consultation):
    assert "Assemblées publiques" not in _main(client.get(f"/consultations/{consultation.id}"))


def test_the_proposal_page_says_when_it_will_be_debated(client, consultation, facilitator):
    proposal = ProposalFactory(consultation=consultation)
    coming = AssemblyFactory(consultation_id=consultation.id, state=AssemblyState.SCHEDULED,
                             title="Assemblée des Tilleuls", starts_at=datetime(2026, 12, 3, 17, 30, tzinfo=UTC))
    ended = AssemblyFactory(consultation_id=consultation.id, title="Assemblée passée")
    for assembly in (coming, ended):
        services.add_agenda_item(assembly, facilitator, title="Le square", proposals=[])
        assembly.agenda_items[0].proposals.append(proposal)
    ended.state = AssemblyState.ENDED
    db.session.commit()

    page = _main(client.get(f"/proposals/{proposal.id}"))
    assert 'id="agenda"' in page and "À l’ordre du jour d’une assemblée" in page
    assert "Assemblée des Tilleuls" in page and "point 1 de l’ordre du jour, « Le square »" in page
    assert "Assemblée passée" not in page  # past debates are in the proposal's thread


@pytest.mark.parametrize("mode, state, joinable", [
    (AssemblyMode.ONLINE, AssemblyState.LIVE, True),
    (AssemblyMode.HYBRID, AssemblyState.LIVE, True),
    (AssemblyMode.ONLINE, AssemblyState.SCHEDULED, False),
    (AssemblyMode.IN_PERSON, AssemblyState.LIVE, False),
])
def test_an_assembly_held_online_can_be_joined_from_the_consultation_page(client, consultation, mode, state,
                                                                          joinable):
    assembly = AssemblyFactory(consultation_id=consultation.id, mode=mode, state=state)
    db.session.commit()
    page = _main(client.get(f"/consultations/{consultation.id}"))
    assert (f'href="/j/{assembly.join_code}"' in page) is joinable
    if mode == AssemblyMode.ONLINE and state == AssemblyState.SCHEDULED:
        assert "Le lien pour la rejoindre en ligne apparaîtra ici" in page
