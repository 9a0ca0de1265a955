"""Appeal pages: the author contests a decision (from the placeholder on their item, or the page a notification
links to); another moderator decides from the queue."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from deliberation.core.errors import DomainError
from deliberation.core.transaction import unit_of_work
from deliberation.moderation import appeals
from deliberation.moderation.models import NOTE_MAX_LENGTH
from deliberation.moderation.views import _first_error, bp, moderators_only
from deliberation.web.access import current_actor
from deliberation.web.urls import safe_next_url


class AppealForm(FlaskForm):
    next = HiddenField()
    text = TextAreaField(_l("Why do you contest this decision?"),
                         validators=[InputRequired(), Length(max=appeals.APPEAL_MAX_LENGTH)])


class AppealDecisionForm(FlaskForm):
    outcome = RadioField(_l("Decision on the appeal"), validators=[InputRequired()],
                         choices=[("uphold", _l("Uphold the decision")),
                                  ("overturn", _l("Overturn it: the item is visible again"))])
    reason = StringField(_l("Public note (optional)"), validators=[Optional(), Length(max=NOTE_MAX_LENGTH)])


def _target_link(decision) -> str:
    target = appeals._target_of(decision)
    return target.link if target is not None else url_for("web.home")


@bp.route("/moderation/decisions/<int:decision_id>/appeal", methods=["GET", "POST"])
@login_required
def appeal(decision_id: int):
    decision = appeals.get_decision(decision_id)
    target = appeals._target_of(decision)
    if appeals.appeal_refusal(current_user, decision, target) == "not_author":
        abort(403)
    form = AppealForm()
    existing = appeals.appeal_of(decision)
    if form.is_submitted():
        back = safe_next_url(form.next.data, "web.home") if form.next.data else _target_link(decision)
        if not form.validate():
            flash(_first_error(form), "error")
            return redirect(url_for(".appeal", decision_id=decision.id))
        try:
            with unit_of_work():
                appeals.contest(current_actor(), decision.id, text=form.text.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Your appeal was sent. Another moderator will examine it; you will be told the outcome."),
                  "success")
        return redirect(back)
    return render_template("moderation/appeal.html", decision=decision, target=target, appeal=existing,
                           form=form)


@bp.post("/moderation/appeals/<int:appeal_id>/decision")
@moderators_only
def decide_appeal(appeal_id: int):
    form = AppealDecisionForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return redirect(url_for(".queue") + "#appeals")
    try:
        with unit_of_work():
            appeal = appeals.decide_appeal(current_actor(), appeal_id, outcome=form.outcome.data,
                                           reason=form.reason.data)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Appeal decided: %(outcome)s.", outcome=appeal.status_label), "success")
    return redirect(url_for(".queue") + "#appeals")
