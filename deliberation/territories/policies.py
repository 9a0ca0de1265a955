"""Who may manage the territory (organisations, contract, areas, priorities): global administrators only."""

from __future__ import annotations


def can_manage_territory(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_admin", False))
