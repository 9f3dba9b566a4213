"""Generators of hostile or broken files, written at run time (no binary blobs in the repository)."""

from __future__ import annotations

import re
import struct
import warnings
import zipfile
from pathlib import Path
from typing import Callable

import openpyxl

from kexie_desktop.packages.format import safety

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def sheet_part(path: Path, sheet: str) -> str:
    return safety.sheet_parts(parts(path))[sheet]


def rewrite_zip(src: Path, dst: Path, edits: dict[str, Callable[[bytes], bytes]]) -> Path:
    content = parts(src)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in content.items():
            z.writestr(name, edits[name](data) if name in edits else data)
    return dst


def edit_sheet(src: Path, dst: Path, sheet: str, fn: Callable[[bytes], bytes]) -> Path:
    return rewrite_zip(src, dst, {sheet_part(src, sheet): fn})


def not_xlsx(dst: Path) -> Path:
    dst.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    return dst


def truncated(src: Path, dst: Path) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: len(data) // 2])
    return dst


def renamed_xls(dst: Path) -> Path:
    dst.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"Workbook" * 64)
    return dst


def renamed_csv(dst: Path) -> Path:
    dst.write_text("单位代码,指标代码,月份,数值\n320703,I05,2019-03,7\n", encoding="utf-8")
    return dst


def empty_workbook(dst: Path) -> Path:
    openpyxl.Workbook().save(dst)
    return dst


def with_openpyxl(src: Path, dst: Path, fn) -> Path:
    """Open with openpyxl (as a person with Excel would), change something, save."""
    wb = openpyxl.load_workbook(src)
    fn(wb)
    wb.save(dst)
    return dst


def set_manifest(src: Path, dst: Path, field: str, value) -> Path:
    def change(wb):
        ws = wb["校验信息"]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == field:
                row[2].value = value
    return with_openpyxl(src, dst, change)


def entity_bomb(src: Path, dst: Path, sheet: str = "月度数据") -> Path:
    def inject(xml: bytes) -> bytes:
        body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
        return BILLION_LAUGHS + body.replace(b"<t>", b"<t>&lol3;", 1)
    return edit_sheet(src, dst, sheet, inject)


def formula_cell(src: Path, dst: Path, sheet: str, ref: str) -> Path:
    def inject(xml: bytes) -> bytes:
        pattern = rb'<c r="' + ref.encode() + rb'"([^>]*)>(.*?)</c>'
        return re.sub(pattern, b'<c r="' + ref.encode() + b'"><f>SUM(1,1)</f><v>2</v></c>', xml, count=1)
    return edit_sheet(src, dst, sheet, inject)


def long_cell(src: Path, dst: Path, sheet: str, ref: str, length: int = 40_000) -> Path:
    def inject(xml: bytes) -> bytes:
        pattern = rb'(<c r="' + ref.encode() + rb'"[^>]*><is><t[^>]*>)(.*?)(</t>)'
        return re.sub(pattern, lambda m: m.group(1) + b"x" * length + m.group(3), xml, count=1)
    return edit_sheet(src, dst, sheet, inject)


def zip_bomb(dst: Path, size: int = 20 * 1024 * 1024) -> Path:
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * size)
    return dst


def many_entries(dst: Path, count: int = 1200) -> Path:
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(count):
            z.writestr(f"xl/media/x{i}.bin", b"")
    return dst


def duplicate_entry(src: Path, dst: Path, part: str, first: bytes) -> Path:
    """The same entry name twice: ``first`` as the first copy, the genuine part after it."""
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
            for info in z.infolist():
                if info.filename == part:
                    out.writestr(part, first)
                out.writestr(info, z.read(info))
    return dst


def lying_size(src: Path, dst: Path, part: str) -> Path:
    """Declare a smaller uncompressed size than the entry really inflates to (a disguised bomb)."""
    data = bytearray(rewrite_zip(src, dst, {}).read_bytes())
    with zipfile.ZipFile(dst) as z:
        info = z.getinfo(part)
    real = info.file_size
    fake = struct.pack("<I", max(1, real // 10))
    struct.pack_into("<4s", data, info.header_offset + 22, fake)  # local header: uncompressed size
    name = part.encode()
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + n]) == name:
            struct.pack_into("<4s", data, pos + 24, fake)  # central directory: uncompressed size
            break
        pos = data.find(b"PK\x01\x02", pos + 4)
    dst.write_bytes(bytes(data))
    return dst
