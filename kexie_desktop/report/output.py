"""Which form a report file name asks for, refused before any work when it names neither."""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError

FORMS = {".xlsx": "excel", ".pdf": "pdf"}


def check_output(path: str | Path) -> str:
    path = Path(path)
    form = FORMS.get(path.suffix.lower())
    if form is None:
        raise UserError(f"汇总表文件名“{path.name}”须以 .xlsx（Excel）或 .pdf 结尾。")
    if not path.parent.is_dir():
        raise UserError(f"文件夹 {path.parent} 不存在，无法保存汇总表。")
    return form


def write_report(report, path: str | Path, form: str | None = None, checkpoint=None) -> Path:
    """Write ``report`` in the form its file name asks for. ``checkpoint(done, total, text)`` is called
    between sheets or pages and may raise ``Cancelled``: then no file is left, not even a temporary one."""
    form = form or check_output(path)
    if form == "pdf":
        from .pdf import write_pdf

        return write_pdf(report, path, checkpoint)
    from .excel import write_workbook

    return write_workbook(report, path, checkpoint)
