"""`deliberation audit …`: check the audit log's hash chain from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup


@click.group("audit", cls=AppGroup)
def audit_group() -> None:
    """The audit log of privileged actions."""


REASONS = {
    "missing": "no entry at this position (removed, or its position changed)",
    "previous_hash": "its previous_hash is not the hash of the entry before it (entries removed or reordered)",
    "entry_hash": "its content does not match its entry_hash (edited)",
    "unreadable": "its content cannot be serialised",
    "head": "entries are missing at the end (the chain head records more, or another last hash)",
}


@audit_group.command("verify")
def verify() -> None:
    """Recompute the audit chain. Exit code 0 when it is intact, 1 when an entry was edited, removed or moved
    (the first broken entry is printed)."""
    from sqlalchemy import select

    from deliberation.core import audit
    from deliberation.extensions import db

    found = audit.find_chain_break()
    length, last_hash = audit.chain_head()
    if found is None:
        click.echo(f"Audit log intact: {length} entries, last hash {last_hash}.")
        return
    click.echo(f"Audit log altered: first broken entry at position {found.position}: "
               f"{REASONS[found.reason]}.", err=True)
    if found.entry_id is not None:
        entry = db.session.execute(select(*audit.CHAIN_COLUMNS).where(audit.AuditEntry.id == found.entry_id)).one()
        click.echo(f"  {audit.canonical_json(audit.export_row(entry))}", err=True)
    raise SystemExit(1)
