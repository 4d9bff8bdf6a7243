"""`fieldkit run` on a real X display, walked by input events delivered to its windows.

Started by the journey test as its own process (one Qt platform per process: the rest of the
suite runs offscreen). It runs the app's real command line, with its local demo center, and
plays one phase of the journey from inside the app's event loop: every step waits on what
the engineer would see (a widget's text, a dialog on screen, a job's state) with a deadline,
and acts with mouse and key events. What it saw goes to a JSON file for the test to check.

    python driver.py PHASE DATA_DIR SHOTS_DIR RESULT_JSON FILES_DIR
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton

from fieldkit import app as fk_app
from fieldkit.cli import main as fieldkit_main
from fieldkit.services import queries
from fieldkit.services.queries import sync_summary
from fieldkit.sync import embedded
from fieldkit.ui.job_list_model import JobIdRole
from fieldkit.ui.main_window import MainWindow
from fieldkit.ui.qt import (
    QApplication,
    QColor,
    QDialogButtonBox,
    QEvent,
    QFileDialog,
    QImage,
    QInputDialog,
    QKeyEvent,
    QLineEdit,
    QPlainTextEdit,
    QPoint,
    QPushButton,
    QRadioButton,
    QScrollArea,
    Qt,
    QTimer,
    QWidget,
)
from fieldkit.ui.touch_picker import TouchFilePicker

WAIT_S = 60.0  # a loaded CI machine: a step may take long, never this long
Steps = Generator["Wait", None, None]


def gone(widget: QWidget) -> bool:
    """Closed, or already deleted (the static dialogs delete themselves)."""
    return not shiboken6.isValid(widget) or not widget.isVisible()


class Wait:
    """Poll ``condition`` until it holds; past the deadline the journey fails, unless
    ``soft`` (a pause that ends early when the condition holds)."""

    def __init__(
        self,
        what: str,
        condition: Callable[[], object],
        timeout: float = WAIT_S,
        soft: bool = False,
    ):
        self.what, self.condition, self.deadline = what, condition, time.monotonic() + timeout
        self.timeout, self.soft = timeout, soft


class Journey:
    """Plays a generator of steps from the event loop: each `yield Wait(...)` polls its
    condition (also inside the modal dialogs' own loops) until it holds or time runs out."""

    def __init__(self, window: MainWindow, phase: str, shots: Path, result: Path, files: Path):
        self.window, self.phase, self.shots, self.result_path = window, phase, shots, result
        self.files = files
        self.result: dict[str, Any] = {"phase": phase, "ok": False, "shots": [], "steps": []}
        self.servers: list[Any] = SERVERS
        self.steps: Iterator[Wait] = getattr(self, f"phase_{phase}")()
        self.waiting: Wait | None = None
        self.last_error = ""
        self.picker_shot = False
        self.done = False
        # The shots of an earlier phase (before a restart) keep their numbers.
        self.first_shot = 1 + len(
            [p for p in shots.glob("[0-9][0-9]-*.png") if "failure" not in p.name]
        )

    # -- the loop ------------------------------------------------------------------------------

    def start(self) -> None:
        QTimer.singleShot(0, self.tick)

    def tick(self) -> None:
        if self.done:
            return
        try:
            if self.waiting is not None:
                if not self._holds(self.waiting):
                    if time.monotonic() <= self.waiting.deadline:
                        QTimer.singleShot(100, self.tick)
                        return
                    if not self.waiting.soft:
                        raise TimeoutError(
                            f"waited {self.waiting.timeout:.0f} s for: {self.waiting.what} "
                            f"{self.last_error}"
                        )
                self.result["steps"].append(self.waiting.what)
            self.waiting = next(self.steps)
            QTimer.singleShot(30, self.tick)
        except StopIteration:
            self.result["ok"] = True
            self._finish()
        except BaseException:
            self.result["error"] = traceback.format_exc()
            self.shot("failure")
            self._finish()
            QApplication.exit(3)

    def _holds(self, wait: Wait) -> bool:
        try:
            return bool(wait.condition())
        except Exception as exc:  # e.g. a dialog not there yet
            self.last_error = f"({type(exc).__name__}: {exc})"
            return False

    def _finish(self) -> None:
        self.done = True
        self.result_path.write_text(json.dumps(self.result, indent=1, ensure_ascii=False))

    # -- what a person does ---------------------------------------------------------------------

    def shot(self, name: str) -> None:
        screen = QApplication.primaryScreen()
        image = screen.grabWindow(0).toImage().scaled(1280, 800)
        # A palette of 256 colours: the screen's flat colours and text stay sharp, the file small.
        small = image.convertToFormat(
            QImage.Format.Format_Indexed8, Qt.ImageConversionFlag.ThresholdDither
        )
        number = self.first_shot + len(self.result["shots"])
        path = self.shots / f"{number:02d}-{name}.png"
        small.save(str(path), "PNG")
        self.result["shots"].append(path.name)
        self.result.setdefault("status_bar", []).append(
            f"{name}: {self.window.sync_indicator.toolTip()}"
        )

    def snap(self, name: str) -> Steps:
        """A screenshot once what was just done is painted (a moment in the event loop)."""
        yield Wait("the screen painted", lambda: False, timeout=0.6, soft=True)
        self.shot(name)

    @staticmethod
    def _into_view(widget: QWidget) -> None:
        parent = widget.parentWidget()
        while parent is not None:
            if isinstance(parent, QScrollArea):
                parent.ensureWidgetVisible(widget)
            parent = parent.parentWidget()

    def click(
        self,
        widget: QWidget,
        pos: QPoint | None = None,
        find: Callable[[], QWidget | None] | None = None,
    ) -> None:
        """A left click, delivered from the event loop: a click that opens a modal dialog
        returns only when the dialog closes, and the steps go on inside its loop.

        Between the check that the widget can be clicked and the click itself, the app's
        background sync may refresh the screen: a panel rebuilt in that moment disables or
        deletes the widget, and a click sent to it then is lost. So the widget is found and
        checked again when the click is delivered, and the click waits until it can land."""
        assert widget.isVisible() and widget.isEnabled(), f"{widget!r} cannot be clicked"
        self._into_view(widget)
        locate = find or (lambda: widget)
        deadline = time.monotonic() + WAIT_S

        def deliver() -> None:
            target = locate()
            ready = (
                target is not None
                and shiboken6.isValid(target)
                and target.isVisible()
                and target.isEnabled()
            )
            if not ready:
                if time.monotonic() < deadline:
                    QTimer.singleShot(50, deliver)
                else:
                    self.last_error = f"(the click on {widget!r} never landed)"
                return
            assert target is not None
            at = pos if pos is not None else target.rect().center()
            QTest.mouseClick(target, Qt.MouseButton.LeftButton, pos=at)

        QTimer.singleShot(0, deliver)

    def press(self, target: QWidget | Callable[[], QWidget], pos: QPoint | None = None) -> Steps:
        """Wait until the widget can be clicked (a panel rebuilding after a change disables
        its buttons for a moment), then click it."""
        find = target if callable(target) else (lambda: target)
        found: list[QWidget] = []

        def ready() -> bool:
            widget = find()
            found[:] = [widget]
            return bool(widget is not None and widget.isVisible() and widget.isEnabled())

        yield Wait(f"{found or target!r} clickable", ready)
        self.click(found[0], pos, find)

    def sync_now(self) -> Steps:
        """F5, the sync dialog until it reports, then its Close button."""
        from fieldkit.ui.sync_dialogs import SyncProgressDialog

        window = self.window
        QTimer.singleShot(0, lambda: QTest.keyClick(window, Qt.Key.Key_F5))
        yield Wait("the sync dialog", lambda: self.modal(SyncProgressDialog))
        dialog = self.modal(SyncProgressDialog)
        yield Wait("the sync finished", lambda: dialog.outcome is not None, timeout=90)
        self.result.setdefault("syncs", []).append(dialog.detail.text())
        yield from self.press(dialog.cancel)
        yield Wait("the sync dialog closed", lambda: gone(dialog))

    def quit(self) -> None:
        """Ctrl+Q, from the event loop (it may ask a question, in a modal dialog)."""
        window = self.window
        QTimer.singleShot(
            0, lambda: QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        )

    @staticmethod
    def type(widget: QWidget, text: str) -> None:
        widget.setFocus()
        for char in text:
            if char.isascii():
                QTest.keyClicks(widget, char)
                continue
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(
                    widget,
                    QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char),
                )

    @staticmethod
    def replace_text(widget: QWidget, text: str) -> None:
        widget.setFocus()
        QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClick(widget, Qt.Key.Key_Backspace)
        Journey.type(widget, text)

    @staticmethod
    def draw(pad: QWidget) -> None:
        height = pad.height()
        y = max(20, min(120, height // 2))
        QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(40, y))
        for i in range(1, 40):
            QTest.mouseMove(pad, QPoint(40 + i * 8, y + (25 if i % 6 < 3 else -25)))
        QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(360, y))

    @staticmethod
    def modal(kind: type) -> Any:
        """The one dialog of this kind on screen (a full-screen one included)."""
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
        assert len(shown) == 1, f"on screen: {shown!r}"
        return shown[0]

    def answer_input(self, text: str, name: str | None = None) -> Steps:
        """The app's question (QInputDialog): type the answer, click OK."""
        yield Wait("a question on screen", lambda: self.modal(QInputDialog))
        dialog = self.modal(QInputDialog)
        field = dialog.findChild(QPlainTextEdit) or dialog.findChild(QLineEdit)
        assert field is not None
        self.type(field, text)
        if name:
            yield from self.snap(name)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        yield from self.press(ok)
        yield Wait("the question closed", lambda: gone(dialog))

    def answer_file(self, path: Path) -> Steps:
        """The touch picker first (the engineer's Pictures and Downloads, empty on this
        machine), then "Other folder": Qt's own file dialog, the path in its file-name
        field, Open."""
        yield Wait("the touch file picker", lambda: self.modal(TouchFilePicker))
        picker = self.modal(TouchFilePicker)
        if not self.picker_shot:
            self.picker_shot = True
            yield from self.snap("touch-file-picker")
        yield from self.press(picker.other)
        yield Wait("the file dialog", lambda: self.modal(QFileDialog))
        dialog = self.modal(QFileDialog)
        edit = dialog.findChild(QLineEdit, "fileNameEdit")
        assert edit is not None
        edit.setFocus()
        edit.setText(str(path))
        box = dialog.findChild(QDialogButtonBox)
        button = box.button(QDialogButtonBox.StandardButton.Open)
        yield Wait("Open enabled", lambda: button.isEnabled())
        yield from self.press(button)
        yield Wait("the file dialog closed", lambda: gone(dialog))
        yield Wait("the picker closed", lambda: gone(picker))

    # -- the app's screens -----------------------------------------------------------------------

    @property
    def ws(self) -> Any:
        return self.window.workspace

    def status(self, job_id: str) -> str:
        return queries.job_detail(self.window.ctx, job_id).status

    def pending(self) -> int:
        return int(sync_summary(self.window.ctx).pending)

    def rows(self) -> list[str]:
        model = self.window.model
        return [model.data(model.index(r, 0), JobIdRole) for r in range(model.rowCount())]

    def pick(self, status: str, billing: str | None = None) -> str:
        """A job of the demo data in this state (read, as the engineer reads the list)."""
        for job_id in self.rows():
            detail = queries.job_detail(self.window.ctx, job_id)
            if detail.status == status and (billing is None or detail.billing == billing):
                return job_id
        raise AssertionError(f"no {billing or ''} job in {status} in the list")

    def clear_search(self) -> Steps:
        yield from self.press(self.window.search)
        self.replace_text(self.window.search, "")
        yield Wait("the whole list again", lambda: len(self.rows()) > 1)

    def open_by_search(self, job_id: str) -> Steps:
        number = queries.job_detail(self.window.ctx, job_id).number
        search = self.window.search
        yield from self.press(search)
        yield Wait("the search box focused", lambda: search.hasFocus())
        self.replace_text(search, number)
        yield Wait(f"only {number} listed", lambda: self.rows() == [job_id])
        table = self.window.table
        rect = table.visualRect(self.window.model.index(0, 1))
        yield from self.press(table.viewport(), rect.center())
        yield Wait(f"{number} open", lambda: self.ws.job_id == job_id and self.ws.title.isVisible())

    def primary(self, label: str, job_id: str, then: str | None) -> Steps:
        button = self.ws.primary
        yield Wait(
            f"'{label}' offered",
            lambda: button.text() == label and button.isEnabled() and button.isVisible(),
        )
        yield from self.press(button)
        if then is not None:
            yield Wait(f"job {then}", lambda: self.status(job_id) == then)

    def online(self) -> bool:
        return self.window.sync_indicator.connection == "online"

    # -- the phases ------------------------------------------------------------------------------

    def ready(self) -> Steps:
        self.window.showMaximized()
        yield Wait(
            "the job list, online",
            lambda: self.window._ctx is not None and self.rows() and self.online(),
        )

    def phase_first(self) -> Steps:
        yield from self.ready()
        yield from self.snap("job-list")
        yield from self.paid_job()
        yield from self.escalation()
        yield from self.offline()

    def paid_job(self) -> Steps:
        job = self.pick("assigned", "paid")
        self.result["paid_job"] = job
        self.result["paid_number"] = queries.job_detail(self.window.ctx, job).number
        yield from self.open_by_search(job)
        yield from self.snap("paid-job-found")
        yield from self.primary("Accept job", job, "accepted")
        yield from self.primary("Depart for site", job, "travelling")
        yield from self.primary("Arrive and confirm the problem", job, None)
        yield from self.answer_input("Wang Wei, system owner", "arrival-confirmed-with")
        yield Wait("on site", lambda: self.status(job) == "on_site")
        yield from self.primary("Start diagnosis", job, "diagnosing")
        yield from self.diagnose(job)
        yield from self.backup(job)
        yield from self.primary("Confirm backup complete", job, "backed_up")
        yield from self.primary("Start repair", job, "repairing")
        yield from self.quote(job)
        yield from self.replaced_part(job)
        yield from self.tab(0)
        yield from self.primary("Resolve", job, None)
        yield from self.answer_input("Replaced the 24 V power supply; recording checked")
        yield Wait("resolved", lambda: self.status(job) == "resolved")
        yield from self.snap("resolved")
        yield from self.sign_slip(job)
        yield from self.email_slip(job)

    def diagnose(self, job: str) -> Steps:
        form = self.ws.diagnosis
        yield Wait("the diagnosis form", lambda: form.isVisible() and form.save.isEnabled())
        for combo, value in ((form.area, "hardware"), (form.origin, "system_fault")):
            combo.setFocus()
            for _press in range(combo.count()):
                if combo.currentData() == value:
                    break
                QTest.keyClick(combo, Qt.Key.Key_Down)
            assert combo.currentData() == value, f"{value} not offered"
        self.replace_text(form.found, "PSU output voltage low (18.2 V)")
        self._into_view(form)
        yield from self.snap("diagnosis")
        yield from self.press(form.save)
        yield Wait(
            "the cause on record",
            lambda: queries.job_detail(self.window.ctx, job).cause_area == "hardware",
        )

    def backup(self, job: str) -> Steps:
        panel = self.ws.backup
        yield Wait("the backup checklist", lambda: panel.isVisible() and not panel.busy)

        def open_rows() -> list[QWidget]:
            """Items still to answer, required first (optional ones may stay open)."""
            widgets = [panel.items.itemAt(i).widget() for i in range(panel.items.count())]
            rows = [w for w in widgets if w is not None and not w.property("done")]
            answerable = [
                w for w in rows if any(c.isEnabled() for c in w.findChildren(QAbstractButton))
            ]
            return sorted(answerable, key=lambda w: not w.property("required"))

        def complete() -> bool:
            button = self.ws.primary
            return button.text() == "Confirm backup complete" and button.isEnabled()

        def first_open(kind: str) -> Callable[[], QWidget | None]:
            def find() -> QWidget | None:
                rows = open_rows()
                if not rows or rows[0].property("kind") != kind or panel.busy:
                    return None
                if kind == "tick":
                    return next(c for c in rows[0].findChildren(QAbstractButton) if c.isCheckable())
                if kind == "text":
                    return rows[0].findChild(QPushButton)
                return rows[0].findChild(QPushButton, "attach")

            return find

        settled = Wait("the checklist settled", lambda: not panel.busy)
        for _round in range(12):
            yield settled
            settled = Wait("the checklist settled", lambda: not panel.busy)
            rows = open_rows()
            if not rows or (complete() and not rows[0].property("required")):
                break
            before, kind = len(rows), rows[0].property("kind")
            if kind == "text":
                self.type(rows[0].findChild(QLineEdit), "V5.2.1 build 0934")
            yield from self.press(first_open(kind))
            if kind in ("file", "photo"):
                suffix = "png" if kind == "photo" else "tar"
                yield from self.answer_file(self.files / f"evidence-{_round}.{suffix}")
            yield Wait(
                f"backup item ({kind}) recorded",
                lambda b=before: not panel.busy and len(open_rows()) < b,
            )
        yield Wait("the backup complete", complete)
        yield from self.snap("backup-checklist")

    def tab(self, index: int) -> Steps:
        bar = self.window.tabs.tabBar()
        yield from self.press(bar, bar.tabRect(index).center())

    def part_chosen(self) -> bool:
        """The part searched for is the one selected in the list."""
        item = self.window.quote.parts.currentItem()
        return item is not None and item.text().startswith("PSU")

    def quote(self, job: str) -> Steps:
        builder = self.window.quote
        yield from self.tab(2)
        yield Wait("the quote tab", lambda: builder.isVisible() and builder.new_quote.isEnabled())
        yield from self.press(builder.new_quote)
        yield Wait("a draft quote", lambda: builder.current() is not None)
        self.replace_text(builder.part_search, "PSU")
        yield Wait("the part found", lambda: self.part_chosen() and builder.add_part.isEnabled())
        yield from self.press(builder.add_part)
        yield Wait("the part on the quote", lambda: len(builder.current().lines) == 1)
        yield from self.press(builder.add_travel)
        yield Wait("travel on the quote", lambda: len(builder.current().lines) == 2)
        yield from self.snap("quote-draft")
        from fieldkit.ui.approval_dialog import ApprovalDialog

        yield from self.press(builder.approve)
        yield Wait("the approval screen", lambda: self.modal(ApprovalDialog))
        dialog = self.modal(ApprovalDialog)
        edit = dialog.signer.name.lineEdit()
        self.replace_text(edit, "Wang Wei")
        self.draw(dialog.signer.pad)
        yield Wait("the customer's signature", lambda: len(dialog.signer.pad.strokes) == 1)
        yield from self.snap("quote-approval-signed")
        yield from self.press(dialog.approve)
        yield Wait(
            "the quote approved",
            lambda: builder.current() is not None and builder.current().status.value == "approved",
        )

    def replaced_part(self, job: str) -> Steps:
        builder = self.window.quote
        self.replace_text(builder.part_search, "PSU")
        yield Wait("replace offered", lambda: self.part_chosen() and builder.replace.isEnabled())
        yield from self.press(builder.replace)
        yield from self.answer_input("PSU-OLD-4471")
        yield from self.answer_input("PSU-NEW-9902")
        yield Wait("the part recorded", lambda: builder.error.text().startswith("Recorded"))
        yield from self.snap("part-replaced")

    def sign_slip(self, job: str) -> Steps:
        from fieldkit.ui.signing_dialog import SigningDialog

        yield from self.primary("Customer signs the slip", job, None)
        yield Wait("the signing screen", lambda: self.modal(SigningDialog))
        dialog = self.modal(SigningDialog)
        self.replace_text(dialog.signer.name.lineEdit(), "Wang Wei")
        self.draw(dialog.pad)
        self.draw(dialog.engineer.pad)
        yield Wait(
            "both signatures",
            lambda: len(dialog.pad.strokes) == 1 and len(dialog.engineer.pad.strokes) == 1,
        )
        yield from self.press(dialog.satisfaction.buttons[4])
        yield from self.snap("slip-signatures")
        yield from self.press(dialog.sign)
        yield Wait("what the lock freezes", lambda: dialog.confirm.lock.isVisible())
        yield from self.snap("slip-confirm-lock")
        yield from self.press(dialog.confirm.lock)
        yield Wait("signed", lambda: self.status(job) == "signed")

    def email_slip(self, job: str) -> Steps:
        from fieldkit.ui.slip_delivery import SendSlipDialog

        delivery = self.ws.delivery
        yield Wait("the e-mail button", lambda: delivery.isVisible() and delivery.send.isVisible())
        yield from self.press(delivery.send)
        yield Wait(
            "the e-mail dialog",
            lambda: isinstance(delivery.dialog, SendSlipDialog) and delivery.dialog.isVisible(),
        )
        dialog = delivery.dialog
        self.replace_text(dialog.to.lineEdit(), "wang.wei@customer.example.com")
        yield from self.snap("slip-email")
        yield from self.press(dialog.send)
        yield Wait("the e-mail queued", lambda: "Queued for" in delivery.status.text())
        yield Wait("the e-mail at the center", lambda: self.pending() == 0, timeout=90)

        def sent() -> bool:
            return delivery.status.text().startswith("Sent to")

        for _attempt in range(20):  # the center sends it; Sync now (F5) brings the news
            yield from self.sync_now()
            if sent():
                break
            yield Wait("a moment for the center to send it", sent, timeout=3, soft=True)
        yield Wait("the e-mail sent by the center", sent, timeout=5)
        self.result["delivery_status"] = delivery.status.text()
        yield from self.snap("slip-emailed")

    def escalation(self) -> Steps:
        from fieldkit.ui.escalation_panel import EscalationDialog

        yield from self.clear_search()
        job = self.pick("diagnosing")
        self.result["escalated_job"] = job
        yield from self.open_by_search(job)
        button = next(b for b in self.ws.secondary_buttons() if b.property("action") == "escalate")
        yield from self.press(button)
        yield Wait(
            "the escalation screen",
            lambda: (
                isinstance(self.ws.escalation_dialog, EscalationDialog)
                and self.ws.escalation_dialog.isVisible()
            ),
        )
        dialog = self.ws.escalation_dialog
        self.type(dialog.reason, "The mainboard is dead and there is no spare on site")
        self.type(dialog.findings, "Error E-217 at boot; PSU measured 12.1 V; vendor case 88123")
        radio = dialog.category_buttons["needs_part"]
        assert isinstance(radio, QRadioButton)
        yield from self.press(radio)
        yield Wait("the category chosen", lambda: radio.isChecked())
        yield from self.snap("escalation-form")
        yield from self.press(dialog.submit_button)
        yield Wait("escalated", lambda: self.status(job) == "escalated")
        yield Wait("the escalation shown", lambda: self.ws.escalation.isVisible())
        yield from self.snap("escalation-recorded")

    def offline(self) -> Steps:
        from fieldkit.ui.status_bar import QuitPrompt

        yield Wait("everything synced", lambda: self.pending() == 0 and self.online(), timeout=90)
        for server in self.servers:
            server.stop()  # the center goes away
        yield from self.clear_search()
        job = self.pick("assigned")
        self.result["offline_job"] = job
        yield from self.open_by_search(job)
        yield from self.primary("Accept job", job, "accepted")
        label = self.window.sync_label
        yield Wait(
            "Offline in the status bar",
            lambda: label.text().startswith("Offline") and self.pending() > 0,
        )
        self.result["offline_label"] = label.text()
        self.result["pending_offline"] = self.pending()
        yield from self.snap("offline-change")
        self.quit()
        yield Wait("the quit question", lambda: self.modal(QuitPrompt))
        prompt = self.modal(QuitPrompt)
        self.result["quit_question"] = prompt.text()
        yield from self.snap("quit-keep-for-later")
        yield from self.press(prompt.keep)

    def phase_restart(self) -> Steps:
        yield from self.ready()
        label = self.window.sync_label
        yield Wait("every change synced", lambda: self.pending() == 0, timeout=90)
        yield Wait("0 unsynced in the status bar", lambda: "0 unsynced" in label.text())
        self.result["restart_label"] = label.text()
        yield from self.snap("restarted-synced")
        self.quit()


SERVERS: list[Any] = []
_start_center = embedded.start


def _recording_start(*args: Any, **kwargs: Any) -> Any:
    server = _start_center(*args, **kwargs)
    SERVERS.append(server)
    return server


def run(argv: list[str]) -> int:
    phase, data_dir, shots, result, files = argv
    journeys: list[Journey] = []

    def hook(window: MainWindow) -> None:
        journey = Journey(window, phase, Path(shots), Path(result), Path(files))
        journeys.append(journey)
        journey.start()

    folder = Path(files)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(12):  # what the engineer attaches as backup evidence
        (folder / f"evidence-{n}.tar").write_bytes(b"exported configuration %d" % n)
        photo = QImage(320, 240, QImage.Format.Format_RGB32)
        photo.fill(QColor(40 + n * 10, 90, 140))
        photo.save(str(folder / f"evidence-{n}.png"), "PNG")
    embedded.start = _recording_start  # the app's own center, recorded so the test can stop it
    fk_app.window_hooks.append(hook)
    return fieldkit_main(["--data-dir", data_dir, "run"])


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
