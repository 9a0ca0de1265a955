"""Submitting, editing and withdrawing proposals (services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from deliberation.consultations.models import PhaseKind
from deliberation.core import clock, signals
from deliberation.core.audit import AuditEntry
from deliberation.core.errors import Conflict, Forbidden, Invalid, Unauthenticated
from deliberation.extensions import db
from deliberation.proposals import services
from deliberation.proposals.models import Proposal, ProposalKind, ProposalStatus
from tests.factories import ConsultationFactory, PriorityAreaFactory, PriorityFactory, UserFactory

pytestmark = pytest.mark.usefixtures("unit")


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Proposal))


def _submit(consultation, actor, **overrides):
    values = {"title": "Un banc près de l'école", "body": "Les parents attendent **debout**.",
              "kind": ProposalKind.PROPOSAL, **overrides}
    return services.submit_proposal(consultation, actor, **values)


def test_submit_publishes_at_once_and_says_so(consultation, resident):
    area, priority = consultation.areas[0], consultation.priorities[1]
    with _Recorder(signals.proposal_submitted) as received:
        proposal = _submit(consultation, resident, title="  Un banc près de l'école  ", area_id=area.id,
                           priority_id=priority.id)
    assert proposal.id is not None
    assert proposal.title == "Un banc près de l'école"
    assert proposal.body == "Les parents attendent **debout**."
    assert "<strong>debout</strong>" in proposal.body_html
    assert proposal.status == ProposalStatus.PUBLISHED == services.initial_status(consultation)
    assert proposal.published_at == proposal.created_at
    assert (proposal.area, proposal.priority) == (area, priority)
    assert proposal.author == resident and proposal.mediator_id is None and proposal.on_behalf_of is None
    assert received == [proposal]


class _Recorder:
    """Collects the senders of a blinker signal while the block runs."""

    def __init__(self, signal):
        self.signal, self.senders = signal, []

    def _receive(self, sender, **kwargs):
        self.senders.append(sender)

    def __enter__(self):
        self.signal.connect(self._receive)
        return self.senders

    def __exit__(self, *exc):
        self.signal.disconnect(self._receive)


def test_html_and_scripts_are_kept_as_text_never_as_markup(consultation, resident):
    proposal = _submit(consultation, resident, title="<script>alert(1)</script>",
                       body="<script>alert(1)</script> <img src=x onerror=alert(2)> "
                            "[lien](javascript:alert(3))")
    assert proposal.title == "<script>alert(1)</script>"  # plain text, escaped wherever it is shown
    assert "<script" not in proposal.body_html and "<img" not in proposal.body_html
    assert "href=\"javascript" not in proposal.body_html
    assert "&lt;script&gt;" in proposal.body_html


@pytest.mark.parametrize("fields, errors", [
    ({"title": ""}, ["title"]),
    ({"title": "   \n "}, ["title"]),
    ({"title": "x" * 141}, ["title"]),
    ({"body": ""}, ["body"]),
    ({"body": "y" * 5001}, ["body"]),
    ({"title": "", "body": ""}, ["body", "title"]),
    ({"kind": "manifesto"}, ["kind"]),
    ({"kind": None}, ["kind"]),
    ({"area_id": 10**12}, ["area_id"]),
    ({"area_id": "1"}, ["area_id"]),
    ({"priority_id": True}, ["priority_id"]),
])
def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(consultation, resident, fields, errors):
    before = _count()
    with pytest.raises(Invalid) as refused:
        _submit(consultation, resident, **fields)
    assert sorted(refused.value.fields) == errors
    assert refused.value.status == 422
    assert _count() == before


def test_limits_are_inclusive_and_control_characters_are_dropped(consultation, resident):
    proposal = _submit(consultation, resident, title="é" * 140, body="b" * 5000)
    assert len(proposal.title) == 140 and len(proposal.body) == 5000
    proposal = _submit(consultation, resident, title="Nul\x00 caractère\x07",
                       body="Texte\x00 propre\r\nligne")
    assert proposal.title == "Nul caractère"
    assert proposal.body == "Texte propre\nligne"


def test_area_and_priority_must_belong_to_the_consultation(consultation, resident):
    foreign_area, foreign_priority = PriorityAreaFactory(), PriorityFactory()
    with pytest.raises(Invalid) as refused:
        _submit(consultation, resident, area_id=foreign_area.id, priority_id=foreign_priority.id)
    assert set(refused.value.fields) == {"area_id", "priority_id"}


def test_the_phase_decides_which_kinds_are_open(db_session, resident):
    diagnosis = ConsultationFactory(phase=PhaseKind.DIAGNOSIS)
    assert _submit(diagnosis, resident, kind=ProposalKind.OBSERVATION).kind == ProposalKind.OBSERVATION
    assert _submit(diagnosis, resident, kind="testimony").kind == ProposalKind.TESTIMONY
    with pytest.raises(Forbidden) as refused:
        _submit(diagnosis, resident, kind=ProposalKind.PROPOSAL)
    assert refused.value.code == "phase_closed"
    with pytest.raises(Forbidden, match="phase_closed"):
        _submit(ConsultationFactory(phase=PhaseKind.VOTE), resident)


def test_anonymous_cannot_submit(consultation):
    with pytest.raises(Unauthenticated):
        _submit(consultation, None)


def test_a_mediator_submits_with_and_for_a_resident(consultation):
    mediator = UserFactory(display_name="Nadia", roles=[("mediator", consultation)])
    proposal = _submit(consultation, mediator, for_resident_name="  Fatou ", resident_consent=True)
    assert proposal.author == mediator and proposal.mediator_id == mediator.id
    assert proposal.on_behalf_of == "Fatou"
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "proposal_submitted_for_resident"))
    assert entry.actor_id == mediator.id and entry.target_id == proposal.id
    assert entry.details == {"on_behalf_of": "Fatou", "resident_consent": True}


def test_submitting_for_a_resident_needs_their_consent_and_a_name(consultation):
    mediator = UserFactory(roles=["mediator"])
    with pytest.raises(Invalid) as refused:
        _submit(consultation, mediator, for_resident_name="Fatou", resident_consent=False)
    assert list(refused.value.fields) == ["resident_consent"]
    with pytest.raises(Invalid) as refused:
        _submit(consultation, mediator, for_resident_name="  ", resident_consent=True)
    assert list(refused.value.fields) == ["for_resident_name"]
    with pytest.raises(Invalid) as refused:
        _submit(consultation, mediator, for_resident_name="F" * 61, resident_consent=True)
    assert list(refused.value.fields) == ["for_resident_name"]


def test_only_mediators_submit_for_someone_else(consultation, resident):
    with pytest.raises(Forbidden, match="not_mediator"):
        _submit(consultation, resident, for_resident_name="Fatou", resident_consent=True)


def test_the_author_edits_within_the_window(app, consultation, resident):
    start = clock.now()
    with clock.frozen_at(start):
        proposal = _submit(consultation, resident)
    window = timedelta(minutes=app.config["PROPOSALS_EDIT_WINDOW_MINUTES"])
    with clock.frozen_at(start + window):
        services.edit_proposal(proposal, resident, title="Deux bancs", body="*Vite*",
                               area_id=consultation.areas[1].id)
        assert proposal.updated_at == start + window
    assert (proposal.title, proposal.body_html.strip()) == ("Deux bancs", "<p><em>Vite</em></p>")
    assert proposal.area == consultation.areas[1] and proposal.kind == ProposalKind.PROPOSAL
    with clock.frozen_at(start + window + timedelta(seconds=1)):
        with pytest.raises(Forbidden, match="edit_window_over"):
            services.edit_proposal(proposal, resident, title="Trop tard", body="Trop tard")
    assert proposal.title == "Deux bancs"


def test_only_the_author_edits_and_with_valid_fields(consultation, resident, other):
    proposal = _submit(consultation, resident)
    with pytest.raises(Forbidden, match="not_author"):
        services.edit_proposal(proposal, other, title="À moi", body="À moi")
    with pytest.raises(Invalid) as refused:
        services.edit_proposal(proposal, resident, title="", body="x" * 5001)
    assert set(refused.value.fields) == {"title", "body"}
    db.session.refresh(proposal)
    assert proposal.title == "Un banc près de l'école"


def test_withdraw_takes_the_proposal_out_of_the_lists(consultation, resident, other):
    proposal = _submit(consultation, resident)
    changes = []

    def receive(sender, **kwargs):
        changes.append((sender, kwargs["old_status"]))

    with pytest.raises(Forbidden, match="not_author"):
        services.withdraw_proposal(proposal, other)
    signals.proposal_status_changed.connect(receive)
    try:
        with clock.frozen_at(clock.now()):
            services.withdraw_proposal(proposal, resident)
            assert proposal.withdrawn_at == clock.now()
    finally:
        signals.proposal_status_changed.disconnect(receive)
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert changes == [(proposal, ProposalStatus.PUBLISHED)]
    assert services.list_proposals(consultation).total == 0
    with pytest.raises(Conflict, match="not_withdrawable"):
        services.withdraw_proposal(proposal, resident)
