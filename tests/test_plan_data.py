"""Data tests for the built-in plan catalogue (resources/plan/).

The catalogue (plan_2018_2020.json) is hand-written from the plan text
(plan_text.txt, a byte-for-byte copy of the source document).  These tests
check that it is internally consistent and faithful to the text.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

PLAN_DIR = Path(__file__).resolve().parents[1] / "resources" / "plan"
JSON_PATH = PLAN_DIR / "plan_2018_2020.json"
TEXT_PATH = PLAN_DIR / "plan_text.txt"

# sha256 of the source document /work/shared/seeds/000_04d55119f8e8078a.txt
SEED_SHA256 = "870e8e1b7062f7c4a9e75916105532d5f39e716dd032afd0cf20fa0c6b604276"

KINDS = {"annual_flow", "cumulative_flow", "level", "coverage", "range", "at_least"}
PERIODS = {"annual", "plan"}
AGGREGATIONS = {"sum", "share", "city_only"}
ENTRIES = {"entered", "ledger"}
MEASURES = {"count", "audience", "participants"}
UNITS = {"场", "场次", "家", "名", "个", "人", "人次", "项", "篇", "所", "%"}
# Words that state a coverage (every unit concerned) target.
COVERAGE_MARKERS = ("全覆盖", "全部成立", "全面建有")
INDICATOR_KEYS = {
    "code", "name", "unit", "kind", "period", "aggregation", "entry", "section",
    "target", "target_max", "covers", "phrase", "sources", "ledger",
}


def _load():
    return json.loads(JSON_PATH.read_text(encoding="utf-8"))


DATA = _load()
TEXT = TEXT_PATH.read_text(encoding="utf-8")
INDICATORS = DATA["indicators"]
IDS = [i["code"] + "-" + i["name"] for i in INDICATORS]


def phrase_numbers(phrase: str) -> set[float]:
    """Every number a phrase claims: 6万 -> 60000, 百名 -> 100, 4-6 -> {4, 6}.

    Grade labels such as “3A级” are not quantities and are ignored.
    """
    s = re.sub(r"\d+A级", "", phrase)
    found: set[float] = set()
    for m in re.finditer(r"(\d+(?:\.\d+)?)(万?)", s):
        value = float(m.group(1))
        if m.group(2):
            value *= 10000
        found.add(value)
    if re.search(r"(?<![0-9一二三四五六七八九十])百名", s):
        found.add(100.0)
    return found


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"[。；！\n]", text) if s.strip()]


SENTENCES = split_sentences(TEXT)


# --------------------------------------------------------------------------- text

def test_only_growth_rates_may_be_negative():
    signed = [i["code"] for i in INDICATORS if i.get("signed")]
    assert signed == ["I58"]  # 年动态增长率: membership can shrink


def test_plan_text_is_the_source_document():
    assert hashlib.sha256(TEXT_PATH.read_bytes()).hexdigest() == SEED_SHA256


def test_plan_text_matches_shared_seed_when_present():
    seed = Path("/work/shared/seeds/000_04d55119f8e8078a.txt")
    if not seed.exists():
        pytest.skip("shared seed not available")
    assert TEXT_PATH.read_bytes() == seed.read_bytes()


# --------------------------------------------------------------------------- structure

def test_plan_header():
    plan = DATA["plan"]
    assert plan == {
        "code": "LYG-KX-2018-2020",
        "name": "连云港市科协“高质发展、后发先至”三年行动计划（2018—2020年）",
        "start_year": 2018,
        "end_year": 2020,
        "version": 1,
    }
    assert set(DATA) == {"plan", "sections", "activity_types", "indicators", "rules", "tasks"}


def test_rules_are_well_formed():
    """Every built-in 审核 rule names a check the engine has, a severity, unique code, known indicators."""
    import string

    from kexie_desktop.review.checks import EVALUATORS

    rules = DATA["rules"]
    codes = [r["code"] for r in rules]
    assert len(codes) == len(set(codes)) == 12
    assert {r["check"] for r in rules} == set(EVALUATORS)
    assert [r["severity"] for r in rules] == ["error"] * 5 + ["warning"] * 7
    indicator_codes = {i["code"] for i in DATA["indicators"]}
    for rule in rules:
        assert set(rule.get("indicators", [])) <= indicator_codes
        assert all(isinstance(v, (int, float)) for v in rule["params"].values())
        fields = {f for _, f, _, _ in string.Formatter().parse(rule["message"]) if f}
        assert fields and "：" in rule["message"], rule["code"]  # says what is wrong, then what to do


def test_sections_are_well_formed_and_in_document_order():
    sections = DATA["sections"]
    codes = [s["code"] for s in sections]
    assert len(codes) == len(set(codes))
    seen: set[str] = set()
    last = -1
    for s in sections:
        assert set(s) == {"code", "name", "parent"}
        if s["parent"] is not None:
            assert s["parent"] in seen, s
            assert s["code"].startswith(s["parent"])
        seen.add(s["code"])
        # names are verbatim text (without ordinal prefix) in document order
        if s["code"] == "G":
            continue
        pos = TEXT.find(s["name"], last + 1)
        assert pos > last, s
        assert not re.match(r"^(（[一二三四五六七八九十]+）|[一二三四五六七八九十]+是)", s["name"])
        last = pos
    top = [s["code"] for s in sections if s["parent"] is None]
    assert top == ["G", "T1", "T2", "T3", "T4", "B"]  # B: 保障措施, which holds tasks only
    assert [c for c in codes if c.startswith("G") and c != "G"] == ["G1", "G2", "G3", "G4", "G5"]
    # every numbered task “一是…” of 三、重点任务 is a section
    tasks = re.findall(r"^[一二三四五六七]是", TEXT[TEXT.index("三、重点任务"):TEXT.index("四、保障措施")], re.M)
    assert len([c for c in codes if c.startswith("T") and "." in c]) == len(tasks) == 18


def test_activity_types():
    types = {t["code"]: t["name"] for t in DATA["activity_types"]}
    assert len(types) == len(DATA["activity_types"])
    for code in ("ACAD_REPORT", "ACAD_EXCHANGE", "SCI_TO_COUNTRY", "POP_LECTURE", "POP_CARAVAN",
                 "FARMER_TRAINING", "HEALTH_CHECK", "SCI_DAY", "OTHER"):
        assert code in types
    assert types["ACAD_REPORT"] == "高层次学术报告会"
    assert types["POP_CARAVAN"] == "科普大篷车“六进”"


def test_indicator_count_and_codes():
    assert len(INDICATORS) >= 50
    codes = [i["code"] for i in INDICATORS]
    assert codes == [f"I{n:02d}" for n in range(1, len(codes) + 1)]
    names = [i["name"] for i in INDICATORS]
    assert len(names) == len(set(names)), "indicator names must be unique"


def test_indicators_in_order_of_first_appearance():
    firsts = [min(TEXT.index(s) for s in i["sources"]) for i in INDICATORS]
    assert firsts == sorted(firsts)


@pytest.mark.parametrize("ind", INDICATORS, ids=IDS)
def test_indicator_fields(ind):
    assert INDICATOR_KEYS <= set(ind) <= INDICATOR_KEYS | {"signed", "covers_units"}
    assert ind.get("signed", False) in (True, False)
    assert ind.get("covers_units", False) in (True, False)
    assert ind["kind"] in KINDS
    assert ind["period"] in PERIODS
    assert ind["aggregation"] in AGGREGATIONS
    assert ind["entry"] in ENTRIES
    assert ind["unit"] in UNITS
    assert ind["name"] and not re.search(r"\d", ind["name"].replace("3A", ""))
    sections = {s["code"] for s in DATA["sections"]}
    assert ind["section"] in sections
    assert isinstance(ind["target"], (int, float)) and ind["target"] > 0
    if ind["kind"] == "range":
        assert isinstance(ind["target_max"], (int, float)) and ind["target_max"] > ind["target"]
        assert ind["period"] == "plan"
    else:
        assert ind["target_max"] is None
    if ind["kind"] == "coverage":
        assert ind["target"] == 100 and ind["unit"] == "%"
        assert ind["covers"]
        assert ind["aggregation"] in {"share", "city_only"}
        if ind.get("covers_units"):
            assert ind["aggregation"] == "share"
    else:
        assert "covers_units" not in ind
        assert ind["covers"] is None
    if ind["kind"] == "annual_flow":
        assert ind["period"] == "annual"
    if ind["kind"] == "cumulative_flow":
        assert ind["period"] == "plan"
    if ind["period"] == "annual":
        assert "每年" in " ".join(ind["sources"]) or "年动态" in ind["phrase"]
    if ind["unit"] == "%" and ind["kind"] != "coverage":
        assert ind["aggregation"] == "city_only"  # ratios are not additive


@pytest.mark.parametrize("ind", INDICATORS, ids=IDS)
def test_indicator_ledger(ind):
    types = {t["code"] for t in DATA["activity_types"]}
    if ind["entry"] == "ledger":
        assert isinstance(ind["ledger"], list) and ind["ledger"]
        for rule in ind["ledger"]:
            assert set(rule) == {"type", "measure"}
            assert rule["type"] in types
            assert rule["measure"] in MEASURES
    else:
        assert ind["ledger"] is None


def _section_spans() -> dict[str, tuple[int, int]]:
    """Text span of each section: from its heading to the next section's heading.

    A parent's span ends where its first child begins, so every position of the
    text lies in the span of the most specific section holding it.
    """
    starts = []
    pos = 0
    for s in DATA["sections"]:
        heading = "二、主要目标" if s["code"] == "G" else s["name"]
        pos = TEXT.index(heading, pos)
        line_start = TEXT.rfind("\n", 0, pos) + 1  # include the ordinal prefix “（二）”/“一是”
        assert re.fullmatch(r"(二、|四、|（[一二三四五]）|[一二三四五六七]是)?", TEXT[line_start:pos]), heading
        starts.append((s["code"], line_start))
    spans = {}
    for (code, a), nxt in zip(starts, starts[1:] + [(None, len(TEXT))]):
        spans[code] = (a, nxt[1])
    return spans


SPANS = _section_spans()
TASKS_START = TEXT.index("三、重点任务")


@pytest.mark.parametrize("ind", INDICATORS, ids=IDS)
def test_indicator_section_holds_first_source(ind):
    """The indicator's section is the most specific section whose text holds sources[0]."""
    a, b = SPANS[ind["section"]]
    assert a <= TEXT.index(ind["sources"][0]) < b
    in_tasks = [TEXT.index(s) > TASKS_START for s in ind["sources"]]
    if ind["section"].startswith("G"):
        # G* only when no sentence of 重点任务 states it
        assert not any(in_tasks)
    else:
        assert "." in ind["section"]
    # sources[0] is the 重点任务 sentence when there is one
    if any(in_tasks):
        assert in_tasks[0]


# --------------------------------------------------------------------------- faithfulness

@pytest.mark.parametrize("ind", INDICATORS, ids=IDS)
def test_sources_are_verbatim_sentences(ind):
    assert ind["sources"], "at least one source sentence"
    assert len(set(ind["sources"])) == len(ind["sources"])
    for s in ind["sources"]:
        assert s in SENTENCES, f"not an exact sentence of the plan text: {s}"
    assert ind["phrase"] in ind["sources"][0]
    for s in ind["sources"][1:]:
        # a duplicate statement of the same target carries the same number(s)
        nums = phrase_numbers(s)
        if ind["kind"] != "coverage":
            assert ind["target"] in nums, s


@pytest.mark.parametrize("ind", INDICATORS, ids=IDS)
def test_phrase_numbers_match_target(ind):
    nums = phrase_numbers(ind["phrase"])
    if ind["kind"] == "range":
        assert nums == {ind["target"], ind["target_max"]}
        assert re.search(r"\d+-\d+", ind["phrase"])
    elif ind["kind"] == "coverage":
        assert any(m in ind["phrase"] for m in COVERAGE_MARKERS)
        assert ind["target"] == 100
        assert nums == set(), f"coverage phrase carries a number: {nums}"
    else:
        assert nums == {ind["target"]}
    if ind["kind"] == "at_least":
        assert "以上" in ind["phrase"] or "超过" in ind["phrase"]
    if ind["kind"] == "annual_flow" or (ind["kind"] == "at_least" and ind["period"] == "annual"):
        assert "每年" in ind["phrase"] or "每年" in ind["sources"][0]
    if ind["unit"] != "%":
        assert ind["unit"] in ind["phrase"] or ind["unit"] in ind["sources"][0]


def test_phrase_numbers_parser():
    assert phrase_numbers("科普志愿者总数达6万人") == {60000}
    assert phrase_numbers("新增省级科学教育示范校4-6所") == {4, 6}
    assert phrase_numbers("实现3A级以上学会承接政府转移职能全覆盖") == set()
    assert phrase_numbers("创建3A级以上学会70家") == {70}
    assert phrase_numbers("每年为百名科技工作者免费健康体检") == {100}
    assert phrase_numbers("公民具备科学素质比例达10%") == {10}
    assert phrase_numbers("市级学会年动态增长率达3％") == {3}


# Numbers in the text that are not targets: years, programme labels, a population qualifier.
NON_TARGET_NUMBERS = [
    r"20(18|20)",          # years
    r"“[34]\+1”",          # programme names “4+1” / “3+1”
    r"100万人以上县",       # qualifier of which counties must have a science museum
    r"\d+A级",              # society grade
]


def test_every_number_in_the_text_is_covered():
    """Each Arabic number of each sentence is the target of an indicator citing it."""
    missing = []
    for sent in SENTENCES:
        s = sent
        for pat in NON_TARGET_NUMBERS:
            s = re.sub(pat, "", s)
        nums = {float(m.group(1)) * (10000 if m.group(2) else 1)
                for m in re.finditer(r"(\d+(?:\.\d+)?)(万?)", s)}
        if not nums:
            continue
        claimed: set[float] = set()
        for ind in INDICATORS:
            if sent in ind["sources"]:
                claimed.add(ind["target"])
                if ind["target_max"] is not None:
                    claimed.add(ind["target_max"])
        if nums - claimed:
            missing.append((sent, sorted(nums - claimed)))
    assert not missing, missing


def test_every_full_coverage_is_an_indicator():
    not_targets = ["在市县科普场馆全覆盖的基础上"]
    missing = []
    for sent in SENTENCES:
        n = sent.count("全覆盖") - sum(sent.count(x) for x in not_targets)
        if n <= 0:
            continue
        covs = [i for i in INDICATORS if i["kind"] == "coverage" and sent in i["sources"]]
        if len(covs) < n:
            missing.append(sent)
    assert not missing, missing
    # the two “全覆盖” that name two things each give two indicators
    for pair in (("园区", "省级以上高新技术企业"), ("学会理事会", "民办科技类社团")):
        got = {i["covers"] for i in INDICATORS if i["kind"] == "coverage"}
        assert set(pair) <= got


def test_duplicated_targets_are_one_indicator_with_all_sources():
    by_phrase = {}
    for ind in INDICATORS:
        for key in ("每年举办高层次学术报告会10场", "科普志愿者总数达6万人", "科教兴农项目600个",
                    "市级综合示范学会15家", "科技服务站45家", "首席专家(工程师)60名",
                    "省级海智基地县（区）全覆盖", "城市社区科普信息化全覆盖", "科技工作者免费"):
            if key in ind["sources"][0]:
                by_phrase.setdefault(key, []).append(ind)
    for key in ("每年举办高层次学术报告会10场", "科普志愿者总数达6万人", "科教兴农项目600个",
                "省级海智基地县（区）全覆盖", "城市社区科普信息化全覆盖"):
        matching = [i for i in INDICATORS if key in i["phrase"]]
        assert len(matching) == 1, key
        assert len(matching[0]["sources"]) == 2, key
    for frag in ("市级综合示范学会15家", "科技服务站45家", "首席专家(工程师)60名", "100名科技工作者免费体检"):
        matching = [i for i in INDICATORS if frag in i["phrase"]]
        assert len(matching) == 1, frag
        assert len(matching[0]["sources"]) == 2, frag


# --------------------------------------------------------------------------- known values

KNOWN = [
    # phrase fragment, target, target_max, kind, period, unit, aggregation, entry
    ("科普志愿者总数达6万人", 60000, None, "level", "plan", "人", "sum", "entered"),
    ("省级科学教育示范校4-6所", 4, 6, "range", "plan", "所", "sum", "entered"),
    ("3-5家", 3, 5, "range", "plan", "家", "sum", "entered"),
    ("1-2家", 1, 2, "range", "plan", "家", "sum", "entered"),
    ("每年推荐科技工作者50人以上", 50, None, "at_least", "annual", "人", "sum", "entered"),
    ("获奖总数超过270人", 270, None, "at_least", "plan", "人", None, "entered"),
    ("每年举办高层次学术报告会10场", 10, None, "annual_flow", "annual", "场", "sum", "ledger"),
    ("各类学术交流活动200场次", 200, None, "annual_flow", "annual", "场次", "sum", "ledger"),
    ("科学素质比例达10%", 10, None, "level", "plan", "%", "city_only", "entered"),
    ("农民职业技术培训24万人次", 240000, None, "cumulative_flow", "plan", "人次", "sum", "ledger"),
    ("科教兴农项目600个", 600, None, "cumulative_flow", "plan", "个", "sum", "entered"),
    ("年动态增长率达3％", 3, None, "level", "annual", "%", "city_only", "entered"),
    ("参与城市增至20家", 20, None, "level", "plan", "家", "city_only", "entered"),
    ("达1万人次", 10000, None, None, "plan", "人次", None, "entered"),
    ("受众达20万人次", 200000, None, "cumulative_flow", "plan", "人次", "sum", "ledger"),
    ("100名科技工作者免费体检", 100, None, "annual_flow", "annual", "名", None, "ledger"),
    ("3A级以上学会承接政府转移职能全覆盖", 100, None, "coverage", "plan", "%", "city_only", "entered"),
    ("城市社区科普信息化全覆盖", 100, None, "coverage", "plan", "%", "share", "entered"),
    ("每年培育认定特色家庭农场30家", 30, None, "annual_flow", "annual", "家", "sum", "entered"),
    ("医药技术专家1000名", 1000, None, "cumulative_flow", "plan", "名", None, "entered"),
]


@pytest.mark.parametrize("frag,target,tmax,kind,period,unit,agg,entry", KNOWN, ids=[k[0] for k in KNOWN])
def test_known_targets(frag, target, tmax, kind, period, unit, agg, entry):
    matching = [i for i in INDICATORS if frag in i["phrase"]]
    assert len(matching) == 1, [i["code"] for i in matching]
    ind = matching[0]
    assert ind["target"] == target
    assert ind["target_max"] == tmax
    if kind:
        assert ind["kind"] == kind
    assert ind["period"] == period
    assert ind["unit"] == unit
    if agg:
        assert ind["aggregation"] == agg
    assert ind["entry"] == entry


def test_known_ledger_rules():
    def rules(frag):
        (ind,) = [i for i in INDICATORS if frag in i["phrase"]]
        return {(r["type"], r["measure"]) for r in ind["ledger"] or []}

    assert rules("高层次学术报告会10场") == {("ACAD_REPORT", "count")}
    assert rules("各类学术交流活动200场次") == {("ACAD_EXCHANGE", "count"), ("ACAD_REPORT", "count")}
    assert rules("科技下乡90场次") == {("SCI_TO_COUNTRY", "count")}
    assert rules("科普讲座180场次") == {("POP_LECTURE", "count")}
    assert rules("210场") == {("POP_CARAVAN", "count")}
    assert rules("受众达20万人次") == {("SCI_TO_COUNTRY", "audience"), ("POP_LECTURE", "audience"),
                                     ("POP_CARAVAN", "audience")}
    assert rules("农民职业技术培训") == {("FARMER_TRAINING", "participants")}
    assert rules("免费体检") == {("HEALTH_CHECK", "participants")}
    ledger_counted = [i["code"] for i in INDICATORS if i["entry"] == "ledger"]
    assert len(ledger_counted) == 8


def test_split_coverages_share_their_sentence():
    def cov(covers):
        (ind,) = [i for i in INDICATORS if i["kind"] == "coverage" and i["covers"] == covers]
        return ind

    assert cov("园区")["sources"] == cov("省级以上高新技术企业")["sources"]
    assert cov("学会理事会")["sources"] == cov("民办科技类社团")["sources"]
    assert cov("有条件的市级学会")["aggregation"] == "city_only"


def test_the_coverages_of_the_units_themselves():
    """县（区）全覆盖 and 市县两级…全覆盖 stand over every unit; 100万人以上县（区） over some of them only."""
    assert [i["code"] for i in INDICATORS if i.get("covers_units")] == ["I01", "I30", "I53"]
