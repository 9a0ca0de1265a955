"""`deliberation responses …`: officials' responses published at a set date (run by a cron job)."""

from __future__ import annotations

import click
from flask.cli import AppGroup


@click.group("responses", cls=AppGroup)
def responses_group() -> None:
    """The elected officials' responses."""


@responses_group.command("publish-due")
def publish_due_command() -> None:
    """Announce the responses whose publication date has come: proposal status, author and supporters told.
    Idempotent: a response is announced once. Prints how many were announced."""
    from deliberation.core.transaction import unit_of_work
    from deliberation.synthesis import responses

    with unit_of_work():
        count = responses.publish_due()
    click.echo(count)
