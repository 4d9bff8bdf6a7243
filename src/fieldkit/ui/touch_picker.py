"""Choosing a file with a finger: big buttons for the folders an engineer uses (Pictures and
the camera's DCIM, Downloads, a USB stick or memory card), big rows with thumbnails of the
photos, and the computer's own file dialog one tap away for anything else."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from fieldkit.i18n import _
from fieldkit.labels import size_label
from fieldkit.ui.qt import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QIcon,
    QImageReader,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPixmap,
    QPushButton,
    QSize,
    QStyle,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.touch import touch_height, touch_px

PHOTO_SUFFIXES = {
    ".jpg",
    ".jpeg",
    ".png",
    ".heic",
    ".heif",
    ".webp",
    ".bmp",
    ".gif",
    ".tif",
    ".tiff",
}
THUMB = 64  # px: a photo recognisable at a glance
PathRole = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Place:
    name: str
    path: Path


def removable_media() -> list[Path]:
    """Mounted USB sticks and memory cards (Linux mounts them here; Windows: drive letters
    other than the system's)."""
    found: list[Path] = []
    user = os.environ.get("USER", "")
    for root in (Path("/media") / user, Path("/run/media") / user, Path("/media")):
        if root.is_dir():
            found += [p for p in sorted(root.iterdir()) if p.is_dir() and p.name != user]
    if os.name == "nt":
        system = Path(os.environ.get("SYSTEMDRIVE", "C:") + "\\")
        found += [Path(f"{d}:\\") for d in "DEFGHIJKLMNOPQRSTUVWXYZ" if Path(f"{d}:\\").exists()]
        found = [p for p in found if p != system]
    return list(dict.fromkeys(found))


def default_places() -> list[Place]:
    pictures = Path(platformdirs.user_pictures_dir())
    places = [Place(_("Pictures"), pictures)]
    for camera in (pictures / "Camera Roll", Path.home() / "DCIM", pictures / "DCIM"):
        if camera.is_dir():
            places.append(Place(_("Camera"), camera))
    places.append(Place(_("Downloads"), Path(platformdirs.user_downloads_dir())))
    for medium in removable_media():
        dcim = medium / "DCIM"  # a camera's memory card: its photos, not its root
        places.append(Place(medium.name or str(medium), dcim if dcim.is_dir() else medium))
    return places


class TouchFilePicker(QDialog):
    def __init__(
        self,
        title: str,
        photos: bool = False,
        places: list[Place] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.photos = photos
        self.chosen: Path | None = None
        self.folder: Path | None = None
        # Replaced in tests: the computer's own dialog (modal, the platform's).
        self.desktop_dialog: Callable[[], Path | None] = self._desktop_dialog
        self.place_buttons: dict[str, QPushButton] = {}
        side = QVBoxLayout()
        for place in places if places is not None else default_places():
            button = QPushButton(place.name)
            button.setToolTip(str(place.path))
            touch_height(button, 1.3)
            button.clicked.connect(lambda _c=False, p=place.path: self.open_folder(p))
            side.addWidget(button)
            self.place_buttons[place.name] = button
        side.addStretch(1)
        self.other = QPushButton(_("Other folder (computer's file dialog)…"))
        self.other.clicked.connect(self._use_desktop_dialog)
        side.addWidget(self.other)
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.files = QListWidget()
        self.files.setIconSize(QSize(THUMB, THUMB))
        self.files.setUniformItemSizes(True)
        self.files.setSpacing(2)
        self.files.itemClicked.connect(self._tapped)
        self.files.itemActivated.connect(self._tapped)
        self.cancel = QPushButton(_("Cancel"))
        self.choose = QPushButton(_("Attach"))
        self.choose.setEnabled(False)
        for button in (self.cancel, self.choose):
            touch_height(button, 1.2)
        self.cancel.clicked.connect(self.reject)
        self.choose.clicked.connect(self._accept_chosen)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel)
        buttons.addStretch(1)
        buttons.addWidget(self.choose)
        right = QVBoxLayout()
        right.addWidget(self.where)
        right.addWidget(self.files, 1)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addLayout(side, 1)
        layout.addLayout(right, 3)
        self._thumbs: list[QListWidgetItem] = []
        self._thumb_timer = QTimer(self, interval=0)
        self._thumb_timer.timeout.connect(self._next_thumbnail)
        if self.place_buttons:
            self.open_folder(Path(next(iter(self.place_buttons.values())).toolTip()))

    def open_folder(self, folder: Path) -> None:
        """The folder's subfolders, then its files (photos only when a photo is asked for),
        newest first; thumbnails follow one by one so the list shows at once."""
        self.folder, self.chosen = folder, None
        self.choose.setEnabled(False)
        self.where.setText(str(folder))
        self.files.clear()
        self._thumbs = []
        row = QSize(0, max(touch_px(), THUMB + 8))
        try:
            entries = [e for e in folder.iterdir() if not e.name.startswith(".")]
        except FileNotFoundError:
            self.where.setText(
                _("{folder} is not on this device: choose another place.").format(folder=folder)
            )
            return
        except OSError:
            self.where.setText(_("{folder} cannot be read.").format(folder=folder))
            return
        if folder.parent != folder:
            parent_name = folder.parent.name or str(folder.parent)
            up = QListWidgetItem(self._icon(QStyle.StandardPixmap.SP_FileDialogToParent), "")
            up.setText(_("Up: {folder}").format(folder=parent_name))
            up.setData(PathRole, str(folder.parent))
            up.setSizeHint(row)
            self.files.addItem(up)
        folders = sorted((e for e in entries if e.is_dir()), key=lambda e: e.name.lower())
        files = [e for e in entries if e.is_file() and (not self.photos or is_photo(e))]
        files.sort(key=lambda e: e.stat().st_mtime, reverse=True)
        for entry in folders:
            item = QListWidgetItem(self._icon(QStyle.StandardPixmap.SP_DirIcon), entry.name)
            item.setData(PathRole, str(entry))
            item.setSizeHint(row)
            self.files.addItem(item)
        for entry in files:
            stat = entry.stat()
            when = (
                datetime.fromtimestamp(stat.st_mtime, UTC).astimezone().strftime("%Y-%m-%d %H:%M")
            )
            item = QListWidgetItem(f"{entry.name}\n{size_label(stat.st_size)} · {when}")
            item.setData(PathRole, str(entry))
            item.setSizeHint(row)
            self.files.addItem(item)
            if is_photo(entry):
                self._thumbs.append(item)
        if not folders and not files:
            empty = _("{folder}: no photos here.") if self.photos else _("{folder}: no files here.")
            self.where.setText(empty.format(folder=folder))
        self._thumb_timer.start()

    def _icon(self, which: QStyle.StandardPixmap) -> QIcon:
        return self.style().standardIcon(which)

    def _next_thumbnail(self) -> None:
        if not self._thumbs:
            self._thumb_timer.stop()
            return
        item = self._thumbs.pop(0)
        reader = QImageReader(str(item.data(PathRole)))
        reader.setAutoTransform(True)  # a photo taken upright shows upright
        size = reader.size()
        if size.isValid():
            reader.setScaledSize(size.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if not image.isNull():
            item.setIcon(QIcon(QPixmap.fromImage(image)))

    def _tapped(self, item: QListWidgetItem) -> None:
        path = Path(str(item.data(PathRole)))
        if path.is_dir():
            self.open_folder(path)
            return
        self.chosen = path
        self.choose.setEnabled(True)

    def _accept_chosen(self) -> None:
        if self.chosen is not None:
            self.accept()

    def _use_desktop_dialog(self) -> None:
        path = self.desktop_dialog()
        if path is not None:
            self.chosen = path
            self.accept()

    def _desktop_dialog(self) -> Path | None:
        folder = str(self.folder or "")
        photos = _("Photos") + " (" + " ".join(f"*{s}" for s in sorted(PHOTO_SUFFIXES)) + ")"
        filters = photos + ";;" + _("All files") + " (*)" if self.photos else ""
        name, _filter = QFileDialog.getOpenFileName(self, self.windowTitle(), folder, filters)
        return Path(name) if name else None

    def done(self, result: int) -> None:
        self._thumb_timer.stop()
        super().done(result)


def is_photo(path: Path) -> bool:
    return path.suffix.lower() in PHOTO_SUFFIXES


def pick_file(parent: QWidget, title: str, photos: bool = False) -> Path | None:
    """The touch picker, full screen on a tablet; the chosen file or None."""
    picker = TouchFilePicker(title, photos, parent=parent)
    screen = parent.screen().availableGeometry()  # never larger than the screen
    picker.resize(min(1000, screen.width()), min(700, screen.height() - 40))
    return picker.chosen if picker.exec() == QDialog.DialogCode.Accepted else None
