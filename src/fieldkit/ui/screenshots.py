"""`python -m fieldkit.ui.screenshots DIR` (`make screenshots`): the app's main screens, in
English and Chinese, rendered offscreen from a fresh demo data set into PNG files, on a
1280x800 tablet screen (10.1 in, 149 ppi): at 100 % in the light theme (``NAME-en.png``), in
the sunlight theme (``NAME-sunlight-en.png``), at the OS's 150 % scale (``NAME-150-en.png``),
and in a pseudo-locale of long, accented strings (``NAME-pseudo.png``). Each run is a fresh
interpreter whose offscreen screen is that tablet. Text a widget cuts off (where it can be
computed: a label or button needing more room than it has) is listed in ``clipped.txt``.

Screens: main window, job workspace (the next step and why others are blocked), backup
checklist, taking an evidence photo, site dossier with a drawing, parts and quote, signing,
settings. The machine that renders them has no camera: the backup checklist is shown as on
a tablet that has one, and the camera screen's viewfinder shows a drawn equipment rack fed
through the same video sink a camera feeds.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fieldkit import i18n_pseudo
from fieldkit.demo.generator import DemoSize, generate
from fieldkit.domain.clock import FixedClock
from fieldkit.i18n import set_language
from fieldkit.services import queries
from fieldkit.services.context import ServiceContext, open_context

if TYPE_CHECKING:  # Qt is imported once the offscreen platform is chosen
    from fieldkit.ui.qt import QImage

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
SIZE = (1280, 800)  # the smallest screen FieldKit is designed for
PPI = 149  # a 10.1 in tablet at that size
LANGUAGES = {"en": "en", "zh_CN": "zh", "pseudo": "pseudo"}
# variant: (OS scale, theme, languages); the file name carries the variant's name
VARIANTS: dict[str, tuple[float, str, tuple[str, ...]]] = {
    "": (1.0, "light", ("en", "zh_CN")),
    "sunlight": (1.0, "dark", ("en", "zh_CN")),
    "150": (1.5, "light", ("en", "zh_CN")),
    "pseudo": (1.0, "light", ("pseudo",)),
}
CLIPPED = "CLIPPED "


def use_language(language: str) -> None:
    if language == "pseudo":
        i18n_pseudo.install()
    else:
        set_language(language)


def _settle(seconds: float = 0.6, until: Callable[[], bool] | None = None) -> None:
    from fieldkit.ui.qt import QApplication

    deadline = time.monotonic() + 20
    start = time.monotonic()
    while time.monotonic() < deadline:
        QApplication.processEvents()
        if time.monotonic() - start >= seconds and (until is None or until()):
            return
        time.sleep(0.01)


def _job(ctx: ServiceContext, status: str, billing: str | None = None, backup: bool = False) -> str:
    for job_id in queries.job_ids(ctx, queries.JobFilter(statuses=frozenset({status}))):
        detail = queries.job_detail(ctx, job_id)
        if (billing is None or detail.billing == billing) and (
            not backup or detail.backup_done < detail.backup_total
        ):
            return job_id
    raise LookupError(f"the demo data has no {status} job")


def _select(window: object, job_id: str, open_job: bool = True) -> None:
    """Select ``job_id`` in the list; ``open_job``: as a tap does, which on a narrow window
    (150 %) shows the job in the list's place."""
    from fieldkit.ui.job_list_model import JobIdRole
    from fieldkit.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    model = window.model
    while model.canFetchMore():
        model.fetchMore()
    for row in range(model.rowCount()):
        if model.data(model.index(row, 0), JobIdRole) == job_id:
            window.table.selectRow(row)
            window.table.scrollTo(model.index(row, 0))
            if open_job:
                window.fold.show_job()
            return
    raise LookupError(job_id)


def _sign_like_a_customer(pad: object) -> None:
    from fieldkit.ui.signature_pad import SignaturePad

    assert isinstance(pad, SignaturePad)
    for stroke in range(3):
        for i in range(40):
            t = i / 39
            x = 80 + stroke * 230 + 200 * t
            y = 150 + 55 * math.sin(6 * t + stroke) * (1 - 0.5 * t)
            pad._add(x, y, 0.3 + 0.6 * math.sin(math.pi * t), i == 0)
        pad.changed.emit()  # the pen lifted, as after a real stroke
    pad.update()


def _rack_frame(width: int = 1280, height: int = 720) -> QImage:
    """A stand-in camera frame: a rack of devices with status lights and patch cables."""
    from fieldkit.ui.qt import QColor, QImage, QPainter, QPen

    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#2b2f33"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    left, right = width // 4, width * 3 // 4
    painter.fillRect(left - 24, 30, right - left + 48, height - 60, QColor("#111417"))
    for unit in range(9):
        top = 50 + unit * 70
        painter.fillRect(left, top, right - left, 58, QColor("#3d4349" if unit % 3 else "#50575e"))
        for led in range(6):
            colour = "#35d46a" if (unit + led) % 5 else "#f2a93b"
            painter.setBrush(QColor(colour))
            painter.setPen(QColor(colour))
            painter.drawEllipse(left + 24 + led * 26, top + 22, 12, 12)
        for port in range(12):
            painter.fillRect(left + 220 + port * 30, top + 18, 20, 22, QColor("#1a1d20"))
    for cable in range(7):
        painter.setPen(QPen(QColor(("#2f7bd6", "#d6d02f", "#d64a2f")[cable % 3]), 5))
        x = left + 230 + cable * 52
        painter.drawLine(x, 80 + cable * 70, x + 140 - cable * 30, height - 30)
    painter.end()
    return image


def capture(folder: Path, language: str, data: Path, variant: str = "") -> list[Path]:
    from fieldkit.ui.clipping import clipped_texts
    from fieldkit.ui.main_window import MainWindow
    from fieldkit.ui.qt import QApplication, QPointF, QScrollArea
    from fieldkit.ui.settings_dialog import SettingsDialog
    from fieldkit.ui.signing_dialog import SigningDialog

    use_language(language)
    suffix = LANGUAGES[language]
    tag = f"-{variant}" if variant and variant != suffix else ""
    screen = QApplication.primaryScreen().availableGeometry().size()
    size = (screen.width(), screen.height())  # the tablet's, in widget pixels
    ctx = open_context(data, "demo", FixedClock(NOW))
    shots: list[Path] = []

    def save(widget: object, name: str) -> None:
        from fieldkit.ui.qt import QWidget

        assert isinstance(widget, QWidget)
        path = folder / f"{name}{tag}-{suffix}.png"
        widget.grab().save(str(path))
        shots.append(path)
        for what in clipped_texts(widget):
            print(f"{CLIPPED}{path.name}: {what}")

    try:
        window = MainWindow(ctx)
        window.resize(*size)
        window.show()  # laid out as on a screen (offscreen platform: nothing is displayed)
        _select(window, _job(ctx, "travelling"), open_job=False)
        _settle()
        save(window, "main-window")

        window.workspace.backup.cameras_present = lambda: True  # as on a tablet
        _select(window, _job(ctx, "diagnosing", backup=True))
        _settle()
        scroller = window.tabs.widget(0)
        assert isinstance(scroller, QScrollArea)
        scroller.verticalScrollBar().setValue(scroller.verticalScrollBar().maximum())
        _settle(0.1)
        save(window, "backup-checklist")

        from fieldkit.ui.camera_dialog import CameraDialog
        from fieldkit.ui.qt_multimedia import QVideoFrame

        item = "Photograph wiring and indicator lights"
        shooting = CameraDialog("拍照记录接线和指示灯状态" if suffix == "zh" else item, devices=[])
        shooting.resize(*size)
        shooting.show()
        shooting.viewfinder.sink.setVideoFrame(QVideoFrame(_rack_frame()))
        _settle(0.2)
        save(shooting, "camera")
        shooting.shoot()
        _settle(0.2)
        save(shooting, "camera-review")
        shooting.reject()

        _select(window, _job(ctx, "repairing", billing="paid"))
        window.tabs.setCurrentWidget(window.quote)
        builder = window.quote
        if builder.current() is None:
            builder.start_quote()
            builder.part_search.setText("PSU")
            builder.add_selected_part()
            builder.hours.setValue(1.5)
            builder.add_labour_line()
            builder.add_travel_line()
            builder.part_search.setText("")
        _settle()
        save(window, "quote-builder")

        window.tabs.setCurrentWidget(window.dossier)
        beside = window.fold.list_shown()
        if beside:
            window.toggle_list()  # the engineer gives the drawing the whole screen
        view = window.dossier.viewer.view
        _settle(until=lambda: bool(view.pages) and view.pending() == 0)
        view.zoom_at(1.8, QPointF(view.width() * 0.5, view.height() * 0.5))
        _settle(until=lambda: view.pending() == 0)
        save(window, "drawing-viewer")
        if beside:
            window.toggle_list()

        window.tabs.setCurrentIndex(0)
        _select(window, _job(ctx, "resolved"))
        _settle()
        save(window, "job-workspace")

        dialog = SigningDialog(ctx, _job(ctx, "resolved"))
        dialog.resize(*size)
        dialog.show()
        dialog.signer.name.setEditText("李经理" if suffix == "zh" else "Li Wei")
        dialog.comments.setText("响应及时，处理专业" if suffix == "zh" else "Quick and careful")
        dialog.satisfaction.buttons[5].click()
        _settle(0.1)
        _sign_like_a_customer(dialog.pad)
        _settle(0.2)
        save(dialog, "signing")

        settings = SettingsDialog(ctx)
        settings.resize(560, 300)
        settings.show()
        _settle(0.1)
        save(settings, "settings")
        window.close()
    finally:
        ctx.db.close()
    return shots


def render(folder: Path, variant: str) -> None:
    """One variant, in this interpreter (its screen and scale were set by ``main``)."""
    from fieldkit.ui.fonts import install_cjk_font
    from fieldkit.ui.qt import QApplication
    from fieldkit.ui.theme import apply_theme
    from fieldkit.ui.touch import apply_touch_sizes

    _scale, theme, languages = VARIANTS[variant]
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    install_cjk_font()
    apply_theme(app, theme)
    apply_touch_sizes(app)  # as the app starts: 9 mm targets on this screen
    for language in languages:
        # Fresh data per language: what one pass types (a quote line) is in its language.
        with tempfile.TemporaryDirectory(prefix="fieldkit-screenshots-") as tmp:
            data = Path(tmp)
            ctx = open_context(data, "demo", FixedClock(NOW))
            generate(ctx.db, ctx.blobs, DemoSize(jobs=120, devices_per_site=12), now=NOW)
            ctx.db.close()
            for path in capture(folder, language, data, variant):
                print(path)
    set_language("en")
    del app


def tablet_screen(folder: Path, scale: float) -> str:
    """Qt's offscreen platform configured as the tablet, its OS scale set as Windows and X11
    set one (the logical DPI)."""
    config = folder / f".screen-{scale}.json"
    width, height = SIZE
    screen = {"name": "tablet", "x": 0, "y": 0, "width": width, "height": height}
    screen.update(logicalDpi=round(96 * scale), logicalBaseDpi=96, dpr=1.0)
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    return f"offscreen:configfile={config}"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 3 and args[1] == "--variant":
        render(Path(args[0]), args[2])
        return 0
    folder = Path(args[0] if args else "docs/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    clipped: list[str] = []
    for variant, (scale, _theme, _languages) in VARIANTS.items():
        config = tablet_screen(folder, scale)
        env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
        env.update(QT_QPA_PLATFORM=config, FIELDKIT_SCREEN_PPI=str(PPI))
        run = subprocess.run(
            [sys.executable, "-m", "fieldkit.ui.screenshots", str(folder), "--variant", variant],
            env=env,
            capture_output=True,
            text=True,
        )
        Path(config.split("=", 1)[1]).unlink()
        for line in run.stdout.splitlines():
            if line.startswith(CLIPPED):
                clipped.append(line[len(CLIPPED) :])
            else:
                print(line)
        if run.returncode:
            sys.stderr.write(run.stderr)
            return run.returncode
    report = folder / "clipped.txt"
    report.write_text("".join(f"{line}\n" for line in clipped), encoding="utf-8")
    print(f"{len(clipped)} clipped texts, listed in {report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
