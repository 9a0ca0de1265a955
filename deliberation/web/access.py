"""Who may open a page, checked before the view runs, and the signed-in user as the services' actor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask_login import current_user

from deliberation.core.errors import require
from deliberation.extensions import login_manager


def restricted_to(policy: Callable[[object], bool]):
    """View decorator: anonymous → the sign-in page; signed in but refused by `policy(user)` → 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            require(policy(current_user), "forbidden")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def current_actor():
    """The signed-in user itself rather than Flask-Login's proxy, as services and audit entries take it."""
    return current_user._get_current_object()
