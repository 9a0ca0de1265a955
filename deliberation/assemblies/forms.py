"""Assembly forms for facilitators: the shape of HTML input only; the rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from deliberation.assemblies.models import (
    QUESTION_MAX_LENGTH,
    TIMER_LABEL_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    AssemblyMode,
    QuestionModeration,
    QuestionState,
    ResultsVisibility,
)
from deliberation.assemblies.voting import PollMethod
from deliberation.consultations.forms import DATETIME_LOCAL_FORMATS, local_zone
from deliberation.territories.forms import CheckboxesField, optional_int

ASSEMBLY_MODE_LABELS = {
    AssemblyMode.IN_PERSON: _l("In person"),
    AssemblyMode.ONLINE: _l("Online"),
    AssemblyMode.HYBRID: _l("Hybrid (in the room and online)"),
}

POLL_METHOD_LABELS = {
    PollMethod.YES_NO: _l("Yes / no / abstain"),
    PollMethod.SINGLE: _l("Single choice"),
    PollMethod.MULTIPLE: _l("Multiple choice"),
    PollMethod.MAJORITY_JUDGMENT: _l("Majority judgment"),
    PollMethod.RANKING: _l("Ranking (Schulze method)"),
}

RESULTS_VISIBILITY_LABELS = {
    ResultsVisibility.LIVE: _l("Live, while people vote"),
    ResultsVisibility.AFTER_VOTE: _l("To each participant once they have voted"),
    ResultsVisibility.AFTER_CLOSE: _l("Only once the vote is closed"),
}

# The service codes a form shows next to a field rather than above the form.
FIELD_OF_CODE = {
    "invalid_title": "title",
    "invalid_quorum": "quorum",
    "unknown_consultation": "consultation_id",
    "invalid_question": "question",
    "invalid_options": "options",
    "invalid_max_choices": "max_choices",
    "agenda_item_not_in_assembly": "agenda_item_id",
    "proposal_not_in_consultation": "proposal_ids",
}


def option_lines(text: str | None) -> list[str]:
    """One option per line; blank lines are ignored."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class AssemblyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX_LENGTH)])
    consultation_id = SelectField(_l("Consultation"), coerce=optional_int)
    mode = SelectField(_l("Mode"), choices=[(mode.value, label) for mode, label in ASSEMBLY_MODE_LABELS.items()],
                       validators=[InputRequired()])
    starts_at = DateTimeLocalField(_l("Starts at"), format=DATETIME_LOCAL_FORMATS, tz=local_zone,
                                   validators=[Optional()])
    requires_sign_in = BooleanField(_l("Participants must sign in to join"))
    quorum = IntegerField(_l("Quorum (people present)"), validators=[Optional(), NumberRange(min=1)])


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Title of the agenda item"), validators=[DataRequired(), Length(max=TITLE_MAX_LENGTH)])
    proposal_ids = CheckboxesField(_l("Proposals discussed"), coerce=int)


class PollForm(FlaskForm):
    question = StringField(_l("Question"), validators=[DataRequired(), Length(max=QUESTION_MAX_LENGTH)])
    method = SelectField(_l("Voting method"),
                         choices=[(method.value, label) for method, label in POLL_METHOD_LABELS.items()],
                         validators=[InputRequired()])
    options = TextAreaField(_l("Options, one per line"), validators=[Optional(), Length(max=5000)])
    max_choices = IntegerField(_l("Most options a participant may choose"),
                               validators=[Optional(), NumberRange(min=1)])
    results_visibility = SelectField(
        _l("Results visibility"),
        choices=[(visibility.value, label) for visibility, label in RESULTS_VISIBILITY_LABELS.items()],
        default=ResultsVisibility.AFTER_CLOSE.value, validators=[InputRequired()])
    totals_only = BooleanField(_l("Publish the totals only, not the ballot log"))
    agenda_item_id = SelectField(_l("Agenda item"), coerce=optional_int)

# The majority-judgment scale, index 0 (worst) to 5 (best), as voting.MENTIONS orders it.
MENTION_LABELS = (_l("Reject"), _l("Insufficient"), _l("Passable"), _l("Fairly good"), _l("Good"),
                  _l("Very good"))


# Paper ballots: one number per option (per option and mention for majority judgment), built for each poll.

def paper_field_name(option, mention: int | None = None) -> str:
    return f"option_{option.position}" if mention is None else f"option_{option.position}_{mention}"


def paper_ballots_form(poll, batch=None) -> FlaskForm:
    """The console form of a poll's paper batch, filled with the batch already entered (if any)."""

    class PaperBallotsForm(FlaskForm):
        ballots = IntegerField(_l("Number of paper ballots"),
                               validators=[InputRequired(), NumberRange(min=0, max=1_000_000)])

    data = {"ballots": batch.ballots if batch is not None else None}
    counts = batch.counts if batch is not None else {}
    for option in poll.options:
        key = str(option.public_id)
        if poll.method == PollMethod.MAJORITY_JUDGMENT:
            for mention, label in enumerate(MENTION_LABELS):
                name = paper_field_name(option, mention)
                setattr(PaperBallotsForm, name, IntegerField(
                    label, default=0, validators=[InputRequired(), NumberRange(min=0, max=1_000_000)]))
                data[name] = counts[key][mention] if key in counts else 0
        else:
            name = paper_field_name(option)
            setattr(PaperBallotsForm, name, IntegerField(
                option.display_label, default=0, validators=[InputRequired(), NumberRange(min=0, max=1_000_000)]))
            data[name] = counts.get(key, 0)
    return PaperBallotsForm(prefix=f"paper-{poll.id}", data=data)


def paper_counts(form, poll) -> tuple[dict, dict[str, str]]:
    """(counts for services.record_paper_ballots, the service's field names → this form's field names)."""
    counts: dict = {}
    fields = {"ballots": "ballots"}
    for option in poll.options:
        key = str(option.public_id)
        if poll.method == PollMethod.MAJORITY_JUDGMENT:
            counts[key] = [form[paper_field_name(option, mention)].data for mention in range(len(MENTION_LABELS))]
            fields.update({f"{key}.{mention}": paper_field_name(option, mention)
                           for mention in range(len(MENTION_LABELS))})
        else:
            counts[key] = form[paper_field_name(option)].data
            fields[key] = paper_field_name(option)
    return counts, fields


# Questions from the room, speakers and timer: the console's forms without JavaScript (the socket does the same).

QUESTION_MODERATION_LABELS = {
    QuestionModeration.POST: _l("Post-moderation: questions appear at once, you can hide them afterwards"),
    QuestionModeration.PRE: _l("Pre-moderation: questions wait for your approval before they appear"),
}


class RoomForm(FlaskForm):
    """The console's small room forms, several on one page: the app-wide CSRFProtect checks their token (a plain
    `csrf_token` field, as post_button sends it), so they carry no prefixed one of their own."""

    class Meta:
        csrf = False


class QuestionModerationForm(RoomForm):
    mode = RadioField(_l("Moderation of questions"),
                      choices=[(mode.value, label) for mode, label in QUESTION_MODERATION_LABELS.items()],
                      validators=[InputRequired()])


class DurationMixin:
    minutes = IntegerField(_l("Minutes"), validators=[Optional(), NumberRange(min=0, max=240)])
    seconds = IntegerField(_l("Seconds"), validators=[Optional(), NumberRange(min=0, max=59)])

    def total_seconds(self) -> int | None:
        total = (self.minutes.data or 0) * 60 + (self.seconds.data or 0)
        return total or None


class TimerForm(DurationMixin, RoomForm):
    label = StringField(_l("Label (optional)"), validators=[Optional(), Length(max=TIMER_LABEL_MAX_LENGTH)])


class CallSpeakerForm(DurationMixin, RoomForm):
    request_id = IntegerField(validators=[Optional()])

QUESTION_STATE_LABELS = {
    QuestionState.PENDING: _l("awaiting moderation"),
    QuestionState.VISIBLE: _l("visible"),
    QuestionState.HIDDEN: _l("hidden"),
    QuestionState.ANSWERED: _l("answered"),
    QuestionState.ON_SCREEN: _l("on screen"),
}

# The console's buttons for a question, by action: the label, and the flash message once done.
QUESTION_ACTION_LABELS = {
    "accept": (_l("Accept"), _l("The question is now visible to everyone.")),
    "show": (_l("Put on screen"), _l("The question is on the screen.")),
    "unshow": (_l("Take off screen"), _l("The question was taken off the screen.")),
    "answer": (_l("Mark answered"), _l("The question is marked as answered.")),
    "hide": (_l("Hide"), _l("The question is hidden.")),
    "restore": (_l("Restore"), _l("The question is visible again.")),
}


class AttachQuestionForm(RoomForm):
    agenda_item_id = SelectField(_l("Agenda item"), coerce=optional_int)
