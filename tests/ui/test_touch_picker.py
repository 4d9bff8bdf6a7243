"""The touch file picker: big buttons for the engineer's folders, big rows with thumbnails,
photos only when a photo is asked for, folders opened with a tap, and the computer's own
file dialog still one tap away."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.ui.qt import QColor, QDialog, QImage, Qt
from fieldkit.ui.touch import touch_px
from fieldkit.ui.touch_picker import THUMB, Place, TouchFilePicker

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")  # offscreen


def photo(path: Path, colour: str) -> Path:
    image = QImage(640, 480, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path))
    return path


@pytest.fixture
def folders(tmp_path: Path) -> list[Place]:
    pictures = tmp_path / "Pictures"
    dcim = pictures / "DCIM"
    dcim.mkdir(parents=True)
    photo(dcim / "rack-a3.jpg", "#336699")
    photo(dcim / "wiring.png", "#993333")
    (dcim / "notes.txt").write_text("not a photo", encoding="utf-8")
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    (downloads / "core-switch.cfg").write_text("hostname core", encoding="utf-8")
    card = tmp_path / "media" / "SD-CARD"
    card.mkdir(parents=True)
    return [
        Place("Pictures", pictures),
        Place("Downloads", downloads),
        Place("SD-CARD", card),
    ]


def tap(qtbot: QtBot, picker: TouchFilePicker, text: str) -> None:
    rows = [picker.files.item(r) for r in range(picker.files.count())]
    item = next(i for i in rows if text in i.text())
    rect = picker.files.visualItemRect(item)
    picker.files.scrollToItem(item)
    qtbot.mouseClick(picker.files.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def texts(picker: TouchFilePicker) -> list[str]:
    return [picker.files.item(r).text().split("\n")[0] for r in range(picker.files.count())]


def test_a_photo_is_found_with_a_finger_in_the_cameras_folder(
    qtbot: QtBot, folders: list[Place]
) -> None:
    picker = TouchFilePicker("Attach photo…", photos=True, places=folders)
    qtbot.addWidget(picker)
    picker.resize(1000, 700)
    picker.show()
    for button in picker.place_buttons.values():
        assert button.height() >= touch_px()
    qtbot.mouseClick(picker.place_buttons["Pictures"], Qt.MouseButton.LeftButton)
    assert any(t.endswith("DCIM") for t in texts(picker))
    tap(qtbot, picker, "DCIM")
    # Photos only, in big rows, each with its thumbnail.
    assert sorted(t for t in texts(picker) if not t.startswith("Up:")) == [
        "rack-a3.jpg",
        "wiring.png",
    ]
    first = picker.files.item(1)
    assert picker.files.visualItemRect(first).height() >= max(touch_px(), THUMB)

    def thumbnails() -> bool:
        icons = [picker.files.item(r).icon() for r in range(1, picker.files.count())]
        return all(not icon.isNull() for icon in icons)

    qtbot.waitUntil(thumbnails)
    assert not picker.choose.isEnabled()  # nothing chosen yet
    tap(qtbot, picker, "wiring.png")
    assert picker.choose.isEnabled()
    qtbot.mouseClick(picker.choose, Qt.MouseButton.LeftButton)
    assert picker.result() == QDialog.DialogCode.Accepted
    assert picker.chosen == folders[0].path / "DCIM" / "wiring.png"


def test_any_file_from_downloads_and_the_desktop_dialog_still_there(
    qtbot: QtBot, folders: list[Place], tmp_path: Path
) -> None:
    picker = TouchFilePicker("Attach backup file…", places=folders)
    qtbot.addWidget(picker)
    picker.resize(1000, 700)
    picker.show()
    qtbot.mouseClick(picker.place_buttons["Downloads"], Qt.MouseButton.LeftButton)
    assert "core-switch.cfg" in texts(picker)
    qtbot.mouseClick(picker.place_buttons["SD-CARD"], Qt.MouseButton.LeftButton)
    assert "no files here" in picker.where.text()
    # Up leaves the card for its parent folder.
    tap(qtbot, picker, "Up: media")
    assert picker.folder == tmp_path / "media"

    elsewhere = tmp_path / "elsewhere.tar"
    elsewhere.write_bytes(b"backup")
    asked: list[bool] = []

    def desktop() -> Path:  # the platform's own dialog, which offscreen cannot show
        asked.append(True)
        return elsewhere

    picker.desktop_dialog = desktop
    qtbot.mouseClick(picker.other, Qt.MouseButton.LeftButton)
    assert asked and picker.chosen == elsewhere
    assert picker.result() == QDialog.DialogCode.Accepted


def test_a_place_missing_on_this_device_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    picker = TouchFilePicker("Attach backup file…", places=[Place("Pictures", tmp_path / "no")])
    qtbot.addWidget(picker)
    picker.show()
    qtbot.mouseClick(picker.place_buttons["Pictures"], Qt.MouseButton.LeftButton)
    assert "is not on this device: choose another place" in picker.where.text()
    assert picker.files.count() == 0 and not picker.choose.isEnabled()
