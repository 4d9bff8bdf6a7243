"""The site dossier tab: documents and drawings, contacts, subsystems, software media notes,
and the device registry (searchable, values copied with a tap)."""

from __future__ import annotations

from fieldkit.domain.errors import DomainError
from fieldkit.i18n import N_, _, ngettext, tr
from fieldkit.labels import labelled, size_label
from fieldkit.services import dossier
from fieldkit.services.context import ServiceContext
from fieldkit.ui.device_registry import DeviceRegistry
from fieldkit.ui.drawing_viewer import DrawingViewer
from fieldkit.ui.qt import (
    QBoxLayout,
    QColor,
    QEvent,
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QResizeEvent,
    QScrollArea,
    QSplitter,
    Qt,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from fieldkit.ui.theme import current_theme, mark

KIND = {
    "drawing": N_("Drawing"),
    "wiring": N_("Wiring diagram"),
    "manual": N_("Manual"),
    "photo": N_("Photo"),
    "software_media": N_("Software media"),
}
ROLE = {"system_owner": N_("System owner"), "installer": N_("Installer"), "other": N_("Contact")}


FACTS_MIN_WIDTH = 110  # px: the site's facts beside the drawing, scroll bar included
# Narrower than this (the job list beside it on a tablet), the facts and documents go above
# the drawing, side by side, instead of a column squeezed to a word a line.
STACKED_BELOW = 900


class SiteDossierPanel(QWidget):
    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.site_id: str | None = None
        self._site: dossier.SiteDossier | None = None
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        mark(self.banner, role="banner")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.documents = QListWidget()
        self.documents.itemActivated.connect(self._open_document)
        self.documents.itemClicked.connect(self._open_document)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.banner)
        # A long address and contact list in a narrow column (a 150 % scale) scrolls, not cut;
        # squeezed by the drawing's tabs, its longer words (a phone number) ran past the edge.
        facts = QScrollArea()
        facts.setWidget(self.summary)
        facts.setWidgetResizable(True)
        facts.setFrameShape(QFrame.Shape.NoFrame)
        facts.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        facts.setMinimumWidth(FACTS_MIN_WIDTH)
        docs = QWidget()
        docs_layout = QVBoxLayout(docs)
        docs_layout.setContentsMargins(0, 0, 0, 0)
        docs_layout.addWidget(QLabel(_("Documents")))
        docs_layout.addWidget(self.documents, 1)
        self.side_body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.side_body.addWidget(facts, 1)
        self.side_body.addWidget(docs, 1)
        side_layout.addLayout(self.side_body, 1)

        self.viewer = DrawingViewer()
        self.registry = DeviceRegistry(ctx)
        self.device_search = self.registry.search
        self.tabs = QTabWidget()
        self.tabs.addTab(self.viewer, _("Drawing"))
        self.tabs.addTab(self.registry, _("Devices"))
        self.splitter = splitter = QSplitter()
        splitter.addWidget(side)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def resizeEvent(self, event: QResizeEvent) -> None:
        stacked = event.size().width() < STACKED_BELOW
        if stacked != (self.splitter.orientation() is Qt.Orientation.Vertical):
            self.splitter.setOrientation(
                Qt.Orientation.Vertical if stacked else Qt.Orientation.Horizontal
            )
            self.side_body.setDirection(
                QBoxLayout.Direction.LeftToRight if stacked else QBoxLayout.Direction.TopToBottom
            )
        super().resizeEvent(event)

    def show_job(self, job_id: str) -> None:
        site = dossier.site_dossier(self._ctx, job_id)
        self.site_id, self._site = site.site_id, site
        self.banner.setVisible(not site.installed_by_us)
        self.documents.clear()
        for doc in site.documents:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, doc.id)
            if not doc.on_device:
                item.setForeground(QColor(current_theme().colour("muted")))
            self.documents.addItem(item)
        self._show_texts(site)
        self.registry.show_site(site.site_id)
        first = next((i for i, d in enumerate(site.documents) if d.on_device), None)
        if first is not None and site.documents[first].kind in ("drawing", "wiring"):
            self.documents.setCurrentRow(first)
            self._open_document(self.documents.item(first))

    def _show_texts(self, site: dossier.SiteDossier) -> None:
        """The texts filled in with the site's facts, in the language now in effect."""
        self.banner.setText(
            _(
                "This site was not installed by us: ask the customer for drawings "
                "and documents before changing anything."
            )
        )
        lines = [f"<b>{site.name}</b>", site.address]
        if site.subsystems:
            lines.append(labelled(_("Subsystems"), "、".join(site.subsystems)))
        for c in site.contacts:
            who = " · ".join(x for x in (c.name, c.company, c.phone, c.email) if x)
            lines.append(labelled(_(ROLE.get(c.role, "Contact")), who))
        if site.software_media_notes:
            lines.append(labelled(_("Software media"), site.software_media_notes))
        devices = ngettext("{count} device", "{count} devices", site.devices)
        lines.append(devices.format(count=site.devices))
        self.summary.setText("<br>".join(lines))
        for row, doc in enumerate(site.documents):
            pages = (
                " · " + ngettext("{count} page", "{count} pages", doc.pages).format(count=doc.pages)
                if doc.pages
                else ""
            )
            kind = _(KIND.get(doc.kind, doc.kind))
            text = f"{doc.title}\n{kind} · {size_label(doc.size_bytes)}{pages}"
            if not doc.on_device:
                text += " · " + _("not on this device")
            item = self.documents.item(row)
            if item is not None:
                item.setText(text)

    def changeEvent(self, event: QEvent) -> None:
        """The language changed: the same site, drawing and device, in the new language."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange and self._site is not None:
            self._show_texts(self._site)

    def _open_document(self, item: QListWidgetItem) -> None:
        doc_id = str(item.data(Qt.ItemDataRole.UserRole))
        try:
            path = dossier.document_path(self._ctx, doc_id)
        except DomainError as exc:
            self.viewer.view.close_document()
            self.viewer.view.message = tr(str(exc))
            self.viewer.view.update()
            return
        self.tabs.setCurrentWidget(self.viewer)
        self.viewer.open(path, item.text().splitlines()[0])
