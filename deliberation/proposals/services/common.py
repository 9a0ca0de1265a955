"""What the proposal services share: loading by id, turning a policy refusal into an error, cleaning text."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from deliberation.consultations.models import Consultation
from deliberation.core import errors
from deliberation.core.errors import Invalid, NotFound
from deliberation.extensions import db
from deliberation.proposals.models import Proposal

# Ids are 32-bit integers in the database; anything larger cannot exist (and SQLite would overflow).
MAX_ID = 2**31 - 1

# Refusals that describe the state of the target rather than who asks: 409, not 403.
CONFLICT_REFUSALS = frozenset({"not_editable", "not_withdrawable", "proposal_not_public"})

# Field messages stay lazy: services also run outside requests (CLI, seed); they are translated when shown.
REQUIRED = _l("This field is required.")

# C0 control characters except tab and newline: PostgreSQL refuses NUL, and none belong in user text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def enforce(refusal: str | None) -> None:
    """Raise the error matching a policy refusal code (see policies.py); nothing when allowed."""
    errors.enforce(refusal, conflicts=CONFLICT_REFUSALS)


def get_consultation(consultation_id: int) -> Consultation:
    return _get(Consultation, consultation_id)


def get_listed_consultation(consultation_id: int, viewer) -> Consultation:
    """The consultation when `viewer` may list its contributions (published, or they administer it); 404
    otherwise, as for an id that does not exist."""
    from deliberation.proposals import policies

    consultation = get_consultation(consultation_id)
    if not policies.can_list(viewer, consultation):
        raise NotFound()
    return consultation


def get_proposal(proposal_id: int) -> Proposal:
    return _get(Proposal, proposal_id)


def _get(model, ident):
    if not isinstance(ident, int) or not 0 < ident <= MAX_ID:
        raise NotFound()
    obj = db.session.get(model, ident)
    if obj is None:
        raise NotFound()
    return obj


def clean_line(value) -> str:
    """One line of plain text (a title, a name): control characters removed, spaces collapsed, stripped."""
    return _SPACES.sub(" ", _CONTROL.sub("", str(value or ""))).strip()


def clean_text(value) -> str:
    """Multi-line user text (Markdown): control characters removed, line ends normalised, stripped."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def check_length(errors: dict, field: str, value: str, max_length: int) -> None:
    """Add a field error when `value` is empty or longer than `max_length` characters."""
    if not value:
        errors.setdefault(field, []).append(REQUIRED)
    elif len(value) > max_length:
        errors.setdefault(field, []).append(_l("At most %(max)s characters.", max=max_length))


def raise_if_errors(errors: dict, code: str = "validation_error") -> None:
    if errors:
        raise Invalid(code, fields=errors)
