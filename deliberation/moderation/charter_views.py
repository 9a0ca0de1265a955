"""The public moderation charter, its earlier versions, and the administrators' form for a new version."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from deliberation.core.errors import DomainError
from deliberation.core.transaction import unit_of_work
from deliberation.moderation import charter
from deliberation.moderation.views import bp
from deliberation.web.access import current_actor, restricted_to
from deliberation.web.forms import attach_errors


class CharterForm(FlaskForm):
    body = TextAreaField(_l("Text of the charter (Markdown)"),
                         validators=[InputRequired(), Length(max=charter.CHARTER_MAX_LENGTH)])


@bp.get("/moderation/charter")
def charter_page():
    version = charter.current_version()
    body = version.body if version is not None else charter.DEFAULT_CHARTER
    return render_template("moderation/charter.html", version=version, html=charter.render(body),
                           versions=charter.list_versions(), can_edit=charter.can_edit_charter(current_actor()))


@bp.get("/moderation/charter/versions/<int:number>")
def charter_version(number: int):
    version = charter.get_version(number)
    latest = charter.current_version()
    return render_template("moderation/charter_version.html", version=version, html=charter.render(version.body),
                           is_current=latest is not None and latest.id == version.id)


@bp.route("/moderation/charter/edit", methods=["GET", "POST"])
@restricted_to(charter.can_edit_charter)
def charter_edit():
    form = CharterForm()
    if not form.is_submitted():
        version = charter.current_version()
        form.body.data = version.body if version is not None else charter.DEFAULT_CHARTER
    elif form.validate():
        try:
            with unit_of_work():
                version = charter.publish_version(current_actor(), form.body.data)
        except DomainError as error:
            attach_errors(form, error)
        else:
            flash(_("Version %(number)s of the charter is published.", number=version.number), "success")
            return redirect(url_for(".charter_page"))
    return render_template("moderation/charter_edit.html", form=form)
