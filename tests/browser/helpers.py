"""Checks every browser journey runs on every page it visits: axe-core (WCAG 2.1 A and AA) and the 360 px fit.

    from tests.browser.helpers import assert_accessible, assert_fits_phone, visit

    visit(page, "/")            # go there, then both checks
    ...                         # after a click that changes the page:
    assert_accessible(page)
    assert_fits_phone(page)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE_VIEWPORT = {"width": 360, "height": 740}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    nodes: violation.nodes.map((node) => ({target: node.target, html: node.html})),
  }));
}"""

_OVERFLOWING = """(limit) => {
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > limit + 1) {
      const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
        + (element.className && typeof element.className === "string"
           ? "." + element.className.trim().split(/\\s+/).join(".") : "");
      found.push(`${name} (right edge at ${Math.round(box.right)} px)`);
    }
  }
  return found.slice(0, 8);
}"""


def format_violations(violations: list[dict], url: str, nodes_shown: int = 3) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}"
                     f" <{violation['helpUrl']}>")
        for node in violation["nodes"][:nodes_shown]:
            html = node["html"] if len(node["html"]) <= 300 else node["html"][:300] + "…"
            lines.append(f"    at {', '.join(map(str, node['target']))}: {html}")
        if len(violation["nodes"]) > nodes_shown:
            lines.append(f"    … and {len(violation['nodes']) - nodes_shown} more")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Zero axe-core violations of WCAG 2.0/2.1 A and AA on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    violations = page.evaluate(_RUN_AXE, AXE_TAGS)
    if violations:
        pytest.fail(format_violations(violations, page.url), pytrace=False)


def assert_fits_phone(page, width: int = PHONE_VIEWPORT["width"]) -> None:
    """Nothing scrolls sideways on a phone of `width` CSS pixels."""
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll_width > width + 1:
        culprits = page.evaluate(_OVERFLOWING, width)
        pytest.fail(f"{page.url} is {scroll_width} px wide on a {width} px screen; widest elements:\n  "
                    + "\n  ".join(culprits), pytrace=False)


def visit(page, path: str):
    """Open `path` (relative to the live server), check it answered, is accessible and fits a phone."""
    response = page.goto(path)
    assert response is not None and response.ok, f"GET {path} answered {response and response.status}"
    assert_accessible(page)
    assert_fits_phone(page)
    return response


def sign_in(page, email: str, password: str, next_path: str = "/") -> None:
    """Sign in through the real form (checked like any page), then land on `next_path`."""
    visit(page, f"/login?next={next_path}")
    form = page.locator("main form[action^='/login']")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url.split("#")[0].endswith(next_path), f"signing in led to {page.url}, not {next_path}"


def check(page) -> None:
    """Both checks on the page as it is now."""
    assert_accessible(page)
    assert_fits_phone(page)


def follow(page, link) -> None:
    """Click a link (a locator) that loads a page, then check that page."""
    with page.expect_navigation():
        link.click()
    check(page)


def send(page, button, *, status: int | None = None) -> None:
    """Click a submit button (a locator, or the exact name of a button) that loads a page, then check it;
    `status` is the answer expected (422 when the form comes back with errors)."""
    if isinstance(button, str):
        button = page.get_by_role("button", name=button, exact=True)
    with page.expect_navigation() as navigation:
        button.click()
    if status is not None:
        assert navigation.value.status == status, f"answered {navigation.value.status}, not {status}"
    check(page)


def field_error(page, field_id: str):
    """The error shown under a field, which the field itself points at (aria-describedby); the summary of the
    errors is in view when the page comes back, even when the form is far down a long page."""
    expect(page.get_by_role("alert")).to_be_in_viewport()
    field = page.locator(f"#{field_id}")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{field_id}-error\b"))
    return page.locator(f"#{field_id}-error")
