"""Smaller moderation fixes: the row locks of reporting and merging, the public log limited to consultations the
public may see, a person's reports and appeals in their data export, 404 for reporting what one may not see,
the audit page verifying only what was appended since its last check, a blocked phone asking nothing, and a
phone joined with an API token reporting like a signed-in one."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from deliberation.accounts.audit_checkpoint import AuditCheckpoint
from deliberation.accounts.personal_data import export_personal_data
from deliberation.assemblies import services as assembly_services
from deliberation.assemblies.models import Question
from deliberation.core import audit, clock
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import appeals, services
from deliberation.moderation.models import ModerationAction, ModerationDecision, Report
from deliberation.proposals.models import ProposalStatus
from tests.assemblies import test_events
from tests.assemblies.test_events import ack, connect
from tests.factories import AssemblyFactory, ConsultationFactory, ParticipantFactory, ProposalFactory, UserFactory
from tests.helpers import bearer, commit_setup, sign_in

live = test_events.live  # the fixture of the /live test clients


@contextlib.contextmanager
def locked_rows():
    """The SELECT … FOR UPDATE statements run meanwhile, as SQL with their values (the ORM asks for the lock on
    every database; SQLite just does not print it)."""
    seen: list[str] = []

    def spy(state):
        if state.is_select and state.statement._for_update_arg is not None:
            seen.append(str(state.statement.compile(compile_kwargs={"literal_binds": True})))

    event.listen(Session, "do_orm_execute", spy)
    try:
        yield seen
    finally:
        event.remove(Session, "do_orm_execute", spy)


# (a) and (b): locks ---------------------------------------------------------------------------------------


def test_a_report_locks_the_item_before_counting(proposal, reporter):
    with locked_rows() as seen, unit_of_work():
        services.report_content(reporter, "proposal", proposal.id, reason="spam")
    assert any("FROM proposals" in sql and f"proposals.id = {proposal.id}" in sql for sql in seen)


def test_the_threshold_hides_once_when_the_last_reports_arrive(consultation, proposal):
    consultation.report_threshold = 2
    for _ in range(2):
        with unit_of_work():
            services.report_content(UserFactory(), "proposal", proposal.id, reason="spam")
    automatic = db.session.scalars(select(ModerationDecision).where(ModerationDecision.automatic.is_(True))).all()
    assert len(automatic) == 1 and proposal.status == ProposalStatus.HIDDEN


def test_a_merge_locks_both_proposals(consultation, moderator):
    duplicate, kept = ProposalFactory(consultation=consultation), ProposalFactory(consultation=consultation)
    with locked_rows() as seen, unit_of_work():
        services.decide(moderator, "proposal", duplicate.id, action="merge", into_id=kept.id)
    locks = [sql for sql in seen if "FROM proposals" in sql]
    assert any(str(duplicate.id) in sql and str(kept.id) in sql for sql in locks), locks


# (c): the public log ---------------------------------------------------------------------------------------


def test_the_public_log_lists_only_decisions_of_consultations_the_public_may_see(client, consultation):
    draft = ConsultationFactory(is_published=False)
    for place, target_id in ((consultation, 11), (draft, 22), (None, 33)):
        db.session.add(ModerationDecision(target_type="comment", target_id=target_id,
                                          consultation_id=place.id if place else None, action=ModerationAction.HIDE,
                                          reason="spam", decided_at=clock.now()))
    commit_setup()
    listed = client.get("/api/v1/moderation/log").get_json()
    assert sorted(item["target_id"] for item in listed["items"]) == [11, 33] and listed["total"] == 2
    only_draft = client.get(f"/api/v1/moderation/log?consultation_id={draft.id}").get_json()
    assert only_draft["items"] == [] and only_draft["total"] == 0
    page = client.get("/moderation/log").get_data(as_text=True)
    assert "n° 11" in page and "n° 22" not in page
    assert sum(sum(counts.values()) for _month, counts in services.monthly_counts()) == 2


# (d): a person's data export -----------------------------------------------------------------------------


def test_the_data_export_holds_ones_reports_and_appeals(proposal, author, reporter, moderator):
    with unit_of_work():
        services.report_content(reporter, "proposal", proposal.id, reason="offensive", details="Un nom cité.")
    with unit_of_work():
        decision = services.decide(moderator, "proposal", proposal.id, action="hide", reason="offensive")
    with unit_of_work():
        appeals.contest(author, decision.id, text="Je ne cite personne.")
    [report] = export_personal_data(reporter)["reports"]
    assert (report["target_type"], report["target_id"], report["reason"], report["details"]) == (
        "proposal", proposal.id, "offensive", "Un nom cité.")
    assert report["created_at"] and report["status"] == "acted"
    [appeal] = export_personal_data(author)["appeals"]
    assert (appeal["text"], appeal["status"], appeal["decision_id"]) == ("Je ne cite personne.", "open", decision.id)
    assert appeal["created_at"] and appeal["decided_at"] is None
    assert export_personal_data(author)["reports"] == [] and export_personal_data(reporter)["appeals"] == []


# (e): reporting what one may not see -----------------------------------------------------------------------


@pytest.mark.parametrize("status", [ProposalStatus.PENDING_MODERATION, ProposalStatus.DRAFT])
def test_reporting_a_proposal_one_may_not_see_is_not_found(client, consultation, author, reporter, status):
    proposal = ProposalFactory(consultation=consultation, author=author, status=status)
    payload = {"target_type": "proposal", "target_id": proposal.id, "reason": "spam"}
    assert client.get(f"/api/v1/proposals/{proposal.id}", headers=bearer(reporter)).status_code == 404
    response = client.post("/api/v1/reports", json=payload, headers=bearer(reporter))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    # A hidden proposal's page exists (a placeholder): reporting it stays 409 not_reportable.
    hidden = ProposalFactory(consultation=consultation, author=author, status=ProposalStatus.HIDDEN)
    response = client.post("/api/v1/reports", headers=bearer(reporter), json={**payload, "target_id": hidden.id})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "not_reportable"


# (f): the audit page verifies what was appended since its last check ---------------------------------------


def _tamper(entry_id: int) -> None:
    db.session.execute(text("UPDATE audit_entries SET details = '{}' WHERE id = :id"), {"id": entry_id})
    commit_setup()


def test_the_audit_page_verifies_only_the_entries_appended_since_its_last_check(client, db_session):
    admin = UserFactory(roles=["admin"])
    old = audit.record(admin, "role_granted", admin, role="moderator")
    audit.record(admin, "role_granted", admin, role="official")
    commit_setup()
    sign_in(client, admin)
    assert "Le journal est intact." in client.get("/admin/audit").get_data(as_text=True)
    checkpoint = db.session.get(AuditCheckpoint, 1)
    length, last_hash = audit.chain_head()
    assert (checkpoint.position, checkpoint.entry_hash) == (length - 1, last_hash)

    # An entry verified before is not read again by the page, which says so rather than « intact » (the full
    # check still finds it)…
    _tamper(old.id)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Le journal est intact." not in page and "n'ont pas été relues" in page.replace("&#39;", "'")
    assert audit.verify_audit_chain() == old.position
    # …while an entry appended since is verified at the next visit.
    new = audit.record(admin, "role_granted", admin, role="facilitator")
    commit_setup()
    _tamper(new.id)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert f"première entrée altérée n° {new.position}" in page
    assert db.session.get(AuditCheckpoint, 1).position == length - 1  # a broken chain moves nothing


def test_a_checkpoint_that_no_longer_matches_means_a_full_check(client, db_session):
    admin = UserFactory(roles=["admin"])
    first = audit.record(admin, "role_granted", admin, role="moderator")
    audit.record(admin, "role_granted", admin, role="facilitator")
    commit_setup()
    sign_in(client, admin)
    client.get("/admin/audit")
    _tamper(first.id)
    checkpoint = db.session.get(AuditCheckpoint, 1)
    checkpoint.entry_hash = "f" * 64  # the remembered entry is no longer what it was
    commit_setup()
    page = client.get("/admin/audit").get_data(as_text=True)
    assert f"première entrée altérée n° {first.position}" in page


# (g) and (h): phones signed in ------------------------------------------------------------------------------


def test_a_blocked_signed_in_phone_cannot_ask_a_question(app, live, client):
    assembly = AssemblyFactory()
    person = UserFactory()
    sign_in(client, person)
    phone = connect(app, live, client, join_code=assembly.join_code)
    assert ack(phone, "ask_question", {"text": "Avant le blocage ?"})["ok"]
    person.blocked_at = clock.now()
    person.block_reason = "Insultes."
    commit_setup()
    refused = ack(phone, "ask_question", {"text": "Après le blocage ?"})
    assert refused["ok"] is False and refused["error"]["code"] == "account_blocked"
    assert refused["error"]["message"]
    assert db.session.scalar(select(Question).where(Question.text == "Après le blocage ?")) is None
    # With an API token too; an anonymous phone of the same assembly still asks.
    token = bearer(person)["Authorization"].split()[1]
    by_token = connect(app, live, join_code=assembly.join_code, token=token)
    assert ack(by_token, "ask_question", {"text": "Par jeton ?"})["error"]["code"] == "account_blocked"
    assert ack(connect(app, live, join_code=assembly.join_code), "ask_question", {"text": "Anonyme ?"})["ok"]


def test_a_phone_joined_with_an_api_token_reports_a_question(app, live):
    assembly = AssemblyFactory()
    question = assembly_services.ask_question(ParticipantFactory(assembly=assembly), "Le maire est un voleur ?")
    resident = UserFactory()
    token = bearer(resident)["Authorization"].split()[1]
    phone = connect(app, live, join_code=assembly.join_code, token=token)
    reported = ack(phone, "report_question", {"question_id": question.id, "reason": "offensive"})
    assert reported == {"ok": True, "question_id": question.id, "reported": True}
    [report] = db.session.scalars(select(Report)).all()
    assert (report.target_type, report.target_id, report.reporter_id) == ("question", question.id, resident.id)
