"""Evidence photos from the camera. This machine has QtMultimedia (the dev extra installs the
camera extra) but no camera: frames are pushed into the dialog's real video sink, the one a
camera's capture session feeds, and the rest (viewfinder, still, JPEG, blob store) is real."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from fieldkit.services import checklists, queries
from fieldkit.services.context import ServiceContext
from fieldkit.store import models as m
from fieldkit.ui import camera
from fieldkit.ui.qt import QColor, QDialog, QImage, QPainter, QPushButton, Qt, QWidget
from tests.conftest import NOW
from tests.services.fixtures import seed_job

# Offscreen Qt has no GPU: QtMultimedia says it converts frames on the CPU; and it cannot
# size a shown window to its contents.
pytestmark = pytest.mark.qt_log_ignore("No RHI backend", "does not support propagateSizeHints")


def test_camera_support_loads_in_this_installation() -> None:
    # Fails loudly, not skips, when the camera extra or libpulse is missing from the machine.
    assert camera.support_problem() is None


def test_format_choice_prefers_a_smooth_viewfinder_up_to_five_megapixels() -> None:
    formats = [(640, 480, 30.0), (1920, 1080, 30.0), (3840, 2160, 30.0), (2592, 1944, 5.0)]
    assert camera.pick_format(formats) == 1  # 4K is too much, 5 MP at 5 fps too slow
    assert camera.pick_format([(1280, 720, 30.0), (1280, 720, 60.0)]) == 1
    assert camera.pick_format([(4000, 3000, 30.0), (3840, 2160, 30.0)]) == 1  # none fits
    assert camera.pick_format([(2592, 1944, 10.0), (640, 480, 7.5)]) == 0
    assert camera.pick_format([]) == -1


def test_the_back_camera_is_preferred() -> None:
    assert camera.preferred([False, True]) == 1  # front, back
    assert camera.preferred([False]) == 0
    assert camera.preferred([]) == 0


def pattern(width: int = 640, height: int = 480) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#1f6fb2"))
    painter = QPainter(image)
    painter.fillRect(0, 0, width // 2, height, QColor("#e8a317"))
    painter.end()
    return image


def feed(dialog: object, image: QImage) -> None:
    from fieldkit.ui.camera_dialog import CameraDialog
    from fieldkit.ui.qt_multimedia import QVideoFrame

    assert isinstance(dialog, CameraDialog)
    dialog.viewfinder.sink.setVideoFrame(QVideoFrame(image))


def test_without_a_camera_the_dialog_says_so_and_cannot_take(qtbot: QtBot) -> None:
    from fieldkit.ui.camera_dialog import CameraDialog

    dialog = CameraDialog("Photo of wiring", devices=[])
    qtbot.addWidget(dialog)
    assert dialog.status.text().startswith("No camera found")
    assert not dialog.take.isEnabled() and dialog.use.isHidden()
    assert dialog.chooser.isHidden() and dialog.light.isHidden()


def test_a_camera_gone_since_it_was_listed_shows_the_error(qtbot: QtBot) -> None:
    from fieldkit.ui.camera_dialog import CameraDialog
    from fieldkit.ui.qt_multimedia import QCameraDevice

    dialog = CameraDialog("Photo of wiring", devices=[QCameraDevice()])
    qtbot.addWidget(dialog)
    assert dialog.status.text().startswith("The camera did not work: No camera detected")
    assert "attach a photo file" in dialog.status.text()
    assert not dialog.take.isEnabled()


def test_take_review_retake_and_use_the_frame_in_the_viewfinder(qtbot: QtBot) -> None:
    from fieldkit.ui.camera_dialog import CameraDialog

    dialog = CameraDialog("Photo of wiring", devices=[])
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):  # as the modal dialog is when the app opens it
        dialog.show()
        dialog.activateWindow()
    feed(dialog, pattern())
    assert dialog.take.isEnabled() and dialog.status.text().startswith("Frame the evidence")
    shown = dialog.viewfinder.grab().toImage()
    left, right = shown.width() // 4, shown.width() * 3 // 4
    assert QColor(shown.pixel(left, shown.height() // 2)).name() == "#e8a317"
    assert QColor(shown.pixel(right, shown.height() // 2)).name() == "#1f6fb2"

    qtbot.mouseClick(dialog.take, Qt.MouseButton.LeftButton)
    assert dialog.use.isVisible() and dialog.retake.isVisible() and dialog.take.isHidden()
    feed(dialog, pattern(320, 240))  # the camera runs on; the review keeps the still
    assert dialog.photo.size().width() == 640
    qtbot.mouseClick(dialog.retake, Qt.MouseButton.LeftButton)
    assert dialog.photo.isNull() and dialog.take.isVisible() and dialog.take.isEnabled()

    qtbot.keyClick(dialog, Qt.Key.Key_Space)  # take
    qtbot.keyClick(dialog, Qt.Key.Key_Space)  # use
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert (dialog.photo.width(), dialog.photo.height()) == (320, 240)


def test_cancel_keeps_no_photo(qtbot: QtBot) -> None:
    from fieldkit.ui.camera_dialog import CameraDialog

    dialog = CameraDialog("Photo of wiring", devices=[])
    qtbot.addWidget(dialog)
    feed(dialog, pattern())
    dialog.shoot()
    qtbot.mouseClick(dialog.cancel, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.photo.isNull()


def photo_row(panel: object) -> QWidget:
    from fieldkit.ui.backup_panel import BackupPanel

    assert isinstance(panel, BackupPanel)
    rows = [panel.items.itemAt(i).widget() for i in range(panel.items.count())]
    return next(r for r in rows if r is not None and r.property("kind") == "photo")


def open_backup(ctx: ServiceContext, qtbot: QtBot, has_camera: bool) -> object:
    from fieldkit.services import jobs
    from fieldkit.ui.backup_panel import BackupPanel

    seed_job(ctx, status="on_site")
    jobs.start_diagnosis(ctx, "j1")
    panel = BackupPanel(ctx)
    qtbot.addWidget(panel)
    # The one stand-in: whether a camera is plugged in, which this machine cannot have.
    panel.cameras_present = lambda: has_camera
    panel.show_job("j1")
    return panel


def test_no_camera_means_no_take_photo_button(qtbot: QtBot, ctx: ServiceContext) -> None:
    panel = open_backup(ctx, qtbot, has_camera=False)
    row = photo_row(panel)
    assert row.findChild(QPushButton, "camera") is None
    assert row.findChild(QPushButton, "attach").text() == "Attach photo…"


def test_a_photo_taken_in_the_app_is_the_items_evidence(qtbot: QtBot, ctx: ServiceContext) -> None:
    from fieldkit.ui.backup_panel import BackupPanel

    panel = open_backup(ctx, qtbot, has_camera=True)
    assert isinstance(panel, BackupPanel)
    cancelled: list[int] = []

    def cancel(dialog: QDialog) -> int:
        cancelled.append(1)
        dialog.reject()
        return dialog.result()

    panel.present_camera = cancel
    qtbot.mouseClick(photo_row(panel).findChild(QPushButton, "camera"), Qt.MouseButton.LeftButton)
    assert cancelled and photo_row(panel).property("done") is False

    def shoot(dialog: QDialog) -> int:
        feed(dialog, pattern())
        qtbot.mouseClick(dialog.take, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
        qtbot.mouseClick(dialog.use, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
        return dialog.result()

    panel.present_camera = shoot
    with qtbot.waitSignal(panel.changed):  # stored off the UI thread
        qtbot.mouseClick(
            photo_row(panel).findChild(QPushButton, "camera"), Qt.MouseButton.LeftButton
        )
    assert photo_row(panel).property("done") is True, panel.message.text()
    assert not list(Path(tempfile.gettempdir()).glob("fieldkit-photo-*/*.jpg"))  # cleaned up
    view = checklists.backup_checklist(ctx, "j1")
    assert view is not None and "Photo of wiring" not in view.progress.missing
    with ctx.db.read() as s:
        attachment = s.query(m.Attachment).filter_by(job_id="j1", kind="photo").one()
        name, mime, sha = attachment.filename, attachment.mime, attachment.blob_sha256
    # Named by the store's clock (the tests' fixed 09:00 UTC), in the engineer's time zone.
    stamp = NOW.astimezone().strftime("%Y%m%d-%H%M%S")
    assert name == f"photo-{stamp}.jpg" and mime == "image/jpeg"
    stored = QImage.fromData(ctx.blobs.read_bytes(sha))
    assert (stored.width(), stored.height()) == (640, 480)
    left = QColor(stored.pixel(100, 240))  # JPEG: close to the colour, not equal
    assert abs(left.red() - 0xE8) < 12 and abs(left.blue() - 0x17) < 12
    assert queries.job_detail(ctx, "j1").status == "diagnosing"


def test_a_camera_plugged_in_while_the_job_is_open_adds_the_button(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    from fieldkit.ui.backup_panel import BackupPanel

    panel = open_backup(ctx, qtbot, has_camera=False)
    assert isinstance(panel, BackupPanel)
    panel.cameras_present = lambda: True
    panel._cameras_changed()  # what QMediaDevices.videoInputsChanged calls
    assert photo_row(panel).findChild(QPushButton, "camera") is not None


def test_switching_cameras_waits_for_the_new_cameras_picture(qtbot: QtBot) -> None:
    from fieldkit.ui.camera_dialog import CameraDialog
    from fieldkit.ui.qt_multimedia import QCameraDevice

    dialog = CameraDialog("Photo of wiring", devices=[QCameraDevice(), QCameraDevice()])
    qtbot.addWidget(dialog)
    assert not dialog.chooser.isHidden()  # two cameras: the engineer picks
    feed(dialog, pattern())
    assert dialog.take.isEnabled()
    dialog.chooser.setCurrentIndex(1 - dialog.chooser.currentIndex())
    # The last frame was the other camera's: nothing to take until this one shows a picture.
    assert not dialog.take.isEnabled() and not dialog.viewfinder.has_frame()
    feed(dialog, pattern(320, 240))
    assert dialog.take.isEnabled()
