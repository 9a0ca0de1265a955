"""Marshmallow's messages, translated and flattened into the API's "fields" object."""

from __future__ import annotations

import re

from flask_babel import gettext


def N_(message: str) -> str:  # noqa: N802 - marks a message for extraction; translated when used
    return message

# Marshmallow's English templates (placeholders in braces) and what a user reads instead.
_TEMPLATES = [
    ("Missing data for required field.", N_("This field is required.")),
    ("Field may not be null.", N_("This field is required.")),
    ("Not a valid string.", N_("Must be text.")),
    ("Not a valid integer.", N_("Must be a whole number.")),
    ("Not a valid number.", N_("Must be a number.")),
    ("Not a valid boolean.", N_("Must be true or false.")),
    ("Not a valid list.", N_("Must be a list.")),
    ("Not a valid mapping type.", N_("Must be an object.")),
    ("Not a valid datetime.", N_("Must be a date and time (ISO 8601).")),
    ("Not a valid date.", N_("Must be a date (ISO 8601).")),
    ("Not a valid email address.", N_("Must be a valid e-mail address.")),
    ("Invalid input type.", N_("Wrong type.")),
    ("Unknown field.", N_("Unknown field.")),
    ("Invalid value.", N_("Invalid value.")),
    ("Shorter than minimum length {min}.", N_("At least %(min)s characters.")),
    ("Longer than maximum length {max}.", N_("At most %(max)s characters.")),
    ("Length must be between {min} and {max}.", N_("Between %(min)s and %(max)s characters.")),
    ("Must be one of: {choices}.", N_("Must be one of: %(choices)s.")),
    # The two-sided range first: the one-sided pattern would match it too ({min} = "1 and less than…").
    ("Must be greater than or equal to {min} and less than or equal to {max}.",
     N_("Must be between %(min)s and %(max)s.")),
    ("Must be greater than or equal to {min}.", N_("Must be at least %(min)s.")),
    ("Must be less than or equal to {max}.", N_("Must be at most %(max)s.")),
]


def _compile(template: str) -> re.Pattern:
    pattern = re.escape(template)
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", pattern)
    return re.compile(f"^{pattern}$")


_PATTERNS = [(_compile(template), translation) for template, translation in _TEMPLATES]


def translate_message(message: str) -> str:
    for pattern, translation in _PATTERNS:
        match = pattern.match(message)
        if match:
            return gettext(translation, **match.groupdict())
    return message


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for sub_key, sub_value in _flatten(value, name).items():
                flat.setdefault(sub_key, []).extend(sub_value)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = [translate_message(m) for m in messages]
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            for sub_key, sub_value in _flatten(value, f"{prefix}.{index}").items():
                flat.setdefault(sub_key, []).extend(sub_value)
    else:
        flat[prefix or "_schema"] = [translate_message(str(messages))]
    return flat


def validation_fields(error_data: dict) -> dict[str, list[str]]:
    """webargs puts {"json": {...}} or {"query": {...}} in messages: merge the locations, dot the paths."""
    messages = error_data.get("messages") or {}
    merged: dict[str, list[str]] = {}
    for location_messages in messages.values():
        for key, value in _flatten(location_messages).items():
            merged.setdefault(key, []).extend(value)
    return merged
