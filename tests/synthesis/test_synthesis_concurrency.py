"""Two moderators save the same version of a synthesis at the same moment, for real (committed, in threads):
one save wins, the other is refused with synthesis_changed; nothing is overwritten silently (SQLite and
PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from deliberation.accounts.models import User
from deliberation.core import audit
from deliberation.core.errors import Conflict
from deliberation.extensions import db
from deliberation.synthesis import syntheses
from deliberation.synthesis.models import Synthesis, SynthesisVersion
from tests.factories import ConsultationFactory, SynthesisFactory, UserFactory
from tests.helpers import remove_committed, run_together

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
    remove_committed(app, (start, last_hash), [
        "DELETE FROM syntheses WHERE consultation_id = :consultation",
        "DELETE FROM consultations WHERE id = :consultation",
        "DELETE FROM role_assignments WHERE user_id IN :users",
        "DELETE FROM users WHERE id IN :users",
    ], users=world["editors"], consultation=world["consultation"])


def test_simultaneous_saves_of_one_version_never_overwrite_each_other(app, committed_world):
    def save(editor_id: int):
        return lambda: syntheses.save_synthesis(syntheses.get_synthesis(committed_world["synthesis"]),
                                                db.session.get(User, editor_id),
                                                body=f"## Texte\n\nÉcrit par {editor_id}.", based_on_version=1)

    editors = committed_world["editors"]
    outcomes = run_together(app, [save(editor_id) for editor_id in editors])

    saved = [editor_id for editor_id, outcome in zip(editors, outcomes, strict=True)
             if not isinstance(outcome, Exception)]
    refused = [outcome.code for outcome in outcomes if isinstance(outcome, Conflict)]
    assert len(saved) == 1 and refused == ["synthesis_changed"] * (EDITORS - 1), outcomes
    with app.app_context():
        synthesis = db.session.get(Synthesis, committed_world["synthesis"])
        assert synthesis.version == 2 and synthesis.body.endswith(f"Écrit par {saved[0]}.")
        assert db.session.scalar(select(func.count(SynthesisVersion.id)).where(
            SynthesisVersion.synthesis_id == synthesis.id)) == 2
        db.session.remove()
