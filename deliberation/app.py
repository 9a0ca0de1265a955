"""The application factory: config → extensions → modules → API → socket namespaces → CLI → error handlers."""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask_login import current_user

from deliberation import (
    accounts,
    assemblies,
    consultations,
    exports,
    moderation,
    notifications,
    proposals,
    synthesis,
    territories,
    web,
)
from deliberation import api as api_module
from deliberation.core.config import PROJECT_ROOT, load_config
from deliberation.core.realtime import client_manager
from deliberation.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        "deliberation",
        root_path=str(PROJECT_ROOT / "deliberation"),
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    load_config(app, overrides)
    _init_extensions(app)

    for module in (web, accounts, territories, consultations, proposals, notifications, assemblies, moderation,
                   synthesis, exports):
        module.init_app(app)
    api_module.init_app(app)
    web.errors.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    config = app.config
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), compare_type=True,
                     render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        # One catalog per module (translations/<module>/), merged by Flask-Babel.
        default_translation_directories=";".join(
            str(path) for path in sorted((PROJECT_ROOT / "translations").iterdir()) if path.is_dir()
        ),
    )
    limiter.init_app(app)
    socketio.init_app(
        app,
        async_mode="gevent",
        client_manager=client_manager(config["MESSAGE_QUEUE"]),
        cors_allowed_origins=[config["BASE_URL"]] if config["ENV"] == "production" else "*",
        logger=False,
        engineio_logger=False,
    )


def _select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands, seeds and services called from tests
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
