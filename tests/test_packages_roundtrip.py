"""Round trips of the Excel packages between two installations (a unit and the city)."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest
from sqlalchemy import select

from hostile import files
from hostile.helpers import Pair, dump, export_sub, init_unit, log_results, make_city, office_year, resign, unit_key
from kexie_desktop import packages
from kexie_desktop.packages.format import safety
from kexie_desktop.models import Activity, Target
from kexie_desktop.services import activities, offices, plan, settings, targets, values
from kexie_desktop.startup import open_app_database

UNIT = "320703"  # 连云区


@pytest.fixture
def city(tmp_path):
    db = make_city(tmp_path / "city.db")
    yield db
    db.close()


@pytest.fixture
def pair(city, demo_db, tmp_path) -> Pair:
    """The demo database acts as the unit 连云区, initialised from the city's init package; the city
    holds demo data too (only a demo installation takes demo packages)."""
    with city.write() as s:
        settings.put(s, "demo_data", True)
    init_unit(city, demo_db, UNIT, tmp_path)
    return Pair(city, demo_db, UNIT, tmp_path)


@pytest.fixture
def small_unit(city, tmp_path):
    db = open_app_database(tmp_path / "unit.db")
    init_unit(city, db, UNIT, tmp_path)
    yield Pair(city, db, UNIT, tmp_path)
    db.close()


def _add(pair: Pair, title: str, date=dt.date(2019, 3, 15), note: str = "", uid: str | None = None):
    with pair.unit.write() as s:
        office = offices.resolve(s, pair.office)
        kind = activities.resolve_type(s, "科普讲座")
        activities.add_activity(s, office, kind, date, title, place="科技馆", participants=3, audience=120,
                                note=note, uid=uid)


def test_unit_to_city_values_and_ledger_arrive_exactly(pair):
    pair.export(2019)
    before = office_year(pair.unit, UNIT, 2019)
    assert before[0] and before[1]
    preview = _preview(pair.city, pair.tmp / "sub.xlsx")
    milestones, notes = _task_rows(pair.unit, UNIT, 2019)
    assert milestones and notes  # the demo's labelled 工作清单 travels too
    assert preview.status == "ready"
    assert preview.counts["新增"] == len(before[0]) + len(before[1]) + milestones + notes
    result = packages.apply(pair.city, pair.tmp / "sub.xlsx")
    assert result.outcome == "applied", result.message
    assert office_year(pair.city, UNIT, 2019) == before
    assert result.backup is not None and result.backup.exists()
    assert result.changes.activities and result.changes.values


def _task_rows(db, office_code: str, year: int) -> tuple[int, int]:
    """(milestones, notes of the year) of an office: what its submission of that year carries."""
    from kexie_desktop.task_models import Milestone, ProgressNote

    with db.read() as s:
        office = offices.resolve(s, office_code)
        milestones = len(s.scalars(select(Milestone).where(Milestone.office_id == office.id)).all())
        notes = [n for n in s.scalars(select(ProgressNote).where(ProgressNote.office_id == office.id))
                 if n.date.year == year]
    return milestones, len(notes)


def _preview(db, path, code=None):
    with db.read() as s:
        return packages.preview(s, path, code)


def test_preview_writes_nothing(pair):
    pair.export(2019)
    before = dump(pair.city, with_log=True)
    _preview(pair.city, pair.tmp / "sub.xlsx")
    assert dump(pair.city, with_log=True) == before


def test_reimport_is_a_noop(pair):
    pair.export(2019)
    packages.apply(pair.city, pair.tmp / "sub.xlsx")
    before = dump(pair.city)
    again = packages.apply(pair.city, pair.tmp / "sub.xlsx")
    assert again.outcome == "unchanged" and again.ok
    assert "此包已导入过，内容相同" in again.message
    assert dump(pair.city) == before
    assert log_results(pair.city)[-2:] == ["applied", "unchanged"]


def test_newer_supersedes_and_deletes_what_the_snapshot_no_longer_has(small_unit):
    p = small_unit
    _add(p, "讲座一", uid="a-1")
    _add(p, "讲座二", uid="a-2")
    with p.unit.write() as s:
        office, indicator = offices.resolve(s, UNIT), plan.indicator(s, "I09")
        values.set_value(s, indicator, office, 2019, 3, 4.0, note="三月")
        values.set_value(s, indicator, office, 2019, 4, 2.0)
    p.export(2019, "one.xlsx")
    assert packages.apply(p.city, p.tmp / "one.xlsx").outcome == "applied"
    with p.unit.write() as s:
        s.delete(s.scalars(select(Activity).where(Activity.uid == "a-2")).one())
        office, indicator = offices.resolve(s, UNIT), plan.indicator(s, "I09")
        values.set_value(s, indicator, office, 2019, 4, None)
        values.set_value(s, indicator, office, 2019, 3, 5.0, note="三月（更正）")
    p.export(2019, "two.xlsx")
    preview = _preview(p.city, p.tmp / "two.xlsx")
    assert preview.counts == {"新增": 0, "修改": 1, "未变": 1, "删除": 2, "拒绝": 0}
    changed = next(c for c in preview.changes if c.action == "修改")
    assert (changed.old, changed.new) == ("4（三月）", "5（三月（更正）)".replace(")", "）"))
    assert packages.apply(p.city, p.tmp / "two.xlsx").outcome == "applied"
    assert office_year(p.city, UNIT, 2019) == office_year(p.unit, UNIT, 2019)


def test_older_after_newer_is_refused(small_unit):
    p = small_unit
    _add(p, "讲座一")
    p.export(2019, "old.xlsx")
    _add(p, "讲座二")
    p.export(2019, "new.xlsx")
    assert packages.apply(p.city, p.tmp / "new.xlsx").outcome == "applied"
    before = dump(p.city)
    result = packages.apply(p.city, p.tmp / "old.xlsx")
    assert result.outcome == "refused"
    assert "此包序号 1 早于已导入的序号 2，不会回退数据" in result.message
    assert dump(p.city) == before
    assert len(office_year(p.city, UNIT, 2019)[1]) == 2


def test_another_offices_key_is_refused(small_unit, city, tmp_path):
    other = open_app_database(tmp_path / "other.db")
    init_unit(city, other, "320706", tmp_path)
    _add(small_unit, "讲座")
    small_unit.export(2019)
    resign(tmp_path / "sub.xlsx", tmp_path / "forged.xlsx", unit_key(other, "320706"))
    before = dump(city)
    result = packages.apply(city, tmp_path / "forged.xlsx")
    assert result.outcome == "refused"
    assert "签名所用的密钥与本机保存的连云区科协的密钥不符" in result.message
    assert dump(city) == before
    other.close()


def test_value_edited_with_openpyxl_is_refused(pair):
    pair.export(2019)
    edited = pair.tmp / "edited.xlsx"

    def bump(wb):
        ws = wb["月度数据"]
        ws["F2"] = (ws["F2"].value or 0) + 1
    files.with_openpyxl(pair.tmp / "sub.xlsx", edited, bump)
    before = dump(pair.city)
    result = packages.apply(pair.city, edited)
    assert result.outcome == "refused"
    assert "文件在导出后被修改过，已拒绝导入" in result.message
    assert "上报包（演示数据，连云区科协，2019年，序号 1" in result.message and "edited.xlsx" in result.message
    assert dump(pair.city) == before


def test_a_unit_cannot_import_a_submission_and_the_city_no_plan(pair):
    pair.export(2019)
    refused = packages.apply(pair.unit, pair.tmp / "sub.xlsx")
    assert "应由市科协导入；本机是连云区科协，不能导入上报包" in refused.message
    with pair.city.write() as s:
        packages.export_plan(s, pair.tmp / "plan.xlsx")
    refused = packages.apply(pair.city, pair.tmp / "plan.xlsx")
    assert "本机是市科协，下发包是发给县区的" in refused.message


def test_city_targets_reach_the_unit(small_unit):
    p = small_unit
    with p.city.write() as s:
        unit, i02 = offices.resolve(s, UNIT), plan.indicator(s, "I02")
        targets.put_target(s, i02, unit, 2019, 3)
        targets.put_target(s, plan.indicator(s, "I04"), unit, None, 2)
        packages.export_plan(s, p.tmp / "plan.xlsx", unit)
    preview = _preview(p.unit, p.tmp / "plan.xlsx")
    assert preview.status == "ready" and preview.counts["新增"] == 2 and preview.counts["拒绝"] == 0
    result = packages.apply(p.unit, p.tmp / "plan.xlsx")
    assert result.outcome == "applied" and result.changes.targets
    with p.unit.read() as s:
        unit = offices.resolve(s, UNIT)
        mine = s.scalars(select(Target).where(Target.office_id == unit.id))
        got = {(t.indicator.code, t.year): t.value for t in mine}
    assert got == {("I02", 2019): 3.0, ("I04", None): 2.0}
    assert packages.apply(p.unit, p.tmp / "plan.xlsx").outcome == "unchanged"


def test_plan_package_for_another_unit_is_refused(small_unit):
    p = small_unit
    with p.city.write() as s:
        packages.export_plan(s, p.tmp / "plan.xlsx", offices.resolve(s, "320706"))
    result = packages.apply(p.unit, p.tmp / "plan.xlsx")
    assert "此下发包是发给海州区科协的，本机是连云区科协，不能导入" in result.message


def test_plan_package_updates_indicator_texts_and_never_deletes_unit_data(small_unit):
    p = small_unit
    _add(p, "讲座")
    with p.city.write() as s:
        plan.indicator(s, "I02").name = "高层次学术报告会（新名称）"
        packages.export_plan(s, p.tmp / "plan.xlsx")
    before = office_year(p.unit, UNIT, 2019)
    preview = _preview(p.unit, p.tmp / "plan.xlsx")
    assert [c.key for c in preview.changes if c.action == "修改"] == ["I02"]
    assert packages.apply(p.unit, p.tmp / "plan.xlsx").outcome == "applied"
    with p.unit.read() as s:
        assert plan.indicator(s, "I02").name == "高层次学术报告会（新名称）"
    assert office_year(p.unit, UNIT, 2019) == before


def test_init_package_needs_the_right_code(city, tmp_path):
    unit = open_app_database(tmp_path / "fresh.db")
    with city.write() as s:
        result = packages.export_init(s, offices.resolve(s, "320722"), tmp_path / "init.xlsx")
    assert len(result.activation_code.replace("-", "")) == 12
    before = dump(unit)
    missing = packages.apply(unit, tmp_path / "init.xlsx")
    assert "导入初始化包需要激活码" in missing.message
    wrong = packages.apply(unit, tmp_path / "init.xlsx", code="AAAA-BBBB-CCCC")
    assert "激活码不正确，或此文件在导出后被修改过" in wrong.message
    assert dump(unit) == before
    ok = packages.apply(unit, tmp_path / "init.xlsx", code=result.activation_code.lower())
    assert ok.outcome == "applied"
    with unit.read() as s:
        assert offices.this_office(s).code == "320722"
    with zipfile.ZipFile(tmp_path / "init.xlsx") as z:
        blob = b"".join(z.read(n) for n in z.namelist())
    with city.read() as s:
        from kexie_desktop.packages.pipeline import keys
        secret = keys.signing_key(s, offices.resolve(s, "320722")).hex()
    assert secret.encode() not in blob  # keys travel encrypted
    unit.close()


def test_review_sheets_list_the_checks_findings_and_the_month_states(small_unit):
    p = small_unit
    with p.unit.write() as s:
        office, flow = offices.resolve(s, UNIT), plan.indicator(s, "I09")
        for month, value in ((1, 2), (2, 2), (3, 2), (4, 30)):
            values.set_value(s, flow, office, 2019, month, float(value), note="4月集中立项" if month == 4 else None)
        level = next(i for i in plan.indicators(s)
                     if i.kind == "level" and i.aggregation != "city_only" and not i.is_ledger)
        values.set_value(s, level, office, 2019, 1, 50.0)
        values.set_value(s, level, office, 2019, 2, 30.0)
    with p.unit.write() as s:
        from kexie_desktop.review import explanations
        explanations.explain(s, offices.resolve(s, UNIT), 2019, "W01", "I09/2019-04", "4月集中立项三十个")
    p.export(2019)
    wb = openpyxl.load_workbook(p.tmp / "sub.xlsx")
    rows = [tuple(c.value for c in r) for r in wb["审核说明"].iter_rows(min_row=2)]
    assert rows == [  # warnings by month
        ("W02", "警告", level.code, level.name, "2019-02", None, "30",
         f"“{level.name}”2019年2月为 30，比上月 50 下降 40%：总量类指标一般不会大幅减少，请核对；确实无误请填写说明。", None),
        ("W01", "警告", "I09", "科教兴农项目", "2019-04", None, "30",
         "“科教兴农项目”2019年4月为 30，是上月 2 的 15 倍：请核对是否多输了数字；确实无误请填写说明。", "4月集中立项三十个"),
    ]
    states = [tuple(c.value for c in r) for r in wb["审核状态"].iter_rows(min_row=2)]
    assert states == [(f"2019-{m:02d}", "草稿", None, None, None) for m in range(1, 13)]
    preview = _preview(p.city, p.tmp / "sub.xlsx")
    assert preview.review == {"state": "draft", "approved_months": [], "unapproved_months": [1, 2, 3, 4],
                              "months": [1, 2, 3, 4],
                              "explained": [{"rule": "W01", "indicator": "I09", "month": "2019-04", "record": None,
                                             "value": "30", "explanation": "4月集中立项三十个"}]}


def test_formula_injection_is_written_as_quoted_text(small_unit):
    p = small_unit
    risky = ["=HYPERLINK(\"http://x\",\"点我\")", "+86 讲座", "-5 人", "@SUM(A1)"]
    for i, title in enumerate(risky):
        _add(p, title, uid=f"r-{i}", note=title)
    p.export(2019)
    xml = files.parts(p.tmp / "sub.xlsx")[files.sheet_part(p.tmp / "sub.xlsx", "活动台账")].decode()
    assert "<f>" not in xml and "<f " not in xml
    wb = openpyxl.load_workbook(p.tmp / "sub.xlsx")
    cells = [c for row in wb["活动台账"].iter_rows(min_row=2) for c in row if c.value in risky]
    assert len(cells) == 2 * len(risky)
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert packages.apply(p.city, p.tmp / "sub.xlsx").outcome == "applied"
    assert sorted(a[3] for a in office_year(p.city, UNIT, 2019)[1]) == sorted(risky)


def test_writer_quotes_every_risky_first_character(tmp_path):
    from kexie_desktop.packages.format.workbook import RISKY_FIRST, Formats, new_workbook, prepared, put_text

    texts = [first + "1+1" for first in RISKY_FIRST] + ["普通文字"]
    with new_workbook(tmp_path / "x.xlsx") as wb:
        ws, formats = wb.add_worksheet("x"), Formats(wb)
        for row, text in enumerate(texts):
            put_text(ws, formats, row, 0, prepared(text))
    cells = [row[0] for row in openpyxl.load_workbook(tmp_path / "x.xlsx")["x"].iter_rows()]
    for first, cell in zip(RISKY_FIRST, cells):
        assert cell.data_type == "s" and cell.quotePrefix, repr(first)
    assert (cells[-1].value, cells[-1].quotePrefix) == ("普通文字", False)


# Texts that a writer could turn into a formula, a link, a number or raw XML (XlsxWriter's write()
# would make a formula of the first and the "{=...}", a link of the URLs, and copies "<r>...</r>"
# into the sheet unescaped as a rich string).
TRAPS = ['=HYPERLINK("http://x","点我")', "+1", "@SUM(A1:A9)", "-2", "{=SUM(A1:A2)}",
         "http://example.com/讲座", "mailto:a@b.cn", "1e5", "<r><t>伪造</t></r>", "_x0041_ 讲座"]


def test_texts_that_look_like_formulas_round_trip_as_text(small_unit):
    p = small_unit
    for i, title in enumerate(TRAPS):
        _add(p, title, uid=f"trap-{i}", note=title)
    with p.unit.write() as s:
        from kexie_desktop.services import settings
        settings.put(s, "user_filler", "=HYPERLINK(\"http://x\",\"填报人\")")
        settings.put(s, "user_reviewer", "<r><t>审核甲</t></r>")
    p.export(2019)
    content = files.parts(p.tmp / "sub.xlsx")
    for sheet, part in safety.sheet_parts(content).items():
        xml = content[part].decode()
        assert "<f>" not in xml and "<f " not in xml and "<hyperlink" not in xml, sheet
        assert "<t>伪造</t>" not in xml and "<t>审核甲</t>" not in xml, sheet
    book = openpyxl.load_workbook(p.tmp / "sub.xlsx")
    cover = {row[0].value: row[1] for row in book["封面"].iter_rows(min_row=3)}
    assert (cover["填报人"].value, cover["填报人"].quotePrefix) == ('=HYPERLINK("http://x","填报人")', True)
    assert (cover["审核人"].value, cover["审核人"].alignment.wrap_text) == ("<r><t>审核甲</t></r>", True)
    titles = [r[5] for r in book["活动台账"].iter_rows(min_row=2)]
    assert len(titles) == len(TRAPS) and all(c.data_type == "s" for c in titles)
    result = packages.apply(p.city, p.tmp / "sub.xlsx")
    assert result.outcome == "applied", result.message
    arrived = office_year(p.city, UNIT, 2019)[1]
    assert sorted(a[3] for a in arrived) == sorted(TRAPS)
    with p.city.read() as s:
        notes = sorted(s.scalars(select(Activity.note).where(Activity.uid.like("trap-%"))))
    assert notes == sorted(TRAPS)


def test_package_layout_as_a_spreadsheet_shows_it(small_unit):
    from kexie_desktop.packages.kinds.submission import export as submission

    for i in range(3):
        _add(small_unit, f"讲座{i}", uid=f"l-{i}")
    small_unit.export(2019)
    book = openpyxl.load_workbook(small_unit.tmp / "sub.xlsx")
    assert book.sheetnames == ["封面", "月度数据", "活动台账", "审核说明", "审核状态", "工作清单", "工作节点", "工作进展", "证据",
                               "填写说明", "校验信息"]
    assert [book[n].sheet_state for n in book.sheetnames] == ["visible"] * 10 + ["hidden"]
    cover = book["封面"]
    assert (cover.column_dimensions["A"].width, cover.column_dimensions["B"].width) == (14, 72)
    assert (cover["A1"].value, cover["A1"].font.b, cover["A1"].font.sz) == ("连云港市科协三年行动计划 · 上报包", True, 14)
    assert cover["A3"].value == "包类型" and cover["A3"].font.b and cover["B3"].alignment.wrap_text
    assert cover["A10"].value == "审核状态" and cover["B10"].value == "草稿（未审核：1—3月）"  # after 审核人; records in March
    assert cover["A15"].value == "请勿修改" and cover.row_dimensions[15].height == 48  # three wrapped lines
    notes = book["填写说明"]
    assert notes.column_dimensions["A"].width == 100
    assert [r[0].value for r in notes.iter_rows()] == ["填写说明", *submission.NOTES]
    ledger = book["活动台账"]
    widths = {col: d.width for d in ledger.column_dimensions.values() for col in range(d.min, d.max + 1)}
    assert widths == dict(enumerate([34, 10, 16, 18, 12, 40, 24, 10, 10, 30], start=1))  # H:I may be one <col>
    assert (ledger.freeze_panes, ledger.print_title_rows, ledger.auto_filter.ref) == ("A2", "$1:$1", "A1:J4")
    setup = ledger.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToHeight) == ("landscape", 9, 0)
    assert setup.fitToWidth in (1, None)  # one page wide: 1 is the attribute's default
    assert ledger.sheet_properties.pageSetUpPr.fitToPage
    assert ledger["A1"].font.b and ledger["A1"].fill.fgColor.rgb.endswith("DDEBF7")


def test_text_over_the_excel_limit_stops_the_export_and_leaves_nothing(tmp_path, monkeypatch):
    import tempfile

    from kexie_desktop.packages.format import codec
    from kexie_desktop.packages.format.errors import PackageError
    from kexie_desktop.packages.format.manifest import Manifest
    from kexie_desktop.packages.format.workbook import PackageSheet, write_package

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = tmp_path / "out"
    spec = codec.SheetSpec("数据", (codec.text("a", "甲"),))
    # 20,000 characters outside the BMP are 40,000 UTF-16 units: over Excel's 32,767 (XlsxWriter would cut them).
    rows = [("好",)] * 10 + [("\U00020000" * 20_000,)]
    manifest = Manifest(kind="submission", plan_code="P", plan_version=1, office_code="320703", office_name="连云区",
                        sequence=1, package_id="x", created="2019-01-01T00:00:00", program_version="0", key_id="k")
    with pytest.raises(PackageError, match="超过 Excel 单元格上限"):
        write_package(out / "p.xlsx", manifest, [PackageSheet(spec, rows)], title="t", cover=[], notes=[],
                      key=b"k" * 32)
    assert list(out.iterdir()) == [] and list(scratch.iterdir()) == []


def test_batch_import_with_one_bad_file(small_unit, city, tmp_path):
    other = open_app_database(tmp_path / "other.db")
    init_unit(city, other, "320706", tmp_path)
    _add(small_unit, "讲座")
    small_unit.export(2019, "a.xlsx")
    with other.write() as s:
        activities.add_activity(s, offices.resolve(s, "320706"), activities.resolve_type(s, "科普讲座"),
                                dt.date(2019, 5, 1), "海州讲座")
    export_sub(other, "320706", 2019, tmp_path / "c.xlsx")
    files.renamed_csv(tmp_path / "b.xlsx")
    told = []
    batch = packages.import_batch(city, [tmp_path / "a.xlsx", tmp_path / "b.xlsx", tmp_path / "c.xlsx"],
                                  progress=lambda done, total, text: told.append((done, total, text)))
    # Told before each file and between the steps of a file that reads well (b.xlsx does not).
    assert told == [(0, 3, "正在导入第 1/3 个文件：a.xlsx…")] * 3 + [(1, 3, "正在导入第 2/3 个文件：b.xlsx…")] + [
        (2, 3, "正在导入第 3/3 个文件：c.xlsx…")] * 3
    assert [r.outcome for r in batch.results] == ["applied", "refused", "applied"]
    assert not batch.ok
    assert batch.summary() == "共 3 个文件：已导入 2 个，已拒绝 1 个。"
    assert "这是文本文件（例如 CSV）" in batch.results[1].message
    assert [r.backup is not None for r in batch.results] == [True, False, False]
    assert office_year(city, "320706", 2019)[1][0][3] == "海州讲座"
    other.close()


def test_a_rule_refusing_one_file_while_applying_refuses_that_file_and_the_batch_goes_on(
        small_unit, city, tmp_path, monkeypatch):
    from kexie_desktop.errors import UserError
    from kexie_desktop.packages.kinds.submission import review

    other = open_app_database(tmp_path / "other.db")
    init_unit(city, other, "320706", tmp_path)
    _add(small_unit, "讲座")
    small_unit.export(2019, "a.xlsx")
    with other.write() as s:
        activities.add_activity(s, offices.resolve(s, "320706"), activities.resolve_type(s, "科普讲座"),
                                dt.date(2019, 5, 1), "海州讲座")
    export_sub(other, "320706", 2019, tmp_path / "c.xlsx")
    real = review.apply_review

    def refusing(s, office, *args):  # after a.xlsx's ledger rows are written
        if office.code == UNIT:
            raise UserError("某条规则拒绝了这一行。")
        return real(s, office, *args)
    monkeypatch.setattr(review, "apply_review", refusing)
    logged = len(log_results(city))
    batch = packages.import_batch(city, [tmp_path / "a.xlsx", tmp_path / "c.xlsx"])
    assert [r.outcome for r in batch.results] == ["refused", "applied"]
    assert batch.results[0].message == "文件“a.xlsx”：导入时出错，没有写入任何数据：某条规则拒绝了这一行。"
    assert log_results(city)[logged:] == ["refused", "applied"]
    assert office_year(city, UNIT, 2019) == ([], [])
    assert office_year(city, "320706", 2019)[1][0][3] == "海州讲座"
    other.close()


def test_cancelling_a_batch_keeps_the_files_done_and_touches_no_other(small_unit):
    from kexie_desktop.errors import Cancelled

    p = small_unit
    _add(p, "讲座一")
    p.export(2019, "a.xlsx")
    _add(p, "讲座二")
    p.export(2019, "b.xlsx")
    calls = []

    def progress(done, total, text):
        calls.append(done)
        if done == 1:
            raise Cancelled()

    batch = packages.import_batch(p.city, [p.tmp / "a.xlsx", p.tmp / "b.xlsx"], progress=progress)
    assert calls == [0, 0, 0, 1]  # before a.xlsx, after reading it, after judging it; then before b.xlsx
    assert [r.outcome for r in batch.results] == ["applied", "cancelled"]
    assert batch.summary() == "共 2 个文件：已导入 1 个，已取消（未导入） 1 个。" and not batch.ok
    assert batch.results[1].message == "文件“b.xlsx”：已取消，未导入。"
    assert [a[3] for a in office_year(p.city, UNIT, 2019)[1]] == ["讲座一"]
    assert log_results(p.city) == ["exported", "applied"]  # the init package sent, then a.xlsx only


@pytest.mark.parametrize("stop_at", [2, 3])  # after reading the file; after judging it, just before writing
def test_cancelling_during_the_only_file_writes_nothing(small_unit, stop_at):
    from kexie_desktop.errors import Cancelled

    p = small_unit
    _add(p, "讲座一")
    p.export(2019, "a.xlsx")
    before = dump(p.city, with_log=True)
    calls = []

    def progress(done, total, text):
        calls.append(text)
        if len(calls) == stop_at:
            raise Cancelled()

    batch = packages.import_batch(p.city, [p.tmp / "a.xlsx"], progress=progress)
    assert [r.outcome for r in batch.results] == ["cancelled"]
    assert calls == ["正在导入第 1/1 个文件：a.xlsx…"] * stop_at
    assert dump(p.city, with_log=True) == before
    assert list(p.tmp.glob("**/city-before-import-*")) == []  # cancelled before the backup too


def test_sequence_continues_after_reinstallation(small_unit, city, tmp_path):
    _add(small_unit, "讲座")
    small_unit.export(2019, "a.xlsx")
    small_unit.export(2019, "b.xlsx")
    assert packages.apply(city, tmp_path / "b.xlsx").outcome == "applied"
    fresh = open_app_database(tmp_path / "reinstalled.db")
    init_unit(city, fresh, UNIT, tmp_path)
    result = export_sub(fresh, UNIT, 2019, tmp_path / "c.xlsx")
    assert result.manifest.sequence == 3
    fresh.close()


def test_bulk_audit_snapshots_are_the_text_services_audit_writes():
    from kexie_desktop.packages.kinds.submission.ledger import LEDGER_FIELDS, snapshot_json
    from kexie_desktop.services.audit import _dump

    for fields in [("POP_LECTURE", "2019-03-05", '标题 "引号" \\ 反斜杠\n换行\t制表', "地点 😀", 3, 120, "备注 ☃"),
                   ("OTHER", "2020-12-31", "", "", 0, 0, "")]:
        assert snapshot_json(fields) == _dump(dict(zip(LEDGER_FIELDS, fields)))


def test_a_late_package_never_pulls_back_an_activity_moved_to_another_year(small_unit):
    """A record moved from 2018 to 2019: the old 2018 package arriving after the 2019 one must not
    move it back, and the next 2018 package (which no longer lists it) must not delete it."""
    pair = small_unit
    _add(pair, "跨年的科普讲座", date=dt.date(2018, 12, 30), uid="moved-1")
    pair.export(2018, "a2018_old.xlsx")
    with pair.unit.write() as s:
        activities.update_activity(s, "moved-1", type="科普讲座", date=dt.date(2019, 1, 2), title="跨年的科普讲座",
                                   place="科技馆", participants=3, audience=120)
    pair.export(2019, "a2019_new.xlsx")
    pair.export(2018, "a2018_new.xlsx")
    assert packages.apply(pair.city, pair.tmp / "a2019_new.xlsx").outcome == "applied"
    late = packages.apply(pair.city, pair.tmp / "a2018_old.xlsx")
    assert late.outcome in ("applied", "unchanged"), late.message
    kept = [c for c in late.preview.changes if c.key == "moved-1"]
    assert [c.action for c in kept] == ["未变"] and "不会把它改回" in kept[0].reason
    packages.apply(pair.city, pair.tmp / "a2018_new.xlsx")
    with pair.city.read() as s:
        rows = s.scalars(select(Activity).where(Activity.uid == "moved-1")).all()
        assert [(a.date, a.title) for a in rows] == [(dt.date(2019, 1, 2), "跨年的科普讲座")]


def test_city_audits_changed_and_deleted_records_but_not_new_ones(small_unit):
    """A new record's row already says where it came from (source = the package); a changed or
    deleted one is audited with what it was, which the import would otherwise lose."""
    from kexie_desktop.models import AuditEntry

    p = small_unit
    _add(p, "讲座一", uid="a-1")
    _add(p, "讲座二", uid="a-2")
    p.export(2019, "one.xlsx")
    first = packages.apply(p.city, p.tmp / "one.xlsx")
    with p.city.read() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.entity == "activity")).all() == []
        sources = set(s.scalars(select(Activity.source)))
    assert sources == {f"package:{first.preview.manifest.package_id}"}
    with p.unit.write() as s:
        activities.update_activity(s, "a-1", type="科普讲座", date=dt.date(2019, 3, 16), title="讲座一（改）",
                                   place="科技馆", participants=3, audience=120)
        activities.delete_activity(s, "a-2", "测试")
    p.export(2019, "two.xlsx")
    second = packages.apply(p.city, p.tmp / "two.xlsx")
    assert second.outcome == "applied", second.message
    with p.city.read() as s:
        rows = s.execute(select(AuditEntry.entity_key, AuditEntry.old, AuditEntry.new, AuditEntry.source)
                         .where(AuditEntry.entity == "activity").order_by(AuditEntry.entity_key)).all()
    source = f"package:{second.preview.manifest.package_id}"
    old_1 = ('{"audience": 120, "date": "2019-03-15", "note": "", "participants": 3, "place": "科技馆", '
             '"title": "讲座一", "type": "POP_LECTURE"}')
    old_2 = old_1.replace("讲座一", "讲座二")
    assert rows == [("a-1", old_1, old_1.replace("03-15", "03-16").replace("讲座一", "讲座一（改）"), source),
                    ("a-2", old_2, None, source)]


def test_preview_names_activity_types_in_chinese(small_unit):
    p = small_unit
    _add(p, "讲座一", uid="a-1")
    p.export(2019, "one.xlsx")
    new = next(c for c in _preview(p.city, p.tmp / "one.xlsx").changes if c.key == "a-1")
    assert (new.action, new.label, new.new) == ("新增", "2019-03-15 讲座一", "科普讲座，3 人，120 人次")
    assert packages.apply(p.city, p.tmp / "one.xlsx").outcome == "applied"
    with p.unit.write() as s:
        activities.update_activity(s, "a-1", type="科技下乡", date=dt.date(2019, 3, 15), title="讲座一",
                                   place="科技馆", participants=5, audience=120)
    p.export(2019, "two.xlsx")
    changed = next(c for c in _preview(p.city, p.tmp / "two.xlsx").changes if c.key == "a-1")
    assert (changed.action, changed.old, changed.new) == ("修改", "类型 科普讲座；参与人数 3", "类型 科技下乡；参与人数 5")


def test_a_writer_killed_mid_file_leaves_no_package_shaped_file_and_the_next_write_clears_it(tmp_path):
    """The temporary name is no .xlsx (a mail folder of packages never shows a half file), and a leftover
    of a process that no longer runs goes at the next write into that folder; a live one's stays."""
    import os
    import subprocess
    import sys

    from kexie_desktop.packages.format import codec
    from kexie_desktop.packages.format.manifest import Manifest
    from kexie_desktop.packages.format.workbook import PackageSheet, write_package

    folder = tmp_path / "mail"
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    abandoned = folder / f".kexie-{int(dead.stdout)}-x1.partial"
    abandoned.write_bytes(b"PK\x03\x04 half a zip")
    live = folder / f".kexie-{os.getppid()}-x2.partial"
    live.write_bytes(b"PK\x03\x04 still being written")
    spec = codec.SheetSpec("数据", (codec.text("a", "甲"),))
    manifest = Manifest(kind="submission", plan_code="P", plan_version=1, office_code="320703", office_name="连云区",
                        sequence=1, package_id="x", created="2019-01-01T00:00:00", program_version="0", key_id="k")
    write_package(folder / "p.xlsx", manifest, [PackageSheet(spec, [("好",)])], title="t", cover=[], notes=[],
                  key=b"k" * 32)
    assert sorted(p.name for p in folder.iterdir()) == sorted(["p.xlsx", live.name])


def test_a_target_open_in_excel_is_named_and_the_temporary_file_goes(tmp_path, monkeypatch):
    """On Windows os.replace onto a file that Excel or WPS holds open raises PermissionError."""
    import os

    from kexie_desktop.packages.format import workbook
    from kexie_desktop.packages.format.errors import PackageError

    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "连云区.xlsx"
    target.write_bytes(b"the old file")

    def locked(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))
    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(PackageError) as caught:
        workbook.save_atomically(openpyxl.Workbook(), target)
    assert str(caught.value) == f"文件“{target}”正被 Excel 或 WPS 打开，请关闭它后重试（或换一个文件名）。"
    assert [p.name for p in target.parent.iterdir()] == ["连云区.xlsx"]
    assert target.read_bytes() == b"the old file"


def test_a_changed_activity_in_a_newer_package_moves_its_version_counter(small_unit):
    """The import's bulk UPDATE bumps ``version`` (issue 18), so a clerk's open view of the record is stale."""
    p = small_unit
    _add(p, "讲座一", uid="a-1")
    p.export(2019, "one.xlsx")
    assert packages.apply(p.city, p.tmp / "one.xlsx").outcome == "applied"
    with p.unit.write() as s:
        s.scalars(select(Activity).where(Activity.uid == "a-1")).one().title = "讲座一（更正）"
    p.export(2019, "two.xlsx")
    assert packages.apply(p.city, p.tmp / "two.xlsx").outcome == "applied"
    with p.city.read() as s:
        record = s.scalars(select(Activity).where(Activity.uid == "a-1")).one()
        assert (record.title, record.version) == ("讲座一（更正）", 2)
