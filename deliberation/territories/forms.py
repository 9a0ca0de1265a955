"""Territory admin forms: the shape of HTML input only; the rules live in services.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from deliberation.territories.models import ORGANISATION_KIND_LABELS, THEME_LABELS


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (a fieldset and legend: checkbox_group in templates/_macros/forms.html)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=[(kind.value, label) for kind, label in ORGANISATION_KIND_LABELS.items()],
        validators=[DataRequired()],
    )
    code = StringField(_l("Official code"), validators=[DataRequired(), Length(max=14)])
    parent_id = SelectField(_l("Intercommunality it belongs to"), coerce=optional_int, validate_choice=False)


class ContractForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), coerce=optional_int, validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    starts_on = DateField(_l("Start of the period"), validators=[DataRequired()])
    ends_on = DateField(_l("End of the period"), validators=[DataRequired()])
    signatories = TextAreaField(_l("Signatories"), validators=[Optional(), Length(max=5000)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])


class AreaForm(FlaskForm):
    code = StringField(_l("QPV code"), validators=[Optional(), Length(max=12)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])
    commune_ids = CheckboxesField(_l("Communes"), coerce=int)


class PriorityForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])
    position = IntegerField(_l("Position"), validators=[Optional(), NumberRange(min=0)])
    themes = CheckboxesField(
        _l("Cross-cutting themes"), choices=[(theme.value, label) for theme, label in THEME_LABELS.items()]
    )
