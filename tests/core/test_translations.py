"""Every user-facing string is in its module's catalog, and French (the default) translates all of them."""

import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import messages  # noqa: E402


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("catalog", messages.catalogs())
def test_catalog_holds_every_string_of_the_code(catalog, tmp_path):
    template = tmp_path / "messages.pot"
    messages.extract_template(catalog, template)
    in_code = {message.id for message in _read(template) if message.id}
    po = ROOT / "translations" / catalog / "fr" / "LC_MESSAGES" / "messages.po"
    in_catalog = {message.id for message in _read(po) if message.id}
    missing = sorted(str(m) for m in in_code - in_catalog)
    assert not missing, f"run `make extract-messages` and translate: {missing[:10]}"


@pytest.mark.parametrize("catalog", messages.catalogs())
def test_french_catalog_is_complete(catalog):
    po = ROOT / "translations" / catalog / "fr" / "LC_MESSAGES" / "messages.po"
    untranslated = [
        str(message.id) for message in _read(po)
        if message.id and (not message.string or (isinstance(message.string, tuple) and not all(message.string))
                           or message.fuzzy)
    ]
    assert not untranslated, f"untranslated or fuzzy in {po.relative_to(ROOT)}: {untranslated[:10]}"
