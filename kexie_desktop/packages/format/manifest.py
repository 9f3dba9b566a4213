"""The manifest (sheet 校验信息): what the package is, who sent it, its sequence and its signature."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from ...package_kinds import PACKAGE_KINDS
from .errors import PackageError

# 2: signing.canonical joins each column instead of JSON-encoding every cell
# 3: submissions carry 审核说明 and 审核状态 (instead of 情况说明) and the manifest their review summary
SCHEMA_VERSION = 3
# The field "demo" is written (and signed) only in a demo package, so a real package does not carry it, and a
# program that does not know the field computes another signature for a demo package and refuses it. The
# same holds for "reply_to", which only receipts and returns carry: other packages stay as they were.
DEMO_MARK = "是"
WHEN_SET = ("demo", "reply_to")
MANIFEST_SHEET = "校验信息"
MANIFEST_HEADERS = ["字段", "说明", "值"]
LABELS = {
    "schema_version": "格式版本",
    "kind": "包类型",
    "plan_code": "计划代码",
    "plan_version": "计划版本",
    "office_code": "单位代码",
    "office_name": "单位名称",
    "year": "年份",
    "sequence": "序号",
    "package_id": "包编号",
    "created": "创建时间",
    "program_version": "程序版本",
    "filler": "填报人",
    "reviewer": "审核人",
    "phone": "联系电话",
    "review": "审核状态（上报包：approved 已审核 / draft 草稿）",
    "approved_months": "已审核月份（上报包）",
    "reply_to": "所答复的上报包编号（回执包、退回包）",
    "key_id": "密钥编号",
    "salt": "盐值（初始化包）",
    "iterations": "迭代次数（初始化包）",
    "next_sequence": "下次上报序号（初始化包）",
    "demo": "演示数据（演示安装导出）",
    "signature": "签名（HMAC-SHA256）",
}
_INT_FIELDS = {"schema_version", "plan_version", "year", "sequence", "iterations", "next_sequence"}
_OPTIONAL = {"year", "salt", "iterations", "next_sequence", "filler", "reviewer", "phone", "demo", "signature",
             "review", "approved_months", "reply_to"}
REVIEW_VALUES = ("", "approved", "draft")
_MONTH_LIST = re.compile(r"^(?:(?:[1-9]|1[0-2])(?:,(?:[1-9]|1[0-2]))*)?$")
_HEX = re.compile(r"^[0-9a-f]+$")


@dataclass
class Manifest:
    kind: str
    plan_code: str
    plan_version: int
    office_code: str
    office_name: str
    sequence: int
    package_id: str
    created: str
    program_version: str
    key_id: str
    year: int | None = None
    filler: str = ""
    reviewer: str = ""
    phone: str = ""
    review: str = ""  # submissions: "approved" or "draft" (see review.summary)
    approved_months: str = ""  # submissions: "1,2,3"
    reply_to: str = ""  # receipts and returns: the package id of the submission they answer
    salt: str = ""
    iterations: int | None = None
    next_sequence: int | None = None
    demo: bool = False
    signature: str = ""
    schema_version: int = SCHEMA_VERSION

    @property
    def kind_label(self) -> str:
        return PACKAGE_KINDS.get(self.kind, self.kind)

    def describe(self) -> str:
        """“上报包（连云区科协，2019年，序号 3，包编号 1a2b3c4d）”"""
        parts = ["演示数据"] * self.demo + [self.office_name or self.office_code]
        if self.year is not None:
            parts.append(f"{self.year}年")
        parts += [f"序号 {self.sequence}", f"包编号 {self.package_id[:8]}"]
        return f"{self.kind_label}（{'，'.join(parts)}）"

    def to_fields(self) -> dict[str, str]:
        """Every field as text, in the order of LABELS (empty text for None); the WHEN_SET fields only when set."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["demo"] = DEMO_MARK if self.demo else None
        return {k: "" if values[k] is None else str(values[k]) for k in LABELS if k not in WHEN_SET or values[k]}

    def signed_fields(self) -> dict[str, str]:
        return {k: v for k, v in self.to_fields().items() if k != "signature"}

    @classmethod
    def from_fields(cls, raw: dict[str, str]) -> "Manifest":
        version = raw.get("schema_version", "").strip()
        if version != str(SCHEMA_VERSION):
            shown = version or "（空）"
            raise PackageError(
                f"数据包格式版本为 {shown}，本程序只能读取版本 {SCHEMA_VERSION}。"
                "请双方使用相同版本的程序导出和导入。", sheet=MANIFEST_SHEET,
            )
        values = {}
        for key in LABELS:
            text = raw.get(key, "").strip()
            if not text and key not in _OPTIONAL:
                raise PackageError(f"缺少“{LABELS[key]}”（{key}），不是完整的数据包。", sheet=MANIFEST_SHEET)
            values[key] = _typed(key, text)
        if values["demo"] not in ("", DEMO_MARK):
            raise PackageError(f"“{LABELS['demo']}”的值“{values['demo'][:40]}”不对。", sheet=MANIFEST_SHEET)
        values["demo"] = values["demo"] == DEMO_MARK
        if values["kind"] not in PACKAGE_KINDS:
            raise PackageError(f"未知的包类型“{values['kind']}”。", sheet=MANIFEST_SHEET)
        return cls(**values)


def _typed(key: str, text: str):
    if key in _INT_FIELDS:
        if not text:
            return None
        if not re.fullmatch(r"\d{1,9}", text):
            raise PackageError(f"“{LABELS[key]}”的值“{text[:40]}”不是整数。", sheet=MANIFEST_SHEET)
        return int(text)
    if key in ("signature", "key_id", "salt", "reply_to") and text and not _HEX.match(text):
        raise PackageError(f"“{LABELS[key]}”的值格式不对。", sheet=MANIFEST_SHEET)
    if (key == "review" and text not in REVIEW_VALUES) or (key == "approved_months" and not _MONTH_LIST.match(text)):
        raise PackageError(f"“{LABELS[key]}”的值“{text[:40]}”格式不对。", sheet=MANIFEST_SHEET)
    return text


def signed_texts(raw: dict[str, str]) -> dict[str, str]:
    """The manifest fields a signature covers, as read from a file: the WHEN_SET fields only where set."""
    return {k: raw.get(k, "") for k in LABELS if k not in WHEN_SET or raw.get(k, "")}


def manifest_rows(manifest: Manifest) -> list[list[str]]:
    return [[key, LABELS[key], value] for key, value in manifest.to_fields().items()]


def read_manifest_rows(rows: list[list]) -> dict[str, str]:
    """Field -> value text from the raw rows of the manifest sheet (header row first)."""
    found: dict[str, str] = {}
    for cells in rows[1:]:
        if not cells or not isinstance(cells[0], str) or cells[0] not in LABELS:
            continue
        value = cells[2] if len(cells) > 2 else ""
        if cells[0] in found:
            raise PackageError(f"字段“{LABELS[cells[0]]}”出现了两次。", sheet=MANIFEST_SHEET)
        found[cells[0]] = value if isinstance(value, str) else ""
    return found
