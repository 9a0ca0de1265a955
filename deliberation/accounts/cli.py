"""`deliberation users …`: manage accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from deliberation.accounts.models import UserRole


@click.group("users", cls=AppGroup)
def users() -> None:
    """Manage accounts."""


def _read_password() -> str:
    """The first line of standard input when it is not a terminal (scripts), otherwise a hidden prompt."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise click.ClickException("no password on standard input")
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("create")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice([role.value for role in UserRole]),
              help="Role to grant (repeat for several). Every account is also a resident.")
@click.option("--name", default=None, help="Public name (2 to 60 characters); a role label by default.")
def create(email: str, roles: tuple[str, ...], name: str | None) -> None:
    """Create an account; the password is read from standard input or prompted. Prints the new id."""
    from flask import current_app
    from flask_babel import force_locale

    from deliberation.accounts import services
    from deliberation.core.errors import DomainError
    from deliberation.core.transaction import unit_of_work

    password = _read_password()
    try:
        # No request here to choose a language from: messages and labels use the site's default.
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]), unit_of_work():
            user = services.create_user_cli(email, password, roles, name)
            user_id = user.id
    except DomainError as error:
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            body = error.to_dict()
        details = "; ".join(f"{field}: {' '.join(messages)}"
                            for field, messages in body.get("fields", {}).items())
        suffix = f" – {details}" if details else ""
        raise click.ClickException(f"{body['message']} ({error.code}){suffix}") from None
    click.echo(user_id)
