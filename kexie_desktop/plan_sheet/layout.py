"""The plan template's sheets and columns: what ``template`` writes and ``reader`` reads back.

Every cell is compared as text (``cell_text``), so the preview of a load names exactly the cells that
differ from the plan in the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import AGGREGATIONS, ENTRIES, KINDS, MEASURES, SEVERITIES

PERIOD_LABELS = {"annual": "每年", "plan": "期末"}
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float = 12
    choices: tuple[str, ...] = ()  # a drop-down list in the template, checked when read back


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    what: str  # how a row is called in the preview: 指标, 任务 …

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> int:
        """0-based column of ``key``."""
        return next(i for i, c in enumerate(self.columns) if c.key == key)


META = Sheet("计划", (Column("field", "项目", 14), Column("value", "内容", 60)), "计划")
META_FIELDS = {"code": "计划代码", "name": "计划名称", "start_year": "起始年份", "end_year": "结束年份",
               "based_on": "复制自"}

SECTIONS = Sheet("章节", (Column("code", "代码", 10), Column("name", "名称", 40), Column("parent", "上级代码", 10)),
                 "章节")

TYPES = Sheet("活动类型", (Column("code", "代码", 18), Column("name", "名称", 24)), "活动类型")

INDICATORS = Sheet("指标", (
    Column("code", "代码", 8),
    Column("name", "名称", 28),
    Column("unit", "单位", 8),
    Column("kind", "类型", 12, tuple(KINDS.values())),
    Column("period", "周期", 8, tuple(PERIOD_LABELS.values())),
    Column("aggregation", "汇总方式", 12, tuple(AGGREGATIONS.values())),
    Column("entry", "填报方式", 10, tuple(ENTRIES.values())),
    Column("section", "章节", 8),
    Column("covers", "覆盖对象", 14),
    Column("covers_units", "覆盖各县区", 10, (YES, NO)),
    Column("ledger", "台账统计", 28),
    Column("target", "市目标", 14),
    Column("target_max", "目标上限", 10),
    Column("carry_over", "承接上期", 10, (YES, NO)),
    Column("predecessor", "上期指标", 10),
    Column("phrase", "目标表述", 30),
    Column("source", "原文语句", 50),
    Column("other_sources", "其他原文", 30),
), "指标")

RULES = Sheet("审核规则", (
    Column("code", "代码", 8), Column("check", "检查", 22), Column("severity", "级别", 8, tuple(SEVERITIES.values())),
    Column("indicators", "指标", 20), Column("params", "参数", 24), Column("message", "提示", 50),
    Column("active", "启用", 8, (YES, NO)),
), "审核规则")

TASKS = Sheet("工作清单", (
    Column("code", "代码", 8), Column("section", "章节", 8), Column("name", "名称", 30),
    Column("sentence", "原文语句", 50), Column("carriers", "承担单位", 14), Column("due", "完成期限", 12),
    Column("indicators", "关联指标", 14),
), "任务")

DATA_SHEETS = (SECTIONS, TYPES, INDICATORS, RULES, TASKS)
HELP_SHEET = "说明"
HELP = [
    "这是一份计划模板：在 Excel 或 WPS 中修改后，用“plan load 文件 --dry-run”预览，再用“plan load 文件”载入。",
    "每个工作表第 1 行是表头，不要改动、删除或移动；一行是一项（章节、活动类型、指标、审核规则、任务）。",
    "删除一行即删除该项；新增一行即新增一项（代码不能重复）。不要在单元格里写公式。",
    "类型、周期、汇总方式、填报方式、是/否 列请从下拉列表中选择。",
    "市目标：一个数（每年的指标每年相同），或按年写“2021:10;2022:12”；区间目标的市目标是下限，另填目标上限。",
    "台账统计：活动类型代码:计量，多项用分号分隔，例如“SCI_LECTURE:活动场次;SCI_LECTURE:受众人次”。",
    "承接上期：存量指标是否从上一计划（上期指标）的最后数值开始。原文语句须出现在计划原文中。",
    "承担单位：city（市科协）、units（各县区科协）、all（市县两级），或县区代码用逗号分隔。",
    "计划代码与数据库中的已有计划相同时，载入即修改该计划（只能修改未发布的计划）；否则新建一个计划。",
]

MEASURE_BY_LABEL = {label: code for code, label in MEASURES.items()}


def label_to_code(labels: dict[str, str]) -> dict[str, str]:
    return {label: code for code, label in labels.items()}
