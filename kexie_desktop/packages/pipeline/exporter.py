"""What every export shares: the manifest, the cover sheet, writing, signing and logging."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from ... import __version__
from ...changes import Changes
from ...db import Database
from ...display import or_missing
from ...errors import UserError
from ...models import Office
from ...review.summary import ReviewSummary
from ...services import demo, offices, plan, settings
from ..format.codec import clean_text
from ..format.manifest import Manifest
from ..format.signing import key_id
from ..format.workbook import PackageSheet, write_package
from . import log

TITLE = "连云港市科协三年行动计划 · {kind}"
DIRECTION = {"submission": "县区 → 市科协", "plan": "市科协 → 县区", "init": "市科协 → 一个县区（新安装）",
             "receipt": "市科协 → 县区（答复上报包）", "return": "市科协 → 县区（答复上报包）"}
DO_NOT_EDIT = (
    "本文件带有数字签名。可以打开查看、打印，但请不要修改任何数据、表名或列名：哪怕只改一个数字，"
    "导入时也会被拒绝（“文件在导出后被修改过”）。数据有误时，请在程序中改正后重新导出。"
)


@dataclass
class ExportResult:
    path: Path
    manifest: Manifest
    checksum: str
    counts: dict[str, int]
    activation_code: str | None = None
    review: ReviewSummary | None = None  # submissions: what the cover and the manifest say
    # What the export changed besides the log (a submission's approved months become 已报送).
    changes: Changes = field(default_factory=lambda: Changes(sent=True))

    @property
    def message(self) -> str:
        rows = "，".join(f"{name} {n} 行" for name, n in self.counts.items())
        state = f"审核状态：{self.review.cover_text()}。" if self.review else ""
        return f"已导出{self.manifest.describe()}：{rows}。{state}文件：{self.path}"


DEMO_COVER = ("本包来自填入了演示数据的安装，全部是虚拟数据，仅供试用：正式安装会拒绝导入，"
              "只有同样填入了演示数据的安装才能导入。")


def require_this_office(s: Session) -> Office:
    office = offices.this_office(s)
    if office is None:
        raise UserError("本机还没有设定所属单位。请先设定本机单位，或导入市科协发来的初始化包。")
    return office


def reserve_sequence(db: Database, kind: str) -> int | None:
    """Take this office's next package number for ``kind`` in a transaction of its own.

    Committed before the file is written, so a number is used at most once whatever moment the
    process dies (a number reserved for a file that never appeared is a harmless gap: importers only
    refuse a number lower than or equal to the last one applied). None when this installation may
    not export ``kind`` at all (the export then refuses with its own message).
    """
    with db.write() as s:
        mine = offices.this_office(s)
        if mine is None or mine.is_city != (kind != "submission"):
            return None
        return log.next_sequence(s, mine.code, log.stream_of(kind))


def new_manifest(s: Session, kind: str, office: Office, key: bytes, *, numbering: Office,
                 year: int | None = None, sequence: int | None = None) -> Manifest:
    """A manifest with ``sequence`` (reserved by ``reserve_sequence``) or else the next sequence
    number of ``numbering`` (the sending office) taken in this transaction."""
    current = plan.current_plan(s)
    if sequence is None:
        sequence = log.next_sequence(s, numbering.code, log.stream_of(kind))
    people = settings.people(s)
    return Manifest(
        kind=kind, plan_code=current.code, plan_version=current.version,
        office_code=office.code, office_name=office.name, year=year,
        sequence=sequence,
        package_id=uuid.uuid4().hex, created=dt.datetime.now().replace(microsecond=0).isoformat(),
        program_version=__version__, key_id=key_id(key),
        filler=clean_text(people.filler), reviewer=clean_text(people.reviewer), phone=clean_text(people.phone),
        demo=demo.is_demo(s),
    )


def cover_rows(s: Session, m: Manifest, what: str, how: str) -> list[tuple[str, str]]:
    current = plan.current_plan(s)
    period = f"{m.year}年" if m.year is not None else f"计划期 {current.start_year}—{current.end_year}年"
    marked = [("演示数据", DEMO_COVER)] if m.demo else []
    return marked + [
        ("包类型", f"{m.kind_label}（{DIRECTION[m.kind]}）"),
        ("单位", f"{m.office_name}（{m.office_code}）"),
        ("期间", period),
        ("计划", f"{current.name}（第 {current.version} 版）"),
        ("序号", str(m.sequence)),
        ("填报人", or_missing(m.filler)),
        ("审核人", or_missing(m.reviewer)),
        ("联系电话", or_missing(m.phone)),
        ("创建时间", m.created.replace("T", " ")),
        ("包编号", m.package_id),
        ("这是什么", what),
        ("请勿修改", DO_NOT_EDIT),
        ("如何导入", how),
    ]


def finish(s: Session, path: Path, manifest: Manifest, sheets: list[PackageSheet], *, key: bytes,
           cover: list[tuple[str, str]], notes: list[str], review: dict | None = None) -> ExportResult:
    """Write the signed file and log it as sent (a submission with its ``review`` summary, see
    log.record). Row lists are counted before writing."""
    counts = {sheet.spec.name: len(sheet.rows) for sheet in sheets}
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"导出文件名应以 .xlsx 结尾：{path.name}")
    title = TITLE.format(kind=manifest.kind_label) + ("（演示数据）" if manifest.demo else "")
    digest = write_package(path, manifest, sheets, title=title, cover=cover, notes=notes, key=key)
    log.record(s, direction="sent", result="exported", file_name=path.name, manifest=manifest,
               checksum=digest, message=f"导出到 {path}", review=review)
    return ExportResult(path, manifest, digest, counts)
