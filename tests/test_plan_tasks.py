"""Data tests for the plan's qualitative tasks (工作清单) in the built-in catalogue.

Tasks were found by reading every sentence (split at 。) of 三、重点任务 and 四、保障措施 and keeping each
concrete piece of work that has no number of its own; see the catalogue's ``tasks``.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

PLAN_DIR = Path(__file__).resolve().parents[1] / "resources" / "plan"
DATA = json.loads((PLAN_DIR / "plan_2018_2020.json").read_text(encoding="utf-8"))
TEXT = (PLAN_DIR / "plan_text.txt").read_text(encoding="utf-8")
TASKS = DATA["tasks"]
INDICATORS = {i["code"]: i for i in DATA["indicators"]}
SECTIONS = [s["code"] for s in DATA["sections"]]
TASKS_START = TEXT.index("三、重点任务")
IDS = [t["code"] for t in TASKS]
OFFICE_CODES = {o["code"] for o in json.loads((PLAN_DIR.parent / "offices.json").read_text(encoding="utf-8"))["offices"]
                if o["kind"] != "city"}
# Names and dates, not quantities: “4+1”试点, 3A级 学会, 到2020年.
NAMED_NUMBERS = re.compile(r"\d+\+\d+|\d+A级|\d{4}年")

EXPECTED_COUNT = 65


def _section_starts() -> list[tuple[str, int]]:
    starts, pos = [], 0
    for s in DATA["sections"]:
        heading = "二、主要目标" if s["code"] == "G" else s["name"]
        pos = TEXT.index(heading, pos)
        starts.append((s["code"], TEXT.rfind("\n", 0, pos) + 1))
    return starts


def _span(code: str) -> tuple[int, int]:
    starts = _section_starts()
    for i, (c, a) in enumerate(starts):
        if c == code:
            return a, starts[i + 1][1] if i + 1 < len(starts) else len(TEXT)
    raise KeyError(code)


def _position(task) -> int:
    a, b = _span(task["section"])
    pos = TEXT.find(task["sentence"], a)
    assert a <= pos and pos + len(task["sentence"]) <= b, task["code"]
    return pos


def _plan_sentence(pos: int) -> tuple[int, int]:
    """The 。-delimited sentence of the plan text around a position."""
    a = max(TEXT.rfind(c, 0, pos) for c in "。\n") + 1
    b = min(x for x in (TEXT.find(c, pos) for c in "。\n") if x != -1)
    return a, b


def test_task_count_and_codes():
    assert len(TASKS) == EXPECTED_COUNT
    assert IDS == [f"T{n:02d}" for n in range(1, EXPECTED_COUNT + 1)]
    assert len({t["name"] for t in TASKS}) == len(TASKS)
    assert len({t["sentence"] for t in TASKS}) == len(TASKS)


def test_tasks_are_in_document_order_and_only_in_tasks_and_safeguards():
    positions = [_position(t) for t in TASKS]
    assert positions == sorted(positions)
    assert min(positions) > TASKS_START
    assert {t["section"][0] for t in TASKS} == {"T", "B"}


@pytest.mark.parametrize("task", TASKS, ids=IDS)
def test_task_is_well_formed(task):
    assert set(task) == {"code", "section", "name", "sentence", "carriers", "due", "indicators"}
    assert task["section"] in SECTIONS and task["section"] not in ("T1", "T2", "T3", "T4", "B")
    assert task["sentence"] in TEXT  # verbatim
    assert "。" not in task["sentence"] and task["sentence"] == task["sentence"].strip("，、 ")
    assert 4 <= len(task["name"]) <= 30 and not re.search(r"\d", NAMED_NUMBERS.sub("", task["name"]))
    carriers = task["carriers"]
    assert carriers in ("city", "units", "all") or (isinstance(carriers, list) and set(carriers) <= OFFICE_CODES)
    due = dt.date.fromisoformat(task["due"])
    assert dt.date(2018, 1, 1) <= due <= dt.date(2020, 12, 31)
    year = re.search(r"到(\d{4})年", task["sentence"])
    assert due == (dt.date(int(year.group(1)), 12, 31) if year else dt.date(2020, 12, 31))


@pytest.mark.parametrize("task", TASKS, ids=IDS)
def test_carriers_follow_the_sentence(task):
    """县区 (and 乡镇) work is carried by the units; 市县 work, work across 全市 and the 县乡镇 pilot by both;
    the rest by the city office."""
    text = task["sentence"]
    if "市县" in text:
        assert task["carriers"] == "all"
    if task["carriers"] == "all":
        assert any(w in text for w in ("市县", "全市", "县乡镇"))
    if task["carriers"] == "units":
        assert any(w in text for w in ("县区", "县（区）", "乡镇"))


@pytest.mark.parametrize("task", TASKS, ids=IDS)
def test_linked_indicators_share_the_plan_sentence(task):
    a, b = _plan_sentence(_position(task))
    for code in task["indicators"]:
        assert code in INDICATORS, code
        assert any(_overlaps(src, a, b) for src in INDICATORS[code]["sources"]), (task["code"], code)


def _overlaps(source: str, a: int, b: int) -> bool:
    """Whether some occurrence of ``source`` in the plan text overlaps the span [a, b)."""
    pos = TEXT.find(source)
    while pos != -1:
        if pos < b and pos + len(source) > a:
            return True
        pos = TEXT.find(source, pos + 1)
    return False


@pytest.mark.parametrize("task", TASKS, ids=IDS)
def test_task_does_not_duplicate_a_numeric_target(task):
    """A number belongs to a target: a task never is just an indicator's phrase, never holds a target's
    phrase without linking it, and holds no number unless it links the indicator the number is."""
    text = task["sentence"]
    for code, ind in INDICATORS.items():
        assert text not in ind["phrase"], (task["code"], code)
        if ind["phrase"] in text:
            assert code in task["indicators"], (task["code"], code)
    if re.search(r"\d", NAMED_NUMBERS.sub("", text)):
        assert task["indicators"], task["code"]


def test_every_plan_sentence_with_a_linked_task_holds_the_indicator_target():
    """The linked tasks are the qualitative half of a sentence whose other half is a target."""
    linked = [t for t in TASKS if t["indicators"]]
    assert [t["code"] for t in linked] == ["T08", "T13", "T20", "T21", "T25", "T42", "T49"]
    for t in linked:
        a, b = _plan_sentence(_position(t))
        assert re.search(r"\d", TEXT[a:b]), t["code"]


def test_examples_of_the_issue_are_tasks():
    names = {t["sentence"] for t in TASKS}
    for phrase in ("组建决策咨询专家委员会", "建设“连云港科技创新智库”微信推送平台", "打造医药大会永久性会址",
                   "建立学会创业导师制度", "青少年科学素质测评体系", "推动纲要工作成员单位出台十大分方案",
                   "逐步推进市级学会秘书处实体化、秘书长职业化", "继续推行“工作清单制”",
                   "制定定性与定量相结合的督查指标体系和绩效评价机制", "创新县区科协工作考核方法"):
        assert sum(phrase in s for s in names) == 1, phrase


def test_a_dated_task_is_due_at_its_year_end():
    dated = [t for t in TASKS if "到20" in t["sentence"]]
    assert [(t["code"], t["due"]) for t in dated] == [("T44", "2020-12-31")]
