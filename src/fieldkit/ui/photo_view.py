"""A photo kept as evidence: a thumbnail under its checklist item, full size on a tap."""

from __future__ import annotations

from pathlib import Path

from fieldkit.i18n import _
from fieldkit.ui.qt import (
    QDialog,
    QIcon,
    QImageReader,
    QLabel,
    QPixmap,
    QPushButton,
    QScrollArea,
    QSize,
    Qt,
    QVBoxLayout,
)
from fieldkit.ui.touch import touch_height

THUMB = 96  # pixels, the long side


def load_thumbnail(path: Path, side: int = THUMB) -> QPixmap:
    """Decoded at thumbnail size: a 12-megapixel photo is never held whole for a thumbnail."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)  # a phone's portrait photo stands upright
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > side:
        reader.setScaledSize(size.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return QPixmap.fromImage(image) if not image.isNull() else QPixmap()


class PhotoThumbnail(QPushButton):
    """Tapped, it opens the photo full size."""

    def __init__(self, path: Path, title: str) -> None:
        super().__init__()
        self.path, self.title = path, title
        self.setObjectName("thumbnail")
        pixmap = load_thumbnail(path)
        if pixmap.isNull():
            self.setText(_("Photo cannot be shown"))
            self.setEnabled(False)
        else:
            self.setIcon(QIcon(pixmap))
            self.setIconSize(QSize(pixmap.width(), pixmap.height()))
        self.setFixedSize(THUMB + 12, THUMB + 12)
        self.setToolTip(_("Show the photo full size"))


class PhotoDialog(QDialog):
    def __init__(self, path: Path, title: str) -> None:
        super().__init__()
        self.setWindowTitle(title)
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setPixmap(QPixmap.fromImage(reader.read()))
        scroller = QScrollArea()
        scroller.setWidget(self.image)
        scroller.setWidgetResizable(True)
        close = QPushButton(_("Close"))
        touch_height(close)
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(scroller, 1)
        layout.addWidget(close)
        self.resize(1000, 720)
