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
