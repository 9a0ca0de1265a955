"""Moderation forms: the shape of HTML input only; the rules live in services.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from deliberation.accounts.models import BLOCK_REASON_MAX_LENGTH
from deliberation.moderation.models import (
    CHARTER_RULE_MAX_LENGTH,
    DETAILS_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REPORT_REASON_LABELS,
    TARGET_TYPE_LABELS,
)


def reason_choices():
    return [(reason.value, str(label).capitalize()) for reason, label in REPORT_REASON_LABELS.items()]


class ReportForm(FlaskForm):
    target_type = HiddenField(validators=[InputRequired()])
    target_id = HiddenField(validators=[InputRequired()])
    next = HiddenField()
    reason = SelectField(_l("Reason"), validators=[InputRequired()])
    details = TextAreaField(_l("Details (optional)"), validators=[Optional(), Length(max=DETAILS_MAX_LENGTH)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = reason_choices()


class DecisionForm(FlaskForm):
    target_type = HiddenField(validators=[InputRequired()])
    target_id = HiddenField(validators=[InputRequired()])
    action = HiddenField(validators=[InputRequired()])
    reason = SelectField(_l("Reason"), validators=[Optional()])
    note = StringField(_l("Public note (optional)"), validators=[Optional(), Length(max=NOTE_MAX_LENGTH)])
    charter_rule = StringField(_l("Rule of the charter (optional)"),
                               validators=[Optional(), Length(max=CHARTER_RULE_MAX_LENGTH)])
    # Merge: the proposal kept. Block: the justification and whether to hide their contributions.
    into_id = StringField(_l("Contribution to keep"), validators=[Optional()])
    justification = TextAreaField(_l("Justification"), validators=[Optional(), Length(max=BLOCK_REASON_MAX_LENGTH)])
    hide_content = BooleanField(_l("Also hide all their visible contributions"))
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = [("", "—"), *reason_choices()]


class BulkDecisionForm(FlaskForm):
    action = SelectField(_l("Decision"), validators=[InputRequired()])
    reason = SelectField(_l("Public reason (to hide)"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("dismiss", _l("Dismiss the reports")), ("hide", _l("Hide"))]
        self.reason.choices = [("", "—"), *reason_choices()]


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    target_type = SelectField(_l("Kind of item"), validators=[Optional()])
    consultation_id = SelectField(_l("Consultation"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_type.choices = [("", _l("All")), *((kind.value, str(label).capitalize())
                                                       for kind, label in TARGET_TYPE_LABELS.items())]
        self.consultation_id.choices = [("", _l("All"))]

    def consultation(self) -> int | None:
        value = self.consultation_id.data
        return int(value) if value and str(value).isdigit() and int(value) < 2**31 else None
