"""Sending an HTML form to a service: one unit of work, and the service's refusal put back into the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, request
from flask_wtf import FlaskForm

from deliberation.core.errors import Invalid
from deliberation.core.transaction import unit_of_work

T = TypeVar("T")


def attach_errors(form: FlaskForm, error: Invalid) -> None:
    """The service's field errors next to the matching fields; any other message as a flash above the form."""
    for name, messages in (error.fields or {"": [error.message]}).items():
        if name in form:
            form[name].errors.extend(str(message) for message in messages)
        else:
            for message in messages:
                flash(str(message), "error")


def save_form(form: FlaskForm, save: Callable[[], T]) -> T | None:
    """When the form was sent and is valid, run `save` (a service call) in one unit of work and return what it
    returned; None when nothing was saved (not sent, invalid, or refused: the errors are then in the form)."""
    if not form.validate_on_submit():
        return None
    try:
        with unit_of_work():
            return save()
    except Invalid as error:
        attach_errors(form, error)
        return None


def form_status() -> int:
    """200 for a blank form; 422 when a sent form is shown again with its errors."""
    return 422 if request.method == "POST" else 200
