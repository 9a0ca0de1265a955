"""Every configuration key, with a safe default. One comment line each.

Load order (later wins): this file → config/<DELIBERATION_ENV>.py → instance/deliberation.cfg → the file named
by DELIBERATION_SETTINGS → DELIBERATION_* environment variables → overrides given to create_app.
"""

# Which of development, testing, production this deployment is.
ENV = "development"
# Signs sessions and CSRF tokens; must be set to a long random value in production.
SECRET_KEY = "dev-insecure-change-me"
# SQLAlchemy URL; empty means SQLite at instance/deliberation.sqlite3.
DATABASE_URL = ""
# Redis URL shared by several workers for Socket.IO rooms and rate limits; empty for one process.
MESSAGE_QUEUE = ""
# Public base URL used in e-mails and QR codes.
BASE_URL = "http://127.0.0.1:5000"
# Name shown in the header and in e-mails.
SITE_NAME = "Délibération"

# Default language of the interface (fr or en).
BABEL_DEFAULT_LOCALE = "fr"
# Time zone used to show dates.
BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
# Languages offered in the language switch.
LANGUAGES = ["fr", "en"]

# Minimum length of a password.
ACCOUNTS_PASSWORD_MIN_LENGTH = 10
# Cheaper argon2 parameters (tests only; never in production).
ACCOUNTS_ARGON2_FAST = False
# Lifetime of an API token, in days.
ACCOUNTS_TOKEN_LIFETIME_DAYS = 30
# Rate limit on login attempts (per address).
ACCOUNTS_LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
# Rate limit on account creation (per address).
ACCOUNTS_REGISTER_RATE_LIMIT = "5 per minute;30 per hour"
# Rate limit on API token creation (per address).
ACCOUNTS_TOKEN_RATE_LIMIT = "10 per minute;50 per hour"
# Rate limit on open-data downloads (per address): each one reads the whole consultation.
EXPORTS_RATE_LIMIT = "20 per minute;200 per hour"
# Open-data files one server process builds at once; the others wait (see exports/open_data/slots.py).
EXPORTS_CONCURRENT_BUILDS = 2
# How long a download waits for its turn before 503 export_busy.
EXPORTS_BUILD_WAIT_SECONDS = 30
# Storage of rate-limit counters; empty means MESSAGE_QUEUE when set, else memory.
RATELIMIT_STORAGE_URI = ""
# Whether rate limits apply at all.
RATELIMIT_ENABLED = True

# Minutes during which an author may still edit their proposal.
PROPOSALS_EDIT_WINDOW_MINUTES = 60
# Proposals per page in lists.
PROPOSALS_PER_PAGE = 20
# Largest page size a client may ask for.
PROPOSALS_MAX_PER_PAGE = 100

# How e-mails leave: "file" (instance/mail/), "smtp", or "memory" (tests).
MAIL_BACKEND = "file"
# Folder of the "file" backend; empty means instance/mail/.
MAIL_DIRECTORY = ""
# Sender address of e-mails.
MAIL_DEFAULT_SENDER = "Délibération <ne-pas-repondre@deliberation.localhost>"
# SMTP server host, port, TLS and credentials (MAIL_BACKEND = "smtp").
MAIL_SERVER = "localhost"
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USERNAME = ""
MAIL_PASSWORD = ""

# Milliseconds between two tallies of the same poll sent to phones (coalescing).
ASSEMBLIES_TALLY_INTERVAL_MS = 200
# Seconds between two re-sends of the tallies that changed, which heal what a stopped Redis kept from phones (0: never).
ASSEMBLIES_TALLY_REFRESH_S = 2
# Seconds a participant waits between two questions from the room (0: no wait).
ASSEMBLIES_QUESTION_INTERVAL_S = 20

# Session cookie only over HTTPS (set True in production).
SESSION_COOKIE_SECURE = False
# Session cookie not readable by scripts.
SESSION_COOKIE_HTTPONLY = True
# Session cookie not sent on cross-site requests.
SESSION_COOKIE_SAMESITE = "Lax"
# CSRF tokens never expire inside a session (a form left open on a phone still works).
WTF_CSRF_TIME_LIMIT = None
# Largest request body accepted, in bytes.
MAX_CONTENT_LENGTH = 2 * 1024 * 1024
