"""The main window: navigation on the left, one page at a time, status bar below."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSize
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QStyle,
    QWidget,
)

from kexie_desktop import __version__

from .context import AppContext
from .entry_page import EntryPage
from .plan_browser import PlanBrowser
from .plan_text import PlanTextPage


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("连云港市科协 三年行动计划填报系统"))
        self.nav = QListWidget()
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(150)
        self.pages = QStackedWidget()
        self.plan_browser = PlanBrowser(ctx)
        self.plan_text = PlanTextPage()
        self.entry = EntryPage(ctx)
        self._add_page(self.tr("数据填报"), self.entry, QStyle.SP_FileDialogContentsView)
        self._add_page(self.tr("计划指标"), self.plan_browser, QStyle.SP_FileDialogDetailedView)
        self._add_page(self.tr("计划原文"), self.plan_text, QStyle.SP_FileDialogInfoView)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.nav.setCurrentRow(0)
        self.plan_browser.show_in_text.connect(self.show_sentence)
        self._build_menus()
        self._build_status_bar()
        self._restore_geometry()

    def _add_page(self, title: str, widget, icon) -> None:
        item = QListWidgetItem(self.style().standardIcon(icon), title)
        item.setSizeHint(QSize(0, 40))
        self.nav.addItem(item)
        self.pages.addWidget(widget)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("文件(&F)"))
        quit_action = QAction(self.tr("退出(&X)"), self)
        quit_action.setShortcut(QKeySequence.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu(self.tr("视图(&V)"))
        for row in range(self.nav.count()):
            action = QAction(self.nav.item(row).text(), self)
            action.setShortcut(QKeySequence(f"Ctrl+{row + 1}"))
            action.triggered.connect(lambda _checked=False, r=row: self.nav.setCurrentRow(r))
            view_menu.addAction(action)
            self.addAction(action)  # shortcuts work even when the menu bar is native or hidden
        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        about = QAction(self.tr("关于(&A)"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _build_status_bar(self) -> None:
        overview = self.plan_browser.overview
        office = overview.office_name or self.tr("未设定单位")
        self.office_label = QLabel(self.tr("本机单位：") + office)
        self.db_label = QLabel(self.tr("数据库：") + str(self.ctx.db.path))
        self.db_label.setToolTip(str(self.ctx.db.path))
        self.statusBar().addWidget(self.office_label)
        self.statusBar().addPermanentWidget(self.db_label)

    def load_demo(self) -> None:
        from kexie_desktop.changes import Changes

        from . import operations
        from .worker import run_task

        def done(summary: dict) -> None:
            self.ctx.notify(Changes(everything=True))
            self.statusBar().showMessage(
                self.tr("已填入演示数据：%1 条月度数值，%2 条活动记录。")
                .replace("%1", str(summary["values"])).replace("%2", str(summary["activities"])),
                10000,
            )

        run_task(self, self.tr("正在填入演示数据…"), lambda p: operations.fill_demo(self.ctx, p), done,
                 error_title=self.tr("填入演示数据失败"))

    def show_sentence(self, sentence: str) -> None:
        self.nav.setCurrentRow(self.pages.indexOf(self.plan_text))
        self.plan_text.highlight(sentence)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("关于"),
            self.tr("连云港市科协“高质发展、后发先至”三年行动计划（2018—2020年）填报系统\n版本 ")
            + __version__,
        )

    def _restore_geometry(self) -> None:
        geometry = self.ctx.settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 760)

    def closeEvent(self, event) -> None:
        if not self.entry.confirm_leave():
            event.ignore()
            return
        self.ctx.settings.setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
