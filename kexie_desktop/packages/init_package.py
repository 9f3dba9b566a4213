"""The initialisation package (初始化包, city → one new installation): the plan package's content, the
unit's own signing key and the city's key. The keys are XORed with a pad derived from the activation
code (PBKDF2-HMAC-SHA256), and the package is signed with a key derived from the same code."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UserError
from ..models import Office
from ..services import offices, settings
from . import codec as c
from . import keys, log, plan_import, signing
from .codec import SheetSpec
from .errors import PackageError
from .exporter import ExportResult, cover_rows, finish, new_manifest
from .plan_package import NOTES as PLAN_NOTES
from .plan_package import SPECS as PLAN_SPECS
from .plan_package import plan_sheets, require_city
from .results import NEW, SAME, Classified, RowChange
from .workbook import PackageSheet, typed_rows

KEYS = SheetSpec("密钥", (c.code("office", "单位代码", 10), c.text("role", "用途", 24), c.code("key", "加密后的密钥", 70)))
SPECS = PLAN_SPECS + (KEYS,)
UNIT_ROLE, CITY_ROLE = "本单位上报签名", "市科协下发签名"
CODE_SETTING = "activation_code:"

WHAT = "市科协发给一个县区新安装程序的初始化包：计划、指标、目标，以及该单位的上报签名密钥。"
HOW = ("县区在新安装的程序的首次使用设置中点“载入市科协发来的初始化包…”，或在“数据交换”页点“选择文件导入…”，"
       "输入市科协电话告知的激活码（命令行：import 文件名 --code 激活码）。"
       "导入后本机即成为该单位，可以填报并导出上报包。")
NOTES = PLAN_NOTES + [
    "六、“密钥”工作表中的密钥已用激活码加密。激活码不在文件中，请通过电话告知，不要与文件一起发送。",
]


def export_init(s: Session, office: Office, path: Path) -> ExportResult:
    """Write ``office``'s init package; the result carries the activation code to tell the unit."""
    city = require_city(s)
    if office.is_city:
        raise UserError("初始化包是发给县区的，不能发给市科协本身。")
    unit_key, city_key = keys.ensure_key(s, office), keys.ensure_key(s, city)
    code, salt = signing.activation_code(), signing.new_salt()
    pad, mac_key = signing.derive(code, salt, signing.PBKDF2_ITERATIONS)
    manifest = new_manifest(s, "init", office, mac_key, numbering=city)
    manifest.salt, manifest.iterations = salt, signing.PBKDF2_ITERATIONS
    manifest.next_sequence = log.max_received_sequence(s, office.code) + 1
    key_rows = [
        (office.code, UNIT_ROLE, signing.xor(unit_key, pad[:signing.KEY_BYTES]).hex()),
        (city.code, CITY_ROLE, signing.xor(city_key, pad[signing.KEY_BYTES:]).hex()),
    ]
    sheets = plan_sheets(s, office) + [PackageSheet(KEYS, key_rows)]
    result = finish(s, path, manifest, sheets, key=mac_key, cover=cover_rows(s, manifest, WHAT, HOW), notes=NOTES)
    result.activation_code = signing.show_code(code)
    # Kept so that the city can tell it again; whoever reads this database holds the keys themselves.
    settings.put(s, CODE_SETTING + manifest.package_id, result.activation_code)
    return result


def issued_code(s: Session, package_id: str) -> str | None:
    """The activation code of an init package this city exported (None for an older export)."""
    return settings.get(s, CODE_SETTING + package_id) if package_id else None


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
    work = plan_import.classify_content(s, loaded)
    known = {o.code for o in offices.all_offices(s)} | {ch.key for ch in work.changes if ch.sheet == "单位"}
    if m.office_code not in known:
        raise PackageError(f"初始化包的单位“{m.office_code}”在本机和包中都不存在。")
    pair = _keys(s, work, loaded)
    mine = offices.this_office(s)
    action = SAME if mine is not None and mine.code == m.office_code else NEW
    work.changes.append(RowChange("本机设置", None, "office", action, "本机单位", new=m.office_name))
    work.changes.append(RowChange(KEYS.name, None, "keys", NEW, "签名密钥", new="本单位上报密钥、市科协下发密钥"))
    if pair is not None:
        work.steps.append(_install(m, *pair))
        work.result.settings = True
    return Classified(work.changes, plan_import._runner(work))


def _install(m, unit_key: bytes, city_key: bytes):
    def step(session: Session, source: str) -> None:
        unit = session.scalars(select(Office).where(Office.code == m.office_code)).one()
        offices.set_this_office(session, unit)
        keys.install_key(session, unit, unit_key)
        keys.install_key(session, offices.city(session), city_key)
        log.raise_sequence(session, unit.code, "up", (m.next_sequence or 1) - 1)
    return step

