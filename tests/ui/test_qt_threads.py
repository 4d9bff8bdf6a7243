"""Slots running on a QThread, results queued back to the UI thread: the pattern the render
thread relies on. PySide6 6.12.0 corrupts reference counts here (the process aborts), which
is why pyproject.toml excludes that release; this test fails loudly if it comes back."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from fieldkit.ui.qt import QObject, QThread, Signal, Slot


class _Echo(QObject):
    done = Signal(int, object)

    @Slot(int, object)
    def work(self, n: int, payload: object) -> None:
        self.done.emit(n, (payload, n * 2))


class _Client(QObject):
    ask = Signal(int, object)

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[int] = []

    @Slot(int, object)
    def take(self, n: int, payload: object) -> None:
        assert payload == (("key", n, 1.5), n * 2)
        self.answers.append(n)


def test_thousands_of_round_trips_through_a_worker_thread(qtbot: QtBot) -> None:
    thread = QThread()
    echo, client = _Echo(), _Client()
    echo.moveToThread(thread)
    client.ask.connect(echo.work)
    echo.done.connect(client.take)
    thread.start()
    try:
        for n in range(3000):
            client.ask.emit(n, ("key", n, 1.5))
        qtbot.waitUntil(lambda: len(client.answers) == 3000, timeout=30000)
    finally:
        thread.quit()
        thread.wait()
    assert client.answers == list(range(3000))  # queued connections keep their order
