"""The change list of an import preview: single changes and column blocks, in classification order."""

from __future__ import annotations

import pytest

from kexie_desktop.packages.pipeline.results import (CHANGED, DELETED, NEW, REFUSED, SAME, ChangeBlock, ChangeList,
                                            PackagePreview, RowChange)


def _block():
    return ChangeBlock("活动台账", NEW, (5, 6, 7), ("u5", "u6", "u7"),
                       ("{} {}", (("2019-03-01", "2019-03-02", "2019-03-03"), ("讲座甲", "讲座乙", "讲座丙"))),
                       ("{}，{} 人", (("POP_LECTURE",) * 3, (3, 4, 5))))


def _changes() -> ChangeList:
    changes = ChangeList([RowChange("月度数据", 2, "I09/2019-03", CHANGED, "x", "1", "2"),
                          RowChange("活动台账", 3, "u3", SAME, "y")])
    changes.append(RowChange("活动台账", 4, "", REFUSED, "z", reason="坏"))
    changes.add(_block())
    changes.append(RowChange("活动台账", None, "u9", DELETED, "w", old="旧"))
    return changes


def test_blocks_make_the_same_row_changes_a_list_would_hold():
    changes = _changes()
    assert len(changes) == 7
    assert changes[4] == RowChange("活动台账", 6, "u6", NEW, "2019-03-02 讲座乙", "", "POP_LECTURE，4 人")
    assert [c.key for c in changes] == ["I09/2019-03", "u3", "", "u5", "u6", "u7", "u9"]
    assert [c.key for c in changes[2:5]] == ["", "u5", "u6"]
    assert changes[-1].key == "u9" and changes[-4].key == "u5"
    with pytest.raises(IndexError):
        changes[7]


def test_counts_and_filters_by_action():
    changes = _changes()
    assert changes.counts() == {NEW: 3, CHANGED: 1, SAME: 1, DELETED: 1, REFUSED: 1}
    assert [c.key for c in changes.without(SAME)] == ["I09/2019-03", "", "u5", "u6", "u7", "u9"]
    assert [c.reason for c in changes.only(REFUSED)] == ["坏"]
    assert len(changes.only(SAME, DELETED)) == 2 and not changes.only(NEW).only(REFUSED)
    assert ChangeList(changes)[3] == changes[3]  # copying keeps the blocks


def test_preview_counts_and_json_leave_out_unchanged_rows():
    preview = PackagePreview("a.xlsx", "ready", "", changes=_changes())
    assert preview.counts_text() == "新增 3，修改 1，未变 1，删除 1，拒绝 1"
    data = preview.to_dict()
    assert [c["key"] for c in data["changes"]] == ["I09/2019-03", "", "u5", "u6", "u7", "u9"]
    assert data["changes"][2] == {"sheet": "活动台账", "row": 5, "key": "u5", "action": NEW,
                                  "label": "2019-03-01 讲座甲", "old": "", "new": "POP_LECTURE，3 人", "reason": ""}


def test_canonical_form_tells_apart_contents_that_plain_joining_would_not():
    from kexie_desktop.packages.format.signing import canonical

    def form(*columns):
        return canonical({"kind": "submission", "signature": "ignored"}, [("活动台账", [list(c) for c in columns])])

    assert form(["a", "b"]) == ('{"manifest":[["kind","submission"]],"sheets":[["活动台账",1,2]]}\x1eTa\x1fb').encode()
    # A separator inside a cell turns that column into JSON, so moving it between cells shows.
    assert form(["a\x1fb", "c"]) != form(["a", "b\x1fc"])
    assert form(["a\x1fb", "c"]).endswith('\x1eJ["a\\u001fb","c"]'.encode())
    assert form(["x\x1ey", "z"]) != form(["x", "y\x1ez"])
    # Row and column counts are in the head: cells cannot move between columns or sheets.
    assert form(["a", ""], ["b", "c"]) != form(["a", "", "b"], ["c", "", ""])
    assert form([""]) != form([]) and form(["", ""]) != form([""])
    assert canonical({"signature": "x"}, []) == canonical({"signature": "y"}, [])


def _decode(data: bytes):
    """The inverse of signing.canonical: if every output decodes back to its input, no two
    different contents can share a signature."""
    import json

    head, *records = data.decode("utf-8").split("\x1e")
    head = json.loads(head)
    sheets = []
    for name, n_columns, n_rows in head["sheets"]:
        columns = []
        for record in records[:n_columns]:
            column = json.loads(record[1:]) if record[0] == "J" else record[1:].split("\x1f")
            assert record[0] in "JT" and len(column) == n_rows
            columns.append(column)
        records = records[n_columns:]
        sheets.append((name, columns))
    assert not records
    return dict(head["manifest"]), sheets


def test_canonical_form_decodes_back_to_exactly_its_content():
    import random

    from kexie_desktop.packages.format.signing import canonical

    rng = random.Random(7)
    alphabet = ["a", "活", "", "\x1f", "\x1e", "J", "T", "[", '"', "\\", "\n", "😀", "\x00"]

    def text():
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(4)))

    for _ in range(2000):
        manifest = {text() + str(i): text() for i in range(rng.randrange(3))}
        sheets = []
        for _ in range(rng.randrange(3)):
            rows = rng.randrange(1, 4)
            sheets.append((text(), [[text() for _ in range(rows)] for _ in range(rng.randrange(3))]))
        assert _decode(canonical(manifest, sheets)) == (manifest, sheets)
