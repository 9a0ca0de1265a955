"""The shape of HTML input for accounts; the rules themselves are checked by the services.

Field names are unique across the account page, which holds several forms: ids never collide.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from deliberation.accounts.models import ROLE_LABELS, UserRole
from deliberation.accounts.passwords import PASSWORD_MAX_LENGTH

try:
    from wtforms.fields.choices import SelectChoice
except ImportError:  # WTForms < 3.3 takes (value, label) pairs
    def SelectChoice(value, label):  # noqa: N802 - stands in for the class
        return (value, label)

REQUIRED = _l("This field is required.")


def choices(pairs) -> list:
    return [SelectChoice(value=value, label=label) for value, label in pairs]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(REQUIRED), Length(max=254)],
                       render_kw={"autocomplete": "username", "spellcheck": "false"})
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(REQUIRED), Length(max=PASSWORD_MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class RegisterForm(FlaskForm):
    # Lengths, formats and strength are checked by the service, which reports every field's problem at once.
    email = EmailField(_l("E-mail address"), validators=[DataRequired(REQUIRED)],
                       render_kw={"autocomplete": "email", "spellcheck": "false"})
    display_name = StringField(_l("Public name"), validators=[DataRequired(REQUIRED)],
                               render_kw={"autocomplete": "nickname", "maxlength": 60})
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)],
                             render_kw={"autocomplete": "new-password"})
    next = HiddenField()


LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def language_choices() -> list:
    offered = current_app.config["LANGUAGES"]
    return choices([("", _l("The language of my browser")),
                    *((code, name) for code, name in LANGUAGE_NAMES.items() if code in offered)])


class ProfileForm(FlaskForm):
    # The service checks the name and the language (one of LANGUAGES) and reports both at once.
    display_name = StringField(_l("Public name"), validators=[DataRequired(REQUIRED)],
                               render_kw={"autocomplete": "nickname", "maxlength": 60})
    locale = SelectField(_l("Language of the site and of e-mails"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"),
                                 validators=[DataRequired(REQUIRED), Length(max=PASSWORD_MAX_LENGTH)],
                                 render_kw={"autocomplete": "new-password"})


class DeleteAccountForm(FlaskForm):
    delete_password = PasswordField(_l("Your password, to confirm"), validators=[DataRequired(REQUIRED)],
                                    render_kw={"autocomplete": "current-password"})


class RoleForm(FlaskForm):
    """Grant or revoke a role; the consultation choices are filled by the view."""

    role = SelectField(_l("Role"), choices=[], validate_choice=True)
    consultation_id = SelectField(_l("Consultation"), choices=[], validators=[Optional()],
                                  validate_choice=True)

    def __init__(self, *args, consultations: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = choices((role.value, ROLE_LABELS[role]) for role in UserRole)
        self.consultation_id.choices = choices(consultations)


class EmailFrequencyForm(FlaskForm):
    """How notifications reach the person by e-mail (notifications.services.notify and send_digests)."""

    email_frequency = RadioField(_l("Send me my notifications by e-mail"), validators=[DataRequired(REQUIRED)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from deliberation.accounts.models import EMAIL_FREQUENCY_LABELS

        self.email_frequency.choices = [(value.value, str(label).capitalize())
                                        for value, label in EMAIL_FREQUENCY_LABELS.items()]
