"""Progress commands: progress, ranking, chart, target split (任务分解)."""

from __future__ import annotations

import re

from .. import charts
from .. import progress as engine
from ..errors import UserError
from ..services import offices, plan, settings, targets
from ..validation import parse_date, parse_number
from ..display import MISSING, number, percent, target
from ..packages.pipeline.log import review_states
from .common import database, plan_option, print_json, reading


def register(sub, common) -> None:
    p = sub.add_parser("progress", parents=[common], help="目标完成进度（市科协为全市汇总）")
    _scope_args(p, office=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_progress)

    p = sub.add_parser("ranking", parents=[common], help="各县区排名：单项指标或综合")
    _scope_args(p)
    p.add_argument("--indicator", help="指标代码；不写则为综合排名")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_ranking)

    _register_charts(sub, common)

    t = sub.choices["target"].actions.add_parser("split", parents=[common], help="把市科协目标分解到各县区")
    t.add_argument("--indicator", required=True)
    t.add_argument("--year", help="年份（每年目标）；期末目标不写")
    t.add_argument("--weights", help="权重，如 320703=1,320706=2（每个县区都要写，可为 0）；不写则平均分解")
    t.set_defaults(handler=cmd_target_split)


def _scope_args(p, office: bool = False) -> None:
    if office:
        p.add_argument("--office", help="单位代码或名称（默认本机单位，未设定时为市科协）")
    p.add_argument("--year", help="年份（每年目标按此年；默认截至日期所在年）")
    p.add_argument("--as-of", dest="as_of", help="截至日期 年-月-日（默认今天，但不超出计划期和 --year 当年）")
    plan_option(p)


def _register_charts(sub, common) -> None:
    p = sub.add_parser("chart", parents=[common], help="生成图表（PNG 或 SVG）")
    csub = p.add_subparsers(dest="chart", metavar="图表", required=True)
    kinds = {
        "progress": ("各指标完成进度条形图", True, False),
        "trend": ("单项指标逐月累计与目标进度线", True, True),
        "ranking": ("各县区在单项指标上的排名（不写 --indicator 为综合排名）", False, False),
        "heatmap": ("各县区 × 各指标完成率热力图", False, False),
    }
    for name, (help_text, with_office, needs_indicator) in kinds.items():
        c = csub.add_parser(name, parents=[common], help=help_text)
        _scope_args(c, office=with_office)
        if name in ("trend", "ranking"):
            c.add_argument("--indicator", required=needs_indicator)
        c.add_argument("--out", required=True, help="输出文件 .png 或 .svg")
        c.set_defaults(handler=cmd_chart)


def _year(args) -> int | None:
    if getattr(args, "year", None) is None:
        return None
    value = parse_number(args.year, "年份")
    if value != int(value):
        raise UserError(f"年份“{args.year}”必须是整数，例如 2019。")
    return int(value)


def _as_of(args):
    return None if getattr(args, "as_of", None) is None else parse_date(args.as_of)


def _office(s, args):
    if getattr(args, "office", None):
        return offices.resolve(s, args.office)
    return offices.this_office(s) or offices.city(s)


def _percent(value: float | None) -> str:
    return percent(value, missing=MISSING)


def _number(value: float | None) -> str:
    return number(value, missing=MISSING)


def row_json(row: engine.ProgressRow) -> dict:
    return {
        "code": row.code, "name": row.name, "kind": row.kind, "unit": row.unit, "period": row.period,
        "target": row.target, "target_max": row.target_max, "actual": row.actual,
        "progress": row.progress, "expected": row.expected, "status": row.status,
        "projection": row.projection, "reported": row.reported, "covered": row.covered, "base": row.base,
        "office": row.office_code, "year": row.year, "as_of": row.as_of.isoformat(),
        "consolidated": row.consolidated, "units_reported": row.units_reported, "units_total": row.units_total,
        "entry": row.entry,
    }


def cmd_progress(args, out) -> int:
    with database(args) as db, reading(db, args) as s:
        office = _office(s, args)
        rows = engine.progress_for(s, office, _year(args), _as_of(args))
        scope = engine.make_scope(s, _year(args), _as_of(args))
        review = _received_review(s, office, scope.year)
        if args.json:
            # A unit's rows at the city say whether its package was approved (None: none received).
            extra = {"review_state": review or None} if review is not None else {}
            print_json([{**row_json(r), **extra} for r in rows], out)
            return 0
        _print_progress(out, office, scope, rows)
        if review:
            out.write(f"审核：{office.name}{scope.year}年的上报包{review}\n")
    return 0


def _received_review(s, office, year: int) -> str | None:
    """At the city, for a unit: 已审核 / 未审核 as its last applied submission of ``year`` said ("" when
    none said); None elsewhere."""
    mine = offices.this_office(s)
    if mine is None or not mine.is_city or office.is_city:
        return None
    return review_states(s, year).get(office.code, "")


def _print_progress(out, office, scope, rows) -> None:
    note = "（全市汇总：市科协自身 + 各县区）" if office.is_city else ""
    out.write(f"{office.name} {scope.year}年目标完成进度，截至 {scope.as_of.isoformat()}{note}\n")
    done = engine.completeness(rows)
    missing = "、".join(done.missing) or "无"
    out.write(f"已填报 {done.reported}/{done.required} 项有目标的指标；未填报：{missing}\n")
    out.write("代码\t指标\t目标\t完成\t完成率\t时序进度\t状态\t预计期末\n")
    for r in rows:
        projection = _number(None if r.projection is None else round(r.projection, 1))
        out.write(
            f"{r.code}\t{r.name}\t{_target(r)}\t{_actual(r)}\t{_percent(r.progress)}\t"
            f"{_percent(r.expected)}\t{r.status}\t{projection}\n"
        )


def _actual(row: engine.ProgressRow) -> str:
    """A consolidated figure says over how many units it stands, e.g. "1/10，已报 4/10"."""
    if not row.consolidated:
        return _number(_round(row.actual))
    shown = (f"{_number(row.covered)}/{_number(row.base)}" if row.kind == "coverage" and row.reported
             else _number(_round(row.actual)))
    if not row.units_total:
        return f"{shown}（市级单列）"
    return f"{shown}，已报 {row.units_reported}/{row.units_total}"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def cmd_ranking(args, out) -> int:
    with database(args) as db, reading(db, args) as s:
        overview = engine.city_progress(s, _year(args), _as_of(args), _chosen(s, args))
        if args.indicator:
            _print_indicator_ranking(out, args, overview, plan.indicator(s, args.indicator))
        else:
            _print_overall(out, args, overview, engine.ranking_weights(s))
    return 0


def _chosen(s, args):
    return [plan.indicator(s, args.indicator)] if getattr(args, "indicator", None) else None


def _print_indicator_ranking(out, args, overview, indicator) -> None:
    ranks = engine.rank_indicator(overview, indicator.code)
    if args.json:
        print_json([{"rank": k.rank, "office_name": k.row.office_name, **row_json(k.row), "status": k.status}
                    for k in ranks], out)
        return
    out.write(f"{indicator.code} {indicator.name} 各县区排名（{overview.year}年，截至 {overview.as_of.isoformat()}）\n")
    if not ranks and indicator.aggregation == "city_only":
        out.write("这是市级单列指标，由市科协自己承担，不参与县区排名。\n")
    elif not ranks:
        out.write("还没有县区设定这一指标的目标，请先用 target split 分解目标。\n")
    for k in ranks:
        r = k.row
        out.write(
            f"{k.rank}\t{r.office_code}\t{r.office_name}\t{_number(_round(r.actual))}/{_target(r)}\t"
            f"{_percent(r.progress)}\t{k.status}\n"
        )


def _target(row: engine.ProgressRow) -> str:
    return target(row.kind, row.unit, row.target, None, row.target_max)


def _print_overall(out, args, overview, weights) -> None:
    ranks = engine.rank_overall(overview, weights)
    if args.json:
        print_json(
            [{"rank": k.rank, "office": k.office_code, "name": k.office_name, "score": k.score,
              "indicators": k.indicators, "reported": k.reported, "status": k.status} for k in ranks],
            out,
        )
        return
    how = "自定义权重" if weights else "各指标等权"
    out.write(f"{overview.year}年各县区综合排名（截至 {overview.as_of.isoformat()}，{how}）\n")
    for k in ranks:
        score = k.status or _percent(k.score)
        out.write(f"{k.rank}\t{k.office_code}\t{k.office_name}\t{score}\t已填报 {k.reported}/{k.indicators}\n")


def cmd_chart(args, out) -> int:
    charts.check_output(args.out)
    with database(args) as db, reading(db, args) as s:
        figure = _build_chart(s, args)
        path = charts.save_figure(figure, args.out)
    out.write(f"图表已保存：{path}\n")
    return 0


def _build_chart(s, args):
    year, as_of = _year(args), _as_of(args)
    if args.chart == "progress":
        return charts.progress_chart(engine.progress_for(s, _office(s, args), year, as_of))
    if args.chart == "trend":
        return charts.trend_chart(engine.trend(s, plan.indicator(s, args.indicator), _office(s, args), year, as_of))
    overview = engine.city_progress(s, year, as_of, _chosen(s, args))
    if args.chart == "heatmap":
        return charts.heatmap_chart(overview)
    if args.indicator:
        return charts.ranking_chart(engine.rank_indicator(overview, plan.indicator(s, args.indicator).code))
    title = f"{overview.year}年各县区综合排名（截至 {overview.as_of.isoformat()}）"
    return charts.overall_chart(engine.rank_overall(overview, engine.ranking_weights(s)), title)


def parse_weights(s, text: str | None) -> dict[str, float] | None:
    """``320703=1,海州区=2`` -> {office code: weight}; names are accepted for codes."""
    if text is None:
        return None
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in re.split(r"[,，;；]", text))):
        match = re.fullmatch(r"(.+?)\s*[=＝:：]\s*(.+)", part)
        if not match:
            raise UserError(f"权重“{part}”格式不对，请写成 单位代码=权重，例如 320703=2。")
        key, value = match.groups()
        office = offices.resolve(s, key)
        if office.is_city:
            raise UserError("市科协自己不参与分解，权重中请只写县区。")
        if office.code in weights:
            raise UserError(f"权重中“{office.short_name}”出现了两次。")
        weights[office.code] = parse_number(value, f"{office.short_name}的权重")
    if not weights:
        raise UserError("--weights 为空，请写成 单位代码=权重，用逗号分隔。")
    return weights


def cmd_target_split(args, out) -> int:
    with database(args) as db, db.write() as s:
        indicator = plan.indicator(s, args.indicator)
        year = _year(args)
        user = settings.audit_user(s, "命令行")
        shares, changes = targets.decompose_target(s, indicator, year, parse_weights(s, args.weights), user=user)
        _print_split(out, indicator, year, shares, bool(changes))
    return 0


def _print_split(out, indicator, year, shares, changed: bool) -> None:
    scope = f"{year}年" if year else f"到{indicator.plan.end_year}年"
    state = "已写入" if changed else "与现有目标相同，未变化"
    if indicator.kind == "coverage" or not indicator.integer_valued:
        how = "比例目标不可相加，各县区目标与全市相同"
    else:
        how = f"合计 {_number(sum(x.value for x in shares))}{indicator.unit}"
        if shares and shares[0].max_value is not None:
            how += f"-{_number(sum(x.max_value for x in shares))}{indicator.unit}"
    out.write(f"“{indicator.name}”{scope}目标已分解到 {len(shares)} 个县区（{how}），{state}：\n")
    for x in shares:
        value = _number(x.value) if x.max_value is None else f"{_number(x.value)}-{_number(x.max_value)}"
        out.write(f"{x.office.code}\t{x.office.short_name}\t{value}{indicator.unit}\n")
