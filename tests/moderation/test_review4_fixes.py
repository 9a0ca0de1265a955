"""Review of issue #4's leftovers: the audit page says what its checkpoint let it skip (never « intact » for entries
it did not read again) and reports a remembered entry that changed even when the chain was rewritten consistently
from there; a phone never reports the question it asked itself."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import bindparam, event, func, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from deliberation.accounts.audit_checkpoint import AuditCheckpoint
from deliberation.assemblies.models import Question
from deliberation.core import audit
from deliberation.core.audit_cli import audit_group
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import services
from deliberation.moderation.models import Report
from tests.assemblies import test_events
from tests.assemblies.test_events import ack, connect
from tests.factories import AssemblyFactory, ConsultationFactory, ProposalFactory, UserFactory
from tests.helpers import bearer, commit_setup, remove_committed, sign_in

live = test_events.live  # the fixture of the /live test clients

INTACT = "Le journal est intact."


def _tamper(entry_id: int) -> None:
    db.session.execute(text("UPDATE audit_entries SET details = '{}' WHERE id = :id"), {"id": entry_id})
    commit_setup()


def _rewrite_from(position: int) -> None:
    """Edit the entry at `position` and recompute every hash from there, the head included: a consistent chain
    again, which only the checkpoint's remembered hash can tell apart from the one verified."""
    rows = db.session.execute(select(*audit.CHAIN_COLUMNS).where(audit.AuditEntry.position >= position)
                              .order_by(audit.AuditEntry.position)).all()
    previous = rows[0].previous_hash
    for index, row in enumerate(rows):
        details = {"role": "rewritten"} if index == 0 else row.details
        new_hash = audit.entry_hash(previous, row.position, row.at, row.actor_id, row.action, row.target_type,
                                    row.target_id, details)
        db.session.execute(text("UPDATE audit_entries SET details = :details, previous_hash = :previous, "
                                "entry_hash = :hash WHERE id = :id"),
                           {"details": audit.canonical_json(details), "previous": previous, "hash": new_hash,
                            "id": row.id})
        previous = new_hash
    db.session.execute(text("UPDATE audit_chain_head SET last_hash = :hash"), {"hash": previous})
    commit_setup()


def test_the_audit_page_does_not_call_the_log_intact_when_it_skipped_verified_entries(app, client, db_session):
    admin = UserFactory(roles=["admin"])
    old = audit.record(admin, "role_granted", admin, role="moderator")
    audit.record(admin, "role_granted", admin, role="official")
    commit_setup()
    sign_in(client, admin)
    assert INTACT in client.get("/admin/audit").get_data(as_text=True)  # the first visit reads the whole chain
    checkpoint = db.session.get(AuditCheckpoint, 1)
    _tamper(old.id)
    page = client.get("/admin/audit").get_data(as_text=True)
    # The page read only what was appended since: it says so, and where the full check is.
    assert INTACT not in page
    assert f"les entrées n° 0 à {checkpoint.position}" in page and "deliberation audit verify" in page
    # The full check finds the edited entry, before the checkpoint.
    assert audit.verify_audit_chain() == old.position
    result = app.test_cli_runner().invoke(audit_group, ["verify"])
    assert result.exit_code == 1 and f"position {old.position}" in result.output


def test_a_verified_entry_rewritten_consistently_is_reported_by_the_page(client, db_session):
    admin = UserFactory(roles=["admin"])
    audit.record(admin, "role_granted", admin, role="moderator")
    audit.record(admin, "role_granted", admin, role="official")
    commit_setup()
    sign_in(client, admin)
    client.get("/admin/audit")
    checkpoint = db.session.get(AuditCheckpoint, 1)
    remembered = (checkpoint.position, checkpoint.entry_hash)
    _rewrite_from(checkpoint.position - 1)
    assert audit.find_chain_break() is None  # consistent again: only the checkpoint can tell
    for _visit in range(2):  # and it keeps telling (the checkpoint does not move onto the rewritten chain)
        page = client.get("/admin/audit").get_data(as_text=True)
        assert INTACT not in page and f"première entrée altérée n° {remembered[0]}" in page
    db.session.expire_all()
    checkpoint = db.session.get(AuditCheckpoint, 1)
    assert (checkpoint.position, checkpoint.entry_hash) == remembered


def test_verified_entries_cut_off_the_end_are_reported_by_the_page(client, db_session):
    admin = UserFactory(roles=["admin"])
    audit.record(admin, "role_granted", admin, role="moderator")
    audit.record(admin, "role_granted", admin, role="official")
    commit_setup()
    sign_in(client, admin)
    client.get("/admin/audit")
    position = db.session.get(AuditCheckpoint, 1).position
    # The last entry removed and the head put back one step: the shorter chain holds on its own.
    previous = db.session.scalar(select(audit.AuditEntry.previous_hash).where(audit.AuditEntry.position == position))
    db.session.execute(text("DELETE FROM audit_entries WHERE position >= :position"), {"position": position})
    db.session.execute(text("UPDATE audit_chain_head SET length = :length, last_hash = :hash"),
                       {"length": position, "hash": previous})
    commit_setup()
    assert audit.find_chain_break() is None
    page = client.get("/admin/audit").get_data(as_text=True)
    assert INTACT not in page and f"première entrée altérée n° {position}" in page


def test_a_phone_does_not_report_the_question_it_asked(app, live):
    assembly = AssemblyFactory()  # open: its questions keep no link to any account
    resident = UserFactory()
    token = bearer(resident)["Authorization"].split()[1]
    phone = connect(app, live, join_code=assembly.join_code, token=token)
    asked = ack(phone, "ask_question", {"text": "Ma propre question ?"})
    assert asked["ok"]
    refused = ack(phone, "report_question", {"question_id": asked["question"]["id"], "reason": "spam"})
    assert refused["ok"] is False and refused["error"]["code"] == "own_content"
    assert db.session.scalars(select(Report)).all() == []
    # Another signed-in phone may report it.
    other = connect(app, live, join_code=assembly.join_code, token=bearer(UserFactory())["Authorization"].split()[1])
    assert ack(other, "report_question", {"question_id": asked["question"]["id"], "reason": "spam"})["ok"]
    assert db.session.get(Question, asked["question"]["id"]) is not None


# Two people reporting each other's account at the same moment (PostgreSQL: SQLite runs one writer at a time) ---


@pytest.fixture
def two_committed_people(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrent writers need PostgreSQL (set DELIBERATION_DATABASE_URL)")
        people = [UserFactory() for _ in range(2)]
        db.session.commit()
        ids = [person.id for person in people]
        db.session.remove()
    yield ids
    with app.app_context():
        for statement in ("DELETE FROM moderation_reports WHERE reporter_id IN :users",
                          "DELETE FROM users WHERE id IN :users"):
            db.session.execute(text(statement).bindparams(bindparam("users", expanding=True)), {"users": ids})
        db.session.commit()
        db.session.remove()


def test_two_people_reporting_each_other_at_once_both_count(app, two_committed_people, monkeypatch):
    """Each report locks the reported account's row; the report row then refers to the reporter's account. A lock
    that also excludes the key-share lock of that reference (FOR UPDATE) makes the two reports wait for each other
    (a deadlock: PostgreSQL kills one); FOR NO KEY UPDATE still runs two reports on one item one after the other."""
    from deliberation.accounts.models import User

    meeting = threading.Barrier(2, timeout=3)
    has_reported = services._has_reported

    def together(user, target):  # called once each report holds its lock
        try:
            meeting.wait()
        except threading.BrokenBarrierError:
            pass
        return has_reported(user, target)

    monkeypatch.setattr(services, "_has_reported", together)
    errors: list[BaseException] = []

    def report(reporter_id: int, reported_id: int) -> None:
        with app.app_context():
            try:
                with unit_of_work():
                    services.report_content(db.session.get(User, reporter_id), "user", reported_id, reason="offensive")
                db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    first, second = two_committed_people
    threads = [threading.Thread(target=report, args=pair) for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report).where(
            Report.target_type == "user", Report.reporter_id.in_(two_committed_people))) == 2
        db.session.remove()


def test_a_report_still_locks_its_item(proposal_world):
    proposal, reporter = proposal_world
    seen: list[str] = []

    def spy(state):
        if state.is_select and state.statement._for_update_arg is not None:
            seen.append(str(state.statement.compile(dialect=postgresql.dialect())))

    event.listen(Session, "do_orm_execute", spy)
    try:
        with unit_of_work():
            services.report_content(reporter, "proposal", proposal.id, reason="spam")
    finally:
        event.remove(Session, "do_orm_execute", spy)
    assert any("FROM proposals" in sql and "FOR NO KEY UPDATE OF proposals" in sql for sql in seen)


@pytest.fixture
def proposal_world(db_session):
    return ProposalFactory(consultation=ConsultationFactory()), UserFactory()


@pytest.fixture
def two_committed_proposals(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrent writers need PostgreSQL (set DELIBERATION_DATABASE_URL)")
        start, last_hash = audit.chain_head()
        consultation = ConsultationFactory()
        proposals = [ProposalFactory(consultation=consultation) for _ in range(2)]
        moderators = [UserFactory(roles=["moderator"]) for _ in range(2)]
        db.session.commit()
        world = {"consultation": consultation.id, "proposals": [p.id for p in proposals],
                 "moderators": [m.id for m in moderators],
                 "users": [m.id for m in moderators] + [p.author_id for p in proposals]}
        db.session.remove()
    yield world
    remove_committed(app, (start, last_hash), [
        "DELETE FROM notifications WHERE user_id IN :users",
        "DELETE FROM moderation_decisions WHERE consultation_id = :consultation",
        "UPDATE proposals SET merged_into_id = NULL WHERE consultation_id = :consultation",
        "DELETE FROM proposals WHERE consultation_id = :consultation",
        "DELETE FROM consultations WHERE id = :consultation",
        "DELETE FROM role_assignments WHERE user_id IN :users",
        "DELETE FROM users WHERE id IN :users",
    ], users=world["users"], consultation=world["consultation"])


def test_two_merges_the_opposite_way_at_once_make_one_merge(app, two_committed_proposals, monkeypatch):
    """A into B and B into A by two moderators at the same moment: both proposals are locked lowest id first, so
    the second merge waits, then reads them afresh and sees the proposal it would keep merged (422
    merge_target_not_public); no deadlock, one merge."""
    from deliberation.accounts.models import User
    from deliberation.core.errors import DomainError
    from deliberation.moderation import merge

    meeting = threading.Barrier(2, timeout=3)
    lock = merge.lock_proposals

    def together(*ids):  # both merges have read their proposals, then lock them
        try:
            meeting.wait()
        except threading.BrokenBarrierError:
            pass
        return lock(*ids)

    monkeypatch.setattr(merge, "lock_proposals", together)
    outcomes: list = []

    def run(moderator_id: int, duplicate_id: int, kept_id: int) -> None:
        with app.app_context():
            try:
                with unit_of_work():
                    services.decide(db.session.get(User, moderator_id), "proposal", duplicate_id, action="merge",
                                    into_id=kept_id)
                db.session.commit()
                outcomes.append("merged")
            except DomainError as error:
                outcomes.append(error.code)
            except BaseException as error:  # noqa: BLE001 - reported below
                outcomes.append(error)
            finally:
                db.session.remove()

    first, second = two_committed_proposals["proposals"]
    one, other = two_committed_proposals["moderators"]
    threads = [threading.Thread(target=run, args=args) for args in ((one, first, second), (other, second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(map(str, outcomes)) == ["merge_target_not_public", "merged"]
