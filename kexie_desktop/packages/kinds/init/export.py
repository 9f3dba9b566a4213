"""The initialisation package (初始化包, city → one new installation): the plan package's content, the
unit's own signing key and the city's key. The keys are XORed with a pad derived from the activation
code (PBKDF2-HMAC-SHA256), and the package is signed with a key derived from the same code."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from ....errors import UserError
from ....models import Office
from ....services import settings
from ...format import codec as c
from ...format import signing
from ...format.codec import SheetSpec
from ...format.workbook import PackageSheet
from ...pipeline import keys
from ...pipeline import log
from ...pipeline.exporter import ExportResult, cover_rows, finish, new_manifest
from ..plan.export import NOTES as PLAN_NOTES
from ..plan.export import SPECS as PLAN_SPECS
from ..plan.export import plan_sheets, require_city

KEYS = SheetSpec("密钥", (c.code("office", "单位代码", 10), c.text("role", "用途", 24), c.code("key", "加密后的密钥", 70)))
SPECS = PLAN_SPECS + (KEYS,)
UNIT_ROLE, CITY_ROLE = "本单位上报签名", "市科协下发签名"
CODE_SETTING = "activation_code:"

WHAT = "市科协发给一个县区新安装程序的初始化包：计划、指标、目标，以及该单位的上报签名密钥。"
HOW = ("县区在新安装的程序的首次使用设置中点“载入市科协发来的初始化包…”，或在“数据交换”页点“选择文件导入…”，"
       "输入市科协电话告知的激活码（命令行：import 文件名 --code 激活码）。"
       "导入后本机即成为该单位，可以填报并导出上报包。")
NOTES = PLAN_NOTES + [
    "八、“密钥”工作表中的密钥已用激活码加密。激活码不在文件中，请通过电话告知，不要与文件一起发送。",
]


def export_init(s: Session, office: Office, path: Path, *, sequence: int | None = None) -> ExportResult:
    """Write ``office``'s init package; the result carries the activation code to tell the unit."""
    city = require_city(s)
    if office.is_city:
        raise UserError("初始化包是发给县区的，不能发给市科协本身。")
    unit_key, city_key = keys.ensure_key(s, office), keys.ensure_key(s, city)
    code, salt = signing.activation_code(), signing.new_salt()
    pad, mac_key = signing.derive(code, salt, signing.PBKDF2_ITERATIONS)
    manifest = new_manifest(s, "init", office, mac_key, numbering=city, sequence=sequence)
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
