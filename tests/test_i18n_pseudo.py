"""The pseudo-locale: every catalog message longer and accented, its fields, markup and
directives intact, and in effect for the UI once installed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fieldkit import i18n
from fieldkit.i18n import _, ngettext, set_language
from fieldkit.i18n_pseudo import install, pseudo


@pytest.fixture
def pseudo_locale() -> Iterator[None]:
    install()
    yield
    set_language("en")


def test_a_message_is_longer_accented_and_bracketed() -> None:
    assert pseudo("Save diagnosis") == "[Šàvé ðîàĝñöšîš ~~~~~~]"
    assert pseudo("") == ""


def test_fields_markup_and_directives_survive() -> None:
    text = pseudo("{count} of <b>{total}</b> done &amp; %d%% left")
    assert "{count}" in text and "{total}" in text and "<b>" in text and "</b>" in text
    assert "&amp;" in text and "%d%%" in text
    assert text.format(count=2, total=5).startswith("[2 öf <b>5</b> ðöñé")


def test_installed_it_translates_every_catalog_message(pseudo_locale: None) -> None:
    catalog = i18n.catalog_for("zh_CN")
    assert len(catalog) > 100
    for message in catalog:
        shown = _(message)
        assert shown.startswith("[") and shown.endswith("]"), (message, shown)
        assert len(shown) > len(message)
        if "{" in message:  # it still formats as the code formats it
            assert i18n._fields(shown) == i18n._fields(message)
    singular = next(iter(i18n.plurals_for("zh_CN")))
    assert ngettext(singular, singular + "s", 3).startswith("[")


def test_back_to_english_leaves_no_pseudo_text(pseudo_locale: None) -> None:
    set_language("en")
    assert _("Save") == "Save"
