"""`deliberation seed-demo`: idempotent demo data in French."""

import click


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo territory, consultation, proposals and one account per role (idempotent)."""
