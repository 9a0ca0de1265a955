"""Password hashing with argon2 (library defaults; cheaper parameters only in tests)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


@lru_cache(maxsize=2)
def _hasher(fast: bool) -> PasswordHasher:
    if fast:
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def _current() -> PasswordHasher:
    return _hasher(bool(current_app.config.get("ACCOUNTS_ARGON2_FAST")))


def hash_password(password: str) -> str:
    return _current().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check so a missing account is not revealed by timing.
        _current().hash(password)
        return False
    try:
        return _current().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _current().check_needs_rehash(password_hash)


# Longest password accepted; zxcvbn itself only looks at the first 72 characters (it slows down beyond).
PASSWORD_MAX_LENGTH = 128
_ZXCVBN_MAX = 72
# zxcvbn scores 0 (guessable in a few tries) to 4; 2 resists an online attack with rate limits.
MIN_STRENGTH_SCORE = 2


def password_problem(password: str, *, min_length: int, user_inputs: list[str]) -> str | None:
    """Why `password` is refused (a translated sentence), or None when it is acceptable."""
    from flask_babel import gettext as _
    from zxcvbn import zxcvbn

    if len(password) < min_length:
        return _("Use at least %(min)s characters.", min=min_length)
    if len(password) > PASSWORD_MAX_LENGTH:
        return _("Use at most %(max)s characters.", max=PASSWORD_MAX_LENGTH)
    if _contains_personal_input(password, user_inputs):
        return _("This password is too easy to guess: %(reason)s Use several unusual words, for example.",
                 reason=_("it contains your e-mail address or your name."))
    inputs = [part for value in user_inputs if value for part in _split_inputs(value)]
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=inputs)
    if result["score"] >= MIN_STRENGTH_SCORE:
        return None
    return _("This password is too easy to guess: %(reason)s Use several unusual words, for example.",
             reason=_weakness(result["sequence"]))


def _contains_personal_input(password: str, user_inputs: list[str]) -> bool:
    """The whole name, or the e-mail before the @, inside the password (zxcvbn may still score it 3)."""
    squeezed = password.lower().replace(" ", "")
    for value in user_inputs:
        candidate = (value or "").lower().split("@")[0].replace(" ", "")
        if len(candidate) >= 4 and candidate in squeezed:
            return True
    return False


def _split_inputs(value: str) -> list[str]:
    """The e-mail and the name, whole and in pieces, so that "marie.dupont1" is recognised too."""
    lowered = value.lower()
    pieces = [lowered]
    for separator in ("@", ".", " ", "-", "_"):
        pieces = [piece for chunk in pieces for piece in chunk.split(separator)]
    return [lowered, *(piece for piece in pieces if len(piece) >= 3)]


def _weakness(sequence: list[dict]) -> str:
    from flask_babel import gettext as _

    kinds = {match.get("dictionary_name") or match.get("pattern") for match in sequence}
    if "user_inputs" in kinds:
        return _("it contains your e-mail address or your name.")
    if "passwords" in kinds:
        return _("it is, or looks like, a very common password.")
    if "spatial" in kinds:
        return _("it follows a keyboard pattern.")
    if "repeat" in kinds:
        return _("it repeats the same characters.")
    if "sequence" in kinds:
        return _("it follows a sequence such as \"abc\" or \"1234\".")
    if "date" in kinds or "regex" in kinds:
        return _("it relies on a date or a year.")
    if kinds & {"english_wikipedia", "us_tv_and_film", "surnames", "male_names", "female_names"}:
        return _("it is made of common words or names.")
    return _("it is too short or too simple.")
