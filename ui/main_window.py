"""The main window: navigation on the left, one page at a time, status bar below.

The window paints before the database is opened (``attach`` builds the pages right after), so
start-up feels immediate; page modules, SQLAlchemy and matplotlib load after the first paint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
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

if TYPE_CHECKING:
    from .context import AppContext


class MainWindow(QMainWindow):
    first_painted = Signal()  # once the window has been drawn; the database opens after it

    def __init__(self, ctx: "AppContext | None" = None, settings: QSettings | None = None, parent=None):
        super().__init__(parent)
        self.ctx = None
        self.settings = settings or (ctx.settings if ctx else QSettings("kexie-desktop", "kexie-desktop"))
        self.setWindowTitle(self.tr("连云港市科协 三年行动计划填报系统"))
        self.nav = QListWidget()
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(150)
        self.pages = QStackedWidget()
        self.loading = QLabel(self.tr("正在打开数据库…"))
        self.loading.setAlignment(Qt.AlignCenter)
        self.pages.addWidget(self.loading)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.office_label = QLabel()
        self.demo_label = QLabel(self.tr("演示数据：仅供试用，导出的包正式安装不会接收"))
        self.demo_label.setStyleSheet("color: white; background: #c0392b; padding: 0 6px;")
        self.demo_label.hide()
        self.year_label = QLabel()
        self.unsent_label = QLabel()
        self.delivery_label = QLabel()  # a unit: what the city has of the working year (报送)
        self.waiting_label = QLabel()  # a unit: a package unanswered after a week
        self.waiting_label.setStyleSheet("color: white; background: #b45f06; padding: 0 6px;")
        self.db_label = QLabel()
        self.statusBar().addWidget(self.demo_label)
        self.statusBar().addWidget(self.office_label)
        self.statusBar().addWidget(self.year_label)
        self.statusBar().addWidget(self.unsent_label)
        self.statusBar().addWidget(self.delivery_label)
        self.statusBar().addWidget(self.waiting_label)
        self.statusBar().addPermanentWidget(self.db_label)
        self._build_menus()
        self._restore_geometry()
        self._painted = False
        self.nav.viewport().installEventFilter(self)
        self.setAcceptDrops(True)
        if ctx is not None:
            self.attach(ctx)

    # Package files dropped anywhere on the window go to 数据交换's import (preview first).
    def dragEnterEvent(self, event) -> None:
        if self.ctx is not None and _dropped_files(event):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = _dropped_files(event)
        if self.ctx is not None and paths:
            event.acceptProposedAction()
            self.show_page("sync").import_files(paths)

    def eventFilter(self, obj, event) -> bool:
        if not self._painted and event.type() == QEvent.Paint:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)
        if obj is getattr(self, "_status_waits_for", None) and event.type() == QEvent.Paint:
            obj.removeEventFilter(self)
            self._status_waits_for = None
            QTimer.singleShot(0, self._update_status_bar)
        return super().eventFilter(obj, event)

    def attach(self, ctx: "AppContext") -> None:
        """Register the pages on an opened database; each is built when first shown."""
        self.ctx = ctx
        self.pages.removeWidget(self.loading)
        self.loading.deleteLater()
        self._pages: dict[str, QWidget] = {}
        self._factories: list[tuple[str, object]] = []
        self._add_page("dashboard", self.tr("总览"), self._make_dashboard, QStyle.SP_DesktopIcon)
        self._add_page("entry", self.tr("数据填报"), self._make_entry, QStyle.SP_FileDialogContentsView)
        self._add_page("review", self.tr("审核"), self._make_review, QStyle.SP_DialogYesButton)
        self._add_page("ledger", self.tr("活动台账"), self._make_ledger, QStyle.SP_FileDialogListView)
        self._add_page("targets", self.tr("目标"), self._make_targets, QStyle.SP_DialogApplyButton)
        # The plan's qualitative tasks beside its quantitative targets.
        self._add_page("tasks", self.tr("工作清单"), self._make_tasks, QStyle.SP_FileDialogListView)
        self._add_page("sync", self.tr("数据交换"), self._make_sync, QStyle.SP_BrowserReload)
        if self._is_city():  # only the city sees who reported when
            self._add_page("reporting", self.tr("报送情况"), self._make_reporting, QStyle.SP_FileDialogDetailedView)
        # The year's summary to print: after the reporting cycle (entry → review → exchange → 报送情况).
        self._add_page("report", self.tr("报表"), self._make_report, QStyle.SP_FileIcon)
        self._add_page("plan_browser", self.tr("计划指标"), self._make_plan_browser, QStyle.SP_FileDialogDetailedView)
        self._add_page("plan_text", self.tr("计划原文"), self._make_plan_text, QStyle.SP_FileDialogInfoView)
        # 考核: the city's scores; a unit sees how it is assessed (its class's scheme). After 计划原文, so
        # that the pages before keep their shortcuts (Ctrl+1 … Ctrl+9).
        self._add_page("assessment", self.tr("考核"), self._make_assessment, QStyle.SP_DialogApplyButton)
        if self._is_city():  # the city writes the next plan
            self._add_page("plan_editor", self.tr("计划编辑"), self._make_plan_editor, QStyle.SP_FileDialogNewFolder)
        self._add_page("settings", self.tr("设置"), self._make_settings, QStyle.SP_ComputerIcon)
        self.nav.currentRowChanged.connect(self._show_row)
        self.nav.setCurrentRow(0)
        self._fill_view_menu()
        self._fill_action_menus()
        self._activate_undo()
        # Counting the unsent changes loads the package code (openpyxl, about half a second): at
        # start-up, with the window already on screen, the first page is painted before it.
        self._status_waits_for = self.pages.currentWidget() if self.isVisible() else None
        if self._status_waits_for is not None:
            self._status_waits_for.installEventFilter(self)
        else:
            self._update_status_bar()
        ctx.bus.changed.connect(self._on_changes)

    # Pages, built on first use so start-up only pays for the page it shows.
    def _make_dashboard(self):
        from .dashboard.page import DashboardPage

        return DashboardPage(self.ctx)

    def _make_entry(self):
        from .entry.page import EntryPage

        page = EntryPage(self.ctx)
        page.show_ledger.connect(self.show_ledger_records)
        page.year.activated.connect(lambda _i: self._update_status_bar())  # the working year (or a read-only one)
        return page

    def _make_review(self):
        from . import installation
        from .review.page import ReviewPage

        year = self.entry.model.data_.year if "entry" in self._pages else installation.working_year(self.ctx)
        page = ReviewPage(self.ctx, year=year)
        page.jump_to_cell.connect(self.jump_to_cell)
        page.jump_to_record.connect(self.jump_to_record)
        return page

    def jump_to_cell(self, code: str, year: int, month: int) -> None:
        """From a 审核 finding to its cell in 数据填报 (month 0: the year's total)."""
        self.show_page("entry").select_cell(code, year, month)

    def jump_to_record(self, uid: str, year: int) -> None:
        """From a 审核 finding to its record in 活动台账, with no filter hiding it."""
        self.show_page("ledger").show_record(uid)

    def _make_targets(self):
        from .targets.page import TargetsPage

        return TargetsPage(self.ctx)

    def _make_tasks(self):
        from .tasks.page import TasksPage

        return TasksPage(self.ctx)

    def _make_sync(self):
        from .sync.page import SyncPage

        return SyncPage(self.ctx)

    def _is_city(self) -> bool:
        from . import installation

        here = installation.load_installation(self.ctx)
        return bool(here.office and here.office.is_city)

    def _make_reporting(self):
        from .reporting.page import ReportingPage

        return ReportingPage(self.ctx)

    def _make_assessment(self):
        from .assessment.page import AssessmentPage

        return AssessmentPage(self.ctx)

    def _make_report(self):
        from .report.page import ReportPage

        return ReportPage(self.ctx)

    def _make_ledger(self):
        from .ledger.page import LedgerPage

        return LedgerPage(self.ctx)

    def show_ledger_records(self, indicator_code: str, year: int, month: int) -> None:
        """Drill down from a ledger-counted figure to the activities behind it."""
        self.show_page("ledger").show_records(indicator_code, year, month)

    def _make_plan_browser(self):
        from .plan.browser import PlanBrowser

        page = PlanBrowser(self.ctx)
        page.show_in_text.connect(self.show_sentence)
        return page

    def _make_plan_text(self):
        from .plan.text import PlanTextPage

        return PlanTextPage(self.ctx)

    def _make_plan_editor(self):
        from .plan_editor.page import PlanEditorPage

        return PlanEditorPage(self.ctx)

    def _make_settings(self):
        from .settings.page import SettingsPage

        return SettingsPage(self.ctx)

    @property
    def dashboard(self):
        return self.page("dashboard")

    @property
    def entry(self):
        return self.page("entry")

    @property
    def review(self):
        return self.page("review")

    @property
    def ledger(self):
        return self.page("ledger")

    @property
    def plan_browser(self):
        return self.page("plan_browser")

    @property
    def plan_text(self):
        return self.page("plan_text")

    def page(self, key: str) -> QWidget:
        if key not in self._pages:
            row = [k for k, _f in self._factories].index(key)
            holder = self.pages.widget(row)
            widget = dict(self._factories)[key]()
            holder.layout().addWidget(widget)
            self._pages[key] = widget
        return self._pages[key]

    def _add_page(self, key: str, title: str, factory, icon) -> None:
        item = QListWidgetItem(self.style().standardIcon(icon), title)
        item.setSizeHint(QSize(0, 40))
        self.nav.addItem(item)
        holder = QWidget()
        layout = QHBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        self.pages.addWidget(holder)
        self._factories.append((key, factory))

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        self.page(self._factories[row][0])
        self.pages.setCurrentIndex(row)
        self._activate_undo()

    def current_page(self) -> QWidget | None:
        row = self.nav.currentRow()
        return self._pages.get(self._factories[row][0]) if row >= 0 else None

    def show_page(self, key: str) -> QWidget:
        widget = self.page(key)
        self.nav.setCurrentRow([k for k, _f in self._factories].index(key))
        return widget

    def _on_changes(self, changes) -> None:
        if changes:  # office, people, or the count of changes not yet sent
            self._update_status_bar()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("文件(&F)"))
        quit_action = QAction(self.tr("退出(&X)"), self)
        quit_action.setShortcut(QKeySequence.Quit)
        quit_action.triggered.connect(self.close)
        self.file_menu = file_menu
        self.quit_action = quit_action
        self.edit_menu = self.menuBar().addMenu(self.tr("编辑(&E)"))
        self.view_menu = self.menuBar().addMenu(self.tr("视图(&V)"))
        self.tools_menu = self.menuBar().addMenu(self.tr("工具(&T)"))
        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        about = QAction(self.tr("关于(&A)"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)
        logs = QAction(self.tr("打开日志文件夹"), self)
        logs.triggered.connect(self.open_log_folder)
        help_menu.addAction(logs)
        file_menu.addAction(quit_action)

    def _fill_action_menus(self) -> None:
        """Menus that need the database: undo/redo of the entry grid, demo data."""
        # The grid's undo history is active only while the grid is shown: Ctrl+Z elsewhere never
        # changes cells the user cannot see.
        self.undo_group = QUndoGroup(self)
        self.undo_group.addStack(self.ctx.undo_stack)
        undo = self.undo_group.createUndoAction(self, self.tr("撤销"))
        undo.setShortcut(QKeySequence.Undo)
        redo = self.undo_group.createRedoAction(self, self.tr("重做"))
        redo.setShortcut(QKeySequence.Redo)
        self.edit_menu.addActions([undo, redo])
        demo = QAction(self.tr("填入演示数据…"), self)
        demo.triggered.connect(self.ask_demo)
        self.tools_menu.addAction(demo)
        self.clear_demo_action = QAction(self.tr("清除演示数据…"), self)
        self.clear_demo_action.triggered.connect(self.ask_clear_demo)
        self.tools_menu.addAction(self.clear_demo_action)

    def _activate_undo(self) -> None:
        if hasattr(self, "undo_group"):
            on_grid = self._factories[self.nav.currentRow()][0] == "entry" if self.nav.currentRow() >= 0 else False
            self.undo_group.setActiveStack(self.ctx.undo_stack if on_grid else None)

    def ask_demo(self) -> None:
        answer = QMessageBox.question(
            self, self.tr("填入演示数据"),
            self.tr("演示数据是 2018—2020 年各县区的虚拟数据，仅供试用，且只能填入没有实际数据的数据库。继续吗？"),
        )
        if answer == QMessageBox.Yes:
            self.load_demo()

    def ask_clear_demo(self) -> None:
        answer = QMessageBox.question(
            self, self.tr("清除演示数据"),
            self.tr("将删除全部演示数据（标注“演示数据”的月度数值、活动记录、分解目标和工作清单的节点、进展），以及这期间所做的审核状态和审核说明；"
                    "实际填报的数据保留不变。"
                    "删除前会自动备份数据库。继续吗？"),
        )
        if answer != QMessageBox.Yes:
            return
        from . import installation
        from .errors import show_error

        try:
            counts = installation.clear_demo(self.ctx)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the transaction rolled back
            show_error(self, self.tr("清除演示数据失败"), exc)
            return
        self.statusBar().showMessage(
            self.tr("已清除演示数据：%1 条月度数值，%2 条活动记录，%3 个分解目标，%4 个月的审核状态，%5 条审核说明。")
            .replace("%1", str(counts["values"])).replace("%2", str(counts["activities"]))
            .replace("%3", str(counts["targets"])).replace("%4", str(counts["review_months"]))
            .replace("%5", str(counts["explanations"])), 10000)

    def open_log_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        from .errors import log_path

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_path().parent)))

    def _fill_view_menu(self) -> None:
        for row in range(self.nav.count()):
            action = QAction(self.nav.item(row).text(), self)
            if row < 10:  # Ctrl+1 … Ctrl+9, then Ctrl+0 ("Ctrl+10" is no key sequence)
                action.setShortcut(QKeySequence(f"Ctrl+{(row + 1) % 10}"))
            action.triggered.connect(lambda _checked=False, r=row: self.nav.setCurrentRow(r))
            self.view_menu.addAction(action)
            self.addAction(action)  # shortcuts work even when the menu bar is native or hidden

    def _update_status_bar(self) -> None:
        from . import installation

        here = installation.load_installation(self.ctx)
        office = here.office.name if here.office else self.tr("未设定单位")
        self.office_label.setText(self.tr("本机单位：") + office)
        title = self.tr("连云港市科协 三年行动计划填报系统") + " — " + office
        self.setWindowTitle(title + (self.tr("【演示数据】") if here.demo_data else ""))
        self.demo_label.setVisible(here.demo_data)
        self.clear_demo_action.setEnabled(here.demo_data)
        year = self.entry.model.data_.year if "entry" in self._pages else installation.working_year(self.ctx)
        ended = self.entry.model.data_.read_only if "entry" in self._pages else None
        self.year_label.setText(self.tr("　填报年度：%1年").replace("%1", str(year))
                                + (self.tr("（%1）").replace("%1", ended) if ended else ""))
        unsent = installation.unsent_changes(self.ctx)
        is_city = bool(here.office and here.office.is_city)
        what = self.tr("未下发的目标修改") if is_city else self.tr("未上报的修改")
        self.unsent_label.setText(self.tr("　%1：%2 处").replace("%1", what).replace("%2", str(unsent)))
        self.unsent_label.setStyleSheet("color: #9a4a00;" if unsent else "")
        line = None if is_city else installation.delivery_line(self.ctx, year)
        self.delivery_label.setVisible(line is not None)
        self.waiting_label.setVisible(bool(line and line[1]))
        if line is not None:
            summary, waiting = line
            self.delivery_label.setText("　" + summary)
            self.delivery_label.setToolTip(self.tr("各月报送情况详见“数据交换”页"))
            self.waiting_label.setText("；".join(waiting))
        self.db_label.setText(self.tr("数据库：") + self.ctx.db.location)
        self.db_label.setToolTip(self.ctx.db.location)

    def load_demo(self) -> None:
        from kexie_desktop.changes import Changes

        from . import installation
        from .worker import run_task

        def done(summary: dict) -> None:
            self.ctx.notify(Changes(everything=True))
            self.statusBar().showMessage(
                self.tr("已填入演示数据：%1 条月度数值，%2 条活动记录。")
                .replace("%1", str(summary["values"])).replace("%2", str(summary["activities"])),
                10000,
            )

        run_task(self, self.tr("正在填入演示数据…"), lambda p: installation.fill_demo(self.ctx, p), done,
                 error_title=self.tr("填入演示数据失败"))

    def show_sentence(self, sentence: str) -> None:
        page = self.show_page("plan_text")
        page.choose_plan(self.plan_browser.plan_code())  # the text of the plan the sentence came from
        page.highlight(sentence)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("关于"),
            self.tr("连云港市科协“高质发展、后发先至”三年行动计划（2018—2020年）填报系统\n版本 ")
            + __version__,
        )

    def _restore_geometry(self) -> None:
        """The saved geometry, or a default one, always clamped to the screen's available area."""
        from . import window_geometry

        available = window_geometry.available_area(self)
        self.setMinimumSize(window_geometry.minimum(available))
        geometry = self.settings.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty() and self.restoreGeometry(geometry):
            if not self.isMaximized() and not self.isFullScreen():
                self.setGeometry(window_geometry.fit(self.geometry(), available))
        else:
            self.setGeometry(window_geometry.default(available))

    def closeEvent(self, event) -> None:
        if self.ctx is not None and "entry" in self._pages and not self.entry.confirm_leave():
            event.ignore()
            return
        self.settings.setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)


def _dropped_files(event) -> list[str]:
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
