"""A unit that skips the init package, or mistypes its activation code, or cancels after loading it:
the wizard says what skipping costs, asks for the code again, and leaves nothing half set up. The
city can show an issued activation code again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWizard

from hostile.helpers import dump, make_city
from kexie_desktop import packages
from kexie_desktop.packages.pipeline import keys
from kexie_desktop.errors import UserError
from kexie_desktop.services import offices
from tests.conftest import make_context
from tests.qtkeys import type_text
from ui.dashboard.page import DashboardPage
from ui.wizard.wizard import FirstStartWizard

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def init_file(tmp_path):
    city = make_city(tmp_path / "city.db")
    path = tmp_path / "灌南县-初始化包.xlsx"
    with city.write() as s:
        code = packages.export_init(s, offices.resolve(s, "灌南县"), path).activation_code
    city.close()
    return path, code


def _wizard(qtbot, ctx) -> FirstStartWizard:
    wizard = FirstStartWizard(ctx)
    qtbot.addWidget(wizard)
    with qtbot.waitExposed(wizard):
        wizard.show()
    return wizard


def _load(qtbot, wizard, monkeypatch, path: Path, codes: list[str]) -> list[str]:
    """Click 载入…, answer the file dialog with ``path`` and the code prompts with ``codes`` in turn."""
    prompts = []
    answers = iter(codes)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))

    def ask(parent, title, label, *a, **k):
        prompts.append(label)
        code = next(answers, None)
        return (code, True) if code is not None else ("", False)

    monkeypatch.setattr(QInputDialog, "getText", ask)
    qtbot.mouseClick(wizard.office_page.load_button, Qt.LeftButton)
    return prompts


def test_choosing_a_unit_without_the_init_package_says_what_skipping_costs(qtbot, ctx):
    wizard = _wizard(qtbot, ctx)
    page = wizard.office_page
    combo = page.combo
    assert not page.skip_cost.isVisible()
    combo.setCurrentIndex(combo.findData("320722"))
    assert page.skip_cost.isVisible()
    assert page.skip_cost.text() == (
        "没有载入初始化包：本机暂时没有本单位的目标（总览中显示“未设目标”），也没有上报签名密钥，还不能导出上报包。"
        "以后收到市科协发来的初始化包和激活码时，在“数据交换”页点“选择文件导入…”导入即可。")
    combo.setCurrentIndex(combo.findData("320700"))  # the city needs no init package
    assert not page.skip_cost.isVisible()


def test_a_wrong_activation_code_is_asked_again(qtbot, ctx, init_file, monkeypatch):
    path, code = init_file
    wizard = _wizard(qtbot, ctx)
    prompts = _load(qtbot, wizard, monkeypatch, path, ["WRONG-CODE-1", "", code])
    assert prompts == ["请输入市科协电话告知的激活码：",
                       "激活码不对（WRONG-CODE-1）。请核对市科协告知的激活码，重新输入：",
                       "激活码不对（没有输入）。请核对市科协告知的激活码，重新输入："]
    page = wizard.office_page
    assert page.combo.currentData() == "320724" and not page.combo.isEnabled()
    assert page.loaded.text() == "初始化包已核对无误：本机将设为 灌南县科协，点“完成”后导入。"
    assert not page.skip_cost.isVisible()


def test_cancelling_after_loading_the_init_package_leaves_nothing_behind(qtbot, ctx, init_file, monkeypatch):
    path, code = init_file
    before = dump(ctx.db, with_log=True)
    wizard = _wizard(qtbot, ctx)
    _load(qtbot, wizard, monkeypatch, path, [code])
    assert wizard.office_page.combo.currentData() == "320724"
    qtbot.mouseClick(wizard.button(QWizard.CancelButton), Qt.LeftButton)
    assert wizard.result() == QWizard.Rejected
    assert dump(ctx.db, with_log=True) == before
    with ctx.db.read() as s:
        assert offices.this_office(s) is None


def test_finishing_after_loading_imports_the_init_package(qtbot, ctx, init_file, monkeypatch):
    path, code = init_file
    wizard = _wizard(qtbot, ctx)
    _load(qtbot, wizard, monkeypatch, path, [code])
    qtbot.mouseClick(wizard.button(QWizard.NextButton), Qt.LeftButton)
    assert wizard.people_page.subTitle() == "这些信息会印在上报包的封面上，方便市科协联系。"
    type_text(wizard.people_page.filler, "王芳")
    qtbot.mouseClick(wizard.button(QWizard.NextButton), Qt.LeftButton)
    qtbot.mouseClick(wizard.button(QWizard.FinishButton), Qt.LeftButton)
    assert wizard.result() == QWizard.Accepted
    with ctx.db.read() as s:
        assert offices.this_office(s).name == "灌南县科协"
        assert keys.signing_key(s, offices.resolve(s, "灌南县")) is not None
        assert [e["result"] for e in map(packages.describe_log_entry, packages.package_log(s))] == ["applied"]


def test_the_city_is_told_its_names_go_on_its_own_packages(qtbot, ctx):
    wizard = _wizard(qtbot, ctx)
    wizard.office_page.combo.setCurrentIndex(wizard.office_page.combo.findData("320700"))
    qtbot.mouseClick(wizard.button(QWizard.NextButton), Qt.LeftButton)
    assert wizard.people_page.subTitle() == "这些信息会印在下发包和初始化包的封面上，方便县区联系。"


def test_the_dashboard_of_a_unit_without_targets_says_where_they_come_from(qtbot, ctx):
    with ctx.db.write() as s:
        offices.set_this_office(s, offices.resolve(s, "东海县"))
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    assert page.summary.text().endswith(
        "本单位还没有目标：县区的目标由市科协分解后下发。请向市科协索取下发包（或初始化包和激活码），"
        "在“数据交换”页点“选择文件导入…”导入后，这里就会显示完成率和进度。")


def test_exporting_without_a_signing_key_names_the_gui_step(db, tmp_path):
    with db.write() as s:
        office = offices.resolve(s, "东海县")
        offices.set_this_office(s, office)
        with pytest.raises(UserError) as caught:
            packages.export_submission(s, office, 2019, tmp_path / "F.xlsx")
    assert str(caught.value) == ("本机还没有上报签名密钥（首次使用设置时没有载入初始化包），还不能导出上报包。请向市科协索取"
                                 "本单位的初始化包和激活码，在“数据交换”页点“选择文件导入…”导入后再导出。")


CLI_WORDS = re.compile(r"(?<![A-Za-z_.])(import |--code|--office|--year|init --)")


def test_no_text_shown_in_the_gui_names_a_cli_command():
    """Every Chinese string in ui/ and in the core messages the GUI shows on export/import."""
    shown = [*sorted((ROOT / "ui").rglob("*.py")), *sorted((ROOT / "kexie_desktop" / "packages").rglob("*.py"))]
    found = []
    for path in shown:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for literal in re.findall(r'"([^"]*[\u4e00-\u9fff][^"]*)"', line):
                if CLI_WORDS.search(literal) and "命令行：" not in literal:
                    found.append(f"{path.name}:{n}: {literal}")
    assert found == []


def test_the_city_shows_an_issued_activation_code_again(qtbot, tmp_path, qapp, monkeypatch):
    from ui.sync.page import SyncPage

    city = make_city(tmp_path / "c.db")
    city_ctx = make_context(city, tmp_path)
    page = SyncPage(city_ctx)
    qtbot.addWidget(page)
    page.show()
    target = tmp_path / "灌云县-初始化包.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    page.init_unit.setCurrentIndex(page.init_unit.findData("320723"))
    qtbot.mouseClick(page.export_init_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: getattr(page, "activation_box", None) is not None, timeout=20000)
    first = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", page.activation_box.text()).group(0)
    page.activation_box.close()
    page.activation_box = None
    assert not page.show_code_button.isEnabled()  # nothing chosen in the log yet
    rect = page.log_table.visualRect(page.log_model.index(0, 0))
    qtbot.mouseClick(page.log_table.viewport(), Qt.LeftButton, pos=rect.center())
    assert page.show_code_button.isEnabled()
    qtbot.mouseClick(page.show_code_button, Qt.LeftButton)
    assert page.activation_box.text().startswith("初始化包“灌云县-初始化包.xlsx”（")
    assert page.activation_box.text().endswith("\n\n" + first)
    page.activation_box.close()
    city.close()


def test_trying_wrong_codes_and_cancelling_writes_no_package_log(qtbot, ctx, init_file, monkeypatch):
    """Checking a code only previews (a read transaction): the package log is for imports."""
    path, _code = init_file
    wizard = _wizard(qtbot, ctx)
    assert len(_load(qtbot, wizard, monkeypatch, path, ["WRONG-CODE-1", "WRONG-CODE-2"])) == 3
    qtbot.mouseClick(wizard.button(QWizard.CancelButton), Qt.LeftButton)
    with ctx.db.read() as s:
        assert packages.package_log(s) == []


def test_a_storage_failure_while_importing_the_init_package_is_shown_and_the_wizard_stays(
        qtbot, ctx, init_file, monkeypatch):
    from kexie_desktop.storage_errors import StorageError
    from ui.sync import operations as sync_operations

    path, code = init_file
    wizard = _wizard(qtbot, ctx)
    _load(qtbot, wizard, monkeypatch, path, [code])
    qtbot.mouseClick(wizard.button(QWizard.NextButton), Qt.LeftButton)
    type_text(wizard.people_page.filler, "王芳")
    qtbot.mouseClick(wizard.button(QWizard.NextButton), Qt.LeftButton)
    full = "磁盘空间已满，本次操作没有保存任何数据（数据库保持原样）。请清理磁盘后重试。"

    def failing(*args, **kwargs):
        raise StorageError(full, "full")
    monkeypatch.setattr(sync_operations, "apply_files", failing)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append((title, text)))
    qtbot.mouseClick(wizard.button(QWizard.FinishButton), Qt.LeftButton)
    assert shown == [("初始化包未导入", full)]
    assert wizard.isVisible() and wizard.result() != QWizard.Accepted
    with ctx.db.read() as s:
        assert offices.this_office(s) is None
