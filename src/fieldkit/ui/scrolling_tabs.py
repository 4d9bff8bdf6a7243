"""Tabs whose pages scroll instead of setting the window's least size, so the window fits a
1280x800 screen at 150 % (853x533 widget pixels) whatever a page holds. The tab widget still
speaks of the pages themselves: ``indexOf``, ``widget``, ``currentWidget`` and
``setCurrentWidget`` take and give the page, not the scroll area around it."""

from __future__ import annotations

from fieldkit.ui.qt import QScrollArea, QTabWidget, QWidget


class _Page(QScrollArea):
    def __init__(self, content: QWidget) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setWidget(content)


class ScrollingTabs(QTabWidget):
    def add_scrolling_tab(self, content: QWidget, label: str) -> int:
        return self.addTab(_Page(content), label)

    def widget(self, index: int) -> QWidget | None:
        page = super().widget(index)
        return page.widget() if isinstance(page, _Page) else page

    def indexOf(self, widget: QWidget) -> int:
        for index in range(self.count()):
            if self.widget(index) is widget or super().widget(index) is widget:
                return index
        return -1

    def currentWidget(self) -> QWidget:
        page = super().currentWidget()
        inner = page.widget() if isinstance(page, _Page) else None
        return inner if inner is not None else page

    def setCurrentWidget(self, widget: QWidget) -> None:
        index = self.indexOf(widget)
        if index >= 0:
            self.setCurrentIndex(index)
