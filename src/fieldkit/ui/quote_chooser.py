"""The job's quotes in one combo, each with its number, state and total, so a draft is never
mistaken for the approved one; withdrawn and declined quotes stay listed as history."""

from __future__ import annotations

from decimal import Decimal

from fieldkit.domain.enums import QuoteStatus
from fieldkit.i18n import N_, _
from fieldkit.services.quote_views import QuoteView
from fieldkit.ui.qt import QComboBox, QWidget
from fieldkit.ui.touch import touch_height

STATE = {
    QuoteStatus.DRAFT: N_("Draft"),
    QuoteStatus.APPROVED: N_("Approved"),
    QuoteStatus.DECLINED: N_("Declined"),
    QuoteStatus.WITHDRAWN: N_("Withdrawn"),
    QuoteStatus.SUPERSEDED: N_("Superseded"),
}


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def chooser_text(quote: QuoteView) -> str:
    return f"{quote.number} · {_(STATE[quote.status])} · {money(quote.totals.total.amount)} " + (
        quote.currency
    )


class QuoteChooser(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        touch_height(self)

    def set_quotes(self, quotes: list[QuoteView], select_last: bool = False) -> None:
        """Refill without emitting a change; keep the current quote unless asked otherwise."""
        current = self.current_id()
        self.blockSignals(True)
        self.clear()
        for q in quotes:
            self.addItem(chooser_text(q), q.id)
        index = len(quotes) - 1 if select_last else self.findData(current)
        self.setCurrentIndex(max(index, 0) if quotes else -1)
        self.blockSignals(False)

    def current_id(self) -> str | None:
        data = self.currentData()
        return str(data) if data else None
