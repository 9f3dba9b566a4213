"""The preview of the report's pages: one column of page images on grey, scrolled, each fitted to the width
(or whole pages to the height); which page is in view (第 N 页 / 共 M 页).

Only the pages in view are scaled and painted (a cache of a few), so a long report scrolls smoothly.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QScrollArea, QWidget

GAP = 14  # pixels around and between pages
BACKGROUND = QColor("#8a8f96")
FIT_WIDTH, FIT_PAGE = "width", "page"
CACHED = 4  # scaled pages kept (the two or three in view, and one more)


class PageStrip(QWidget):
    """The pages one below the other at a given page size; paints only what is exposed."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.images: list[QImage] = []
        self.placeholder = ""
        self.page_size = QSize()
        self._cache: dict[int, QPixmap] = {}
        self.setAttribute(Qt.WA_OpaquePaintEvent)

    def set_images(self, images: list[QImage]) -> None:
        self.images = images
        self._cache.clear()
        self.update()

    def set_page_size(self, size: QSize, width: int) -> None:
        if size != self.page_size:
            self._cache.clear()
        self.page_size = size
        rows = len(self.images)
        height = GAP + rows * (size.height() + GAP) if rows else 0
        self.resize(width, height)
        self.update()

    def page_rect(self, n: int) -> QRect:
        left = max(GAP, (self.width() - self.page_size.width()) // 2)
        return QRect(left, GAP + n * (self.page_size.height() + GAP), self.page_size.width(),
                     self.page_size.height())

    def page_at(self, y: int) -> int:
        """The page at height ``y`` of the strip (0-based, clamped)."""
        step = self.page_size.height() + GAP
        if not self.images or step <= GAP:
            return 0
        return min(max((y - GAP // 2) // step, 0), len(self.images) - 1)

    def _scaled(self, n: int) -> QPixmap:
        if n not in self._cache:
            while len(self._cache) >= CACHED:
                self._cache.pop(next(iter(self._cache)))
            self._cache[n] = QPixmap.fromImage(self.images[n].scaled(
                self.page_size, Qt.IgnoreAspectRatio, Qt.SmoothTransformation))
        return self._cache[n]

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), BACKGROUND)
        if not self.images:
            return
        first, last = self.page_at(event.rect().top()), self.page_at(event.rect().bottom())
        for n in range(first, last + 1):
            rect = self.page_rect(n)
            if rect.intersects(event.rect()):
                painter.fillRect(rect.translated(3, 3), QColor(0, 0, 0, 70))  # a shadow
                painter.drawPixmap(rect.topLeft(), self._scaled(n))


class PagesView(QScrollArea):
    """Scrolls the strip; ``page_changed(current, total)`` (1-based) as the view moves."""

    page_changed = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.mode = FIT_WIDTH
        self.strip = PageStrip()
        self.setWidget(self.strip)
        self.setWidgetResizable(False)
        self.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOn)  # a steady width: pages never reflow under it
        self.setStyleSheet("QScrollArea { background: %s; }" % BACKGROUND.name())
        self.viewport().setStyleSheet("background: %s;" % BACKGROUND.name())
        self.verticalScrollBar().valueChanged.connect(lambda _v: self._tell_page())
        self._current = 0

    @property
    def count(self) -> int:
        return len(self.strip.images)

    def current(self) -> int:
        """The page in view, 1-based (0 when empty)."""
        return self._current

    def set_pages(self, images: list[QImage]) -> None:
        self.strip.set_images(images)
        self._relayout()
        self.verticalScrollBar().setValue(0)
        self._current = -1
        self._tell_page()

    def clear(self) -> None:
        self.set_pages([])

    def set_mode(self, mode: str) -> None:
        page = self.current()
        self.mode = mode
        self._relayout()
        if page:
            self.go_to(page)

    def go_to(self, page: int) -> None:
        if self.count:
            page = min(max(page, 1), self.count)
            self.verticalScrollBar().setValue(self.strip.page_rect(page - 1).top() - GAP)
            self._tell_page(page)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        page = self.current()
        self._relayout()
        if page > 1:
            self.go_to(page)

    def _relayout(self) -> None:
        if not self.strip.images:
            self.strip.set_page_size(QSize(), self.viewport().width())
            return
        image = self.strip.images[0].size()
        width = max(self.viewport().width() - 2 * GAP, 100)
        size = image.scaled(QSize(width, 10 ** 6), Qt.KeepAspectRatio)
        if self.mode == FIT_PAGE:
            size = image.scaled(QSize(width, max(self.viewport().height() - 2 * GAP, 100)), Qt.KeepAspectRatio)
        self.strip.set_page_size(size, max(self.viewport().width(), size.width() + 2 * GAP))

    def _tell_page(self, page: int | None = None) -> None:
        if page is None:
            if not self.count:
                page = 0
            else:
                value = self.verticalScrollBar().value()
                page = self.strip.page_at(value + self.viewport().height() // 3) + 1
                if value >= self.verticalScrollBar().maximum() > 0:
                    page = self.count  # scrolled to the end: the last page, however short the view
        if page != self._current:
            self._current = page
            self.page_changed.emit(page, self.count)
