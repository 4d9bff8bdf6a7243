"""Signature pad: pen (with pressure, from tablet events), finger (touch) or mouse.

Strokes are kept as raw points (x, y, pressure, t); drawing uses the same smoothing as the
PDF, so what the customer sees is what the slip shows.
"""

from __future__ import annotations

import time

from fieldkit.domain.enums import SignerRole
from fieldkit.domain.signature import SignatureCapture
from fieldkit.reports.signature_paths import curves
from fieldkit.ui.qt import (
    QColor,
    QEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPointF,
    QSize,
    Qt,
    QTabletEvent,
    QTouchEvent,
    QWidget,
    Signal,
)
from fieldkit.ui.theme import current_theme

Point = tuple[float, float, float, float]


class SignaturePad(QWidget):
    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.strokes: list[list[Point]] = []
        self._start = time.monotonic()
        self.setMinimumSize(QSize(280, 120))  # grows to the room it has: 853x533 at 150 %
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setCursor(Qt.CursorShape.CrossCursor)

    # -- capture ---------------------------------------------------------------------------
    def _t(self) -> float:
        return (time.monotonic() - self._start) * 1000

    def _add(self, x: float, y: float, pressure: float, new_stroke: bool) -> None:
        if new_stroke or not self.strokes:
            self.strokes.append([])
        self.strokes[-1].append((x, y, max(0.0, min(1.0, pressure)), self._t()))
        self.update()

    def tabletEvent(self, event: QTabletEvent) -> None:
        pos = event.position()
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._add(pos.x(), pos.y(), event.pressure(), True)
        elif kind == QEvent.Type.TabletMove and event.pressure() > 0 and self.strokes:
            self._add(pos.x(), pos.y(), event.pressure(), False)
        elif kind == QEvent.Type.TabletRelease:
            self.changed.emit()
        event.accept()  # no synthesized mouse events: they would double the stroke

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._add(event.position().x(), event.position().y(), 0.5, True)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and self.strokes:
            self._add(event.position().x(), event.position().y(), 0.5, False)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.changed.emit()

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QTouchEvent):
            points = event.points()
            if points:
                pos = points[0].position()
                begin = event.type() == QEvent.Type.TouchBegin
                if event.type() in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate):
                    self._add(pos.x(), pos.y(), 0.5, begin)
                else:
                    self.changed.emit()
            event.accept()
            return True
        return super().event(event)

    # -- editing ---------------------------------------------------------------------------
    def clear(self) -> None:
        self.strokes.clear()
        self.update()
        self.changed.emit()

    def undo(self) -> None:
        if self.strokes:
            self.strokes.pop()
            self.update()
            self.changed.emit()

    def capture(self, role: SignerRole, name: str) -> SignatureCapture:
        return SignatureCapture(
            role, name, self.width(), self.height(), tuple(tuple(s) for s in self.strokes if s)
        )

    # -- drawing ---------------------------------------------------------------------------
    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        theme = current_theme()  # paper-white in both themes: a signature is ink on paper
        painter.fillRect(self.rect(), QColor(theme.paper))
        painter.setPen(QPen(QColor(theme.guide), 1, Qt.PenStyle.DashLine))
        baseline = self.height() * 0.75
        painter.drawLine(QPointF(20, baseline), QPointF(self.width() - 20, baseline))
        for curve in curves([list(map(list, s)) for s in self.strokes if s]):
            path = QPainterPath(QPointF(*curve.start))
            path.quadTo(QPointF(*curve.control), QPointF(*curve.end))
            pen = QPen(
                QColor(theme.ink),
                4.0 * curve.width,  # px at 1x; the PDF uses the same relative widths
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.RoundCap,
                Qt.PenJoinStyle.RoundJoin,
            )
            painter.setPen(pen)
            painter.drawPath(path)
        painter.end()
