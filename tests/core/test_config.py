"""Configuration: the documented load order and fail-fast validation."""

import pytest

from deliberation import create_app
from deliberation.core.config import ConfigError


def test_environment_variables_override_files_and_parse_json(monkeypatch, tmp_path):
    monkeypatch.setenv("DELIBERATION_PROPOSALS_PER_PAGE", "42")
    monkeypatch.setenv("DELIBERATION_SITE_NAME", "Ma ville")
    app = create_app({"ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.config["PROPOSALS_PER_PAGE"] == 42
    assert app.config["SITE_NAME"] == "Ma ville"


def test_overrides_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DELIBERATION_PROPOSALS_PER_PAGE", "42")
    app = create_app({"ENV": "testing", "PROPOSALS_PER_PAGE": 7,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.config["PROPOSALS_PER_PAGE"] == 7


def test_settings_file_named_by_the_environment_is_read(monkeypatch, tmp_path):
    settings = tmp_path / "settings.cfg"
    settings.write_text('SITE_NAME = "Depuis le fichier"\n')
    monkeypatch.setenv("DELIBERATION_SETTINGS", str(settings))
    app = create_app({"ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert app.config["SITE_NAME"] == "Depuis le fichier"


def test_production_refuses_the_development_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})


@pytest.mark.parametrize(("key", "value", "message"), [
    ("DATABASE_URL", "mysql://localhost/db", "DATABASE_URL"),
    ("MESSAGE_QUEUE", "amqp://localhost", "MESSAGE_QUEUE"),
    ("PROPOSALS_PER_PAGE", 0, "PROPOSALS_PER_PAGE"),
    ("ASSEMBLIES_TALLY_REFRESH_S", -1, "ASSEMBLIES_TALLY_REFRESH_S"),
    ("ASSEMBLIES_QUESTION_INTERVAL_S", "20", "ASSEMBLIES_QUESTION_INTERVAL_S"),
    ("MAIL_BACKEND", "pigeon", "MAIL_BACKEND"),
])
def test_invalid_values_fail_fast(key, value, message, tmp_path):
    overrides = {"ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", key: value}
    with pytest.raises(ConfigError, match=message):
        create_app(overrides)


def test_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("DELIBERATION_ENV", "staging")
    with pytest.raises(ConfigError, match="DELIBERATION_ENV"):
        create_app()


def test_plain_postgresql_urls_use_psycopg3(tmp_path):
    app = create_app({"ENV": "testing", "DATABASE_URL": "postgresql://someone@127.0.0.1:5432/db"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
