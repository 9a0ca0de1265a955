"""Synthesis forms: the shape of HTML input only; the rules live in the services (syntheses.py, responses.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from deliberation.synthesis.models import BODY_MAX_LENGTH, REVIEW_COMMENT_MAX_LENGTH, TITLE_MAX_LENGTH


class DraftSynthesisForm(FlaskForm):
    """« Rédiger une synthèse »: the whole consultation, or one of its assemblies."""

    assembly_id = SelectField(_l("Contributions to sum up"), validators=[Optional()], default="")
    title = StringField(_l("Title (optional)"), validators=[Optional(), Length(max=TITLE_MAX_LENGTH)])

    def __init__(self, *args, assemblies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assembly_id.choices = [("", _l("The whole consultation")),
                                    *((str(a.id), _l("The assembly “%(title)s”", title=a.title)) for a in assemblies)]


class EditSynthesisForm(FlaskForm):
    body = TextAreaField(_l("Text of the synthesis (Markdown)"),
                         validators=[InputRequired(), Length(max=BODY_MAX_LENGTH)])
    # The version the text was based on: a save on top of a newer version is refused (no silent overwrite).
    version = HiddenField(validators=[InputRequired()])


class ReviewCommentForm(FlaskForm):
    body = TextAreaField(_l("Your remark"), validators=[InputRequired(), Length(max=REVIEW_COMMENT_MAX_LENGTH)])


class TransitionForm(FlaskForm):
    to = HiddenField(validators=[InputRequired()])


class CompareVersionsForm(FlaskForm):
    """GET form choosing the two versions to compare (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    a = IntegerField(_l("Older version"), validators=[Optional(), NumberRange(min=1)])
    b = IntegerField(_l("Newer version"), validators=[Optional(), NumberRange(min=1)])
