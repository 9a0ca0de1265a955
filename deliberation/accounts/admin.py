"""Administration of accounts: find people, see their roles, grant and revoke roles (administrators only)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from deliberation.accounts import policies, services
from deliberation.accounts.forms import RoleForm
from deliberation.accounts.views import bp
from deliberation.consultations.models import Consultation
from deliberation.core.errors import DomainError, get_or_404
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.web.access import current_actor, restricted_to
from deliberation.web.forms import attach_errors

USERS_PER_PAGE = 25
admin_only = restricted_to(policies.can_view_admin)


def _consultation_choices() -> list[tuple[str, str]]:
    consultations = db.session.execute(
        select(Consultation.id, Consultation.title).order_by(Consultation.title))
    return [("", _("Every consultation")), *((str(cid), title) for cid, title in consultations)]


def _role_form(formdata=None) -> RoleForm:
    return RoleForm(formdata=formdata, consultations=_consultation_choices())


def _consultation(form: RoleForm) -> Consultation | None:
    return get_or_404(Consultation, int(form.consultation_id.data)) if form.consultation_id.data else None


@bp.get("/admin/users")
@admin_only
def admin_users():
    actor = current_actor()
    query = request.args.get("q", "").strip()[:100]
    page_number = request.args.get("page", 1, type=int) or 1
    page = services.list_users(actor, query=query, page=max(page_number, 1), per_page=USERS_PER_PAGE)
    return render_template("accounts/admin_users.html", page=page, query=query)


def _render_user(user, status: int = 200, form: RoleForm | None = None):
    consultation_titles = services.consultation_titles(a.consultation_id for a in user.roles)
    return render_template("accounts/admin_user.html", user=user, form=form or _role_form(),
                           consultation_titles=consultation_titles), status


@bp.get("/admin/users/<int:user_id>")
@admin_only
def admin_user(user_id: int):
    user = services.get_user_for_admin(current_actor(), user_id)
    return _render_user(user)


@bp.post("/admin/users/<int:user_id>/roles")
@admin_only
def grant_role(user_id: int):
    actor = current_actor()
    user = services.get_user_for_admin(actor, user_id)
    form = _role_form(request.form)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.grant_role(user, form.role.data, actor, consultation=_consultation(form))
        except DomainError as error:
            if error.status in (403, 404):
                raise
            attach_errors(form, error, default_field="role")
        else:
            flash(_("The role was granted."), "success")
            return redirect(url_for(".admin_user", user_id=user.id))
    return _render_user(user, 422, form)


@bp.post("/admin/users/<int:user_id>/roles/revoke")
@admin_only
def revoke_role(user_id: int):
    actor = current_actor()
    user = services.get_user_for_admin(actor, user_id)
    form = _role_form(request.form)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.revoke_role(user, form.role.data, actor, consultation=_consultation(form))
        except DomainError as error:
            if error.status == 403:
                raise
            flash(error.message, "error")
        else:
            flash(_("The role was removed."), "success")
    else:
        flash(_("The form expired or was not valid. Please try again."), "error")
    return redirect(url_for(".admin_user", user_id=user.id))
