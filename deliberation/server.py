"""The production server: gunicorn with gevent workers, started from `deliberation serve`."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from deliberation.app import create_app

        return create_app()


def run_gunicorn(*, host: str, port: int, workers: int, worker_connections: int) -> None:
    config = _validated_config()  # fail fast on a bad configuration, before forking workers
    if workers > 1 and not config["MESSAGE_QUEUE"]:
        raise SystemExit("Several workers share live assemblies through Redis: set DELIBERATION_MESSAGE_QUEUE.")
    _Server({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gevent",
        "worker_connections": worker_connections,
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        # gunicorn ≥ 23 opens a control socket shared by every server of the host user; we do not use it.
        "control_socket_disable": True,
    }).run()


def _validated_config():
    """Load and validate the configuration only: building the app here would start timers before the fork."""
    from flask import Flask

    from deliberation.core.config import PROJECT_ROOT, load_config

    app = Flask("deliberation", instance_path=str(PROJECT_ROOT / "instance"))
    load_config(app)
    return app.config
