"""The report as an Excel workbook (XlsxWriter): 封面, 总表, 分县区 (the city), 排名 (the city), 报送情况 (when
known), 审核说明 and 图表 with native charts. Print-ready: A4 landscape, one page wide, header rows repeated
and frozen, 第 N 页 共 M 页 in the footer. Every text element of the charts names the CJK font, so a reader
without the workbook's default font still shows Chinese.

The file is written fresh each time, beside its name, and renamed when complete.
"""

from __future__ import annotations

from pathlib import Path

from .. import display, fonts
from ..packages.format.workbook import atomic_target, row_height
from ..palette import STATUS_STYLES
from .model import Report, TargetLine

WRITER_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
FALLBACK_FONT = "Microsoft YaHei"  # what an office PC in China has when no CJK font was found here
FOOTER = "&C第&P页 共&N页"
PERCENT = "0.0%"
DARK_STATUSES = {display.DONE, display.ON_TRACK, display.SERIOUS}  # white text on these fills
CHART_WIDTH = 1000
PAGE_ROWS = 40  # rows of one printed page of the 图表 sheet (800 px: the sheet prints at about 85 %), one chart each


def font_name() -> str:
    """The CJK family the charts of this program use (fonts.py), so LibreOffice and Excel find it."""
    return fonts.cjk_family() or FALLBACK_FONT


class Styles:
    """The workbook's formats, all in the CJK font."""

    def __init__(self, wb, font: str):
        base = {"font_name": font, "font_size": 10, "valign": "vcenter"}
        self.wb, self.font = wb, font
        self.plain = wb.add_format(base)
        self.wrap = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.title = wb.add_format({**base, "bold": True, "font_size": 16})
        self.subtitle = wb.add_format({**base, "font_size": 10, "font_color": "#444444"})
        self.header = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                     "align": "center"})
        self.section = wb.add_format({**base, "bold": True, "bg_color": "#F2F2F2", "border": 1})
        self.cell = wb.add_format({**base, "border": 1, "valign": "top"})
        self.cell_wrap = wb.add_format({**base, "border": 1, "text_wrap": True, "valign": "top"})
        self.number = wb.add_format({**base, "border": 1, "align": "right", "valign": "top"})
        self.percent = wb.add_format({**base, "border": 1, "num_format": PERCENT, "valign": "top"})
        self.label = wb.add_format({**base, "bold": True, "font_size": 12})
        self.value = wb.add_format({**base, "font_size": 12})
        self.status = {s: self._status(wb, base, s, False) for s in STATUS_STYLES}
        self.status_percent = {s: self._status(wb, base, s, True) for s in STATUS_STYLES}

    @staticmethod
    def _status(wb, base: dict, status: str, numeric: bool):
        colour = STATUS_STYLES[status].color
        props = {**base, "border": 1, "bg_color": colour, "valign": "top", "text_wrap": True,
                 "font_color": "#FFFFFF" if status in DARK_STATUSES else "#000000"}
        if numeric:
            props["num_format"] = PERCENT
        return wb.add_format(props)

    def for_status(self, status: str, numeric: bool = False):
        table = self.status_percent if numeric else self.status
        return table.get(status, table[display.NO_TARGET])


def write_workbook(report: Report, path: str | Path, checkpoint=None) -> Path:
    """``checkpoint(done, total, text)``, when given, is called before each sheet and before the file is
    saved; it may raise ``Cancelled`` (or anything), which leaves no file, not even the temporary one."""
    import xlsxwriter  # only when a report is written

    path = Path(path)
    sheets = [("封面", _cover), ("总表", _summary)]
    if report.matrix is not None:
        sheets.append(("分县区", _matrix))
    if report.ranking is not None:
        sheets.append(("排名", _ranking))
    if report.reporting is not None:
        sheets.append(("报送情况", _reporting))
    if report.assessment is not None:
        sheets.append(("考核", _assessment))
    sheets += [("审核说明", _explained), ("图表", _charts)]
    tell = checkpoint or (lambda _done, _total, _text: None)
    with atomic_target(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), WRITER_OPTIONS)
        wb.set_properties({"title": report.cover.title, "author": "kexie-desktop"})
        styles = Styles(wb, font_name())
        for n, (name, write) in enumerate(sheets):
            tell(n, len(sheets) + 1, f"正在写入 Excel：{name}…")
            write(wb, styles, report)
        tell(len(sheets), len(sheets) + 1, "正在保存 Excel 文件…")
        wb.close()
    return path


def text_width(text: str) -> int:
    """Excel width units: a CJK character takes two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def fit(texts: list[str], least: float, most: float = 60) -> float:
    """A column as wide as its widest text (no ####), within [least, most] (wider ones wrap)."""
    return min(most, max([least] + [text_width(x) + 2 for x in texts]))


def _sheet(wb, name: str, widths: list[float], header_row: int | None, landscape: bool = True):
    ws = wb.add_worksheet(name)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.set_paper(9)
    ws.set_landscape() if landscape else ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer(FOOTER)
    ws.center_horizontally()
    if header_row is not None:
        ws.repeat_rows(0, header_row)
        ws.freeze_panes(header_row + 1, 0)
    return ws


def _heading(ws, styles: Styles, report: Report, title: str, last_col: int) -> None:
    cover = report.cover
    ws.merge_range(0, 0, 0, last_col, f"{cover.title} · {title}", styles.title)
    ws.set_row(0, 26)
    ws.merge_range(1, 0, 1, last_col, f"{cover.office_name}　数据截至 {cover.as_of.isoformat()}　编制日期 "
                   f"{cover.compiled_on.isoformat()}", styles.subtitle)


def _headers(ws, styles: Styles, row: int, headers: list[str]) -> None:
    ws.set_row(row, 30)
    for col, text in enumerate(headers):
        ws.write_string(row, col, text, styles.header)


def _cover(wb, styles: Styles, report: Report) -> None:
    ws = _sheet(wb, "封面", [6, 18, 70], None, landscape=True)
    cover = report.cover
    ws.set_row(3, 40)
    ws.merge_range(3, 1, 3, 2, cover.title, wb.add_format({"font_name": styles.font, "bold": True, "font_size": 22}))
    for n, (label, value) in enumerate(cover.lines(), start=6):
        ws.set_row(n, 26)
        ws.write_string(n, 1, f"{label}：", styles.label)
        ws.write_string(n, 2, value, styles.value)
    counts = "　".join(f"{status} {count} 项" for status, count in report.counts if count)
    ws.write_string(13, 1, "目标状态：", styles.label)
    ws.write_string(13, 2, counts, styles.value)
    if report.is_city:
        ws.write_string(14, 2, "全市汇总：市科协自身 + 各县区", styles.value)


SUMMARY_HEADERS = ["代码", "指标", "类型", "目标", "完成", "完成率", "时序进度", "状态"]


def _summary(wb, styles: Styles, report: Report) -> None:
    headers = SUMMARY_HEADERS + (["已报单位"] if report.is_city else []) + ["计划原文"]
    lines = report.lines
    widths = [6, fit([x.name for x in lines], 14, 30), 11, fit([x.target_text for x in lines], 12),
              fit([x.actual_text for x in lines], 10), 10, 10, 10]
    widths += [10] if report.is_city else []
    widths += [44]
    ws = _sheet(wb, "总表", widths, 3)
    _heading(ws, styles, report, "总表", len(headers) - 1)
    counts = "　".join(f"{status}：{count}" for status, count in report.counts)
    ws.merge_range(2, 0, 2, len(headers) - 1, f"共 {len(lines)} 项目标　{counts}", styles.label)
    _headers(ws, styles, 3, headers)
    row = 4
    for block in report.sections:
        ws.merge_range(row, 0, row, len(headers) - 1, block.title, styles.section)
        row += 1
        for line in block.lines:
            _summary_line(ws, styles, row, line, report.is_city, widths)
            row += 1


def _summary_line(ws, styles: Styles, row: int, line: TargetLine, is_city: bool, widths: list[float]) -> None:
    name_width, sentence_width = widths[1], widths[-1]
    ws.write_string(row, 0, line.code, styles.cell)
    ws.write_string(row, 1, line.name, styles.cell_wrap)
    ws.write_string(row, 2, line.kind, styles.cell)
    ws.write_string(row, 3, line.target_text, styles.cell)
    ws.write_string(row, 4, line.actual_text, styles.number)
    _percent(ws, styles, row, 5, line.progress, line.status)
    ws.write_number(row, 6, line.expected, styles.percent)
    ws.write_string(row, 7, line.status, styles.for_status(line.status))
    col = 8
    if is_city:
        ws.write_string(row, col, line.units_text, styles.cell)
        col += 1
    ws.write_string(row, col, line.sentence, styles.cell_wrap)
    ws.set_row(row, max(row_height(line.sentence, sentence_width - 2), row_height(line.name, name_width - 2)))


def _percent(ws, styles: Styles, row: int, col: int, value: float | None, status: str, text: str = "") -> None:
    """A 完成率 cell: the number as a percentage, in its status colour; text where there is no number."""
    if value is None:
        ws.write_string(row, col, text or display.MISSING, styles.for_status(status))
    else:
        ws.write_number(row, col, value, styles.for_status(status, numeric=True))


def _matrix(wb, styles: Styles, report: Report) -> None:
    matrix = report.matrix
    widths = [6, fit([n for _c, n in matrix.indicators], 14), 8]
    widths += [max(8, min(10, text_width(name) // 2 + 2)) for _c, name in matrix.units]
    ws = _sheet(wb, "分县区", widths, 3)
    _heading(ws, styles, report, "分县区完成率", len(widths) - 1)
    ws.merge_range(2, 0, 2, len(widths) - 1, "各县区完成率（颜色为状态：" + "、".join(
        s for s in display.STATUSES[:5]) + "）", styles.label)
    _headers(ws, styles, 3, ["代码", "指标", "已报单位"] + [name for _c, name in matrix.units])
    ws.set_row(3, 44)
    for row, (code, name) in enumerate(matrix.indicators, start=4):
        ws.write_string(row, 0, code, styles.cell)
        ws.write_string(row, 1, name, styles.cell)
        ws.write_string(row, 2, matrix.reported[code], styles.cell)
        for col, (unit, _name) in enumerate(matrix.units, start=3):
            cell = matrix.cells.get((code, unit))
            if cell is None:
                ws.write_string(row, col, display.MISSING, styles.cell)
            else:
                _percent(ws, styles, row, col, cell.progress, cell.status, cell.text)


def _ranking(wb, styles: Styles, report: Report) -> None:
    """One row per ranking (综合 first, then each indicator), one column per place: 第1名 … 第N名."""
    ranking = report.ranking
    places = max([len(ranking.overall)] + [len(b.lines) for b in ranking.indicators])
    widths = [6, 24] + [11] * places
    ws = _sheet(wb, "排名", widths, 3)
    _heading(ws, styles, report, "排名", len(widths) - 1)
    ws.merge_range(2, 0, 2, len(widths) - 1, f"综合排名：各指标完成率的加权平均（{ranking.weighting}，单项最高计 100%）；"
                   "单项排名：按完成率，未填报的单位列在最后", styles.label)
    _headers(ws, styles, 3, ["代码", "排名"] + [f"第{n}名" for n in range(1, places + 1)])
    rows = [("综合", f"综合排名（{ranking.weighting}）", ranking.overall, False)]
    rows += [(b.code, b.name, b.lines, True) for b in ranking.indicators]
    for row, (code, name, lines, coloured) in enumerate(rows, start=4):
        ws.write_string(row, 0, code, styles.cell)
        ws.write_string(row, 1, name, styles.cell_wrap)
        for col, line in enumerate(lines, start=2):
            fmt = styles.for_status(line.status) if coloured else styles.cell_wrap
            ws.write_string(row, col, f"{line.name}\n{line.value_text}", fmt)
        tallest = max([row_height(line.name, 10) + 15 for line in lines] + [row_height(name, 22)])
        ws.set_row(row, tallest)


def _reporting(wb, styles: Styles, report: Report) -> None:
    ws = _sheet(wb, "报送情况", [24, 80], 2)
    _heading(ws, styles, report, "报送情况", 1)
    _headers(ws, styles, 2, ["项目", "情况"])
    for row, (label, value) in enumerate(report.reporting.lines, start=3):
        ws.write_string(row, 0, label, styles.cell)
        ws.write_string(row, 1, value, styles.cell_wrap)


def _assessment(wb, styles: Styles, report: Report) -> None:
    from .assessment_summary import HEADERS, WIDTHS

    ws = _sheet(wb, "考核", WIDTHS, 3)
    _heading(ws, styles, report, "考核", len(WIDTHS) - 1)
    ws.merge_range(2, 0, 2, len(WIDTHS) - 1, report.assessment.note, styles.cell_wrap)
    ws.set_row(2, 30)
    _headers(ws, styles, 3, HEADERS)
    for row, cells in enumerate(report.assessment.rows, start=4):
        for col, text in enumerate(cells):
            ws.write_string(row, col, text, styles.cell_wrap if col == len(cells) - 1 else styles.cell)


def _explained(wb, styles: Styles, report: Report) -> None:
    widths = [18, 6, 16, 12, 60, 40]
    ws = _sheet(wb, "审核说明", widths, 2)
    _heading(ws, styles, report, "审核说明", len(widths) - 1)
    _headers(ws, styles, 2, ["单位", "规则", "位置", "数值", "提示", "说明"])
    if not report.explained:
        ws.merge_range(3, 0, 3, len(widths) - 1, "本年度没有已说明的审核提示。", styles.cell)
    for row, item in enumerate(report.explained, start=3):
        for col, text in enumerate((item.office_name, item.rule, item.where, item.value, item.message,
                                    item.explanation)):
            ws.write_string(row, col, text, styles.cell_wrap)
        ws.set_row(row, max(row_height(item.message, widths[4] - 2), row_height(item.explanation, widths[5] - 2)))


def chart_font(styles: Styles, size: float = 9, bold: bool = False) -> dict:
    return {"name": styles.font, "size": size, "bold": bold}


def _charts(wb, styles: Styles, report: Report) -> None:
    """Charts on top, one per printed page; their data below them (charts read it from there)."""
    ws = _sheet(wb, "图表", [16, 30, 14, 14, 14, 14], None)
    ws.set_default_row(15)
    _heading(ws, styles, report, "图表", 9)
    placed = []  # (chart, height in px)
    data_row = 2 + PAGE_ROWS * (1 + bool(report.charts.overall) + len(report.charts.trends)) + 2
    row = _completion_data(ws, styles, report, data_row, placed)
    if report.charts.overall:
        row = _overall_data(ws, styles, report, row + 2, placed)
    for series in report.charts.trends:
        row = _trend_data(ws, styles, series, row + 2, placed)
    top, breaks = 3, []
    for chart, height in placed:
        chart.set_size({"width": CHART_WIDTH, "height": height})
        ws.insert_chart(top, 0, chart, {"x_offset": 4, "y_offset": 4})
        top += PAGE_ROWS
        breaks.append(top)
    ws.set_h_pagebreaks(breaks)


def _table_header(ws, styles: Styles, row: int, title: str, headers: list[str]) -> int:
    ws.write_string(row, 0, title, styles.label)
    for col, text in enumerate(headers):
        ws.write_string(row + 1, col, text, styles.header)
    return row + 2


def _completion_data(ws, styles: Styles, report: Report, row: int, placed: list) -> int:
    lines = report.charts.completion
    first = _table_header(ws, styles, row, "图表数据：各指标完成率", ["代码", "指标", "完成率", "时序进度", "状态"])
    for n, line in enumerate(lines):
        ws.write_string(first + n, 0, line.code, styles.cell)
        ws.write_string(first + n, 1, line.name, styles.cell)
        ws.write_number(first + n, 2, line.progress or 0.0, styles.for_status(line.status, numeric=True))
        ws.write_number(first + n, 3, line.expected, styles.percent)
        ws.write_string(first + n, 4, line.status, styles.cell)
    last = first + len(lines) - 1
    chart = _new_chart(styles, "column")
    chart.add_series({
        "name": "完成率", "categories": ["图表", first, 0, last, 0], "values": ["图表", first, 2, last, 2],
        "points": [{"fill": {"color": STATUS_STYLES.get(x.status, STATUS_STYLES[display.NO_TARGET]).color}}
                   for x in lines],
        "gap": 40,
    })
    pace = _new_chart(styles, "line")
    pace.add_series({"name": "时序进度", "categories": ["图表", first, 0, last, 0],
                     "values": ["图表", first, 3, last, 3], "line": {"color": "#000000", "width": 1.5}})
    chart.combine(pace)
    _style(chart, styles, f"{report.cover.office_name} {report.cover.year}年各指标完成率（截至 "
           f"{report.cover.as_of.isoformat()}）", "指标", "完成率", PERCENT.replace(".0", ""))
    chart.set_x_axis({"name": "指标（柱的颜色为状态：绿 已完成，蓝 进度正常，黄 略有滞后，橙红 严重滞后）",
                      "name_font": chart_font(styles), "num_font": {**chart_font(styles, 7), "rotation": -90}})
    placed.append((chart, 740))
    return last + 1


def _overall_data(ws, styles: Styles, report: Report, row: int, placed: list) -> int:
    lines = report.charts.overall
    first = _table_header(ws, styles, row, "图表数据：各县区综合排名", ["名次", "单位", "综合得分", "已填报"])
    for n, line in enumerate(lines):
        ws.write_number(first + n, 0, line.rank, styles.cell)
        ws.write_string(first + n, 1, line.name, styles.cell)
        ws.write_number(first + n, 2, line.value or 0.0, styles.percent)
        ws.write_string(first + n, 3, line.note, styles.cell)
    last = first + len(lines) - 1
    chart = _new_chart(styles, "bar")
    chart.add_series({"name": "综合得分", "categories": ["图表", first, 1, last, 1],
                      "values": ["图表", first, 2, last, 2], "fill": {"color": "#0072B2"}, "gap": 60,
                      "data_labels": {"value": True, "num_format": PERCENT, "font": chart_font(styles, 8)}})
    _style(chart, styles, f"{report.cover.year}年各县区综合排名（截至 {report.cover.as_of.isoformat()}）",
           "综合完成得分", "单位", PERCENT.replace(".0", ""))
    chart.set_y_axis({"reverse": True, "num_font": chart_font(styles), "name_font": chart_font(styles)})
    chart.set_x_axis({"name": "综合完成得分", "num_format": "0%", "min": 0, "name_font": chart_font(styles),
                      "num_font": chart_font(styles), "major_gridlines": {"visible": True,
                                                                          "line": {"color": "#E5E5E5"}}})
    placed.append((chart, 600))
    return last + 1


def _trend_data(ws, styles: Styles, series, row: int, placed: list) -> int:
    first = _table_header(ws, styles, row, f"图表数据：{series.code} {series.name}（{series.unit}）",
                          ["月份", series.actual_label, "目标进度线"])
    for n, month in enumerate(series.months):
        ws.write_string(first + n, 0, month, styles.cell)
        for col, value in ((1, series.actual[n]), (2, series.pace[n])):
            if value is None:
                ws.write_blank(first + n, col, None, styles.cell)
            else:
                ws.write_number(first + n, col, value, styles.number)
    last = first + len(series.months) - 1
    chart = _new_chart(styles, "line")
    chart.add_series({"name": series.actual_label, "categories": ["图表", first, 0, last, 0],
                      "values": ["图表", first, 1, last, 1], "line": {"color": "#0072B2", "width": 2.25},
                      "marker": {"type": "circle", "size": 4}})
    chart.add_series({"name": "目标进度线（按时序）", "categories": ["图表", first, 0, last, 0],
                      "values": ["图表", first, 2, last, 2],
                      "line": {"color": "#D55E00", "width": 1.5, "dash_type": "dash"}})
    chart.show_blanks_as("gap")
    _style(chart, styles, f"{series.office_name} · {series.code} {series.name}：{series.actual_label}与目标进度",
           "月份", series.unit, "#,##0")
    placed.append((chart, 560))
    return last + 1


def _new_chart(styles: Styles, kind: str):
    chart = styles.wb.add_chart({"type": kind})
    _name_east_asian_font(chart, styles.font)
    return chart


def _name_east_asian_font(chart, font: str) -> None:
    """XlsxWriter names a chart font as <a:latin> only; Excel draws Chinese with the <a:ea> face (else the
    theme's), so every <a:latin> gets its <a:ea> twin, which the schema puts right after it."""
    write_latin = chart._write_a_latin

    def write_both(attributes) -> None:
        write_latin(attributes)
        chart._xml_empty_tag("a:ea", [("typeface", font)])

    chart._write_a_latin = write_both


def _style(chart, styles: Styles, title: str, x_name: str, y_name: str, y_format: str) -> None:
    """Title, axes and legend, every one in the CJK font."""
    chart.set_title({"name": title, "name_font": chart_font(styles, 12, bold=True)})
    chart.set_x_axis({"name": x_name, "name_font": chart_font(styles), "num_font": chart_font(styles)})
    chart.set_y_axis({"name": y_name, "num_format": y_format, "name_font": chart_font(styles),
                      "num_font": chart_font(styles), "major_gridlines": {"visible": True,
                                                                          "line": {"color": "#E5E5E5"}}})
    chart.set_legend({"position": "bottom", "font": chart_font(styles)})
    chart.set_chartarea({"border": {"none": True}})
