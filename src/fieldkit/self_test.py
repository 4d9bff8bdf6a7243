"""`fieldkit --self-test`: prove an installation is whole, without a screen or a network.

An installed build can lack a file that the source checkout has (a migration script, the
font, a translation catalog, a Qt plugin, pdfium's shared library); each check below touches
one of them the way the app does, so a bundle missing one fails here, in CI, and not on an
engineer's tablet.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from fieldkit import __version__


def _store(folder: Path) -> str:
    from fieldkit.services import queries
    from fieldkit.services.context import open_context
    from fieldkit.store.migrate import current_revision, head_revision

    ctx = open_context(folder, "self-test")
    try:
        revision = current_revision(ctx.db.engine)
        if revision != head_revision():
            raise RuntimeError(f"data file at {revision}, expected {head_revision()}")
        if ctx.db.integrity_check() != "ok":
            raise RuntimeError("integrity check failed")
        jobs = len(queries.job_ids(ctx, queries.JobFilter()))
    finally:
        ctx.db.close()
    return f"schema {revision}, {jobs} jobs"


def _new_store(work: Path) -> str:
    return _store(work / "new")


def _upgrade(source: Path) -> Callable[[Path], str]:
    def check(work: Path) -> str:
        target = work / "upgrade"
        target.mkdir()
        shutil.copyfile(source, target / "fieldkit.db")
        result = _store(target)
        if result.endswith(" 0 jobs"):
            raise RuntimeError(f"{source.name}: no jobs after the upgrade")
        return f"{source.name} -> {result}"

    return check


def _translations(_work: Path) -> str:
    from fieldkit.i18n import translator

    zh = translator("zh_CN")
    if zh("Service slip") == "Service slip":
        raise RuntimeError("the zh_CN catalog is missing or empty")
    return f"zh_CN: Service slip -> {zh('Service slip')}"


def _slip_pdf(work: Path) -> str:
    import pypdfium2 as pdfium

    from fieldkit.reports.samples import slip_sample

    pdf = slip_sample("zh_CN")
    if b"/FontFile2" not in pdf:
        raise RuntimeError("the slip PDF has no embedded TrueType font")
    path = work / "slip.pdf"
    path.write_bytes(pdf)
    document = pdfium.PdfDocument(path)  # pdfium's shared library is in the bundle
    try:
        page = document[0]
        text = page.get_textpage().get_text_range()
        bitmap = page.render(scale=0.5)
        size = bitmap.width, bitmap.height
    finally:
        document.close()
    if "服务单" not in text:
        raise RuntimeError("the Chinese text does not read back from the slip PDF")
    return f"{len(pdf)} bytes, page rendered at {size[0]}x{size[1]}"


def _window(work: Path) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from fieldkit.services.context import open_context
    from fieldkit.ui.fonts import install_cjk_font
    from fieldkit.ui.main_window import MainWindow
    from fieldkit.ui.qt import QApplication

    app = QApplication.instance() or QApplication([])
    families = install_cjk_font()
    ctx = open_context(work / "window", "self-test")
    try:
        window = MainWindow(ctx, online=False)
        window.resize(1280, 800)
        image = window.grab().toImage()
        window.close()
        window.deleteLater()
        app.processEvents()
    finally:
        ctx.db.close()
    if image.isNull():
        raise RuntimeError("the main window did not paint")
    return (
        f"{QApplication.platformName()} platform, font {', '.join(families)}, "
        f"main window painted {image.width()}x{image.height()}"
    )


def _camera(_work: Path) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from fieldkit.ui import camera
    from fieldkit.ui.qt import QApplication, QColor, QImage, QLibraryInfo

    app = QApplication.instance() or QApplication([])  # QtMultimedia needs one
    problem = camera.support_problem()
    if problem is not None and not getattr(sys, "frozen", False) and not camera.installed():
        # A pip install without the optional extra is whole; a bundle always carries it.
        return "not installed (the 'camera' extra): photos are attached from files"
    if problem is not None:
        raise RuntimeError(f"QtMultimedia does not load: {problem}")
    from fieldkit.ui.qt_multimedia import QVideoFrame, QVideoSink

    # Without its FFmpeg backend plugin QtMultimedia loads but never lists a camera.
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "multimedia"
    backends = sorted(p.name for p in plugins.glob("*ffmpeg*")) if plugins.is_dir() else []
    if not backends:
        raise RuntimeError(f"no FFmpeg media backend in {plugins}")
    sink = QVideoSink()
    still = QImage(64, 48, QImage.Format.Format_RGB32)
    still.fill(QColor("#1f6fb2"))
    sink.setVideoFrame(QVideoFrame(still))
    if QColor(sink.videoFrame().toImage().pixel(10, 10)).name() != "#1f6fb2":
        raise RuntimeError("a video frame does not convert back to the same image")
    app.processEvents()
    return f"{backends[0]}, {camera.camera_count()} camera(s) present"


def _console(_work: Path) -> str:
    """The demo center's web console: its templates, static files and form parser are in
    the bundle (a missing one stops the local center at start)."""
    import importlib.util
    from importlib.resources import files

    try:
        from fieldkit.server.console.render import environment
    except ImportError as exc:  # a pip install without the server extra has no console
        if getattr(sys, "frozen", False):
            raise
        return f"not installed here ({exc.name})"
    environment().get_template("login.html").render(_=str, csrf_field=str, nav=[], lang="en")
    if not (files("fieldkit.server.console") / "static" / "console.css").is_file():
        raise RuntimeError("the console's style sheet is missing")
    if importlib.util.find_spec("python_multipart") is None:
        raise RuntimeError("python-multipart (the console's form parser) is missing")
    return "templates, static files and form parser present"


def _local_center(work: Path) -> str:
    """The demo service center `fieldkit run` starts: seeded, serving the API and its console
    (a bundle that misses one of the center's modules fails here, not on an engineer's
    first start)."""
    try:
        import fieldkit.server.app  # noqa: F401
    except ImportError as exc:  # a pip install without the server extra
        if getattr(sys, "frozen", False):
            raise
        return f"not installed here ({exc.name})"
    import urllib.request

    from fieldkit.sync import embedded

    server = embedded.start(work / "service-center", timeout=90)
    try:
        with urllib.request.urlopen(server.url + "/console/login", timeout=10) as reply:
            page = reply.read().decode()
        if "login_token" not in page:
            raise RuntimeError("the console's sign-in page is not served")
    finally:
        server.stop()
    return f"seeded, API and console answer on {server.url}"


def run(upgrade_from: Path | None = None) -> int:
    checks: list[tuple[str, Callable[[Path], str]]] = [
        ("new data file, migrations", _new_store),
        ("translations", _translations),
        ("slip PDF, embedded font, pdfium", _slip_pdf),
        ("Qt main window", _window),
        ("camera support", _camera),
        ("service center console", _console),
        ("local service center", _local_center),
    ]
    if upgrade_from is not None:
        checks.insert(1, ("upgrade an older data file", _upgrade(upgrade_from)))
    print(f"FieldKit {__version__} self-test")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="fieldkit-self-test-") as tmp:
        for name, check in checks:
            try:
                print(f"  ok    {name}: {check(Path(tmp))}")
            except Exception as exc:  # every failure is reported, then the next check runs
                failed += 1
                print(f"  FAIL  {name}: {exc}")
                traceback.print_exc()
    print("self-test passed" if not failed else f"self-test FAILED: {failed} check(s)")
    return 1 if failed else 0
