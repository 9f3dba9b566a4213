"""One note's evidence files: the list, a preview and 另存为….

A PNG or JPEG is shown from its stored bytes (QPixmap, scaled to fit). A PDF's first page is shown when
pypdfium2 is installed (PDFium in-process, built without JavaScript); otherwise its name and size. Nothing
is ever handed to the operating system to open.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..errors import show_error
from .operations import EvidenceFile, EvidenceRow, size_text

PDF_RENDER_WIDTH, PDF_RENDER_HEIGHT = 900, 1300  # pixels at most of the rendered first page


def pdf_first_page(data: bytes) -> QImage | None:
    """The first page of a PDF as an image, or None (no pypdfium2, or a PDF PDFium cannot read)."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return None
    try:
        pdf = pdfium.PdfDocument(data)
        try:
            if len(pdf) == 0:
                return None
            page = pdf[0]
            width, height = max(page.get_width(), 1), max(page.get_height(), 1)
            # Bounded both ways: a page declared 1 pt wide and miles high must not become a huge bitmap.
            scale = min(PDF_RENDER_WIDTH / width, PDF_RENDER_HEIGHT / height)
            bitmap = page.render(scale=scale, rev_byteorder=True)  # RGB, not BGR
            formats = {3: QImage.Format_RGB888, 4: QImage.Format_RGBA8888}
            if bitmap.n_channels not in formats:
                return None
            raw = bytes(bitmap.buffer)
            return QImage(raw, bitmap.width, bitmap.height, bitmap.stride, formats[bitmap.n_channels]).copy()
        finally:
            pdf.close()
    except Exception:  # noqa: BLE001 - a PDF PDFium refuses is shown by name and size only
        return None


class EvidenceView(QWidget):
    """``load(evidence_id) -> EvidenceFile`` reads one file's bytes; ``save(file)`` asks where to save it."""

    def __init__(self, load: Callable[[int], EvidenceFile], save: Callable[[EvidenceFile], None], parent=None):
        super().__init__(parent)
        self.load, self.save = load, save
        self.current: EvidenceFile | None = None
        self._pixmap: QPixmap | None = None
        self.files = QListWidget()
        self.files.setMaximumWidth(180)
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignCenter)
        self.preview.setMinimumSize(160, 120)
        self.preview.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
        self.preview.setStyleSheet("background: #f4f4f4; border: 1px solid #ccc; color: #555;")
        self.preview.setWordWrap(True)
        self.save_button = QPushButton(self.tr("另存为…"))
        self.save_button.setEnabled(False)
        side = QVBoxLayout()
        side.addWidget(self.files, 1)
        side.addWidget(self.save_button)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addLayout(side)
        row.addWidget(self.preview, 1)
        self.files.currentItemChanged.connect(lambda *_a: self._show_current())
        self.save_button.clicked.connect(lambda: self.current and self.save(self.current))
        self.set_files(())

    def set_files(self, files: tuple[EvidenceRow, ...]) -> None:
        self.files.blockSignals(True)
        self.files.clear()
        for f in files:
            item = QListWidgetItem(f"{f.file_name}（{size_text(f.size)}）")
            item.setData(Qt.UserRole, f.id)
            item.setToolTip(f"{f.file_name}\n{f.media_type}，{size_text(f.size)}")
            self.files.addItem(item)
        self.files.blockSignals(False)
        if files:
            self.files.setCurrentRow(0)
        else:
            self._clear(self.tr("这条进展没有附证据文件。"))

    def _clear(self, text: str) -> None:
        self.current, self._pixmap = None, None
        self.preview.setPixmap(QPixmap())
        self.preview.setText(text)
        self.save_button.setEnabled(False)

    def _show_current(self) -> None:
        item = self.files.currentItem()
        if item is None:
            self._clear(self.tr("这条进展没有附证据文件。"))
            return
        try:
            self.current = self.load(item.data(Qt.UserRole))
        except Exception as exc:  # noqa: BLE001 - shown to the user
            show_error(self, self.tr("读取证据文件失败"), exc)
            self._clear(self.tr("证据文件读取失败。"))
            return
        self.save_button.setEnabled(True)
        pixmap = QPixmap()
        if self.current.media_type.startswith("image/"):
            pixmap.loadFromData(self.current.data)
        else:
            image = pdf_first_page(self.current.data)
            if image is not None:
                pixmap = QPixmap.fromImage(image)
        if pixmap.isNull():
            self._pixmap = None
            what = self.tr("PDF 文件") if self.current.media_type == "application/pdf" else self.tr("图片")
            self.preview.setPixmap(QPixmap())
            self.preview.setText(self.tr("%1“%2”，%3：此处不能预览，可用“另存为…”保存后查看。")
                                 .replace("%1", what).replace("%2", self.current.file_name)
                                 .replace("%3", size_text(len(self.current.data))))
            return
        self._pixmap = pixmap
        self.preview.setText("")
        self._fit()

    @property
    def has_image(self) -> bool:
        return self._pixmap is not None

    def _fit(self) -> None:
        if self._pixmap is not None:
            size = self.preview.size().boundedTo(self._pixmap.size())
            self.preview.setPixmap(self._pixmap.scaled(size, Qt.KeepAspectRatio, Qt.SmoothTransformation))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()
