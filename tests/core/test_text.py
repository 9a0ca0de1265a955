"""User text: Markdown is rendered safely; search terms fold accents and French word forms."""

from html.parser import HTMLParser

import pytest

from deliberation.core.text import render_markdown, search_terms


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "[clic](javascript:alert(1))",
    '<img src=x onerror="alert(1)">',
    "<a href='https://x.fr' onclick='steal()'>x</a>",
    "<iframe src='https://evil.example'></iframe>",
])
def test_no_script_element_attribute_or_url_survives(source):
    for tag, attributes in elements(render_markdown(source)):
        assert tag not in {"script", "img", "iframe", "style"}
        assert not any(name.startswith("on") for name in attributes)
        assert not attributes.get("href", "").lower().startswith("javascript:")


def test_markdown_keeps_simple_formatting_and_safe_links():
    html = render_markdown("**gras** et *italique*\n\n- un\n- deux\n\n[site](https://example.fr)")
    assert "<strong>gras</strong>" in html
    assert "<em>italique</em>" in html
    assert "<li>un</li>" in html
    assert ("a", {"href": "https://example.fr", "rel": "nofollow noopener ugc"}) in elements(html)


def test_user_headings_cannot_compete_with_the_page_title():
    assert "<h1>" not in render_markdown("# Titre")
    assert "<h3>Titre</h3>" in render_markdown("# Titre")


@pytest.mark.parametrize(("query", "text"), [
    ("ecole", "L'École du quartier"),
    ("jardins", "un jardin partagé"),
    ("Écoles", "une école"),
    ("crèche", "Creches municipales"),
])
def test_search_terms_match_across_accents_and_word_forms(query, text):
    assert set(search_terms(query).split()) <= set(search_terms(text).split())
