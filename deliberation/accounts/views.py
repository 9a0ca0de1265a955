"""HTML pages of accounts: sign in and out, registration, the account page (profile, password, tokens,
data, deletion). The administration pages are in admin.py, on the same blueprint."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from deliberation.accounts import services
from deliberation.accounts.forms import (
    DeleteAccountForm,
    EmailFrequencyForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
)
from deliberation.accounts.models import DELETED_USER_LABEL, ApiToken, User
from deliberation.accounts.sessions import SESSION_KEY
from deliberation.core.errors import MESSAGES, DomainError, get_or_404
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import limiter
from deliberation.web.access import current_actor
from deliberation.web.forms import attach_errors
from deliberation.web.urls import safe_next_url

bp = Blueprint("accounts", __name__)

# The account page's forms post to a URL ending with their own #fragment, so that a phone comes back to the
# errors and not to the top of a long page. A redirect without a fragment keeps the one of the request, so
# after a success the redirect names the page's content, where the flash message is.
FLASHES_ANCHOR = "main"


def login_rate_limit() -> str:
    return current_app.config["ACCOUNTS_LOGIN_RATE_LIMIT"]


def register_rate_limit() -> str:
    return current_app.config["ACCOUNTS_REGISTER_RATE_LIMIT"]


def _begin_signed_in_session(user: User, key: str) -> None:
    """A new cookie session (nothing carried over from before sign-in) tied to the server session `key`."""
    session.clear()
    login_user(user)
    session[SESSION_KEY] = key


def _end_signed_in_session() -> None:
    logout_user()
    session.clear()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(safe_next_url(request.args.get("next")))
    status = 200
    if form.validate_on_submit():
        with unit_of_work():
            user = services.authenticate(form.email.data, form.password.data)
            key = None
            if user is not None:
                services.end_session(session.get(SESSION_KEY))  # signing in over another account's session
                key = services.start_session(user)
        if user is not None:
            _begin_signed_in_session(user, key)
            flash(_("You are signed in."), "success")
            return redirect(safe_next_url(form.next.data))
        # The same answer whether the address exists or not.
        form.form_errors.append(str(MESSAGES["invalid_credentials"]))
        form.password.data = ""
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("accounts/login.html", form=form), status


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(register_rate_limit, methods=["POST"])
def register():
    form = RegisterForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        try:
            with unit_of_work():
                user = services.register_user(form.email.data, form.password.data, form.display_name.data,
                                              locale=str(get_locale() or "") or None)
                services.end_session(session.get(SESSION_KEY))
                key = services.start_session(user)
        except DomainError as error:
            attach_errors(form, error)
        else:
            _begin_signed_in_session(user, key)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name), "success")
            return redirect(safe_next_url(form.next.data))
    if request.method == "POST":
        status = 422
        form.password.data = ""
    return render_template("accounts/register.html", form=form,
                           password_rule=services.password_rule()), status


@bp.post("/logout")
def logout():
    with unit_of_work():
        services.end_session(session.get(SESSION_KEY))
    _end_signed_in_session()
    flash(_("You are signed out."), "success")
    return redirect(url_for("web.home"))


def _render_account(status: int = 200, *, profile_form=None, password_form=None, delete_form=None,
                    new_token: tuple[str, ApiToken] | None = None, frequency_form=None):
    user = current_actor()
    frequency_form = frequency_form or EmailFrequencyForm(formdata=None,
                                                          email_frequency=user.email_frequency.value)
    profile_form = profile_form or ProfileForm(formdata=None, display_name=user.display_name,
                                               locale=user.locale or "")
    return render_template(
        "accounts/account.html",
        user=user,
        profile_form=profile_form,
        frequency_form=frequency_form,
        password_form=password_form or PasswordChangeForm(formdata=None),
        delete_form=delete_form or DeleteAccountForm(formdata=None),
        tokens=services.list_active_tokens(user),
        new_token=new_token,
        password_rule=services.password_rule(),
        token_lifetime_days=current_app.config["ACCOUNTS_TOKEN_LIFETIME_DAYS"],
        consultation_titles=services.consultation_titles(
            {a.consultation_id for a in user.roles if a.consultation_id is not None}),
        deleted_label=DELETED_USER_LABEL,
    ), status


@bp.get("/account")
@login_required
def account():
    return _render_account()


@bp.post("/account/profile")
@login_required
def update_profile():
    form = ProfileForm()
    status = 422
    if form.validate_on_submit():
        try:
            with unit_of_work():
                user = services.update_profile(current_actor(), form.display_name.data, form.locale.data)
        except DomainError as error:
            attach_errors(form, error, default_field="display_name")
            status = error.status  # 403 for a blocked account renaming itself
        else:
            flash(_("Your profile was saved."), "success")
            response = redirect(url_for(".account", _anchor=FLASHES_ANCHOR))
            # The language chosen here wins over an earlier choice made with the switch in the header.
            if user.locale:
                response.set_cookie("lang", user.locale, max_age=365 * 24 * 3600, samesite="Lax",
                                    httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
            else:
                response.delete_cookie("lang")
            return response
    return _render_account(status, profile_form=form)


@bp.post("/account/notifications")
@login_required
def update_email_frequency():
    from deliberation.notifications import services as notifications

    form = EmailFrequencyForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                notifications.set_email_frequency(current_actor(), form.email_frequency.data)
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Your e-mail preferences were saved."), "success")
            return redirect(url_for(".account", _anchor=FLASHES_ANCHOR))
    return _render_account(422, frequency_form=form)


@bp.post("/account/password")
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_actor()
        try:
            with unit_of_work():
                # Every session ends, this one included (a copied cookie dies); this browser gets a new one.
                services.change_password(user, form.current_password.data, form.new_password.data,
                                         keep_session_key=None)
                key = services.start_session(user)
        except DomainError as error:
            attach_errors(form, error, default_field="new_password")
        else:
            _begin_signed_in_session(user, key)
            flash(_("Your password was changed. Other devices and API tokens were signed out."), "success")
            return redirect(url_for(".account", _anchor=FLASHES_ANCHOR))
    form.current_password.data = form.new_password.data = ""
    return _render_account(422, password_form=form)


@bp.post("/account/tokens")
@login_required
def create_token():
    with unit_of_work():
        raw, token = services.create_api_token(current_actor())
    # Shown once, on this page; never put in the cookie or a flash message.
    response = _render_account(201, new_token=(raw, token))
    return response[0], response[1], {"Cache-Control": "no-store"}


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = get_or_404(ApiToken, token_id)
    with unit_of_work():
        services.revoke_api_token(token, current_actor())
    flash(_("The token was revoked."), "success")
    return redirect(url_for(".account", _anchor="tokens"))


@bp.get("/account/data.json")
@login_required
def export_data():
    data = services.export_personal_data(current_actor())
    response = current_app.response_class(json.dumps(data, ensure_ascii=False, indent=2),
                                          mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="my-data-deliberation.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/delete")
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = current_actor()
        try:
            with unit_of_work():
                services.verify_current_password(user, form.delete_password.data, field="delete_password")
                services.delete_account(user)
        except DomainError as error:
            attach_errors(form, error, default_field="delete_password")
        else:
            _end_signed_in_session()
            flash(_("Your account was deleted. Your contributions remain, signed \"%(label)s\".",
                    label=user.public_name), "success")
            return redirect(url_for("web.home", _anchor=FLASHES_ANCHOR))
    form.delete_password.data = ""
    return _render_account(422, delete_form=form)
