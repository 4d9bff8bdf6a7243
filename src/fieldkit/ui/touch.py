"""Touch targets a gloved finger can hit: at least 9 mm on the screen the app runs on.

Style rules computed from the screen's physical pixel density set the least size of every
control a person taps (buttons, tick boxes, combo boxes and their popup rows, tabs, text
fields, list and table rows, column headers, menu rows). No widget sets its own touch size.
They follow the theme's rules in one application style sheet (``theme.install_style_sheet``).
A screen that reports a wrong density (common over remote displays and on some tablets'
firmware) is corrected with ``FIELDKIT_SCREEN_PPI``: the panel's real pixels
per inch, as its data sheet gives them.
"""

from __future__ import annotations

import math
import os

from fieldkit.ui.qt import (
    QApplication,
    QEvent,
    QFontMetrics,
    QGuiApplication,
    QObject,
    QScreen,
    QWidget,
)

TARGET_MM = 9.0
MM_PER_INCH = 25.4
PPI_ENV = "FIELDKIT_SCREEN_PPI"
# A density outside this range is a screen reporting nonsense (0, or a TV's 30 ppi).
SANE_PPI = (60.0, 600.0)
FALLBACK_PPI = 96.0
LIVE_FACTOR = "fieldkitLiveFactor"  # a size chosen in Settings over the one at start
MIN_HEIGHT = "fieldkitTouchHeight"  # a widget's least height in touch targets


def logical_ppi(screen: QScreen | None = None) -> float:
    """Pixels per inch in the units widgets are sized in (Qt's device-independent pixels)."""
    screen = screen or QGuiApplication.primaryScreen()
    override = os.environ.get(PPI_ENV, "").strip()
    if override:
        try:
            native = float(override)
        except ValueError:
            native = 0.0
        if SANE_PPI[0] <= native <= SANE_PPI[1]:
            ratio = screen.devicePixelRatio() if screen is not None else 1.0
            return native / (ratio or 1.0)
    if screen is None:
        return FALLBACK_PPI
    ppi = screen.physicalDotsPerInch()
    ratio = screen.devicePixelRatio() or 1.0
    if not SANE_PPI[0] <= ppi * ratio <= SANE_PPI[1]:
        return FALLBACK_PPI / ratio
    return ppi


def target_px(screen: QScreen | None = None, mm: float = TARGET_MM) -> int:
    """The least size, in widget pixels, of ``mm`` millimetres on ``screen``."""
    return math.ceil(mm * logical_ppi(screen) / MM_PER_INCH)


def size_mm(px: float, screen: QScreen | None = None) -> float:
    return px * MM_PER_INCH / logical_ppi(screen)


def touch_style_sheet(px: int) -> str:
    """The rules, for a least size of ``px`` pixels. ``min-height`` in a style sheet sizes
    the content box, so the padding and border a rule adds come off it."""
    box = max(px - 10, 1)  # content box inside 4 px padding and a 1 px border, top and bottom
    tick = max(round(px * 0.55), 16)  # the square itself: plain to see, the row is the target
    half = max(math.ceil((px - QFontMetrics(QApplication.font()).height()) / 2) + 1, 2)
    return f"""
QPushButton, QToolButton, QComboBox, QLineEdit, QAbstractSpinBox {{
    min-height: {box}px; padding: 4px 8px;
}}
/* Not a push button: a least width there is also its most squeezed one, and a layout short
   of room would cut its text; its text and padding make it wide enough. */
QToolButton, QComboBox, QLineEdit, QAbstractSpinBox {{ min-width: {box}px; }}
QPushButton {{ padding: 4px 14px; }}
QComboBox {{ combobox-popup: 0; }}  /* a list popup, whose rows take the size below */
QAbstractSpinBox {{ padding-left: {px + 2}px; padding-right: {px + 2}px; }}
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{
    subcontrol-origin: border; width: {px}px; height: {px - 4}px;
}}
QAbstractSpinBox::up-button {{ subcontrol-position: center right; right: 2px; }}
QAbstractSpinBox::down-button {{ subcontrol-position: center left; left: 2px; }}
QAbstractSpinBox::up-arrow, QAbstractSpinBox::down-arrow {{
    width: {tick}px; height: {tick}px;
}}
QCheckBox, QRadioButton {{ min-height: {px}px; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: {tick}px; height: {tick}px; }}
QTabBar::tab {{ min-height: {px - 6}px; min-width: {box}px; padding: 4px 12px; }}
QComboBox QAbstractItemView::item, QListView::item {{ min-height: {px}px; }}
QHeaderView::section {{ min-height: {px - 6}px; padding: 4px; }}
QMenuBar::item {{ padding: {half}px 12px; }}
QMenu::item {{ min-height: {box}px; padding: 4px 24px 4px 12px; }}
"""


def apply_touch_sizes(app: QApplication, screen: QScreen | None = None, factor: float = 1.0) -> int:
    """Install the rules for ``screen`` (the primary one by default), ``factor`` times the
    least size (a scale chosen while the app runs); returns the size."""
    from fieldkit.ui.theme import install_style_sheet  # the theme's rules come first

    px = math.ceil(target_px(screen or app.primaryScreen()) * factor)
    app.setProperty("fieldkitTouchPx", px)
    install_style_sheet(app)
    return px


def touch_px() -> int:
    """The least size the application's rules were computed for (rows in code use it)."""
    app = QApplication.instance()
    value = app.property("fieldkitTouchPx") if app is not None else None
    return int(value) if value else target_px()


def _apply_min_height(widget: QWidget) -> None:
    times = widget.property(MIN_HEIGHT)
    if not times:
        return
    # A touch rule, just applied by the style sheet, may ask for more than this.
    rule = widget.minimumHeight() if widget.property("_q_stylesheet_minh") else 0
    wanted = max(math.ceil(touch_px() * float(times)), rule)
    if widget.minimumHeight() != wanted:
        widget.setMinimumHeight(wanted)


# What follows the style sheet's polish: the first, a new sheet, a new parent (a widget put
# into a tool bar or a layout is polished again), being shown.
AFTER_POLISH = (
    QEvent.Type.Polish,
    QEvent.Type.StyleChange,
    QEvent.Type.ParentChange,
    QEvent.Type.Show,
)


class _HeightKeeper(QObject):
    """Sets a widget's least height again after the style sheet polishes it (which sets the
    touch rule's least height over the code's)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in AFTER_POLISH and isinstance(watched, QWidget):
            _apply_min_height(watched)
        return False


_keeper: _HeightKeeper | None = None


def touch_height(widget: QWidget, times: float = 1.0) -> None:
    """A least height of ``times`` the touch target (a big button 1.2, a list a few rows),
    never below the touch rules', which follows a size chosen in Settings at once (and
    again after each polish: the style sheet sets its own least height then)."""
    global _keeper
    if _keeper is None:
        _keeper = _HeightKeeper()
    widget.setProperty(MIN_HEIGHT, times)
    widget.installEventFilter(_keeper)
    _apply_min_height(widget)


def rescale_min_heights(app: QApplication) -> None:
    """Every least height set with ``touch_height`` at the touch size now in effect."""
    for widget in app.allWidgets():
        _apply_min_height(widget)
