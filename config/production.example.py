"""Copy to instance/deliberation.cfg (or point DELIBERATION_SETTINGS at it) and fill in.

Every key can also come from the environment as DELIBERATION_<KEY>.
"""

ENV = "production"
SECRET_KEY = "…a long random value, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'…"
DATABASE_URL = "postgresql+psycopg://deliberation@127.0.0.1:5432/deliberation"
MESSAGE_QUEUE = "redis://127.0.0.1:6379/0"
BASE_URL = "https://participer.example.fr"
SESSION_COOKIE_SECURE = True
MAIL_BACKEND = "smtp"
MAIL_SERVER = "smtp.example.fr"
MAIL_PORT = 587
MAIL_USE_TLS = True
MAIL_USERNAME = "deliberation"
MAIL_PASSWORD = "…"
