"""The 证据 sheet of a submission: the bytes of the progress notes' evidence files, in the signed workbook.

A cell holds at most 32,767 characters, so each file is Base64 text cut into chunks, one row each, every
row repeating the file's name, type, size and SHA-256. On import the chunks are put together again and
the file must be whole (every chunk, once), decode, match its size and SHA-256, and pass the same checks
as a file attached by hand (services.tasks.read_evidence: PNG, JPEG or PDF by content, at most
MAX_EVIDENCE_BYTES). One refused file refuses the package.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from ....errors import UserError
from ....services import tasks as rules
from ...format import codec as c
from ...format.codec import SheetSpec
from ...format.safety import MAX_FILE_BYTES

CHUNK_CHARS = 32_000  # Base64 characters per cell: under Excel's 32,767, a multiple of 4
# What one package may carry: Base64 of photos hardly compresses, so the file grows by about as
# much as the evidence it carries, and the rest of the package needs room within MAX_FILE_BYTES.
MAX_PACKAGE_EVIDENCE_BYTES = 30 * 1024 * 1024
assert MAX_PACKAGE_EVIDENCE_BYTES < MAX_FILE_BYTES
NAME_LIMIT = 260  # Evidence.file_name

EVIDENCE = SheetSpec("证据", (
    c.code("note", "进展编号", 34), c.count("file", "文件序号", 8, number_format=None),
    c.text("name", "文件名", 24), c.code("type", "文件类型", 16), c.count("size", "大小（字节）", 12, number_format=None),
    c.code("sha256", "SHA-256", 30), c.count("part", "分段序号", 8, number_format=None),
    c.count("parts", "分段数", 8, number_format=None), c.code("data", "内容（Base64 分段）", 20),
))


@dataclass
class File:
    """One evidence file checked on import (bytes and what the sheet says of them)."""

    note: str
    number: int
    name: str
    media_type: str
    data: bytes
    row: int  # its first row in the sheet

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def too_much(total: int, count: int, year: int) -> str | None:
    """Why the year's evidence does not fit in one package (the export refuses before writing), or None."""
    if total <= MAX_PACKAGE_EVIDENCE_BYTES:
        return None
    limit = MAX_PACKAGE_EVIDENCE_BYTES // (1024 * 1024)
    return (f"{year}年的工作进展共附证据文件 {count} 个、{total / 1024 / 1024:.1f} MB，超过一个上报包可以携带的 "
            f"{limit} MB（上报包文件不能超过 {MAX_FILE_BYTES // 1024 // 1024} MB），没有导出。"
            "请把照片压缩后重新附上（或把 PDF 拆小），再导出上报包。")


def rows(note_uid: str, number: int, name: str, media_type: str, data: bytes) -> list[tuple]:
    """The sheet rows of one file."""
    text = base64.b64encode(data).decode("ascii")
    parts = [text[i:i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)] or [""]
    digest = hashlib.sha256(data).hexdigest()
    return [(note_uid, number, name, media_type, len(data), digest, k, len(parts), part)
            for k, part in enumerate(parts, start=1)]


def read_files(typed: list[tuple[int, tuple]], refuse) -> list[File]:
    """The sheet's files, each checked; ``refuse(row, column key, reason)`` for each file that fails
    (its first row, or the row at fault), which is then left out."""
    groups: dict[tuple[str, int], list[tuple[int, tuple]]] = {}
    for rownum, row in typed:
        groups.setdefault((row[0], row[1]), []).append((rownum, row))
    files = []
    for found in groups.values():
        checked = _file(found)
        if isinstance(checked, File):
            files.append(checked)
        else:
            refuse(*checked)
    return files


def _file(found: list[tuple[int, tuple]]) -> File | tuple[int, str, str]:
    """One file from its rows, or (row, column key, reason) of what is wrong with it."""
    first_row, first = found[0]
    note, number, name, media_type, size, digest, _part, parts, _data = first
    label = f"证据文件“{name}”"
    if not name.strip() or len(name) > NAME_LIMIT:
        return first_row, "name", f"证据文件名为空或超过 {NAME_LIMIT} 个字符。"
    for rownum, row in found[1:]:
        if row[2:6] != first[2:6] or row[7] != parts:
            return rownum, "name", f"{label}的各分段写的文件名、类型、大小、SHA-256 或分段数不一致，文件可能被改动。"
    found = sorted(found, key=lambda x: x[1][6])
    numbers = [row[6] for _n, row in found]
    if numbers != list(range(1, parts + 1)):
        missing = sorted(set(range(1, parts + 1)) - set(numbers))
        what = f"缺少第 {'、'.join(map(str, missing[:5]))} 段" if missing else "分段重复或序号不对"
        return first_row, "part", f"{label}应有 {parts} 段，{what}：文件不完整，可能被截断或改动。"
    try:
        data = base64.b64decode("".join(row[8] for _n, row in found), validate=True)
    except (binascii.Error, ValueError):
        return first_row, "data", f"{label}的内容不是有效的 Base64 文字，文件可能被改动。"
    if len(data) != size:
        return first_row, "size", f"{label}拼合后有 {len(data)} 字节，与所写的大小 {size} 字节不符，文件可能被截断或改动。"
    if hashlib.sha256(data).hexdigest() != digest.lower():
        return first_row, "sha256", f"{label}拼合后的 SHA-256 校验值与所写的不符，文件可能被改动。"
    try:  # the rule every evidence file passes (size, and type by content)
        _name, found_type, _data = rules.read_evidence(data, name)
    except UserError as exc:
        return first_row, "data", str(exc)
    if found_type != media_type:
        return first_row, "type", f"{label}写的类型是 {media_type}，按内容判断却是 {found_type}。"
    return File(note, number, name, media_type, data, first_row)
