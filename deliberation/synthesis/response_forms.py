"""Forms of officials' responses and follow-ups: the shape of HTML input only; the rules (justification,
partner, dates, progress) live in synthesis.responses and synthesis.follow_ups."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from deliberation.consultations.forms import DATETIME_LOCAL_FORMATS, local_zone
from deliberation.synthesis.follow_ups import DESCRIPTION_MAX_LENGTH
from deliberation.synthesis.models import (
    JUSTIFICATION_MAX_LENGTH,
    OWNER_MAX_LENGTH,
    PARTNER_MAX_LENGTH,
    RESPONSE_TYPE_LABELS,
    TITLE_MAX_LENGTH,
    UPDATE_MAX_LENGTH,
)
from deliberation.synthesis.responses import COUNCIL_BODY_MAX_LENGTH, COUNCIL_NUMBER_MAX_LENGTH
from deliberation.territories.forms import CheckboxesField, optional_int


def response_type_choices():
    return [(value.value, str(label).capitalize()) for value, label in RESPONSE_TYPE_LABELS.items()]


class ResponseForm(FlaskForm):
    type = SelectField(_l("Response"), validators=[InputRequired()])
    justification = TextAreaField(_l("Justification"),
                                  validators=[Optional(), Length(max=JUSTIFICATION_MAX_LENGTH)])
    referred_to = StringField(_l("Competent partner"), validators=[Optional(), Length(max=PARTNER_MAX_LENGTH)])
    council_number = StringField(_l("Number of the council decision"),
                                 validators=[Optional(), Length(max=COUNCIL_NUMBER_MAX_LENGTH)])
    council_decided_on = DateField(_l("Date of the council decision"), validators=[Optional()])
    council_body = StringField(_l("Council that decided"),
                               validators=[Optional(), Length(max=COUNCIL_BODY_MAX_LENGTH)])
    publish_at = DateTimeLocalField(_l("Publish on"), format=DATETIME_LOCAL_FORMATS, tz=local_zone,
                                    validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = response_type_choices()

    def council_decision(self):
        if not (self.council_number.data or self.council_body.data or self.council_decided_on.data):
            return None
        return {"number": self.council_number.data, "decided_on": self.council_decided_on.data,
                "body": self.council_body.data}

    # Service field names (council_decision.number…) to the fields of this form.
    FIELD_NAMES = {"council_decision.number": "council_number", "council_decision.decided_on": "council_decided_on",
                   "council_decision.body": "council_body"}


class FollowUpForm(FlaskForm):
    title = StringField(_l("Commitment"), validators=[InputRequired(), Length(max=TITLE_MAX_LENGTH)])
    owner = StringField(_l("Carried by"), validators=[InputRequired(), Length(max=OWNER_MAX_LENGTH)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=DESCRIPTION_MAX_LENGTH)])
    priority_id = SelectField(_l("Priority of the contract"), coerce=optional_int, validate_choice=False)
    proposal_ids = CheckboxesField(_l("Proposals it answers"), coerce=int, validate_choice=False)

    def set_choices(self, priorities, proposals):
        self.priority_id.choices = [("", "—"), *((p.id, p.title) for p in priorities)]
        self.proposal_ids.choices = [(p.id, p.title) for p in proposals]


class FollowUpUpdateForm(FlaskForm):
    happened_on = DateField(_l("Date"), validators=[InputRequired()])
    progress = IntegerField(_l("Progress (%)"), validators=[InputRequired(), NumberRange(min=0, max=100)])
    body = TextAreaField(_l("What was done"), validators=[InputRequired(), Length(max=UPDATE_MAX_LENGTH)])
