"""Two moderators save the same version of a synthesis at the same moment, for real (committed, in threads):
one save wins, the other is refused with synthesis_changed; nothing is overwritten silently (SQLite and
PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.exc import OperationalError

from deliberation.accounts.models import User
from deliberation.core import audit
from deliberation.core.errors import Conflict
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.synthesis import syntheses
from deliberation.synthesis.models import Synthesis, SynthesisVersion
from tests.factories import ConsultationFactory, SynthesisFactory, UserFactory

EDITORS = 4


@pytest.fixture
def committed_world(app):
    with app.app_context():
        start, last_hash = audit.chain_head()
        consultation = ConsultationFactory()
        synthesis = SynthesisFactory(consultation=consultation)
        db.session.add(SynthesisVersion(synthesis_id=synthesis.id, number=1, body=synthesis.body, origin="drafted"))
        editors = [UserFactory(roles=[("moderator", consultation)]) for _ in range(EDITORS)]
        db.session.commit()
        world = {"consultation": consultation.id, "synthesis": synthesis.id, "editors": [e.id for e in editors]}
        db.session.remove()
    yield world
    with app.app_context():
        for statement in (
            "DELETE FROM syntheses WHERE consultation_id = :consultation",
            "DELETE FROM consultations WHERE id = :consultation",
            "DELETE FROM role_assignments WHERE user_id IN :users",
            "DELETE FROM users WHERE id IN :users",
            "DELETE FROM audit_entries WHERE position >= :start",
        ):
            query = text(statement)
            if ":users" in statement:
                query = query.bindparams(bindparam("users", expanding=True))
            db.session.execute(query, {"users": world["editors"], "consultation": world["consultation"],
                                       "start": start})
        db.session.execute(text("UPDATE audit_chain_head SET length = :length, last_hash = :hash"),
                           {"length": start, "hash": last_hash})
        db.session.commit()
        db.session.remove()


def test_simultaneous_saves_of_one_version_never_overwrite_each_other(app, committed_world):
    barrier, errors, refused, saved = threading.Barrier(EDITORS), [], [], []

    def run(editor_id: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                for _attempt in range(30):  # SQLite: one writer at a time; retry a locked database
                    try:
                        with unit_of_work():
                            synthesis = syntheses.get_synthesis(committed_world["synthesis"])
                            syntheses.save_synthesis(synthesis, db.session.get(User, editor_id),
                                                     body=f"## Texte\n\nÉcrit par {editor_id}.", based_on_version=1)
                        saved.append(editor_id)
                        break
                    except OperationalError as error:
                        db.session.rollback()
                        if "locked" not in str(error.orig):
                            raise
                    except Conflict as error:
                        refused.append(error.code)
                        break
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(editor_id,)) for editor_id in committed_world["editors"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert len(saved) == 1 and refused == ["synthesis_changed"] * (EDITORS - 1)
    with app.app_context():
        synthesis = db.session.get(Synthesis, committed_world["synthesis"])
        assert synthesis.version == 2 and synthesis.body.endswith(f"Écrit par {saved[0]}.")
        assert db.session.scalar(select(func.count(SynthesisVersion.id)).where(
            SynthesisVersion.synthesis_id == synthesis.id)) == 2
        db.session.remove()
