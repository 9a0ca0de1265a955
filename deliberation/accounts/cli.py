"""`deliberation users …`"""

import click


@click.group("users")
def users() -> None:
    """Manage accounts."""
