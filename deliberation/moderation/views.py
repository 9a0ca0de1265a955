"""Moderation pages: report an item (POST), the moderators' queue and decisions, the public moderation log."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from sqlalchemy import select

from deliberation.consultations.models import Consultation
from deliberation.core.errors import DomainError
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.moderation import blocks, merge, policies, services
from deliberation.moderation.forms import BulkDecisionForm, DecisionForm, QueueFilterForm, ReportForm
from deliberation.moderation.models import MODERATION_ACTION_LABELS, ModerationAction
from deliberation.web.access import current_actor, restricted_to
from deliberation.web.pagination import clamp_page
from deliberation.web.urls import safe_next_url

bp = Blueprint("moderation", __name__)
moderators_only = restricted_to(policies.can_open_queue)
MAX_BULK = 100


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _first_error(form) -> str:
    for field in form:
        if field.errors:
            return f"{field.label.text} : {' '.join(str(e) for e in field.errors)}"
    return _("Some fields are not valid.")


@bp.post("/reports")
@login_required
def report():
    form = ReportForm()
    back = safe_next_url(form.next.data, "web.home")
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return redirect(back)
    try:
        with unit_of_work():
            services.report_content(current_actor(), form.target_type.data, _int(form.target_id.data),
                                    reason=form.reason.data, details=form.details.data)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Thank you. Your report was sent to the moderation team; your name is never shown."), "success")
    return redirect(back)


def _consultation_choices(actor) -> list[tuple[str, str]]:
    scope = services.moderated_consultations(actor)
    query = select(Consultation).order_by(Consultation.title)
    if scope is not None:
        query = query.where(Consultation.id.in_(scope))
    return [(str(c.id), c.title) for c in db.session.scalars(query)]


@bp.get("/moderation")
@moderators_only
def queue():
    actor = current_actor()
    filters = QueueFilterForm(request.args)
    filters.consultation_id.choices += _consultation_choices(actor)
    target_type = filters.target_type.data if filters.target_type.data in dict(filters.target_type.choices) \
        else None
    items = services.list_queue(actor, target_type=target_type or None, consultation_id=filters.consultation())
    return render_template("moderation/queue.html", items=items, filters=filters, bulk_form=BulkDecisionForm(),
                           can_decide=lambda target: policies.can_decide(actor, target),
                           can_block=lambda user=None: blocks.can_block(actor, user),
                           mergeable_states={status.value for status in merge.MERGEABLE_STATUSES})


@bp.post("/moderation/decisions")
@moderators_only
def decide():
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return redirect(url_for(".queue"))
    back = safe_next_url(form.next.data, "moderation.queue")
    try:
        with unit_of_work():
            decision = services.decide(
                current_actor(), form.target_type.data, _int(form.target_id.data), action=form.action.data,
                reason=form.reason.data or None, note=form.note.data, charter_rule=form.charter_rule.data,
                into_id=_into_id(form.into_id.data), justification=form.justification.data,
                hide_content=bool(form.hide_content.data))
    except DomainError as error:
        flash(_error_text(error), "error")
        return redirect(back)
    flash(_("Decision recorded: %(action)s.", action=MODERATION_ACTION_LABELS[decision.action]), "success")
    if decision.action == ModerationAction.MERGE and decision.into_id:
        return redirect(url_for("proposals.show", proposal_id=decision.into_id))
    return redirect(back)


def _into_id(value):
    """The kept proposal's number as typed (« 12 », « n° 12 », « #12 ») or chosen; None when empty, 0 (no such
    proposal: the service refuses it) unless exactly one number was typed (« 12 ou 13 » is not 1213)."""
    text = str(value or "").strip()
    if not text:
        return None
    numbers = re.findall(r"\d+", text)
    return _int(numbers[0]) if len(numbers) == 1 else 0


def _error_text(error: DomainError) -> str:
    """The message, with the field messages of a validation error (the form flashes them at the top)."""
    details = [str(message) for messages in error.fields.values() for message in messages]
    return " ".join([error.message, *details]) if details else error.message


@bp.post("/moderation/decisions/bulk")
@moderators_only
def decide_bulk():
    """One decision (hide with a reason, or dismiss) on every item ticked in the queue; each item in its own unit
    of work, so one refusal (an item someone else decided on meanwhile) does not undo the others."""
    form = BulkDecisionForm()
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return redirect(url_for(".queue"))
    done, refused = 0, []
    for item in request.form.getlist("items")[:MAX_BULK]:
        kind, _sep, ident = item.partition(":")
        try:
            with unit_of_work():
                services.decide(current_actor(), kind, _int(ident), action=form.action.data,
                                reason=form.reason.data or None)
        except DomainError as error:
            refused.append(error.message)
        else:
            done += 1
    if done:
        flash(ngettext("%(num)d decision recorded.", "%(num)d decisions recorded.", done), "success")
    for message in dict.fromkeys(refused):
        flash(message, "error")
    if not done and not refused:
        flash(_("Tick at least one item."), "error")
    return redirect(url_for(".queue"))


@bp.get("/moderation/log")
def log():
    page, per_page = clamp_page(request.args.get("page", type=int), None, default_per_page=30, max_per_page=100)
    result = services.list_decisions(page=page, per_page=per_page)
    return render_template("moderation/log.html", page=result, months=services.monthly_counts(),
                           action_labels=MODERATION_ACTION_LABELS, ModerationAction=ModerationAction)


@bp.get("/moderation/accounts")
@moderators_only
def blocked_accounts():
    """Blocked accounts and the unblock button (global moderators and administrators)."""
    actor = current_actor()
    if not blocks.can_block(actor):
        return render_template("moderation/blocked.html", users=None), 403
    return render_template("moderation/blocked.html", users=blocks.blocked_users())
