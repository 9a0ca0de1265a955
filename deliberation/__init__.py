"""Deliberation: participatory democracy for French city contracts."""

__version__ = "0.1.0"


def create_app(overrides=None):
    from deliberation.app import create_app as _create_app

    return _create_app(overrides)


__all__ = ["__version__", "create_app"]
