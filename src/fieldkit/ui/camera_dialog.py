"""Taking an evidence photo with the device's camera: a live viewfinder, take, look at the
shot, retake or use it. The still is the newest viewfinder frame at the capture format the
camera was opened with, so what the engineer framed is exactly what is kept."""

from __future__ import annotations

from fieldkit.i18n import _
from fieldkit.ui import camera
from fieldkit.ui.qt import (
    QColor,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QImage,
    QKeySequence,
    QLabel,
    QPainter,
    QPaintEvent,
    QPushButton,
    QShortcut,
    QSize,
    QSizePolicy,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from fieldkit.ui.qt_multimedia import (
    QCamera,
    QCameraDevice,
    QMediaCaptureSession,
    QMediaDevices,
    QVideoFrame,
    QVideoSink,
)
from fieldkit.ui.theme import current_theme
from fieldkit.ui.touch import touch_height


class Viewfinder(QWidget):
    """Paints the newest frame of its sink, scaled to fit; a frozen still while reviewing.

    Frames are converted to an image only when painted, so a camera faster than the screen
    costs one conversion per repaint, not one per frame."""

    first_frame = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.sink = QVideoSink(self)
        self.sink.videoFrameChanged.connect(self._on_frame)
        self._latest: QVideoFrame | None = None
        self._still: QImage | None = None
        self.setMinimumSize(QSize(320, 240))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def has_frame(self) -> bool:
        return self._latest is not None

    def clear(self) -> None:
        """Another camera: nothing to take until its first frame (which signals again)."""
        self._latest = None
        self.update()

    def capture(self) -> QImage:
        return self._latest.toImage() if self._latest is not None else QImage()

    def freeze(self, still: QImage | None) -> None:
        self._still = still
        self.update()

    def _on_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        first = self._latest is None
        self._latest = frame
        if first:
            self.first_frame.emit()
        if self._still is None:
            self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(current_theme().viewfinder))
        image = self._still if self._still is not None else self.capture()
        if image.isNull():
            return
        mode = (
            Qt.TransformationMode.SmoothTransformation
            if self._still is not None
            else Qt.TransformationMode.FastTransformation  # a live preview, many per second
        )
        scaled = image.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio, mode)
        painter.drawImage(
            (self.width() - scaled.width()) // 2, (self.height() - scaled.height()) // 2, scaled
        )


class CameraDialog(QDialog):
    def __init__(
        self,
        title: str,
        parent: QWidget | None = None,
        devices: list[QCameraDevice] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Take photo") + " · " + title)
        self.photo = QImage()
        self._devices = QMediaDevices.videoInputs() if devices is None else devices
        self._camera: QCamera | None = None
        self._session = QMediaCaptureSession(self)
        self.viewfinder = Viewfinder()
        self._session.setVideoSink(self.viewfinder.sink)
        self.viewfinder.first_frame.connect(self._live)
        self.chooser = QComboBox()
        touch_height(self.chooser)
        for device in self._devices:
            self.chooser.addItem(device.description())
        self.chooser.setVisible(len(self._devices) > 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.take = QPushButton(_("Take photo"))
        self.retake = QPushButton(_("Retake"))
        self.use = QPushButton(_("Use photo"))
        self.cancel = QPushButton(_("Cancel"))
        # Inside a dark cabinet: the tablet's torch, where the camera has one.
        self.light = QPushButton(_("Torch"))
        self.light.setCheckable(True)
        self.light.hide()
        self.light.toggled.connect(self._set_light)
        buttons = QHBoxLayout()
        for button in (self.cancel, self.light, self.retake, self.take, self.use):
            touch_height(button, 1.2)  # a gloved thumb on a tablet held in one hand
            buttons.addWidget(button)
        self.take.setDefault(True)
        self.take.clicked.connect(self.shoot)
        self.retake.clicked.connect(self._review_done)
        self.use.clicked.connect(self.accept)
        self.cancel.clicked.connect(self.reject)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, self._space)
        layout = QVBoxLayout(self)
        layout.addWidget(self.chooser)
        layout.addWidget(self.viewfinder, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(900, 680)
        self._show_buttons(reviewing=False)
        self.take.setEnabled(False)  # until the viewfinder shows what will be kept
        if self._devices:
            back = QCameraDevice.Position.BackFace
            self.chooser.setCurrentIndex(
                camera.preferred([d.position() is back for d in self._devices])
            )
            self.chooser.currentIndexChanged.connect(self._open)
            self._open(self.chooser.currentIndex())
        else:
            self.status.setText(
                _("No camera found. Connect a camera, or close this and attach a photo file.")
            )

    def shoot(self) -> None:
        still = self.viewfinder.capture()
        if still.isNull():
            return
        self.photo = still
        self.viewfinder.freeze(still)
        self._show_buttons(reviewing=True)
        self.status.setText(_("Keep this photo, or retake it."))

    def done(self, result: int) -> None:
        # The camera is released as the dialog closes: its light goes off, other apps can use it.
        if self._camera is not None:
            self._camera.stop()
        if result != QDialog.DialogCode.Accepted:
            self.photo = QImage()
        super().done(result)

    def _open(self, index: int) -> None:
        if self._camera is not None:
            self._camera.stop()
            self._camera.deleteLater()
        self.viewfinder.clear()
        self.take.setEnabled(False)
        device = self._devices[index]
        cam = QCamera(device, self)
        formats = device.videoFormats()
        choice = camera.pick_format(
            [(f.resolution().width(), f.resolution().height(), f.maxFrameRate()) for f in formats]
        )
        if choice >= 0:
            cam.setCameraFormat(formats[choice])
        cam.errorOccurred.connect(self._camera_error)
        cam.activeChanged.connect(self._offer_light)  # features are known once it runs
        self.light.setChecked(False)
        self.light.hide()
        self._camera = cam
        self._session.setCamera(cam)
        if cam.error() is not QCamera.Error.NoError:  # e.g. unplugged since it was listed
            self._camera_error(cam.error(), cam.errorString())
            return
        self.status.setText(_("Starting the camera…"))
        cam.start()

    def _offer_light(self, active: bool) -> None:
        cam = self._camera
        torch = cam is not None and cam.isTorchModeSupported(QCamera.TorchMode.TorchOn)
        self.light.setVisible(active and torch)

    def _set_light(self, on: bool) -> None:
        if self._camera is not None:
            self._camera.setTorchMode(
                QCamera.TorchMode.TorchOn if on else QCamera.TorchMode.TorchOff
            )

    def _live(self) -> None:
        if self.photo.isNull():
            self.take.setEnabled(True)
            self.status.setText(_("Frame the evidence, then take the photo."))

    def _review_done(self) -> None:
        self.photo = QImage()
        self.viewfinder.freeze(None)
        self._show_buttons(reviewing=False)
        self._live()

    def _show_buttons(self, *, reviewing: bool) -> None:
        self.take.setVisible(not reviewing)
        self.retake.setVisible(reviewing)
        self.use.setVisible(reviewing)
        (self.use if reviewing else self.take).setFocus()

    def _space(self) -> None:
        if self.take.isVisible() and self.take.isEnabled():
            self.shoot()
        elif self.use.isVisible():
            self.accept()

    def _camera_error(self, _error: QCamera.Error, message: str) -> None:
        self.take.setEnabled(self.viewfinder.has_frame() and self.photo.isNull())
        self.status.setText(
            _(
                "The camera did not work: {error}. Close other apps that use the camera and "
                "try again, or attach a photo file instead."
            ).format(error=message or _("unknown error"))
        )
