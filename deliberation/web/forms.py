"""Sending an HTML form to a service: one unit of work, and the service's refusal put back into the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import request
from flask_wtf import FlaskForm

from deliberation.core.errors import DomainError, Invalid
from deliberation.core.transaction import unit_of_work

T = TypeVar("T")


def attach_errors(form: FlaskForm, error: DomainError, *, default_field: str | None = None) -> None:
    """A service's refusal in the form: field errors next to their fields; a refusal that names no field goes
    to `default_field` when given; anything else into the form's own errors, which the error summary shows."""
    fields = error.to_dict().get("fields") or {default_field or "": [error.message]}
    for name, messages in fields.items():
        if name in form:
            form[name].errors = [*form[name].errors, *(str(message) for message in messages)]
        else:
            form.form_errors.extend(str(message) for message in messages)


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
