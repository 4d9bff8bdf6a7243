from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from fieldkit import i18n
from fieldkit.i18n import _, ngettext, parse_po, parse_po_plurals, set_language
from fieldkit.resources import resource_path

SRC = Path(__file__).parents[1] / "src" / "fieldkit"


@pytest.fixture(autouse=True)
def restore_language() -> Iterator[None]:
    yield
    set_language("en")


def source_messages() -> set[str]:
    """Every literal passed to _() or N_() in the source tree."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def source_plurals() -> set[tuple[str, str]]:
    """Every (singular, plural) literal pair passed to ngettext() in the source tree."""
    found: set[tuple[str, str]] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "ngettext"
                and len(node.args) == 3
                and all(isinstance(a, ast.Constant) for a in node.args[:2])
            ):
                found.add((node.args[0].value, node.args[1].value))  # type: ignore[union-attr]
    return found


def test_every_count_has_a_plural_entry_in_chinese() -> None:
    plurals = parse_po_plurals(resource_path("locale", "zh_CN.po"))
    counted = source_plurals()
    assert ("{count} job", "{count} jobs") in counted
    assert sorted(s for s, _p in counted if s not in plurals) == []
    assert all(len(plurals[s]) == 1 for s, _p in counted)  # Chinese has one form


def test_counts_take_their_plural_form(tmp_path: Path) -> None:
    assert ngettext("{count} job", "{count} jobs", 1).format(count=1) == "1 job"
    assert ngettext("{count} job", "{count} jobs", 0).format(count=0) == "0 jobs"
    assert ngettext("{count} job", "{count} jobs", 2).format(count=2) == "2 jobs"
    set_language("zh_CN")
    for n in (1, 2, 5):
        assert ngettext("{count} job", "{count} jobs", n).format(count=n) == f"共 {n} 个工单"
    po = tmp_path / "p.po"
    po.write_text(
        'msgid "{count} job"\nmsgid_plural "{count} jobs"\n'
        'msgstr[0] "{count} A"\nmsgstr[1] ""\n"{count} "\n"B"\n\n'
        'msgid "{n} x"\nmsgid_plural "{n} xs"\nmsgstr[0] "{m} bad"\n\n'
        'msgid "Plain"\nmsgstr "P"\n',
        encoding="utf-8",
    )
    assert parse_po_plurals(po) == {"{count} job": ["{count} A", "{count} B"]}
    assert parse_po(po) == {"Plain": "P"}


def test_every_source_message_has_a_chinese_translation() -> None:
    catalog = parse_po(resource_path("locale", "zh_CN.po"))
    messages = source_messages()
    assert len(messages) > 30
    assert sorted(messages - catalog.keys()) == []


def test_switching_language_translates_and_keeps_format_fields() -> None:
    assert set_language("zh_CN") == "zh_CN"
    assert _("Diagnosing") == "诊断中"
    assert _("{count} jobs").format(count=3) == "共 3 个工单"
    assert set_language("en") == "en"
    assert _("Diagnosing") == "Diagnosing"
    assert set_language("xx") == "en"


def test_translation_with_wrong_fields_or_fuzzy_is_ignored(tmp_path: Path) -> None:
    po = tmp_path / "bad.po"
    po.write_text(
        'msgid "{count} jobs"\nmsgstr "共 {cnt} 个"\n\n'
        '#, fuzzy\nmsgid "Met"\nmsgstr "达标"\n\n'
        'msgid "Long"\nmsgstr ""\n"多行"\n"译文"\n',
        encoding="utf-8",
    )
    assert parse_po(po) == {"Long": "多行译文"}


def test_system_language_follows_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n.locale, "getlocale", lambda: ("zh_CN", "UTF-8"))
    assert set_language(None) == "zh_CN"
    monkeypatch.setattr(i18n.locale, "getlocale", lambda: (None, None))
    assert set_language(None) == "en"
    assert re.fullmatch(r"en|zh_CN", i18n.current_language())


@pytest.mark.parametrize(
    ("left", "english", "chinese"),
    [
        (timedelta(hours=2, minutes=5), "2h 05m", "2小时05分"),
        (timedelta(minutes=-12), "-0h 12m", "-0小时12分"),
        (timedelta(days=3, hours=1), "3d 1h", "3天1小时"),
        (timedelta(0), "0h 00m", "0小时00分"),
    ],
)
def test_countdowns_read_in_the_users_language(left: timedelta, english: str, chinese: str) -> None:
    from fieldkit.labels import time_left_label

    assert time_left_label(left) == english
    set_language("zh_CN")
    assert time_left_label(left) == chinese


def test_each_message_is_in_the_catalog_once() -> None:
    """A message listed twice takes the last translation everywhere: one English word meant
    two things (a theme's "Light" showed as the camera's fill light)."""
    text = resource_path("locale", "zh_CN.po").read_text(encoding="utf-8")
    ids = re.findall(r'^msgid "(.+)"$', text, re.MULTILINE)
    assert sorted({m for m in ids if ids.count(m) > 1}) == []


def console_template_messages() -> set[str]:
    found: set[str] = set()
    for path in (SRC / "server" / "console" / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'_\("((?:[^"\\]|\\.)+)"\)', text))
        found |= set(re.findall(r"_\('((?:[^'\\]|\\.)+)'\)", text))
    return found


def test_every_console_page_message_has_a_chinese_translation() -> None:
    catalog = parse_po(resource_path("locale", "zh_CN.po"))
    messages = console_template_messages()
    assert "Sign in" in messages
    assert sorted(messages - catalog.keys()) == []
