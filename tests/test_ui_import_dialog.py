"""The import preview dialog stays quick with a 100,000-row package: it asks only for the rows it shows
and a sample for the column widths."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt

from kexie_desktop.packages.pipeline.results import NEW, SAME, ChangeBlock, ChangeList, PackagePreview, RowChange
from ui.sync.import_dialog import ImportPreviewDialog

N = 100_000


class CountingKeys(Sequence):
    def __init__(self, n: int):
        self.n, self.asked = n, set()

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        self.asked.add(i)
        return f"uid-{i:06d}"


def test_a_large_preview_makes_only_the_rows_it_needs(qtbot):
    keys = CountingKeys(N)
    titles = ["讲座"] * N
    long = "一个名字特别长的科普活动，用来撑宽“项目”这一列"
    titles[N // 2:N // 2 + 600] = [long] * 600  # wider than the sample's step
    changes = ChangeList([RowChange("月度数据", 2, "I09/2019-03", SAME, "不显示")])
    changes.add(ChangeBlock("活动台账", NEW, range(2, N + 2), keys, ("{} {}", (["2019-03-01"] * N, titles)),
                            ("{} 人", ([3] * N,))))
    preview = PackagePreview("sub.xlsx", "ready", "可导入", changes=changes)
    dialog = ImportPreviewDialog([preview])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.changes.rowCount() == N  # the unchanged row is left out
    assert 0 < len(keys.asked) <= 400  # a sample and the rows in view, not 100,000
    assert {0, N - 1} <= keys.asked  # the sample is spread over the whole table
    table = dialog.change_table
    wide = table.fontMetrics().horizontalAdvance("2019-03-01 " + long)
    assert table.columnWidth(3) >= wide
    assert table.columnWidth(0) < wide
    index = dialog.changes.index(N // 2, 3)
    assert dialog.changes.data(index) == dialog.changes.data(index, Qt.ToolTipRole) == "2019-03-01 " + long
