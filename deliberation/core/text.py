"""User text: Markdown rendered and sanitised, and the terms French full-text search works on."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import nh3
import snowballstemmer
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "a", "h3", "h4", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


def render_markdown(source: str) -> str:
    """Markdown to safe HTML: raw HTML is escaped by the parser, then nh3 keeps only a short allow-list."""
    html = _markdown.render(source or "")
    # Headings in user text would break the page outline: demote them to h3/h4.
    html = re.sub(r"<(/?)h[12]>", r"<\1h3>", html)
    html = re.sub(r"<(/?)h[56]>", r"<\1h4>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("french")


def search_terms(text: str | None) -> str:
    """Words of a French text, stemmed then stripped of accents: "Écoles" and "ecole" both give "ecol"."""
    if not text:
        return ""
    words = _WORD.findall(text.lower().replace("’", "'"))
    stems = _stemmer().stemWords(words)
    return " ".join(strip_accents(stem) for stem in stems)
