"""Importing packages, always in two steps: ``preview`` (no writes) and ``apply`` (re-verify, back up
the database, apply all-or-nothing in one transaction, log). ``import_batch`` judges each file alone.

Order of checks: file safety → workbook structure → manifest → role of this installation → signature
→ sequence (same package: unchanged; older: refused) → every cell and row → apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ...db import Database, backup_file, lock_unit_import, transaction_alive
from ...errors import Cancelled, UserError
from ...gcpause import gc_paused
from ...services import demo, plan
from ...storage_errors import StorageError, describe
from ..format import signing
from ..format.errors import PackageError
from ..format.manifest import MANIFEST_SHEET, Manifest, read_manifest_rows, signed_texts
from ..format.workbook import canonical_rows, is_parser_failure, read_book
from ..kinds import HANDLERS
from . import log
from .kind import Loaded
from .results import REFUSED, BatchResult, ChangeList, Classified, ImportResult, PackagePreview


def load(path: Path) -> Loaded:
    """Read and structure-check a package; raises PackageError naming the file."""
    path = Path(path)
    try:
        book = read_book(path)
        if MANIFEST_SHEET not in book.names:
            if book.is_empty():
                raise PackageError("这是一个空的工作簿，不是本程序导出的数据包。")
            raise PackageError(f"不是本程序导出的数据包（找不到工作表“{MANIFEST_SHEET}”，可能被删除或改名）。")
        raw = read_manifest_rows(book.raw(MANIFEST_SHEET))
        manifest = Manifest.from_fields(raw)
        rows = {spec.name: book.data_rows(spec) for spec in HANDLERS[manifest.kind].SPECS}
    except PackageError as exc:
        raise exc.for_file(path.name) from None
    fields = signed_texts(raw)
    data = signing.canonical(fields, [(name, canonical_rows(r)) for name, r in rows.items()])
    return Loaded(path, manifest, rows, data, signing.checksum(data))


def _verify(s: Session, loaded: Loaded, code: str | None) -> None:
    m = loaded.manifest
    if not m.signature:
        raise PackageError(f"缺少签名（不是完整的数据包，或签名被删除），已拒绝导入（{m.describe()}）。")
    candidates = HANDLERS[m.kind].candidate_keys(s, loaded, code)
    if any(signing.verify(key, loaded.canonical, m.signature) for key in candidates):
        return
    if m.kind == "init":
        raise PackageError(f"激活码不正确，或此文件在导出后被修改过，已拒绝导入（{m.describe()}）。")
    if m.key_id not in {signing.key_id(key) for key in candidates}:
        signer = m.office_name if m.kind == "submission" else "市科协"
        raise PackageError(f"签名所用的密钥与本机保存的{signer}的密钥不符：此包可能是伪造的，"
                           f"或用其他单位的密钥签名，已拒绝导入（{m.describe()}）。")
    raise PackageError(f"此文件在导出后被修改过，已拒绝导入（{m.describe()}）。请对方在程序中重新导出后再发来，"
                       "不要在 Excel 或 WPS 中修改或另存。")


def _check_demo(s: Session, m: Manifest) -> None:
    """Demo data never reaches real figures: only a demo installation takes a demo package."""
    if m.demo and not demo.is_demo(s):
        raise PackageError(
            f"这是填入了演示数据的安装导出的演示数据包（{m.describe()}）。本机保存的是正式数据，"
            "演示数据不能混入，已拒绝导入。请对方在正式安装（未填入演示数据）中重新导出。"
        )


def _sequence(s: Session, loaded: Loaded) -> bool:
    """True when this very package was already applied (nothing to do); raises for an older one."""
    m = loaded.manifest
    latest = log.last_applied(s, m)
    if latest is None:
        return False
    if latest.package_id == m.package_id:
        if latest.checksum == loaded.checksum:
            return True
        raise PackageError(f"包编号与已导入的包相同但内容不同，已拒绝导入（{m.describe()}）。")
    if m.sequence < latest.sequence:
        raise PackageError(f"此包序号 {m.sequence} 早于已导入的序号 {latest.sequence}，不会回退数据，"
                           f"已拒绝导入（{m.describe()}）。")
    if m.sequence == latest.sequence:
        raise PackageError(f"此包序号 {m.sequence} 与已导入的另一个包相同，已拒绝导入（{m.describe()}）。")
    return False


def _judge(s: Session, loaded: Loaded, code: str | None) -> tuple[PackagePreview, Classified | None]:
    m, name = loaded.manifest, loaded.path.name
    preview = PackagePreview(loaded.path, "refused", "", m, loaded.checksum)
    try:
        _check_demo(s, m)
        HANDLERS[m.kind].check_role(s, m)
        _verify(s, loaded, code)
        if _sequence(s, loaded):
            preview.status = "unchanged"
            preview.message = f"文件“{name}”：此包已导入过，内容相同，不再重复导入（{m.describe()}）。"
            return preview, None
        plan.show_current(s)  # a session previewing several files: an earlier file may have shown an old plan
        classified = HANDLERS[m.kind].classify(s, loaded)
    except PackageError as exc:
        preview.message = str(exc.for_file(name))
        return preview, None
    preview.changes, preview.warnings = ChangeList(classified.changes), classified.warnings
    preview.review, preview.review_line = classified.review, classified.review_line
    refused = preview.changes.only(REFUSED)
    if refused:
        first = refused[0]
        preview.message = (f"文件“{name}”：{first.label}：{first.reason} 共有 {len(refused)} 处数据不符合要求，"
                           f"整个文件未导入（{m.describe()}）。")
        return preview, None
    preview.status = "ready"
    preview.message = f"文件“{name}”：{m.describe()}：{preview.counts_text()}。{_marked(preview)}"
    return preview, classified


def _marked(p: PackagePreview) -> str:
    return f"{p.review_line}（导入后标为“未审核”）。" if p.unapproved else ""


def preview(s: Session, path: Path | str, code: str | None = None) -> PackagePreview:
    """What importing the file would change. Writes nothing."""
    path = Path(path)
    with gc_paused():
        try:
            loaded = load(path)
        except PackageError as exc:
            return PackagePreview(path, "refused", str(exc))
        return _judge(s, loaded, code)[0]


def _record(s: Session, result: ImportResult) -> None:
    p = result.preview
    log.record(s, direction="received", result=result.outcome, file_name=p.file_name, manifest=p.manifest,
               checksum=p.checksum, message=p.message, review=p.review)


def apply(db: Database, path: Path | str, *, code: str | None = None, backup: bool = True,
          checkpoint=None) -> ImportResult:
    """Verify again, back up the database file, then apply all-or-nothing and log the outcome.

    ``checkpoint()`` is called between the steps that write nothing (after reading the file, after
    judging it); it may raise Cancelled, which leaves the database as it was.
    """
    with gc_paused():
        return _apply(db, Path(path), code, backup, checkpoint or (lambda: None))


def _apply(db: Database, path: Path, code: str | None, backup: bool, checkpoint) -> ImportResult:
    try:
        loaded = load(path)
    except PackageError as exc:
        result = ImportResult(PackagePreview(path, "refused", str(exc)), "refused")
        with db.write() as s:
            _record(s, result)
        return result
    checkpoint()
    with db.write() as s:
        try:
            lock_unit_import(s, loaded.manifest.office_code, loaded.manifest.office_name)
        except UserError as exc:  # another clerk is importing this unit's packages (a server database)
            result = ImportResult(PackagePreview(path, "refused", f"文件“{path.name}”：{exc}", loaded.manifest,
                                                 loaded.checksum), "refused")
        else:
            result = _apply_loaded(db, s, loaded, code, backup, checkpoint)
        _record(s, result)
    return result


def _apply_loaded(db: Database, s: Session, loaded: Loaded, code, backup: bool, checkpoint) -> ImportResult:
    preview_, classified = _judge(s, loaded, code)
    if classified is None:
        return ImportResult(preview_, "unchanged" if preview_.status == "unchanged" else "refused")
    checkpoint()  # the last moment to stop: from here on the file is applied
    # The write transaction has not written yet, so the copy is the state before this import.
    # A server database is backed up by its administrator (pg_dump), not file by file here.
    saved = backup_file(db.path, reason="before-import") if backup and not db.on_server else None
    nested = s.begin_nested()
    try:
        changes = classified.apply(s, demo.package_source(loaded.manifest.package_id, loaded.manifest.demo))
        nested.commit()
    except (UserError, SQLAlchemyError) as exc:
        # A rule's refusal (any other UserError) refuses this file only; a storage failure stops the batch.
        storage = isinstance(exc, StorageError) or (not isinstance(exc, UserError) and describe(exc, db.path))
        if not transaction_alive(s) or storage:
            # The disk or the file failed (SQLite may have rolled the whole transaction back, savepoint
            # included): nothing was applied, so this import's backup is only a burden on a full disk.
            if saved is not None:
                saved.unlink(missing_ok=True)
            raise
        nested.rollback()
        preview_.status = "refused"
        preview_.message = f"文件“{loaded.path.name}”：导入时出错，没有写入任何数据：{exc}"
        return ImportResult(preview_, "refused", saved)
    m = loaded.manifest
    preview_.message = f"文件“{loaded.path.name}”：已导入{m.describe()}：{preview_.counts_text()}。{_marked(preview_)}"
    return ImportResult(preview_, "applied", saved, changes)


def import_batch(db: Database, paths: Iterable[Path | str], *, code: str | None = None,
                 dry_run: bool = False, progress=None) -> BatchResult:
    """Each file judged on its own; one bad file never stops the others. One backup, before the
    first file that changes anything. ``progress(done, total, text)`` is told before each file and
    between its steps; when it raises Cancelled, the files done so far stay imported and the rest,
    the current one included, are left untouched."""
    results, backed_up = [], False
    paths = list(paths)
    for n, path in enumerate(paths):
        text = f"正在{'检查' if dry_run else '导入'}第 {n + 1}/{len(paths)} 个文件：{Path(path).name}…"
        checkpoint = (lambda: progress(n, len(paths), text)) if progress else (lambda: None)
        try:
            checkpoint()
            if dry_run:
                with db.read() as s:
                    p = preview(s, path, code)
                result = ImportResult(p, "refused" if p.status == "refused" else "previewed")
                with db.write() as s:
                    log.record(s, direction="received", result=result.outcome, file_name=p.file_name,
                               manifest=p.manifest, checksum=p.checksum, message=p.message, review=p.review)
            else:
                result = apply(db, path, code=code, backup=not backed_up, checkpoint=checkpoint)
                backed_up = backed_up or result.backup is not None
        except Cancelled:  # the files done so far stay imported; this one and the rest are not touched
            results += [ImportResult(PackagePreview(Path(p), "refused", f"文件“{Path(p).name}”：已取消，未导入。"),
                                     "cancelled") for p in paths[n:]]
            break
        except StorageError:  # the disk or the database failed: the next files would fail the same way
            raise
        except BaseException as exc:  # noqa: BLE001 - a bug (or a parser's panic) on one file must not lose the others
            if not is_parser_failure(exc) or describe(exc, db.path) is not None:
                raise
            message = f"文件“{Path(path).name}”：导入时出现意外错误（{type(exc).__name__}：{exc}），未导入。"
            result = ImportResult(PackagePreview(Path(path), "refused", message), "refused")
        results.append(result)
    return BatchResult(results)
