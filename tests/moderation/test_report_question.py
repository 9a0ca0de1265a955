"""`report_question` over `/live`: a signed-in phone reports a question from the room through the moderation
report service (once; the reporter never shown); an anonymous phone is told to sign in."""

from __future__ import annotations

from sqlalchemy import select

from deliberation.assemblies import services as assembly_services
from deliberation.extensions import db
from deliberation.moderation.models import Report, ReportTargetType
from tests.assemblies import test_events
from tests.assemblies.test_events import ack, connect
from tests.factories import AssemblyFactory, ParticipantFactory, UserFactory
from tests.helpers import sign_in

live = test_events.live  # the fixture of the /live test clients


def test_a_signed_in_phone_reports_a_question_once(app, live, client):
    assembly = AssemblyFactory()
    question = assembly_services.ask_question(ParticipantFactory(assembly=assembly), "Le maire est un voleur ?")
    resident = UserFactory()
    sign_in(client, resident)
    phone = connect(app, live, client, join_code=assembly.join_code)
    reported = ack(phone, "report_question", {"question_id": question.id, "reason": "offensive",
                                              "details": "Injure envers un élu."})
    assert reported == {"ok": True, "question_id": question.id, "reported": True}
    [report] = db.session.scalars(select(Report)).all()
    assert (report.target_type, report.target_id, report.reporter_id, report.reason) == (
        ReportTargetType.QUESTION, question.id, resident.id, "offensive")
    again = ack(phone, "report_question", {"question_id": question.id, "reason": "spam"})
    assert again["ok"] is False and again["error"]["code"] == "already_reported"
    unknown = ack(phone, "report_question", {"question_id": 999999, "reason": "spam"})
    assert unknown["error"]["code"] == "not_found"
    bad = ack(phone, "report_question", {"question_id": question.id})
    assert bad["error"]["code"] == "validation_error"


def test_an_anonymous_phone_is_asked_to_sign_in(app, live):
    assembly = AssemblyFactory()
    question = assembly_services.ask_question(ParticipantFactory(assembly=assembly), "Une question ?")
    phone = connect(app, live, join_code=assembly.join_code)
    refused = ack(phone, "report_question", {"question_id": question.id, "reason": "spam"})
    assert refused["ok"] is False and refused["error"]["code"] == "authentication_required"
    assert db.session.scalar(select(Report)) is None
