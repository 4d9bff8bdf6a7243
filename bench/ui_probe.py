"""Child process of bench/ui: start, show a window, print "painted" at its first paint.

`python -m bench.ui_probe bare` — QApplication and an empty QMainWindow (the baseline);
`python -m bench.ui_probe main DATA_DIR` — FieldKit's main window over that store, timed to
the first paint of the job list's rows.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])

    class FirstPaint(QObject):
        def eventFilter(self, watched: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint:
                print("painted", flush=True)
                app.quit()
            return False

    probe = FirstPaint()
    if sys.argv[1] == "bare":
        window = QMainWindow()
        target = window
    else:
        from fieldkit.services.context import open_context
        from fieldkit.ui.fonts import install_cjk_font
        from fieldkit.ui.main_window import MainWindow

        install_cjk_font()
        ctx = open_context(Path(sys.argv[2]), "demo")
        window = MainWindow(ctx)
        target = window.table.viewport()
    target.installEventFilter(probe)
    window.resize(1280, 800)
    window.show()
    app.exec()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
