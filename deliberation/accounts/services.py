"""Accounts: registration, sign-in, profile and password, API tokens, roles. Flush, never commit.

Personal-data export and account erasure live in personal_data.py and are re-exported here.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from deliberation.accounts import passwords, policies, sessions
from deliberation.accounts.messages import ERROR_MESSAGES
from deliberation.accounts.models import ROLE_LABELS, ApiToken, RoleAssignment, User, UserRole
from deliberation.accounts.personal_data import delete_account, export_personal_data  # noqa: F401 - re-exported
from deliberation.core import audit, clock, signals
from deliberation.core.errors import Conflict, Invalid, NotFound, require
from deliberation.extensions import db
from deliberation.web.pagination import Page

DISPLAY_NAME_MIN_LENGTH = 2
DISPLAY_NAME_MAX_LENGTH = 60
EMAIL_MAX_LENGTH = 254


# --- Input rules shared by every door ----------------------------------------------------------------------
def normalize_email(raw: str | None) -> str:
    """The stored form of an e-mail address (validated without DNS, lower-cased); Invalid otherwise."""
    value = (raw or "").strip()
    try:
        if len(value) > EMAIL_MAX_LENGTH:
            raise EmailNotValidError("too long")
        normalized = validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise Invalid("validation_error", fields={
            "email": [_("Enter a valid e-mail address, such as name@example.org.")],
        }) from None
    return normalized.lower()


def clean_display_name(raw: str | None) -> str:
    name = " ".join((raw or "").split())
    if not DISPLAY_NAME_MIN_LENGTH <= len(name) <= DISPLAY_NAME_MAX_LENGTH:
        raise Invalid("validation_error", fields={"display_name": [
            _("Between %(min)s and %(max)s characters.",
              min=DISPLAY_NAME_MIN_LENGTH, max=DISPLAY_NAME_MAX_LENGTH),
        ]})
    return name


def clean_locale(raw: str | None) -> str | None:
    """A language the site offers, or None (the browser's choice)."""
    if not raw:
        return None
    if raw not in current_app.config["LANGUAGES"]:
        raise Invalid("validation_error", fields={"locale": [_("Choose one of the languages offered.")]})
    return raw


def password_rule() -> str:
    """The rule as a user reads it next to the password field."""
    return _("At least %(min)s characters, hard to guess: several unusual words work well.",
             min=current_app.config["ACCOUNTS_PASSWORD_MIN_LENGTH"])


def check_password_strength(password: str | None, *, email: str | None, display_name: str | None,
                            field: str = "password") -> None:
    problem = passwords.password_problem(
        password or "", min_length=current_app.config["ACCOUNTS_PASSWORD_MIN_LENGTH"],
        user_inputs=[email or "", display_name or ""],
    )
    if problem:
        raise Invalid("weak_password", fields={field: [problem]})


def send_email(*args, **kwargs) -> None:
    # Imported late: the notifications package may import accounts modules while it loads.
    from deliberation.notifications.mail import send_email as queue_email

    queue_email(*args, **kwargs)


def _absolute(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


# --- Registration and sign-in ------------------------------------------------------------------------------
def register_user(email: str, password: str, display_name: str, *, locale: str | None = None,
                  notify: bool = True) -> User:
    """Create a resident account. Field problems are reported together; a taken e-mail is a Conflict."""
    fields: dict[str, list[str]] = {}
    values = {}
    for name, clean, raw in (("email", normalize_email, email),
                             ("display_name", clean_display_name, display_name),
                             ("locale", clean_locale, locale)):
        try:
            values[name] = clean(raw)
        except Invalid as error:
            fields.update(error.fields)
    try:
        check_password_strength(password, email=values.get("email") or email,
                                display_name=values.get("display_name") or display_name)
    except Invalid as error:
        if not fields:
            raise
        fields.update(error.fields)
    if fields:
        raise Invalid("validation_error", fields=fields)

    if db.session.scalar(select(User.id).where(User.email == values["email"])) is not None:
        raise Conflict("email_taken", fields={"email": [_("An account already uses this e-mail address.")]})
    user = User(email=values["email"], display_name=values["display_name"], locale=values["locale"],
                password_hash=passwords.hash_password(password), created_at=clock.now())
    user.roles.append(RoleAssignment(role=UserRole.RESIDENT, created_at=clock.now()))
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # the same address registered at the same instant
        raise Conflict("email_taken",
                       fields={"email": [_("An account already uses this e-mail address.")]}) from None
    signals.user_registered.send(user)
    if notify:
        send_email(user.email, _l("Welcome to %(site)s", site=current_app.config["SITE_NAME"]),
                   "accounts/welcome", locale=user.locale, display_name=user.display_name,
                   site_name=current_app.config["SITE_NAME"], home_url=_absolute("/"),
                   account_url=_absolute("/account"))
    return user


def _lookup_email(raw: str | None) -> str | None:
    try:
        return normalize_email(raw)
    except Invalid:
        return None


def authenticate(email: str | None, password: str | None) -> User | None:
    """The account these credentials open, or None; never says which part was wrong."""
    address = _lookup_email(email)
    user = db.session.scalar(select(User).where(User.email == address)) if address else None
    if user is None or user.is_deleted or not user.password_hash:
        passwords.verify_password(None, password or "")  # same time as a real check
        return None
    if not passwords.verify_password(user.password_hash, password or ""):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.session.flush()
    return user


def start_session(user: User) -> str:
    """A new server-side session for a signed-in browser; the key goes into flask.session["sid"]."""
    require(user.is_active, "account_deleted")
    key = sessions.open_session(user)
    db.session.flush()
    return key


def end_session(key: str | None) -> None:
    sessions.revoke_session(key)


def verify_current_password(user: User, password: str | None, *, field: str = "current_password") -> None:
    if not passwords.verify_password(user.password_hash, password or ""):
        raise Invalid("wrong_password", ERROR_MESSAGES["wrong_password"],
                      fields={field: [_("This is not your current password.")]})


# --- Profile and password ----------------------------------------------------------------------------------
def update_profile(user: User, display_name: str, locale: str | None) -> User:
    require(user.is_active, "account_deleted")
    fields: dict[str, list[str]] = {}
    try:
        name = clean_display_name(display_name)
    except Invalid as error:
        fields.update(error.fields)
    try:
        language = clean_locale(locale)
    except Invalid as error:
        fields.update(error.fields)
    if fields:
        raise Invalid("validation_error", fields=fields)
    # The public name shows next to the account's contributions: a blocked account keeps the one it had (it may
    # still choose its language).
    if name != user.display_name:
        require(not user.is_blocked, "account_blocked")
    user.display_name, user.locale = name, language
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str, *, keep_session_key: str | None = None) -> None:
    """Set a new password; every other session and every API token of the account end at once."""
    require(user.is_active, "account_deleted")
    verify_current_password(user, current)
    check_password_strength(new, email=user.email, display_name=user.display_name, field="new_password")
    user.password_hash = passwords.hash_password(new)
    sessions.revoke_all_sessions(user, except_key=keep_session_key)
    sessions.revoke_all_tokens(user)
    db.session.flush()
    send_email(user.email, _l("Your password was changed"), "accounts/password_changed", locale=user.locale,
               display_name=user.display_name, site_name=current_app.config["SITE_NAME"],
               changed_at=clock.now(), account_url=_absolute("/account"))


# --- API tokens --------------------------------------------------------------------------------------------
def create_api_token(user: User) -> tuple[str, ApiToken]:
    """A new bearer token: the raw value is returned once, only its SHA-256 is stored."""
    require(user.is_active, "account_deleted")
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(user_id=user.id, token_hash=sessions.digest(raw), created_at=now,
                     expires_at=now + timedelta(days=current_app.config["ACCOUNTS_TOKEN_LIFETIME_DAYS"]))
    db.session.add(token)
    db.session.flush()
    return raw, token


def revoke_api_token(token: ApiToken, actor: User) -> None:
    require(policies.can_revoke_token(actor, token))
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        db.session.flush()


def get_api_token(raw: str | None) -> ApiToken | None:
    if not raw:
        return None
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == sessions.digest(raw)))


def list_active_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                               ApiToken.expires_at > clock.now())
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


# --- Roles -------------------------------------------------------------------------------------------------
def parse_role(value) -> UserRole:
    try:
        return UserRole(value)
    except ValueError:
        raise Invalid("unknown_role", fields={"role": [_("Unknown role.")]}) from None


def _find_role(user: User, role: UserRole, consultation_id: int | None) -> RoleAssignment | None:
    # The unique constraint does not stop two global roles (NULL consultation), so the code looks first.
    for assignment in user.roles:
        if assignment.role == role and assignment.consultation_id == consultation_id:
            return assignment
    return None


def _add_role(user: User, role: UserRole, consultation_id: int | None,
              granted_by: User | None) -> RoleAssignment:
    if _find_role(user, role, consultation_id) is not None:
        raise Conflict("role_already_granted", ERROR_MESSAGES["role_already_granted"])
    assignment = RoleAssignment(role=role, consultation_id=consultation_id,
                                granted_by_id=getattr(granted_by, "id", None), created_at=clock.now())
    user.roles.append(assignment)
    db.session.flush()
    return assignment


def grant_role(user: User, role, actor, *, consultation=None) -> RoleAssignment:
    require(policies.can_manage_roles(actor))
    role = parse_role(role)
    if user.is_deleted:
        raise Conflict("account_deleted")
    if role == UserRole.ADMIN and consultation is not None:
        raise Invalid("admin_role_global", ERROR_MESSAGES["admin_role_global"],
                      fields={"consultation_id": [_("The administrator role is global.")]})
    consultation_id = consultation.id if consultation is not None else None
    assignment = _add_role(user, role, consultation_id, granted_by=actor)
    audit.record(actor, "role_granted", user, role=role.value, consultation_id=consultation_id)
    return assignment


def revoke_role(user: User, role, actor, *, consultation=None) -> None:
    require(policies.can_manage_roles(actor))
    role = parse_role(role)
    consultation_id = consultation.id if consultation is not None else None
    assignment = _find_role(user, role, consultation_id)
    if assignment is None:
        raise NotFound("role_not_found", ERROR_MESSAGES["role_not_found"])
    if role == UserRole.ADMIN and consultation_id is None and user.id == actor.id:
        raise Conflict("own_admin_role", ERROR_MESSAGES["own_admin_role"])
    user.roles.remove(assignment)
    db.session.flush()
    audit.record(actor, "role_revoked", user, role=role.value, consultation_id=consultation_id)


def role_label(role: UserRole) -> str:
    return str(ROLE_LABELS[UserRole(role)])


# --- Administration ----------------------------------------------------------------------------------------
def list_users(viewer, *, query: str = "", page: int = 1, per_page: int = 25) -> Page[User]:
    """Accounts matching `query` in the name or the e-mail, newest first (administrators only)."""
    require(policies.can_view_admin(viewer))
    statement = select(User)
    query = (query or "").strip()
    if query:
        statement = statement.where(or_(User.display_name.icontains(query, autoescape=True),
                                        User.email.icontains(query, autoescape=True)))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    items = list(db.session.scalars(
        statement.order_by(User.created_at.desc(), User.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ))
    return Page(items=items, page=page, per_page=per_page, total=total)


def consultation_titles(ids) -> dict[int, str]:
    """Titles of the consultations some roles are limited to (read-only)."""
    from deliberation.consultations.models import Consultation

    ids = {ident for ident in ids or () if ident is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(Consultation.id, Consultation.title).where(Consultation.id.in_(ids)))
    return dict(rows.all())


def get_user_for_admin(viewer, user_id: int) -> User:
    require(policies.can_view_admin(viewer))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


# --- Command line ------------------------------------------------------------------------------------------
def create_user_cli(email: str, password: str, roles, name: str | None = None) -> User:
    """`deliberation users create`: an account with the given roles, granted by nobody (the operator)."""
    wanted = list(dict.fromkeys(parse_role(role) for role in roles))
    if not name:
        first = next((role for role in wanted if role != UserRole.RESIDENT), UserRole.RESIDENT)
        name = role_label(first).capitalize()
    user = register_user(email, password, name, notify=False)
    for role in wanted:
        if role != UserRole.RESIDENT:
            _add_role(user, role, None, granted_by=None)
    audit.record(None, "user_created_cli", user, roles=[role.value for role in wanted])
    return user
