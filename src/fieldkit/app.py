"""Starting the desktop app: open the store, connect to a service center, show the window.

By default (`make run`) a local service center with demo data runs on loopback next to the
app, the app logs in as the demo engineer and syncs in the background. Once the data folder
has logged in to a real service center (`fieldkit login`), that center is used instead and
the demo one is never started again.
"""

from __future__ import annotations

import os
import signal
import sys

from fieldkit.config import Settings
from fieldkit.i18n import set_language


def run_app(settings: Settings, *, embedded_server: bool = True, seed_demo: bool = True) -> int:
    from fieldkit.demo.generator import DemoSize, generate, is_empty
    from fieldkit.resources import resource_path
    from fieldkit.services.context import open_context
    from fieldkit.ui.fonts import install_cjk_font
    from fieldkit.ui.main_window import MainWindow
    from fieldkit.ui.qt import QApplication, QIcon, QTimer
    from fieldkit.ui.theme import apply_theme

    ctx = open_context(settings.data_dir, settings.user)
    from fieldkit.services.settings import get_setting
    from fieldkit.ui.settings_dialog import LANGUAGE_KEY, SCALE_KEY, THEME_KEY

    # The engineer's choice in Settings beats the OS locale; scale must be set before Qt starts.
    set_language(get_setting(ctx, LANGUAGE_KEY) or settings.language)
    scale = get_setting(ctx, SCALE_KEY)
    if scale and scale != "1":
        os.environ["QT_SCALE_FACTOR"] = str(scale)
    server = None
    bridge = None
    online = False
    try:
        from fieldkit.sync import session

        if session.uses_real_center(ctx):
            # Logged in to a real service center (`fieldkit login`): never start the demo one.
            real = session.account(ctx)
            print(f"Service center: {real.server_url if real else '-'}")
        elif embedded_server:
            from fieldkit.sync import embedded
            from fieldkit.sync.errors import SyncError

            server = embedded.start(settings.data_dir / "service-center")
            print(
                f"Local service center on {server.url} (data in "
                f"{settings.data_dir / 'service-center'})"
            )
            try:
                session.login(
                    ctx, server.url, embedded.DEMO_USER, embedded.DEMO_PASSWORD, demo_center=True
                )
            except SyncError as exc:
                print(f"Working offline: {exc}", file=sys.stderr)
        elif seed_demo and is_empty(ctx.db):
            summary = generate(ctx.db, ctx.blobs, DemoSize())
            print(f"First start: demo data written to {settings.data_dir} ({summary.jobs} jobs)")
        existing = QApplication.instance()
        app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
        app.setApplicationName("FieldKit")
        QApplication.setWindowIcon(QIcon(str(resource_path("icons", "fieldkit.png"))))
        install_cjk_font()
        apply_theme(app, str(get_setting(ctx, THEME_KEY, "light")))
        # Ctrl+C or a service manager's SIGTERM closes the app normally, so the local service
        # center is stopped and the data file closed cleanly.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: app.quit())
        heartbeat = QTimer(interval=250)  # lets Python run signal handlers during the Qt loop
        heartbeat.timeout.connect(lambda: None)
        heartbeat.start()
        from fieldkit.sync.session import account
        from fieldkit.ui.sync_status import SyncBridge

        # Sync runs in the background from the first second: the window opens at once, jobs
        # appear as pages arrive, and local changes go out without anyone pressing a button.
        bridge = SyncBridge(ctx) if account(ctx) is not None else None
        window = MainWindow(ctx, online=online, sync=bridge)
        window.resize(1280, 800)
        window.show()
        return app.exec()
    finally:
        # Stop (and cancel) background sync first: the local center waits for requests in
        # flight before it exits.
        if bridge is not None:
            bridge.stop()
        if server is not None:
            server.stop()
        ctx.db.close()
