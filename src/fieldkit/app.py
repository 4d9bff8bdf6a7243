"""Starting the desktop app: open the store, seed demo data on first start, show the window."""

from __future__ import annotations

import sys

from fieldkit.config import Settings
from fieldkit.i18n import set_language


def run_app(settings: Settings, *, seed_demo: bool = True) -> int:
    from fieldkit.demo.generator import DemoSize, generate, is_empty
    from fieldkit.services.context import open_context
    from fieldkit.ui.main_window import MainWindow
    from fieldkit.ui.qt import QApplication

    set_language(settings.language)
    ctx = open_context(settings.data_dir, settings.user)
    if seed_demo and is_empty(ctx.db):
        summary = generate(ctx.db, ctx.blobs, DemoSize())
        print(f"First start: demo data written to {settings.data_dir} ({summary.jobs} jobs)")
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("FieldKit")
    window = MainWindow(ctx)
    window.resize(1280, 800)
    window.show()
    try:
        return app.exec()
    finally:
        ctx.db.close()
