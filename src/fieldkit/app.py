"""Starting the desktop app: open the store, connect to a service center, show the window.

By default (`make run`) a local service center with demo data runs on loopback next to the
app, the app logs in as the demo engineer and syncs in the background. Once the data folder
has logged in to a real service center (`fieldkit login`), that center is used instead and
the demo one is never started again.

A data file already at the current schema opens in two steps: the job list paints first,
read with the standard library's driver, and the full store (SQLAlchemy, the ORM, sync)
opens right after that first paint. A new or older file is opened (and migrated) first.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fieldkit.config import LANGUAGE_KEY, SCALE_KEY, THEME_KEY, Settings
from fieldkit.i18n import set_language

if TYPE_CHECKING:
    from fieldkit.services.context import ServiceContext
    from fieldkit.store.list_reader import ListReader
    from fieldkit.ui.main_window import MainWindow

# Called with the main window as soon as it is shown: benchmarks time the first paint here.
window_hooks: list[Callable[[MainWindow], None]] = []


class _Startup:
    """What the app holds open while it runs, released in reverse order at exit."""

    def __init__(self, settings: Settings, embedded_server: bool, seed_demo: bool) -> None:
        self.settings = settings
        self.embedded_server, self.seed_demo = embedded_server, seed_demo
        self.ctx: ServiceContext | None = None
        self.server: Any = None
        self.bridge: Any = None
        self.failure: BaseException | None = None

    def open_store(self, reader: ListReader | None = None) -> ServiceContext:
        from fieldkit.services.context import open_context

        self.ctx = open_context(self.settings.data_dir, self.settings.user, reader=reader)
        return self.ctx

    def connect(self, ctx: ServiceContext) -> Any:
        """Start or pick the service center; returns the background sync, if logged in."""
        from fieldkit.sync import session

        if session.uses_real_center(ctx):
            # Logged in to a real service center (`fieldkit login`): never start the demo one.
            real = session.account(ctx)
            print(f"Service center: {real.server_url if real else '-'}")
        elif self.embedded_server:
            from fieldkit.sync import embedded
            from fieldkit.sync.errors import SyncError

            folder = self.settings.data_dir / "service-center"
            self.server = embedded.start(folder)
            print(f"Local service center on {self.server.url} (data in {folder})")
            print(
                f"Its web console: {self.server.url}/console "
                f"(user {embedded.OFFICE_USER}, password {embedded.DEMO_PASSWORD})"
            )
            try:
                session.login(
                    ctx,
                    self.server.url,
                    embedded.DEMO_USER,
                    embedded.DEMO_PASSWORD,
                    demo_center=True,
                )
            except SyncError as exc:
                print(f"Working offline: {exc}", file=sys.stderr)
        else:
            from fieldkit.demo.generator import DemoSize, generate, is_empty

            if self.seed_demo and is_empty(ctx.db):
                summary = generate(ctx.db, ctx.blobs, DemoSize())
                print(f"First start: demo data written ({summary.jobs} jobs)")
        from fieldkit.ui.sync_status import SyncBridge

        # Sync runs in the background from the first second: jobs appear as pages arrive,
        # and local changes go out without anyone pressing a button.
        self.bridge = SyncBridge(ctx) if session.account(ctx) is not None else None
        return self.bridge

    def close(self) -> None:
        # Stop (and cancel) background sync first: the local center waits for requests in
        # flight before it exits.
        if self.bridge is not None:
            self.bridge.stop()
        if self.server is not None:
            self.server.stop()
        if self.ctx is not None:
            self.ctx.db.close()


def run_app(settings: Settings, *, embedded_server: bool = True, seed_demo: bool = True) -> int:
    from fieldkit.logs import setup_logging
    from fieldkit.store import DATA_FILE
    from fieldkit.store.list_reader import open_current
    from fieldkit.sync.center import uses_real_center

    log_file = setup_logging(settings.data_dir)
    start = _Startup(settings, embedded_server, seed_demo)
    reader = open_current(settings.data_dir / DATA_FILE)
    # The demo center must be up (and logged in to) before the window: it is what the list
    # shows. Every other start paints the list before the store is fully open.
    lean = reader is not None and (not embedded_server or uses_real_center(reader.setting))
    if reader is not None and not lean:
        reader.close()
        reader = None
    try:
        if reader is not None:
            choices = {key: reader.setting(key) for key in (LANGUAGE_KEY, SCALE_KEY, THEME_KEY)}
        else:
            from fieldkit.services.settings import get_setting

            ctx = start.open_store()
            choices = {key: get_setting(ctx, key) for key in (LANGUAGE_KEY, SCALE_KEY, THEME_KEY)}
            start.connect(ctx)
        # The engineer's choice in Settings beats the OS locale; scale before Qt starts.
        set_language(choices[LANGUAGE_KEY] or settings.language)
        scale = choices[SCALE_KEY]
        if scale and scale != "1":
            os.environ["QT_SCALE_FACTOR"] = str(scale)
        from fieldkit.resources import resource_path
        from fieldkit.ui.errors import install as install_error_path
        from fieldkit.ui.fonts import install_cjk_font
        from fieldkit.ui.main_window import MainWindow
        from fieldkit.ui.qt import QApplication, QIcon, QTimer
        from fieldkit.ui.theme import apply_theme
        from fieldkit.ui.touch import apply_touch_sizes
        from fieldkit.ui.window_fit import WindowPlacement, window_settings

        existing = QApplication.instance()
        app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
        # From here every uncaught exception is logged and shown, not only printed.
        install_error_path(log_file)
        app.setApplicationName("FieldKit")
        QApplication.setWindowIcon(QIcon(str(resource_path("icons", "fieldkit.png"))))
        install_cjk_font()
        apply_theme(app, str(choices[THEME_KEY] or "light"))
        apply_touch_sizes(app)  # 9 mm targets on the screen the app opens on
        # Ctrl+C or a service manager's SIGTERM closes the app normally, so the local service
        # center is stopped and the data file closed cleanly.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: app.quit())
        heartbeat = QTimer(interval=250)  # lets Python run signal handlers during the Qt loop
        heartbeat.timeout.connect(lambda: None)
        heartbeat.start()
        if reader is None:
            assert start.ctx is not None
            window = MainWindow(start.ctx, sync=start.bridge)
        else:
            from fieldkit.services.job_list import JobList
            from fieldkit.ui.first_paint import after_first_paint

            window = MainWindow(jobs=JobList(reader))
            early = reader

            def finish() -> None:
                try:
                    ctx = start.open_store(early)
                    window.attach(ctx, start.connect(ctx))
                except BaseException as exc:  # shown by the CLI like any start-up failure
                    start.failure = exc
                    app.quit()

            after_first_paint(window.table.viewport(), finish)
        # Inside the screen with its frame; where it was left last time (maximised or not).
        WindowPlacement(window, window_settings(settings.data_dir)).place()
        window.show()
        for hook in window_hooks:
            hook(window)
        code = app.exec()
        if start.failure is not None:
            raise start.failure
        return code
    finally:
        start.close()
        if start.ctx is None and reader is not None:
            reader.close()
        sys.excepthook, threading.excepthook = sys.__excepthook__, threading.__excepthook__
