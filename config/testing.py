"""Tests: e-mails kept in memory, fast password hashing, rate limits off unless a test turns them on."""

ENV = "testing"
SECRET_KEY = "testing-secret-key-not-for-production"
MAIL_BACKEND = "memory"
RATELIMIT_ENABLED = False
WTF_CSRF_ENABLED = True
# Cheaper argon2 parameters so the suite stays fast; production keeps the library defaults.
ACCOUNTS_ARGON2_FAST = True
