"""Long work (PDF rendering, exports) off the UI thread, with the result delivered back on
the UI thread through a queued signal."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from fieldkit.ui.qt import QObject, Signal


class Background(QObject):
    _done = Signal(object, object)  # callback, result

    def __init__(self) -> None:
        super().__init__()
        self._done.connect(lambda callback, result: callback(result))
        self.running = 0

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        self.running += 1

        def body() -> None:
            try:
                result = work()
            except Exception as exc:  # delivered to the UI, which says what happened
                self._done.emit(self._finish(on_error), exc)
                return
            self._done.emit(self._finish(on_done), result)

        threading.Thread(target=body, name="fieldkit-background", daemon=True).start()

    def _finish(self, callback: Callable[[Any], None]) -> Callable[[Any], None]:
        def wrapped(value: Any) -> None:
            self.running -= 1
            callback(value)

        return wrapped
