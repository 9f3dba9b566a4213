"""A matplotlib canvas that keeps one Figure and redraws it in place (never pyplot)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QScrollArea

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure


class ChartView(QScrollArea):
    """Scrolls a chart that is taller or wider than the page (the progress chart has 61 bars)."""

    def __init__(self, parent=None, fit_width: bool = True, keep_min_width: bool = False):
        super().__init__(parent)
        self.fit_width = fit_width
        # The chart's own width is its minimum (the heatmap's columns need it); wider panes widen it.
        self.keep_min_width = keep_min_width
        self._built_width = 0.0
        self.figure = Figure()
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.setWidget(self.canvas)
        self.setWidgetResizable(False)
        self.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.setBackgroundRole(self.canvas.backgroundRole())
        # matplotlib's canvas accepts every wheel event (as a scroll_event nobody here uses), so the
        # area would never scroll over a chart: the wheel goes to the scroll bars instead.
        self.canvas.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.canvas and event.type() == QEvent.Wheel:
            self.wheelEvent(event)
            return True
        return super().eventFilter(obj, event)

    def draw(self, build: Callable[[Figure], object]) -> None:
        """``build(fig)`` draws into the kept figure (it clears and sizes it); then a deferred redraw."""
        build(self.figure)
        self._built_width = self.figure.get_size_inches()[0]
        self._fit()

    def _fit(self) -> None:
        if self.fit_width:  # as wide as the pane, as tall as the chart needs
            inches = max(self.viewport().width() - 4, 420) / self.figure.dpi
            if self.keep_min_width:
                inches = max(inches, self._built_width)
            self.figure.set_size_inches(inches, self.figure.get_size_inches()[1], forward=False)
        width, height = self.figure.get_size_inches() * self.figure.dpi
        self.canvas.setFixedSize(int(width), int(height))
        self.canvas.draw_idle()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fit_width and self.figure.axes:  # re-lay out the same figure, nothing is rebuilt
            self._fit()

    def connect_click(self, handler) -> None:
        self.canvas.mpl_connect("button_press_event", handler)
