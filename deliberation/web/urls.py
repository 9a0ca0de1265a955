"""Redirect targets that cannot leave the site."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import url_for


def is_local_path(target: str | None) -> bool:
    """A path of this site: browsers read "//host" and "/\\host" as another site, so refuse them too."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    parsed = urlparse(target)
    return not parsed.scheme and not parsed.netloc


def safe_next_url(target: str | None, default_endpoint: str = "web.home") -> str:
    return target if is_local_path(target) else url_for(default_endpoint)
