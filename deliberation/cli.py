"""The `deliberation` command: a FlaskGroup over create_app (db, seed-demo, users, serve…)."""

from __future__ import annotations


def main() -> None:
    # No gevent monkey-patching here: `serve` runs gunicorn's gevent workers, which patch the standard library
    # themselves after the fork and before they load the app (patching the master too left a broken timer).
    cli = build_cli()
    cli.main(prog_name="deliberation")


def build_cli():
    import click
    from flask.cli import FlaskGroup

    from deliberation.accounts.cli import users
    from deliberation.app import create_app
    from deliberation.core.audit_cli import audit_group
    from deliberation.notifications.cli import notifications_group
    from deliberation.seed import seed_demo_command
    from deliberation.synthesis.cli import responses_group

    @click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_version_option=False,
                 load_dotenv=False, set_debug_flag=False)
    def cli():
        """Deliberation: participatory democracy for French city contracts."""

    @cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    @click.option("--workers", default=1, show_default=True, type=int,
                  help="gevent workers; more than one needs DELIBERATION_MESSAGE_QUEUE (Redis).")
    @click.option("--worker-connections", default=10000, show_default=True, type=int,
                  help="Connections per worker; gunicorn's default of 1,000 is a silent ceiling for phones.")
    def serve(host: str, port: int, workers: int, worker_connections: int) -> None:
        """Serve with gunicorn and gevent workers (WebSocket included)."""
        from deliberation.server import run_gunicorn

        run_gunicorn(host=host, port=port, workers=workers, worker_connections=worker_connections)

    cli.add_command(users)
    cli.add_command(seed_demo_command)
    cli.add_command(audit_group)
    cli.add_command(notifications_group)
    cli.add_command(responses_group)
    return cli


if __name__ == "__main__":
    main()
