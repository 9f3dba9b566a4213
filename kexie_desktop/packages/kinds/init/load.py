"""Loading an initialisation package at a new installation: the activation code opens the keys and
checks the signature; the plan content is classified as a plan package's, then this PC becomes the unit."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ....models import Office
from ....services import offices, plan, settings
from ...format import signing
from ...format.errors import PackageError
from ...format.workbook import typed_rows
from ...pipeline import keys, log
from ...pipeline.results import NEW, SAME, Classified, RowChange
from ..plan import load as plan_load
from .export import CITY_ROLE, KEYS, SPECS, UNIT_ROLE

__all__ = ["SPECS", "candidate_keys", "check_role", "classify"]


def check_role(s: Session, m) -> None:
    mine = offices.this_office(s)
    if mine is not None and mine.is_city:
        raise PackageError("本机是市科协，不能导入初始化包（初始化包是发给县区新安装的程序的）。")
    if mine is not None and mine.code != m.office_code:
        raise PackageError(f"本机已设定为{mine.name}，而此初始化包是发给{m.office_name}的，不能导入。")


def candidate_keys(s: Session, loaded, code: str | None) -> list[bytes]:
    m = loaded.manifest
    if not signing.normalise_code(code or ""):
        raise PackageError("导入初始化包需要激活码。激活码由市科协导出初始化包时显示，请向市科协索取。")
    if not m.salt or not m.iterations:
        raise PackageError("初始化包缺少盐值或迭代次数，不是完整的初始化包。")
    if not signing.PBKDF2_ITERATIONS <= m.iterations <= signing.MAX_ITERATIONS:
        raise PackageError(f"初始化包的迭代次数 {m.iterations} 不在允许范围内，已拒绝导入。")
    pad, mac_key = signing.derive(code, m.salt, m.iterations)
    loaded.secret = pad
    return [mac_key]


def _keys(s: Session, work, loaded) -> tuple[bytes, bytes] | None:
    m, pad = loaded.manifest, loaded.secret
    rows = typed_rows(KEYS, loaded.rows[KEYS.name], work.refuser(KEYS))
    found = {role: (rownum, office_code, key) for rownum, (office_code, role, key) in rows}
    half = signing.KEY_BYTES
    wanted = {UNIT_ROLE: (m.office_code, pad[:half]), CITY_ROLE: (offices.city(s).code, pad[half:])}
    out = []
    for role, (office_code, part) in wanted.items():
        if role not in found:
            raise PackageError(f"缺少“{role}”密钥。", sheet=KEYS.name)
        rownum, code, text = found[role]
        if code != office_code or not re.fullmatch(r"[0-9a-f]{%d}" % (2 * half), text):
            work.refuse(KEYS, rownum, "key", f"“{role}”密钥的单位或格式不对。")
            return None
        out.append(signing.xor(bytes.fromhex(text), part))
    return out[0], out[1]


def classify(s: Session, loaded) -> Classified:
    m = loaded.manifest
    work = plan_load.classify_content(s, loaded)
    known = {o.code for o in offices.all_offices(s)} | {ch.key for ch in work.changes if ch.sheet == "单位"}
    if m.office_code not in known:
        raise PackageError(f"初始化包的单位“{m.office_code}”在本机和包中都不存在。")
    pair = _keys(s, work, loaded)
    mine = offices.this_office(s)
    action = SAME if mine is not None and mine.code == m.office_code else NEW
    work.changes.append(RowChange("本机设置", None, "office", action, "本机单位", new=m.office_name))
    if work.plan is not plan.active_plan(s):
        work.changes.append(RowChange("本机设置", None, "current_plan", NEW, "当前计划",
                                      new=f"{work.plan.name}（{work.plan.code}）"))
    work.changes.append(RowChange(KEYS.name, None, "keys", NEW, "签名密钥", new="本单位上报密钥、市科协下发密钥"))
    if pair is not None:
        work.steps.append(_install(m, *pair))
        work.steps.append(_use_plan(work.plan))
        work.result.settings = True
    return Classified(work.changes, plan_load._runner(work))


def _use_plan(carried):
    """A unit starts on the plan the city works on: the one its init package carries."""
    def step(session: Session, source: str) -> None:
        if plan.active_plan(session) is not carried:
            settings.put(session, plan.CURRENT_PLAN_KEY, carried.code)
    return step


def _install(m, unit_key: bytes, city_key: bytes):
    def step(session: Session, source: str) -> None:
        unit = session.scalars(select(Office).where(Office.code == m.office_code)).one()
        offices.set_this_office(session, unit)
        keys.install_key(session, unit, unit_key)
        keys.install_key(session, offices.city(session), city_key)
        log.raise_sequence(session, unit.code, "up", (m.next_sequence or 1) - 1)
    return step

