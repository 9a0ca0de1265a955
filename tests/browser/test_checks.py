"""The checks every journey relies on do catch what they claim to catch."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_accessible, assert_fits_phone

pytestmark = pytest.mark.browser

BROKEN_PAGE = """<!doctype html><html lang="fr"><head><title>Essai</title></head><body><main>
<h1>Essai</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<label>Nom</label><input id="name" aria-invalid="None">
<div style="width: 500px">trop large</div>
</main></body></html>"""


def test_the_checks_report_violations_and_overflow_readably(page):
    page.set_content(BROKEN_PAGE)

    with pytest.raises(pytest.fail.Exception) as accessibility:
        assert_accessible(page)
    report = str(accessibility.value)
    assert "image-alt (critical)" in report
    assert "aria-valid-attr-value" in report
    assert "<img src=" in report

    with pytest.raises(pytest.fail.Exception) as overflow:
        assert_fits_phone(page)
    assert "div (right edge at" in str(overflow.value)


def test_a_clean_page_passes(page):
    page.set_content('<!doctype html><html lang="fr"><head><title>Essai</title></head>'
                     '<body><main><h1>Essai</h1><p>Bonjour.</p></main></body></html>')
    assert_accessible(page)
    assert_fits_phone(page)
