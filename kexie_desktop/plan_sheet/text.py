"""A new plan's text from a file: .txt (UTF-8, or GB18030 as Windows Notepad saves Chinese) or .docx.

A .docx is a zip of XML: its paragraphs are read with defusedxml (no DTD, no entities) from
word/document.xml, bounded in size, and nothing else of the file is looked at.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

from defusedxml import ElementTree

from ..errors import UserError
from ..packages.format.safety import read_bounded

MAX_TEXT_BYTES = 20 * 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_plan_text(path: Path) -> str:
    path = Path(path)
    try:
        data = read_bounded(path)
    except UserError as exc:
        raise UserError(f"文件“{path.name}”：{exc}") from None
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _docx_text(path.name, data)
    if suffix != ".txt":
        raise UserError(f"文件“{path.name}”：计划原文应为 .txt 或 .docx 文件。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError(f"文件“{path.name}”不是 UTF-8 或 GB18030 编码的文本。")


def _docx_text(name: str, data: bytes) -> str:
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            info = z.getinfo("word/document.xml")
            if info.file_size > MAX_TEXT_BYTES:
                raise UserError(f"文件“{name}”的正文太大，无法读取。")
            with z.open(info) as f:
                xml = f.read(MAX_TEXT_BYTES + 1)
        root = ElementTree.fromstring(xml, forbid_dtd=True)
    except UserError:
        raise
    except Exception:
        raise UserError(f"文件“{name}”不是有效的 Word 文档（.docx）。") from None
    paragraphs = ["".join(t.text or "" for t in p.iter(_W + "t")) for p in root.iter(_W + "p")]
    return "\n".join(paragraphs)
