"""The shape of the HTML forms of proposals (the rules themselves live in services and policies)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from deliberation.proposals.models import (
    BODY_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    COMMENT_STANCE_LABELS,
    ON_BEHALF_OF_MAX_LENGTH,
    PROPOSAL_KIND_LABELS,
    PROPOSAL_STATUS_LABELS,
    PUBLIC_STATUSES,
    TITLE_MAX_LENGTH,
    CommentStance,
    ProposalStatus,
)
from deliberation.proposals.services import SORTS
from deliberation.proposals.services.common import MAX_ID
from deliberation.proposals.services.search import QUERY_MAX_LENGTH

SORT_LABELS = {
    "recent": _l("Most recent"),
    "supports": _l("Most supported"),
    "random": _l("Random order"),
}


def optional_id(value) -> int | None:
    """"" or None → None; digits → int; anything else raises ValueError (WTForms reports it)."""
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    if not str(value).isdigit() or not 0 < int(value) <= MAX_ID:
        raise ValueError(value)
    return int(value)


def _id_or_raw(value):
    """"" → None, digits → int; anything else is kept as given so that the service refuses it (never
    silently turns a bad reply into a top-level comment)."""
    if value in (None, ""):
        return None
    return int(value) if str(value).isdigit() else value


def area_choices(consultation, empty_label) -> list[tuple[str, str]]:
    return [("", str(empty_label))] + [
        (str(area.id), f"{area.name} ({area.code})" if area.code else area.name)
        for area in consultation.areas
    ]


def priority_choices(consultation, empty_label) -> list[tuple[str, str]]:
    return [("", str(empty_label))] + [(str(p.id), p.title) for p in consultation.priorities]


class EditProposalForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX_LENGTH)])
    body = TextAreaField(_l("Your text"), validators=[DataRequired(), Length(max=BODY_MAX_LENGTH)])
    area_id = SelectField(_l("Neighbourhood"), coerce=optional_id)
    priority_id = SelectField(_l("Priority of the city contract"), coerce=optional_id)

    def set_choices(self, consultation) -> None:
        self.area_id.choices = area_choices(consultation, _l("No particular neighbourhood"))
        self.priority_id.choices = priority_choices(consultation, _l("No particular priority"))


class ProposalForm(EditProposalForm):
    kind = RadioField(_l("Kind of contribution"), validators=[DataRequired()])
    for_resident_name = StringField(_l("First name or pseudonym of the resident"),
                                    validators=[Optional(), Length(max=ON_BEHALF_OF_MAX_LENGTH)])
    resident_consent = BooleanField(
        _l("The resident agrees to this submission and to appear under this name"))

    def set_choices(self, consultation, kinds, *, for_resident: bool) -> None:
        super().set_choices(consultation)
        self.kind.choices = [(kind.value, str(PROPOSAL_KIND_LABELS[kind]).capitalize()) for kind in kinds]
        if len(kinds) == 1 and not self.kind.data:
            self.kind.data = kinds[0].value
        if not for_resident:
            del self.for_resident_name
            del self.resident_consent


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=COMMENT_MAX_LENGTH)])
    stance = RadioField(_l("Your position"), validators=[DataRequired()], default=CommentStance.NEUTRAL.value)
    parent_id = HiddenField(filters=[_id_or_raw])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stance.choices = [(stance.value, str(COMMENT_STANCE_LABELS[stance]).capitalize())
                               for stance in CommentStance]


class ProposalFilterForm(FlaskForm):
    """The GET form above the list; no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=QUERY_MAX_LENGTH)])
    area_id = SelectField(_l("Neighbourhood"), coerce=optional_id)
    priority_id = SelectField(_l("Priority"), coerce=optional_id)
    kind = SelectField(_l("Kind"), default="")
    status = SelectField(_l("Status"), default="")
    sort = SelectField(_l("Sort by"), choices=[(key, SORT_LABELS[key]) for key in SORTS], default="recent")

    def set_choices(self, consultation) -> None:
        self.area_id.choices = area_choices(consultation, _l("All neighbourhoods"))
        self.priority_id.choices = priority_choices(consultation, _l("All priorities"))
        self.kind.choices = [("", _l("All kinds"))] + [
            (kind.value, str(label).capitalize()) for kind, label in PROPOSAL_KIND_LABELS.items()
        ]
        self.status.choices = [("", _l("All statuses"))] + [
            (status.value, str(PROPOSAL_STATUS_LABELS[status]).capitalize())
            for status in ProposalStatus if status in PUBLIC_STATUSES
        ]

    def valid_filters(self) -> dict:
        """The filters as service arguments; an invalid value is dropped (and shows its error)."""
        self.validate()
        value = lambda field: None if field.errors else (field.data or None)  # noqa: E731
        return {
            "q": value(self.q), "area_id": value(self.area_id), "priority_id": value(self.priority_id),
            "kind": value(self.kind), "status": value(self.status), "sort": value(self.sort) or "recent",
        }
