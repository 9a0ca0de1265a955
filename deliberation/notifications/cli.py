"""`deliberation notifications …`: the e-mail digests, sent by a cron job (daily and weekly)."""

from __future__ import annotations

import click
from flask.cli import AppGroup


@click.group("notifications", cls=AppGroup)
def notifications_group() -> None:
    """Notifications and their e-mails."""


@notifications_group.command("send-digests")
@click.option("--frequency", required=True, type=click.Choice(["daily", "weekly"]),
              help="Which digest to send: to the people who chose it.")
def send_digests_command(frequency: str) -> None:
    """Send each person who chose a digest one e-mail listing their pending notifications. Safe to run
    again: a notification is listed in one digest only. Prints how many e-mails were sent."""
    from deliberation.core.transaction import unit_of_work
    from deliberation.notifications import services

    with unit_of_work():
        sent = services.send_digests(frequency)
    click.echo(sent)
