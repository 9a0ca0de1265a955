"""The public restitution of a consultation: /consultations/<id>/restitution (printable) and its PDF."""

from __future__ import annotations

from flask import current_app, make_response, render_template, request

from deliberation.consultations.models import Consultation
from deliberation.exports.blueprint import bp
from deliberation.exports.restitution import FIGURE_LABELS, build_restitution
from deliberation.exports.restitution_pdf import render_restitution_pdf
from deliberation.proposals.services.common import get_listed_consultation
from deliberation.web.access import current_actor

MAX_ID = 2**31 - 1


def visible_consultation(consultation_id: int) -> Consultation:
    return get_listed_consultation(consultation_id, current_actor())


@bp.get("/consultations/<int:consultation_id>/restitution")
def restitution(consultation_id: int):
    consultation = visible_consultation(consultation_id)
    return render_template("exports/restitution.html", restitution=build_restitution(consultation),
                           figure_labels=FIGURE_LABELS)


@bp.get("/consultations/<int:consultation_id>/restitution.pdf")
def restitution_pdf(consultation_id: int):
    consultation = visible_consultation(consultation_id)
    body = render_restitution_pdf(build_restitution(consultation), site_name=current_app.config["SITE_NAME"],
                                  base_url=request.host_url.rstrip("/"))
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="restitution-{consultation.id}.pdf"'
    return response
