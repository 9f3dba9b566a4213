"""Checks on an untrusted file: its zip directory before any spreadsheet parser sees it, then
every entry and its XML.

The whole file is read into memory once (bounded), so the bytes checked are the bytes parsed.
``check_archive`` bounds the entry count, the declared sizes and ratios, and refuses encryption,
unknown compression and repeated entry names. ``inflate_parts`` inflates every entry with its
declared size as a hard limit and its CRC verified, so a lying size header is refused. XML parts may
not declare a DTD or entities, nor use an encoding other than UTF-8 (which could hide one);
worksheets may not contain formulas.

``check_grid`` bounds every worksheet's cell grid (its <dimension ref> and every cell reference)
before any parser sees the file: python-calamine allocates the whole rectangle from A1 to the
farthest cell, so one cell at XFD1048576 aborts the process (a failed allocation) and a reference
past Excel's grid makes it panic.

workbook.read_book lets python-calamine parse as soon as ``check_archive`` and ``check_grid`` have
passed, while the XML checks run here; nothing it parsed is used unless they pass. That is safe
because its zip reader stops at an entry's declared size ("File is larger than its declared
uncompressed size") and its XML reader refuses declared entities ("unrecognized entity") instead of
expanding them; tests/test_packages_hostile.py holds it to both.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections import Counter
from io import BytesIO
from pathlib import Path

from defusedxml import ElementTree

from .errors import PackageError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 1000
MAX_TOTAL_UNCOMPRESSED = 512 * 1024 * 1024
MAX_RATIO = 200  # real sheets compress 5-20x; bombs 1000x
RATIO_FLOOR = 1024 * 1024  # the ratio of a small part does not matter
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
# A package's widest sheet has 10 columns, its longest some 100,000 rows; a hand-made activity sheet a
# few more of either. The parser holds the whole rectangle from A1, so its area is bounded too.
MAX_COLUMNS = 256
MAX_ROWS = 1_048_576
MAX_CELLS = 3_000_000

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_PREFIXED_TAG = re.compile(rb"<[\w.-]+$")
_AFTER_NAME = frozenset(b" \t\r\n/>")
_CELL_REF = re.compile(rb'\br="([A-Za-z]{1,3})(\d+)"')
_REF_COLUMN = re.compile(rb"""\br\s*=\s*["']([A-Za-z]+)\d""")
_REF_ROW = re.compile(rb"""\br\s*=\s*["'][A-Za-z]+(\d+)""")
_ROW_REF = re.compile(rb"""<(?:[\w.-]+:)?row\b[^>]*?\br\s*=\s*["'](\d+)["']""")
_DIMENSION = re.compile(rb"""<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*["']([^"']*)["']""")
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']""")


def read_checked(path: Path) -> bytes:
    """The file's bytes, after every check of this module; raises PackageError (without file name)."""
    data = read_bounded(path)
    parts = inflate_checked(data)
    check_grid(parts)
    check_parts(parts)
    return data


def read_bounded(path: Path) -> bytes:
    """The file's bytes, if it is a regular file within the size limit."""
    path = Path(path)
    if not path.is_file():
        raise PackageError("文件不存在，或不是一个普通文件。")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise PackageError(
            f"文件太大（{size / 1024 / 1024:.1f} MB），超过数据包上限 {MAX_FILE_BYTES // 1024 // 1024} MB，已拒绝导入。"
        )
    with path.open("rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise PackageError("文件太大，超过数据包上限，已拒绝导入。")
    return data


def inflate_checked(data: bytes) -> dict[str, bytes]:
    """Every zip entry inflated (path -> bytes), after ``check_archive``; each entry must inflate to
    exactly its declared size with a matching CRC."""
    return inflate_parts(data, check_archive(data))


def check_archive(data: bytes) -> list[zipfile.ZipInfo]:
    """The archive's entries, after the checks that need only its directory: entry count, declared
    sizes and ratios, encryption, compression method, the parts every workbook has."""
    infos = _open_zip(data).infolist()
    _check_entries(infos)
    names = Counter(i.filename for i in infos)
    twice = sorted(name for name, n in names.items() if n > 1)
    if twice:  # Excel might show one copy while the checks and the parser read another
        raise PackageError(f"压缩包中有重名的条目（{'、'.join(twice[:3])}），不同的程序可能读到不同的内容，"
                           "疑似被篡改，已拒绝导入。")
    for part in REQUIRED_PARTS:
        if part not in names:
            raise PackageError(f"不是 Excel 工作簿（压缩包中缺少 {part}），不是本程序导出的数据包。")
    return infos


def inflate_parts(data: bytes, infos: list[zipfile.ZipInfo]) -> dict[str, bytes]:
    return {info.filename: _inflate(data, info) for info in infos if not info.is_dir()}


def check_parts(parts: dict[str, bytes]) -> None:
    """XML parts: UTF-8 only, no DTD or entity declarations; worksheets: no formulas."""
    for name, content in parts.items():
        if name.endswith((".xml", ".rels", ".vml")):
            _check_xml(name, content)
    for sheet, part in sheet_parts(parts).items():
        if part in parts:
            _check_formulas(sheet, parts[part])


def check_grid(parts: dict[str, bytes]) -> None:
    """Every worksheet's declared dimension and the cells it really holds stay within MAX_COLUMNS,
    MAX_ROWS and MAX_CELLS (the rectangle from A1 to the farthest cell)."""
    names = {part: sheet for sheet, part in sheet_parts(parts).items()}
    for part, content in parts.items():
        if part.startswith("xl/worksheets/") and part.endswith(".xml"):
            sheet = names.get(part, part)
            declared = _DIMENSION.search(content, 0, 4096)
            if declared:
                _check_extent(sheet, *_dimension_extent(sheet, declared.group(1)), declared=declared.group(1))
            _check_extent(sheet, *_cell_extent(content))


def _dimension_extent(sheet: str, ref: bytes) -> tuple[int, int]:
    corner = ref.split(b":")[-1].replace(b"$", b"")
    m = re.fullmatch(rb"([A-Za-z]{1,3})(\d{1,7})", corner)
    if not m:
        raise PackageError(f"声明的单元格范围“{ref[:40].decode('ascii', 'replace')}”格式不对，文件已损坏，已拒绝导入。",
                           sheet=sheet)
    return _column_number(m.group(1).upper()), int(m.group(2))


# The form every writer uses (<c r="B7">, <row r="7">) is measured with literal-prefixed patterns, which
# are fast; any other spelling of an "r" attribute (quotes, spaces, order, lower case) takes the general path.
_FAST_WIDE = re.compile(rb'<c r="([A-Z]{2,})\d')
_FAST_NARROW = re.compile(rb'<c r="([A-Z])\d')
_FAST_ROWS = {n: (re.compile(rb'<row r="(\d{%d,})"' % n), re.compile(rb'<c r="[A-Z]+(\d{%d,})"' % n))
              for n in range(7, 0, -1)}


def _cell_extent(content: bytes) -> tuple[int, int]:
    """(widest column, last row) of the cell references and row numbers in a worksheet's XML."""
    fast = _fast_cell_extent(content)
    return fast if fast is not None else _general_cell_extent(content)


def _fast_cell_extent(content: bytes) -> tuple[int, int] | None:
    cells, rows = content.count(b'<c r="'), content.count(b'<row r="')
    others = sum(content.count(b) for b in (b"r=", b"r =", b"r\t", b"r\n", b"r\r")) - cells - rows
    if others != sum(content.count(b) for b in (b"header=", b"footer=", b"xmlns:r=")):
        return None  # another spelling, or "r=" in a text: measure the general way
    wide, narrow = _FAST_WIDE.findall(content), _FAST_NARROW.findall(content)
    if len(wide) + len(narrow) != cells:
        return None
    widest = max((_column_number(c) for c in {*wide, *narrow}), default=0)
    for row_tags, cell_refs in _FAST_ROWS.values():  # the longest row numbers first: few of them to compare
        found = row_tags.findall(content) + cell_refs.findall(content)
        if found:
            last = max(found, key=lambda r: (len(r.lstrip(b"0")), r.lstrip(b"0")))
            return widest, int(last) if len(last) <= 12 else MAX_ROWS + 1
    return widest, 0


def _general_cell_extent(content: bytes) -> tuple[int, int]:
    columns = {c.upper() for c in _REF_COLUMN.findall(content)}  # a handful in a real sheet
    widest = max((_column_number(c) for c in columns), default=0)
    rows = set(_REF_ROW.findall(content)) | set(_ROW_REF.findall(content))
    last = max((r.lstrip(b"0") or b"0" for r in rows), key=lambda r: (len(r), r), default=b"0")
    return widest, int(last) if len(last) <= 12 else MAX_ROWS + 1


def _column_number(letters: bytes) -> int:
    """A1-style column letters to a 1-based number (any length, unlike openpyxl's, which stops at XFD)."""
    number = 0
    for ch in letters[:12]:
        number = number * 26 + ch - 64
    return number


def _check_extent(sheet: str, columns: int, rows: int, declared: bytes | None = None) -> None:
    if columns <= MAX_COLUMNS and rows <= MAX_ROWS and columns * rows <= MAX_CELLS:
        return
    what = f"声明的单元格范围 {declared[:40].decode('ascii', 'replace')} " if declared else "单元格范围"
    raise PackageError(
        f"{what}过大（{rows} 行 × {columns} 列；上限 {MAX_COLUMNS} 列、共 {MAX_CELLS} 个单元格），"
        "本程序导出的文件不会这样，文件已损坏或被改动过，已拒绝导入。", sheet=sheet)


def _open_zip(data: bytes) -> zipfile.ZipFile:
    if not data:
        raise PackageError("文件是空的（0 字节），不是数据包。")
    if data.startswith(_OLE2):
        raise PackageError(
            "这是旧版 Excel 97-2003（.xls）文件或加了密码的工作簿，不是本程序导出的 .xlsx 数据包。"
            "请导入本程序导出的原始文件，不要另存或改扩展名。"
        )
    if not data.startswith(b"PK"):
        raise PackageError(_not_zip_message(data))
    try:
        return zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise PackageError("文件不完整或已损坏（可能在下载、复制或发送邮件时被截断），无法读取。"
                           "请对方重新发送。") from None


def _not_zip_message(data: bytes) -> str:
    head = data[:4096]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text and sum(ch.isprintable() or ch in "\r\n\t" for ch in text) / len(text) > 0.95:
            return "这是文本文件（例如 CSV），不是 .xlsx 数据包。请导入本程序导出的原始 .xlsx 文件，不要另存为其他格式。"
    return "不是 xlsx 文件（无法识别的文件格式），不是本程序导出的数据包。"


def _check_entries(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise PackageError(f"压缩包内的条目过多（{len(infos)} 个，上限 {MAX_ENTRIES}），疑似恶意文件，已拒绝导入。")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise PackageError("工作簿加了密码（加密），本程序不能读取，已拒绝导入。")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise PackageError(f"压缩包条目 {info.filename} 使用了不支持的压缩方式，已拒绝导入。")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise PackageError(
                f"压缩包条目 {info.filename} 的压缩比异常（{ratio:.0f} 倍），疑似“压缩炸弹”，已拒绝导入。"
            )
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise PackageError(
            f"解压后的总大小（{total / 1024 / 1024:.0f} MB）超过上限 {MAX_TOTAL_UNCOMPRESSED // 1024 // 1024} MB，"
            "疑似“压缩炸弹”，已拒绝导入。"
        )


def _inflate(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """Inflate one entry, never producing more than its declared size; sizes and CRC must agree."""
    corrupt = PackageError(f"文件已损坏（压缩包条目 {info.filename} 与其声明的大小或校验值不符），已拒绝导入。")
    header = data[info.header_offset:info.header_offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        raise corrupt
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != 0x04034B50:
        raise corrupt
    start = info.header_offset + _LOCAL_HEADER.size + fields[9] + fields[10]
    raw = data[start:start + info.compress_size]
    if len(raw) != info.compress_size:
        raise corrupt
    if info.compress_type == zipfile.ZIP_STORED:
        out = raw
    else:
        inflater = zlib.decompressobj(-15)
        try:
            out = inflater.decompress(raw, info.file_size + 1)
        except zlib.error:
            raise corrupt from None
        if not inflater.eof:
            raise corrupt
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise corrupt
    return out


def _check_xml(name: str, content: bytes) -> None:
    head = content[:256]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise PackageError(f"XML 部件 {name} 不是 UTF-8 编码，已拒绝导入。")
    m = _ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    if m and m.group(1).strip().lower() not in (b"utf-8", b"utf8"):
        raise PackageError(f"XML 部件 {name} 使用了 {m.group(1).decode('ascii', 'replace')} 编码，已拒绝导入。")
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise PackageError(
            f"XML 部件 {name} 含有 DTD/实体声明（可用于“XML 实体炸弹”等攻击），本程序导出的文件不会有，已拒绝导入。"
        )


def sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> zip part path, from xl/workbook.xml and its relationships."""
    try:
        book = ElementTree.fromstring(parts["xl/workbook.xml"], forbid_dtd=True)
        rels = ElementTree.fromstring(parts.get("xl/_rels/workbook.xml.rels", b"<r/>"), forbid_dtd=True)
    except Exception:
        raise PackageError("工作簿结构（xl/workbook.xml）已损坏，无法读取。") from None
    targets = {r.get("Id"): r.get("Target", "") for r in rels if r.tag.endswith("Relationship")}
    found = {}
    for el in book.iter():
        if el.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        target = targets.get(rid, "")
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target.removeprefix("./")
        found[el.get("name", "")] = path
    return found


def _formula_at(content: bytes) -> int:
    """Offset of the first formula element, <f ...> or <prefix:f ...>, or -1. Two substring scans
    instead of a regular expression: a 100,000-row sheet is some 60 MB of XML."""
    for needle in (b"<f", b":f"):
        pos = content.find(needle)
        while pos != -1:
            after = content[pos + 2] if pos + 2 < len(content) else 0
            if after in _AFTER_NAME and (needle == b"<f" or _PREFIXED_TAG.search(content, max(0, pos - 40), pos)):
                return pos
            pos = content.find(needle, pos + 2)
    return -1


def _check_formulas(sheet: str, content: bytes) -> None:
    at = _formula_at(content)
    if at < 0:
        return
    start = max(content.rfind(b"<c ", 0, at), content.rfind(b":c ", 0, at))
    ref = _CELL_REF.search(content, max(start, 0), at) if start >= 0 else None
    row = col = None
    if ref:
        col = _column_number(ref.group(1).upper())
        row = int(ref.group(2))
    raise PackageError(
        "含有公式。本程序导出的数据包只含数值和文字，公式可能是被人为插入的，已拒绝导入。",
        sheet=sheet, row=row, col=col,
    )
