"""kexie_desktop.display: every number, target and status written one way (GUI, CLI, charts, covers)."""

from kexie_desktop import display
from kexie_desktop.progress import STATUSES


def test_number_is_written_as_typed():
    assert display.number(7.0) == "7"
    assert display.number(2.5) == "2.5"
    assert display.number(0.125) == "0.125"
    assert display.number(1234567.0) == "1234567"
    assert display.number(None) == ""
    assert display.number(None, missing=display.MISSING) == "—"


def test_figure_groups_thousands_with_at_most_one_decimal():
    assert display.figure(1234.0) == "1,234"
    assert display.figure(1234.56) == "1,234.6"
    assert display.figure(None) == ""


def test_percent_of_a_ratio():
    assert display.percent(0.123) == "12.3%"
    assert display.percent(0.5, 0) == "50%"
    assert display.percent(None, missing="—") == "—"


def test_targets_as_the_plan_writes_them():
    assert display.target("range", "所", 4, 4, 6) == "4—6所"
    assert display.target("range", "所", 5, None, 6) == "5—6所"
    assert display.target("coverage", "%", 100) == "全覆盖（100%）"
    assert display.target("coverage", "%", 80) == "覆盖80%"
    assert display.target("at_least", "人", 50) == "50人以上"
    assert display.target("annual_flow", "场", 10) == "10场"
    assert display.target("annual_flow", "场", None) == "未设目标"


def test_missing_texts_and_status_names():
    assert display.or_missing("") == "—"
    assert display.or_missing("王芳") == "王芳"
    assert STATUSES == ("已完成", "进度正常", "略有滞后", "严重滞后", "未填报", "未设目标")
    assert display.NO_TARGET == STATUSES[-1]
