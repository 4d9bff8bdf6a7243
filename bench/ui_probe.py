"""Child process of bench/ui: start, show a window, print "painted" at its first paint.

`python -m bench.ui_probe bare` — QApplication and an empty QMainWindow (the baseline);
`python -m bench.ui_probe main DATA_DIR` — `fieldkit --data-dir DATA_DIR run --no-server`,
the very command an engineer's menu entry runs, timed to the first paint of the job list's
rows.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QMainWindow

    class FirstPaint(QObject):
        def eventFilter(self, watched: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint:
                print("painted", flush=True)
                QApplication.instance().quit()
            return False

    probe = FirstPaint()
    if sys.argv[1] == "bare":
        app = QApplication([])
        window = QMainWindow()
        window.installEventFilter(probe)
        window.resize(1280, 800)
        window.show()
        app.exec()
        return 0
    from fieldkit import app as fieldkit_app
    from fieldkit.cli import main as fieldkit_main

    fieldkit_app.window_hooks.append(lambda w: w.table.viewport().installEventFilter(probe))
    return fieldkit_main(["--data-dir", sys.argv[2], "run", "--no-server", "--no-demo"])


if __name__ == "__main__":
    raise SystemExit(main())
