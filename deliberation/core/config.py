"""Configuration: the documented load order, then validation that fails fast.

This is the only module that reads the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = PROJECT_ROOT / "config"
ENVIRONMENTS = ("development", "testing", "production")
DEV_SECRET_KEYS = {"dev-insecure-change-me", "testing-secret-key-not-for-production"}


class ConfigError(RuntimeError):
    """The configuration cannot work; raised at start-up, before serving anything."""


def load_config(app: Flask, overrides: dict | None = None) -> None:
    overrides = dict(overrides or {})
    env = overrides.get("ENV") or os.environ.get("DELIBERATION_ENV") or "development"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"DELIBERATION_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")

    app.config.from_pyfile(str(CONFIG_DIR / "default.py"))
    # config/production.py is optional: production.example.py documents what to put in instance/ instead.
    app.config.from_pyfile(str(CONFIG_DIR / f"{env}.py"), silent=env == "production")
    app.config.from_pyfile(str(Path(app.instance_path) / "deliberation.cfg"), silent=True)
    settings_file = os.environ.get("DELIBERATION_SETTINGS")
    if settings_file:
        app.config.from_pyfile(settings_file)
    # DELIBERATION_FOO=value sets FOO; values are parsed as JSON when they can be (numbers, booleans, lists).
    app.config.from_prefixed_env("DELIBERATION")
    app.config.update(overrides)
    app.config["ENV"] = env if "ENV" not in overrides else overrides["ENV"]

    _derive(app)
    validate_config(app.config)


def _derive(app: Flask) -> None:
    config = app.config
    if not config["DATABASE_URL"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'deliberation.sqlite3'}"
    url = config["DATABASE_URL"]
    # Accept the plain postgresql:// form and use psycopg 3, which cooperates with gevent.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    config["DATABASE_URL"] = url
    config["SQLALCHEMY_DATABASE_URI"] = url
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if not config["RATELIMIT_STORAGE_URI"]:
        config["RATELIMIT_STORAGE_URI"] = config["MESSAGE_QUEUE"] or "memory://"
    if not config["MAIL_DIRECTORY"]:
        config["MAIL_DIRECTORY"] = str(Path(app.instance_path) / "mail")


def validate_config(config) -> None:
    problems = []
    env = config["ENV"]
    if env == "production" and config["SECRET_KEY"] in DEV_SECRET_KEYS:
        problems.append("SECRET_KEY is the development key: set DELIBERATION_SECRET_KEY to a long random value")
    if len(str(config["SECRET_KEY"])) < 16:
        problems.append("SECRET_KEY must be at least 16 characters long")
    scheme = urlparse(config["DATABASE_URL"]).scheme
    if not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
        problems.append(f"DATABASE_URL must be a sqlite:// or postgresql:// URL, not {scheme or 'empty'}")
    if config["MESSAGE_QUEUE"] and urlparse(config["MESSAGE_QUEUE"]).scheme not in ("redis", "rediss"):
        problems.append("MESSAGE_QUEUE must be a redis:// URL")
    if config["BABEL_DEFAULT_LOCALE"] not in config["LANGUAGES"]:
        problems.append("BABEL_DEFAULT_LOCALE must be one of LANGUAGES")
    if config["MAIL_BACKEND"] not in ("file", "smtp", "memory"):
        problems.append("MAIL_BACKEND must be file, smtp or memory")
    if env == "production" and config.get("ACCOUNTS_ARGON2_FAST"):
        problems.append("ACCOUNTS_ARGON2_FAST must stay off in production")
    for key in ("ACCOUNTS_PASSWORD_MIN_LENGTH", "ACCOUNTS_TOKEN_LIFETIME_DAYS", "PROPOSALS_PER_PAGE",
                "PROPOSALS_MAX_PER_PAGE", "ASSEMBLIES_TALLY_INTERVAL_MS", "EXPORTS_CONCURRENT_BUILDS",
                "EXPORTS_BUILD_WAIT_SECONDS"):
        value = config.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            problems.append(f"{key} must be a positive whole number")
    for key in ("PROPOSALS_EDIT_WINDOW_MINUTES", "ASSEMBLIES_QUESTION_INTERVAL_S"):
        value = config.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(f"{key} must be a whole number, 0 or more")
    refresh = config.get("ASSEMBLIES_TALLY_REFRESH_S")
    if not isinstance(refresh, int | float) or isinstance(refresh, bool) or refresh < 0:
        problems.append("ASSEMBLIES_TALLY_REFRESH_S must be a number of seconds, 0 or more")
    if problems:
        raise ConfigError("Invalid configuration:\n- " + "\n- ".join(problems))
