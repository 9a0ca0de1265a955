"""Input checks shared by the territory and consultation commands: official codes, field errors, and the
changes an update makes (recorded in its audit entry)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l

from deliberation.core.errors import Invalid

SIREN = re.compile(r"^[0-9]{9}$")
# INSEE commune code: 5 digits, or 2A/2B followed by 3 digits for Corsica.
INSEE = re.compile(r"^(?:[0-9]{5}|2[AB][0-9]{3})$")
# Official QPV code (2024 geography): "QN" followed by 6 digits or capital letters, e.g. QN07512M.
QPV_CODE = re.compile(r"^QN[0-9A-Z]{6}$")
NAME_MAX = 200


class FieldErrors(dict[str, list[str]]):
    """Messages per field, gathered before anything is written."""

    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)

    def raise_if_any(self, code: str = "validation_error", message: str | None = None) -> None:
        if self:
            raise Invalid(code, message, fields=dict(self))


def required_text(errors: FieldErrors, name: str, value: str | None, max_length: int = NAME_MAX) -> str:
    text = (value or "").strip()
    if not text:
        errors.add(name, _l("This field is required."))
    elif len(text) > max_length:
        errors.add(name, _l("At most %(max)s characters.", max=max_length))
    return text


def normalise_code(value: str | None) -> str:
    """Official codes are compared without spaces and in capitals ("2a004" → "2A004", "200 054 781")."""
    return re.sub(r"\s+", "", value or "").upper()


def changes_between(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for each value that differs, recorded in the audit entry of an update."""
    changed = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changed[name] = [old, new]
    return changed


def apply_changes(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set every value on `obj`; returns what changed, as changes_between() does."""
    changed = changes_between(obj, values)
    for name, value in values.items():
        setattr(obj, name, value)
    return changed
