"""The phone page of a live assembly: the short join address, the page before its script runs, and the cases
where there is nothing to join (unknown code, sign-in needed, ended assembly)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from deliberation.assemblies.models import AssemblyState
from tests.factories import AssemblyFactory, UserFactory
from tests.helpers import sign_in

LIVE_SCRIPT = "js/live-phone.js"
SOCKET_CLIENT = "vendor/socket.io.min.js"


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, to check roles and ids without matching on wording."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str | None = None, **attrs) -> list[dict]:
        return [found for name, found in self.tags
                if (tag is None or name == tag) and all(found.get(key) == value for key, value in attrs.items())]


def _page(client, path: str):
    response = client.get(path)
    return response, response.get_data(as_text=True)


def _strings(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="live-strings">(.*?)</script>', html, re.S)
    assert match, "no live-strings block"
    return json.loads(match.group(1))


# /j/<code>

def test_short_address_redirects_to_the_phone_page(client, db_session):
    assembly = AssemblyFactory(join_code="ABC234")
    response = client.get("/j/ABC234")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assemblies/join/{assembly.join_code}")


@pytest.mark.parametrize("typed", ["abc234", "abc 234", " Abc-234 ", "ABC%20234"])
def test_short_address_normalises_what_people_type(client, db_session, typed):
    AssemblyFactory(join_code="ABC234")
    response = client.get(f"/j/{typed}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/assemblies/join/ABC234")


@pytest.mark.parametrize("path", ["/j/ZZZ999", "/j/AB", "/assemblies/join/ZZZ999", "/assemblies/join/TOOLONGCODE"])
def test_unknown_code_is_a_translated_not_found_page(client, db_session, path):
    AssemblyFactory(join_code="ABC234")
    response, html = _page(client, path)
    assert response.status_code == 404
    assert 'lang="fr"' in html and "<h1>" in html
    assert LIVE_SCRIPT not in html


def test_phone_page_with_a_non_canonical_code_redirects_to_the_canonical_one(client, db_session):
    AssemblyFactory(join_code="ABC234")
    response = client.get("/assemblies/join/abc234")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/assemblies/join/ABC234")


# The page

def test_phone_page_renders_what_works_before_the_script(client, db_session):
    assembly = AssemblyFactory(join_code="ABC234", title="Assemblée du quartier des Tilleuls")
    response, html = _page(client, "/assemblies/join/ABC234")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert 'lang="fr"' in html
    assert assembly.title in html and "ABC234" in html
    page = Elements(html)
    assert len(page.find("h1")) == 1
    assert page.find("div", id="live-phone")[0]["data-join-code"] == "ABC234"
    assert page.find(id="live-status", role="status")
    assert page.find(id="live-announcer")[0]["aria-live"] == "polite"
    assert page.find(id="live-polls")
    assert "<noscript>" in html
    scripts = [tag["src"] for tag in page.find("script") if "src" in tag]
    assert scripts.index(next(s for s in scripts if SOCKET_CLIENT in s)) < scripts.index(
        next(s for s in scripts if LIVE_SCRIPT in s)), "the socket client loads before the phone script"


def test_strings_block_gives_the_script_every_word(client, db_session):
    AssemblyFactory(join_code="ABC234")
    strings = _strings(_page(client, "/assemblies/join/ABC234")[1])
    for key in ("connected", "reconnecting", "recorded", "receipt", "change_vote", "hidden_after_close",
                "mj_hint", "move_up", "move_down", "announce_open", "announce_closed", "yes", "no", "abstain"):
        assert isinstance(strings[key], str) and strings[key], key
    assert len(strings["mentions"]) == 6
    # Placeholders the script fills in survive the translation step.
    assert "{receipt}" in strings["receipt"]
    assert "{label}" in strings["move_up"] and "{question}" in strings["announce_open"]
    assert "{count}" in strings["row"] and "{percent}" in strings["row"]
    # The "blank counts as Reject" sentence names the lowest mention.
    assert strings["mentions"][0] in strings["mj_hint"]


def test_strings_block_follows_the_chosen_language(client, db_session, csrf):
    AssemblyFactory(join_code="ABC234")
    client.post("/language", data={"language": "en", "next": "/", "csrf_token": csrf("/")})
    response, html = _page(client, "/assemblies/join/ABC234")
    assert 'lang="en"' in html
    assert _strings(html)["mentions"] == ["Reject", "Insufficient", "Passable", "Fairly good", "Good", "Very good"]


def test_strings_cannot_break_out_of_the_script_block(client, db_session):
    AssemblyFactory(join_code="ABC234", title="</script><script>alert(1)</script>")
    html = _page(client, "/assemblies/join/ABC234")[1]
    assert "<script>alert(1)" not in html
    _strings(html)


def test_sign_in_required_assembly_sends_anonymous_visitors_to_sign_in(client, db_session):
    AssemblyFactory(join_code="ABC234", requires_sign_in=True)
    response, html = _page(client, "/assemblies/join/ABC234")
    assert response.status_code == 200
    buttons = [urlsplit(tag["href"]) for tag in Elements(html).find("a", **{"class": "button"})]
    assert [(link.path, parse_qs(link.query)["next"]) for link in buttons] == [("/login", ["/assemblies/join/ABC234"])]
    assert LIVE_SCRIPT not in html and "live-strings" not in html


def test_sign_in_required_assembly_is_live_for_signed_in_people(client, db_session):
    AssemblyFactory(join_code="ABC234", requires_sign_in=True)
    sign_in(client, UserFactory())
    response, html = _page(client, "/assemblies/join/ABC234")
    assert response.status_code == 200
    assert LIVE_SCRIPT in html and Elements(html).find(id="live-status", role="status")
    assert not Elements(html).find("a", **{"class": "button"})


@pytest.mark.parametrize("path", ["/j/ABC234", "/assemblies/join/ABC234"])
def test_ended_assembly_says_so_without_the_live_client(client, db_session, path):
    AssemblyFactory(join_code="ABC234", state=AssemblyState.ENDED)
    response = client.get(path, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    page = Elements(html)
    assert page.find(id="live-ended")
    assert LIVE_SCRIPT not in html and SOCKET_CLIENT not in html and "live-strings" not in html
    assert not page.find(id="live-status")


def test_scheduled_assembly_can_already_be_joined(client, db_session):
    AssemblyFactory(join_code="ABC234", state=AssemblyState.SCHEDULED)
    response, html = _page(client, "/assemblies/join/ABC234")
    assert response.status_code == 200 and LIVE_SCRIPT in html
