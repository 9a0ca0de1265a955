"""Consultation admin forms: the shape of HTML input only; the rules live in services.py."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from deliberation.consultations.models import PHASE_KIND_LABELS
from deliberation.territories.forms import CheckboxesField, optional_int

DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def local_zone() -> ZoneInfo:
    """datetime-local inputs are read and shown in the platform's time zone (BABEL_DEFAULT_TIMEZONE)."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


class ConsultationForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=50_000)])
    contract_id = SelectField(_l("City contract"), coerce=optional_int)
    area_ids = CheckboxesField(_l("Priority areas concerned"), coerce=int)
    priority_ids = CheckboxesField(_l("Priorities concerned"), coerce=int)
    is_published = BooleanField(_l("Published (visible to everyone)"))
    report_threshold = IntegerField(_l("Reports before a contribution is hidden"), default=3,
                                    validators=[Optional(), NumberRange(min=1, max=1000)])
    premoderation = BooleanField(_l("Pre-moderation of new contributions"))


class PhaseForm(FlaskForm):
    kind = SelectField(_l("Kind of phase"), choices=[], validators=[InputRequired()])
    starts_at = DateTimeLocalField(
        _l("Starts at"), format=DATETIME_LOCAL_FORMATS, tz=local_zone, validators=[InputRequired()]
    )
    ends_at = DateTimeLocalField(
        _l("Ends at"), format=DATETIME_LOCAL_FORMATS, tz=local_zone, validators=[InputRequired()]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels are lower-case words in sentences elsewhere; a list of choices starts with a capital.
        self.kind.choices = [(kind.value, str(label).capitalize()) for kind, label in PHASE_KIND_LABELS.items()]
