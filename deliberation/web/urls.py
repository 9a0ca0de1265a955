"""Redirect targets that cannot leave the site."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import url_for


def safe_next_url(target: str | None, default_endpoint: str = "web.home") -> str:
    if target:
        parsed = urlparse(target)
        if not parsed.scheme and not parsed.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for(default_endpoint)
